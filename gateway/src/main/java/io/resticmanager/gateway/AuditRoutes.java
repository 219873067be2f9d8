package io.resticmanager.gateway;

import io.resticmanager.kit.Times;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.resticmanager.kit.Http;
import io.resticmanager.kit.Problem;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;

/** {@code GET /api/audit}: the audit log, newest first, filterable and paged by cursor. Admin only. */
final class AuditRoutes implements HttpService {
    record Item(String at, String user, String action, String target, String result, int status, String sourceIp) {
    }

    record Page(List<Item> items, String nextCursor) {
    }

    private final AuditStore audit;

    AuditRoutes(AuditStore audit) {
        this.audit = audit;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/api/audit", this::find);
    }

    private void find(ServerRequest req, ServerResponse res) {
        Optional<Long> cursor = Http.query(req, "cursor").map(c -> {
            try {
                return Long.parseLong(c);
            } catch (NumberFormatException e) {
                throw Problem.badRequest("cursor is not valid");
            }
        });
        AuditStore.Page page = audit.find(new AuditStore.Query(
                Http.query(req, "user"), Http.query(req, "action"), Http.query(req, "target"),
                Http.query(req, "since").map(s -> time("since", s)), Http.query(req, "until").map(u -> time("until", u)),
                cursor, Http.intQuery(req, "limit", 100, 1, 1000)));
        List<Item> items = page.items().stream()
                .map(e -> new Item(e.at(), e.user(), e.action(), e.target(), e.result(), e.status(), e.sourceIp()))
                .toList();
        Http.json(res, new Page(items, page.nextCursor().map(String::valueOf).orElse(null)));
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
