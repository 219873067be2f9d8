package io.resticmanager.gateway;

import io.helidon.http.HeaderNames;
import io.resticmanager.kit.Times;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.resticmanager.kit.Http;
import io.resticmanager.kit.Problem;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code GET /api/audit}: the audit log, newest first, filterable and paged by cursor; {@code GET /api/audit/export}:
 * the same filtered rows as CSV, streamed page by page and bounded. Admin only (route table).
 */
final class AuditRoutes implements HttpService {
    record Item(String at, String user, String action, String target, String result, int status, String sourceIp) {
    }

    record Page(List<Item> items, String nextCursor) {
    }

    static final Set<String> RESULTS = Set.of("ok", "denied", "failed");
    /** The most rows one export holds (newest first); {@code X-RM-Truncated: true} says when more matched. */
    static final int MAX_EXPORT = 100_000;
    /** Rows read per query while streaming: the export never holds more than this in memory. */
    private static final int EXPORT_PAGE = 1000;
    static final List<String> CSV_HEADER = List.of("at", "user", "action", "target", "result", "status", "source_ip");

    private final AuditStore audit;

    AuditRoutes(AuditStore audit) {
        this.audit = audit;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/api/audit", this::find)
                .get("/api/audit/export", this::export);
    }

    private void find(ServerRequest req, ServerResponse res) {
        Optional<Long> cursor = Http.query(req, "cursor").map(c -> {
            try {
                return Long.parseLong(c);
            } catch (NumberFormatException e) {
                throw Problem.badRequest("cursor is not valid");
            }
        });
        AuditStore.Page page = audit.find(query(req, cursor, Http.intQuery(req, "limit", 100, 1, 1000)));
        List<Item> items = page.items().stream().map(AuditRoutes::item).toList();
        Http.json(res, new Page(items, page.nextCursor().map(String::valueOf).orElse(null)));
    }

    /**
     * The filtered rows as {@code text/csv}, newest first, at most {@code limit} (default and most
     * {@value #MAX_EXPORT}). Headers say how many matched ({@code X-RM-Total-Rows}) and whether the file holds
     * fewer ({@code X-RM-Truncated}). The export itself is audited (it copies the log out of the server).
     */
    private void export(ServerRequest req, ServerResponse res) {
        int limit = Http.intQuery(req, "limit", MAX_EXPORT, 1, MAX_EXPORT);
        AuditStore.Query query = query(req, Optional.empty(), EXPORT_PAGE);
        Caller caller = req.context().get(Caller.class).orElseThrow(() -> Problem.unauthorized("login required"));
        // first, so an export that matches its own row lists it, and the row counts agree with the file
        audit.append(new AuditEntry(Times.now(), AuditNote.bounded(caller.auditName(), AuditNote.MAX_USER),
                                    "audit.export", AuditNote.bounded(describe(req), AuditNote.MAX_TARGET), 200, "ok",
                                    AuditNote.bounded(AuthRoutes.source(req).ip(), AuditNote.MAX_USER)));
        long total = audit.count(query);
        res.header(HeaderNames.CONTENT_TYPE, "text/csv; charset=UTF-8");
        res.header(HeaderNames.CONTENT_DISPOSITION, "attachment; filename=\"audit-"
                + Times.now().replaceAll("[^0-9T]", "").substring(0, 15) + ".csv\"");
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.header(HeaderNames.create("X-RM-Total-Rows"), String.valueOf(total));
        res.header(HeaderNames.create("X-RM-Truncated"), String.valueOf(total > limit));
        try (OutputStream out = res.outputStream()) {
            out.write(Csv.row(CSV_HEADER).getBytes(StandardCharsets.UTF_8));
            int written = 0;
            Long before = null;
            while (written < limit) {
                AuditStore.Page page = audit.find(query.page(before, Math.min(EXPORT_PAGE, limit - written)));
                StringBuilder chunk = new StringBuilder();
                for (AuditEntry e : page.items()) {
                    chunk.append(Csv.row(List.of(e.at(), e.user(), e.action(), e.target(), e.result(),
                                                 String.valueOf(e.status()), e.sourceIp())));
                }
                out.write(chunk.toString().getBytes(StandardCharsets.UTF_8));
                written += page.items().size();
                if (page.nextCursor().isEmpty()) {
                    break;
                }
                before = page.nextCursor().get();
            }
        } catch (IOException e) {
            // the client went away mid-download: nothing to answer any more
            throw new UncheckedIOException(e);
        }
    }

    private static Item item(AuditEntry e) {
        return new Item(e.at(), e.user(), e.action(), e.target(), e.result(), e.status(), e.sourceIp());
    }

    private static AuditStore.Query query(ServerRequest req, Optional<Long> cursor, int limit) {
        Optional<String> result = Http.query(req, "result");
        if (result.isPresent() && !RESULTS.contains(result.get())) {
            throw Problem.badRequest("result must be ok, denied or failed");
        }
        return new AuditStore.Query(
                Http.query(req, "user"), Http.query(req, "action"), Http.query(req, "target"), result,
                Http.query(req, "since").map(s -> time("since", s)), Http.query(req, "until").map(u -> time("until", u)),
                cursor, limit);
    }

    /** The export's filters as its audit row names them ("user=vera result=denied"), or "all". */
    private static String describe(ServerRequest req) {
        StringBuilder out = new StringBuilder();
        for (String name : List.of("user", "action", "target", "result", "since", "until")) {
            Http.query(req, name).ifPresent(v -> out.append(out.isEmpty() ? "" : " ").append(name).append('=')
                    .append(v));
        }
        return out.isEmpty() ? "all" : out.toString();
    }

    /** RFC 3339 instant or a plain date (midnight UTC), normalized to the stored form. */
    private static String time(String name, String value) {
        try {
            return Times.format(Instant.parse(value));
        } catch (DateTimeParseException e) {
            try {
                return Times.format(LocalDate.parse(value).atStartOfDay().toInstant(ZoneOffset.UTC));
            } catch (DateTimeParseException e2) {
                throw Problem.badRequest(name + " must be an RFC 3339 time or a date (YYYY-MM-DD)");
            }
        }
    }
}
