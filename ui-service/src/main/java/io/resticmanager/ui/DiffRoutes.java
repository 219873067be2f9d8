package io.resticmanager.ui;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.resticmanager.kit.Http;
import io.resticmanager.proto.view.HostView;
import io.resticmanager.proto.view.SnapshotView;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Snapshot diffs of a host. {@code /hosts/{id}/diff}: pick two of its snapshots (operators; the form posts here and
 * a diff job starts); {@code /hosts/{id}/diffs/{job}}: the result, added / removed / changed paths with their sizes,
 * 100 a page ({@code ?cursor=}), refreshed every 2 s while the job runs.
 */
final class DiffRoutes implements HttpService {
    static final int PAGE = 100;
    private final GatewayApi api;
    private final Pages pages;

    DiffRoutes(GatewayApi api, Pages pages) {
        this.api = api;
        this.pages = pages;
    }

    record HostRef(String id, String name) {
    }

    /** The picker: both selects list the host's newest snapshots, the older one chosen as "from". */
    record PickView(HostRef host, List<Views.Option> from, List<Views.Option> to, boolean tooFew,
                    Views.ProblemView problem) {
    }

    /** One differing path as the table shows it. */
    record Row(String path, String change, String symbol, String kind, String type, String size) {
    }

    record Totals(String added, String removed, String changed, boolean truncated, String shown) {
    }

    record DiffView(HostRef host, String jobId, String status, boolean running, boolean failed, String from, String to,
                    Totals totals, List<Row> rows, boolean empty, String nextUrl, String pollUrl, String error) {
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/hosts/{id}/diff", Pages.signedIn(this::pick))
                .post("/hosts/{id}/diff", Pages.signedIn(this::start))
                .get("/hosts/{id}/diffs/{job}", Pages.signedIn(this::show));
    }

    private HostRef host(Session session, String id) {
        HostView host = api.get(session, "/api/hosts/" + Urls.enc(id), Map.of(), GatewayApi.HOST);
        return new HostRef(host.id() != null ? host.id() : id, host.name() != null ? host.name() : Views.shortId(id));
    }

    private void pick(ServerRequest req, ServerResponse res, Session session) {
        renderPick(res, 200, session, req.path().pathParameters().get("id"), null, null, null);
    }

    private void renderPick(ServerResponse res, int status, Session session, String id, String from, String to,
                            Views.ProblemView problem) {
        HostRef host = host(session, id);
        List<SnapshotView> snapshots = api.get(session, "/api/hosts/" + Urls.enc(id) + "/snapshots",
                                               Map.of("limit", "100"), GatewayApi.SNAPSHOTS).items();
        Instant now = Instant.now();
        String newest = snapshots.isEmpty() ? "" : snapshots.get(0).id();
        String second = snapshots.size() < 2 ? "" : snapshots.get(1).id();
        String fromId = from != null ? from : second;
        String toId = to != null ? to : newest;
        List<Views.Option> fromOptions = new ArrayList<>();
        List<Views.Option> toOptions = new ArrayList<>();
        for (SnapshotView s : snapshots) {
            String sid = s.id() == null ? "" : s.id();
            Instant time = s.time();
            String label = (s.shortId() != null ? s.shortId() : Views.shortId(sid)) + " · "
                    + (time == null ? "" : Format.absolute(time) + " (" + Format.relative(time, now) + ")") + " · "
                    + String.join(", ", s.paths());
            fromOptions.add(new Views.Option(sid, label, sid.equals(fromId)));
            toOptions.add(new Views.Option(sid, label, sid.equals(toId)));
        }
        pages.page(res, status, session, "Compare snapshots · " + host.name(), "dashboard", "hosts/diff_pick",
                   new PickView(host, fromOptions, toOptions, snapshots.size() < 2, problem));
    }

    private void start(ServerRequest req, ServerResponse res, Session session) {
        String id = req.path().pathParameters().get("id");
        Form form = Form.read(req);
        String from = form.get("snapshot_id");
        String to = form.get("other_snapshot_id");
        Form.act(() -> {
            if (from.isEmpty() || to.isEmpty()) {
                throw new Form.Invalid("Pick two snapshots.");
            }
            if (from.equals(to)) {
                throw new Form.Invalid("Pick two different snapshots.");
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("snapshot_id", from);
            body.put("other_snapshot_id", to);
            JsonNode created = api.post(session, "/api/hosts/" + Urls.enc(id) + "/diffs", body).body();
            Pages.redirect(req, res, "/hosts/" + Urls.enc(id) + "/diffs/"
                    + Urls.enc(Nodes.text(created, "job_id", "")));
        }, (status, problem) -> renderPick(res, status, session, id, from, to, problem));
    }

    private void show(ServerRequest req, ServerResponse res, Session session) {
        String id = req.path().pathParameters().get("id");
        String job = req.path().pathParameters().get("job");
        String cursor = Http.query(req, "cursor").orElse("");
        Map<String, String> query = new LinkedHashMap<>();
        query.put("limit", String.valueOf(PAGE));
        if (!cursor.isEmpty()) {
            query.put("cursor", cursor);
        }
        JsonNode diff = api.get(session, "/api/jobs/" + Urls.enc(job) + "/diff", query);
        HostRef host = host(session, id);
        String status = Nodes.text(diff, "status", "");
        boolean running = status.equals("queued") || status.equals("running");
        JsonNode summary = diff.path("summary");
        List<Row> rows = new ArrayList<>();
        for (JsonNode e : Nodes.items(diff)) {
            rows.add(row(e));
        }
        Totals totals = running || summary.isMissingNode() || summary.isNull() ? null : new Totals(
                count(summary, "added_files", "file") + ", " + count(summary, "added_dirs", "directory") + " · "
                        + Format.bytes(summary.path("added_bytes").asLong(0)),
                count(summary, "removed_files", "file") + ", " + count(summary, "removed_dirs", "directory") + " · "
                        + Format.bytes(summary.path("removed_bytes").asLong(0)),
                count(summary, "changed_files", "file"),
                summary.path("truncated").asBoolean(false),
                Format.count(summary.path("entries").asLong(0)) + " of "
                        + Format.count(summary.path("entries_total").asLong(0)));
        String base = "/hosts/" + Urls.enc(id) + "/diffs/" + Urls.enc(job);
        String next = Nodes.text(diff, "next_cursor");
        Object error = running ? null : diffError(session, job, status);
        DiffView view = new DiffView(host, job, status.replace('_', ' '), running,
                                     !running && !status.startsWith("succeeded"),
                                     Views.shortId(Nodes.text(diff, "snapshot_id", "")),
                                     Views.shortId(Nodes.text(diff, "other_snapshot_id", "")), totals, rows,
                                     rows.isEmpty(), next == null ? null : base + "?cursor=" + next,
                                     running ? base : null, error == null ? null : error.toString());
        if (Pages.fragmentRequested(req)) {
            pages.fragment(res, 200, session, "hosts/_diff", view);
        } else {
            pages.page(res, 200, session, "Snapshot diff · " + host.name(), "dashboard", "hosts/diff", view);
        }
    }

    /** Why a diff did not succeed: the job's error (its log has the rest). */
    private String diffError(Session session, String job, String status) {
        if (status.startsWith("succeeded")) {
            return null;
        }
        return Nodes.text(api.get(session, "/api/jobs/" + Urls.enc(job)), "error", "the diff job " + status);
    }

    static Row row(JsonNode e) {
        String change = Nodes.text(e, "change", "");
        String type = Nodes.text(e, "type", "");
        OptionalLong oldSize = Nodes.number(e, "old_size");
        OptionalLong newSize = Nodes.number(e, "new_size");
        String size = switch (change) {
            case "added" -> newSize.isPresent() ? Format.bytes(newSize.getAsLong()) : "";
            case "removed" -> oldSize.isPresent() ? Format.bytes(oldSize.getAsLong()) : "";
            default -> oldSize.isPresent() && newSize.isPresent()
                    ? Format.bytes(oldSize.getAsLong()) + " → " + Format.bytes(newSize.getAsLong())
                    : newSize.isPresent() ? Format.bytes(newSize.getAsLong()) : "";
        };
        String symbol = switch (change) {
            case "added" -> "+";
            case "removed" -> "−";
            case "changed" -> "M";
            case "type_changed" -> "T";
            default -> "U";
        };
        String kind = switch (change) {
            case "added" -> "added";
            case "removed" -> "removed";
            case "type_changed" -> "type changed";
            case "metadata" -> "metadata";
            default -> "changed";
        };
        return new Row(Nodes.text(e, "path", "") + ("dir".equals(type) ? "/" : ""), change, symbol, kind, type, size);
    }

    private static String count(JsonNode summary, String field, String noun) {
        long n = summary.path(field).asLong(0);
        return Format.count(n) + " " + (n == 1 ? noun : noun.equals("directory") ? "directories" : noun + "s");
    }
}
