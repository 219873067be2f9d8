package io.resticmanager.ui;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.resticmanager.kit.Http;
import io.resticmanager.proto.view.JobView;
import io.resticmanager.proto.view.Page;
import io.resticmanager.proto.view.SnapshotView;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The snapshots (default) and jobs tabs of {@code /hosts/{id}} ({@link HostPage}), paged 25 at a time. Above the
 * tabs, the host's default backup hooks ({@link Hooks}); admins change them with a form posting to
 * {@code /hosts/{id}/hooks}.
 */
final class HostRoutes implements HttpService {
    private static final int PAGE = 25;

    private final GatewayApi api;
    private final Pages pages;

    HostRoutes(GatewayApi api, Pages pages) {
        this.api = api;
        this.pages = pages;
    }

    record SnapshotRow(String id, String shortId, Format.When when, String paths, List<String> tags,
                       String hostname, String sizeAdded, String files) {
    }

    record SnapshotsPanel(List<SnapshotRow> rows, String nextUrl, boolean empty, boolean laterPage) {
    }

    record JobRow(String id, String kind, Views.Badge badge, Format.When started, String duration,
                  String createdBy) {
    }

    record JobsPanel(List<JobRow> rows, String nextUrl, boolean empty) {
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/hosts/{id}", Pages.signedIn(this::snapshotsTab))
                .get("/hosts/{id}/jobs", Pages.signedIn(this::jobsTab))
                .post("/hosts/{id}/hooks", Pages.signedIn(this::saveHooks));
    }

    private void snapshotsTab(ServerRequest req, ServerResponse res, Session session) {
        String id = req.path().pathParameters().get("id");
        renderSnapshots(req, res, 200, session, id, Http.query(req, "cursor").orElse(""), null);
    }

    /** The snapshots tab; {@code hooks}: the hooks card to show (null: read as usual for a whole page). */
    private void renderSnapshots(ServerRequest req, ServerResponse res, int status, Session session, String id,
                                 String cursor, Hooks.HostCard hooks) {
        Views.HostSummary host = HostPage.summary(api, session, id);
        Page<SnapshotView> page = api.get(session, "/api/hosts/" + Urls.enc(id) + "/snapshots",
                                          Map.of("limit", String.valueOf(PAGE), "cursor", cursor), GatewayApi.SNAPSHOTS);
        Instant now = Instant.now();
        List<SnapshotRow> rows = page.items().stream().map(s -> snapshotRow(s, now)).toList();
        SnapshotsPanel panel = new SnapshotsPanel(rows, nextPage(page.nextCursor(), "/hosts/" + Urls.enc(id)),
                                                  rows.isEmpty(), !cursor.isEmpty());
        HostPage.snapshots(host, panel, hooks).render(api, pages, req, res, status, session);
    }

    /**
     * The "Backup hooks" form (admin): {@code PUT /api/hosts/{id}/hooks} with only the fields it changed (nothing
     * changed: no call), 303 back to the host page; a problem re-renders it with the detail in the card and the
     * input kept.
     */
    private void saveHooks(ServerRequest req, ServerResponse res, Session session) {
        String id = req.path().pathParameters().get("id");
        Hooks.HostForm input = Hooks.HostForm.read(Form.read(req));
        if (!session.admin()) {
            renderSnapshots(req, res, 403, session, id, "", Hooks.card(api, session, id, null, null,
                    new Views.ProblemView("Not allowed", "Changing a host's hooks needs the admin role.")));
            return;
        }
        try {
            Map<String, Object> body = Hooks.hostBody(input);
            if (body.isEmpty()) {
                Pages.redirect(req, res, "/hosts/" + Urls.enc(id) + "?saved=hooks-unchanged");
                return;
            }
            api.put(session, "/api/hosts/" + Urls.enc(id) + "/hooks", body);
            Pages.redirect(req, res, "/hosts/" + Urls.enc(id) + "?saved=hooks");
        } catch (Form.Invalid e) {
            renderSnapshots(req, res, 422, session, id, "",
                            Hooks.card(api, session, id, null, input, Views.ProblemView.invalid(e.getMessage())));
        } catch (ApiException e) {
            if (e.unauthenticated() || e.unavailable()) {
                throw e;
            }
            renderSnapshots(req, res, e.status(), session, id, "",
                            Hooks.card(api, session, id, null, input, Views.ProblemView.of(e)));
        }
    }

    private static SnapshotRow snapshotRow(SnapshotView s, Instant now) {
        Map<String, Object> summary = s.summary() == null ? Map.of() : s.summary();
        return new SnapshotRow(s.id(), s.shortId() != null ? s.shortId() : Views.shortId(s.id()),
                               Format.when(s.time(), now), String.join(", ", s.paths()), s.tags(), s.hostname(),
                               summary.get("data_added") instanceof Number n ? Format.bytes(n.longValue()) : null,
                               summary.get("total_files_processed") instanceof Number n ? Format.count(n.longValue())
                                       : null);
    }

    private void jobsTab(ServerRequest req, ServerResponse res, Session session) {
        String id = req.path().pathParameters().get("id");
        Views.HostSummary host = HostPage.summary(api, session, id);
        String cursor = Http.query(req, "cursor").orElse("");
        Page<JobView> page = api.get(session, "/api/jobs",
                                     Map.of("host_id", id, "limit", String.valueOf(PAGE), "cursor", cursor),
                                     GatewayApi.JOBS);
        Instant now = Instant.now();
        List<JobRow> rows = page.items().stream().map(j -> jobRow(j, now)).toList();
        JobsPanel panel = new JobsPanel(rows, nextPage(page.nextCursor(), "/hosts/" + Urls.enc(id) + "/jobs"),
                                        rows.isEmpty());
        HostPage.jobs(host, panel).render(api, pages, req, res, 200, session);
    }

    /** The link to the listing's next page ({@code next}: its cursor) at {@code path}, or null on the last page. */
    private static String nextPage(String next, String path) {
        return next == null || next.isBlank() ? null : path + "?cursor=" + Urls.enc(next);
    }

    private static JobRow jobRow(JobView j, Instant now) {
        Instant started = j.startedAt();
        return new JobRow(j.id(), Views.kindLabel(j.kind() == null ? null : j.kind().wire()),
                          Views.jobBadge(j.status() == null ? null : j.status().wire()),
                          Format.when(started != null ? started : j.createdAt(), now),
                          Views.duration(started, j.finishedAt(), now), j.createdBy());
    }
}
