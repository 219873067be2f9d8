package io.resticmanager.ui;

import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.resticmanager.proto.view.HostView;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * {@code /hosts/{id}}: the header's host facts and one of its four tabs (real links; htmx swaps just
 * {@code #host-tabs}): snapshots and jobs ({@link HostRoutes}), schedules ({@link HostScheduleRoutes}) and actions
 * ({@link HostActionRoutes}). {@code hooksCard}: the host's default backup hooks, on the whole page only (null: not
 * shown).
 */
record HostPage(Views.HostSummary host, boolean tabSnapshots, boolean tabJobs, boolean tabActions,
                HostRoutes.SnapshotsPanel snapshots, HostRoutes.JobsPanel jobs, HostActionRoutes.ActionsPanel actions,
                boolean tabSchedules, HostScheduleRoutes.SchedulesPanel schedules, Hooks.HostCard hooksCard) {

    static HostPage snapshots(Views.HostSummary host, HostRoutes.SnapshotsPanel panel, Hooks.HostCard hooksCard) {
        return new HostPage(host, true, false, false, panel, null, null, false, null, hooksCard);
    }

    static HostPage jobs(Views.HostSummary host, HostRoutes.JobsPanel panel) {
        return new HostPage(host, false, true, false, null, panel, null, false, null, null);
    }

    static HostPage actions(Views.HostSummary host, HostActionRoutes.ActionsPanel panel) {
        return new HostPage(host, false, false, true, null, null, panel, false, null, null);
    }

    static HostPage schedules(Views.HostSummary host, HostScheduleRoutes.SchedulesPanel panel) {
        return new HostPage(host, false, false, false, null, null, null, true, panel, null);
    }

    /** The page header's host facts, with the next run of its schedules. */
    static Views.HostSummary summary(GatewayApi api, Session session, String id) {
        return summary(api, session, id, HostScheduleRoutes.nextRuns(api, session, Optional.of(id)));
    }

    /** The page header's host facts, with the next run its schedules give ({@code nextRuns} by host id). */
    static Views.HostSummary summary(GatewayApi api, Session session, String id, Map<String, Instant> nextRuns) {
        HostView host = api.get(session, "/api/hosts/" + Urls.enc(id), Map.of(), GatewayApi.HOST);
        Map<String, String> repoNames = RepoRoutes.repoNames(api, session);
        Instant now = Instant.now();
        return Views.HostSummary.of(host, repoNames, now).withNextRun(Format.when(nextRuns.get(id), now));
    }

    /**
     * The tab alone when htmx asks for a fragment; else the whole page, with the hooks card (read now unless the
     * page has one already) and the host's firing alerts in its header.
     */
    void render(GatewayApi api, Pages pages, ServerRequest req, ServerResponse res, int status, Session session) {
        if (Pages.fragmentRequested(req)) {
            pages.fragment(res, status, session, "hosts/_tabs", this);
        } else {
            HostPage whole = hooksCard != null ? this : withHooks(Hooks.card(
                    api, session, host.id(), req.query().first("saved").orElse(null), null, null));
            pages.page(res, status, session, host.name(), "dashboard", "hosts/show", whole.withAlerts(pages, session));
        }
    }

    /**
     * The same page with the host's firing alerts in its header: one
     * {@code GET /api/alerts?host_id=…&state=firing}, only for the whole page (a tab fragment has no header);
     * left out when that call fails.
     */
    private HostPage withAlerts(Pages pages, Session session) {
        return new HostPage(host.withAlerts(pages.alerts().forHost(session, host.id())), tabSnapshots, tabJobs,
                            tabActions, snapshots, jobs, actions, tabSchedules, schedules, hooksCard);
    }

    /** The same page with the "Backup hooks" card (whole pages only: a tab swap leaves the card in place). */
    private HostPage withHooks(Hooks.HostCard card) {
        return new HostPage(host, tabSnapshots, tabJobs, tabActions, snapshots, jobs, actions, tabSchedules,
                            schedules, card);
    }
}
