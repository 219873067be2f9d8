package io.resticmanager.ui;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.resticmanager.kit.Http;
import io.resticmanager.proto.view.HostView;
import io.resticmanager.proto.view.Page;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code /}: fleet counts (one {@code GET /api/hosts/summary}), search/tag/status filter and one page of host cards
 * ({@code GET /api/hosts?limit=}, by name, {@value #PAGE_SIZE} a page, cursor in the URL like the filters), each with
 * its next scheduled run (one {@code GET /api/schedules}) and its firing alerts (one {@code GET
 * /api/alerts?state=firing} that also feeds the nav badge); polled by htmx every 5 s. A 1,000-host fleet is one
 * small page, not 1,000 cards.
 */
final class DashboardRoutes implements HttpService {
    private static final List<String> STATUSES = List.of("online", "offline", "disabled", "failing");
    static final int PAGE_SIZE = 50;
    /** Size points per card's sparkline: few, so a card stays small. */
    static final int SPARK_POINTS = 20;

    private final GatewayApi api;
    private final Pages pages;

    DashboardRoutes(GatewayApi api, Pages pages) {
        this.api = api;
        this.pages = pages;
    }

    record Counts(int total, int online, int offline, int failing) {
    }

    /** How many alerts fire fleet-wide (the cards show their own host's). */
    record FiringCount(int count, String label) {
    }

    /** Where the fleet's pages go: the next one (keyset cursor) and back to the first. */
    record Paging(String nextUrl, String firstUrl) {
    }

    /**
     * Version skew across the whole fleet, from the summary's version counts (no extra call, not just this page):
     * null when none.
     */
    record Skew(int behind, int resticOld, String server) {
        static Skew of(JsonNode summary) {
            int behind = 0;
            for (JsonNode v : summary.path("agent_versions")) {
                String version = Nodes.text(v, "version");
                if (version != null && io.resticmanager.proto.Versions.behind(version, Views.SERVER_VERSION)
                        .isPresent()) {
                    behind += v.path("hosts").asInt();
                }
            }
            int old = 0;
            for (JsonNode v : summary.path("restic_versions")) {
                String version = Nodes.text(v, "version");
                if (version != null && io.resticmanager.proto.Versions.readable(version)
                        && io.resticmanager.proto.Versions.compare(version,
                                                                   io.resticmanager.proto.Versions.MIN_RESTIC) < 0) {
                    old += v.path("hosts").asInt();
                }
            }
            return behind + old == 0 ? null : new Skew(behind, old, Views.SERVER_VERSION);
        }

        boolean anyBehind() {
            return behind > 0;
        }

        boolean anyResticOld() {
            return resticOld > 0;
        }

        String minRestic() {
            return io.resticmanager.proto.Versions.MIN_RESTIC;
        }
    }

    record DashboardView(String pollUrl, String query, Counts counts, List<Views.Option> tagOptions,
                         List<Views.Option> statusOptions, List<Views.HostSummary> cards, boolean filtered,
                         int shown, boolean noHosts, boolean noMatch, Paging paging, Views.ProblemView unavailable,
                         FiringCount firing, Skew skew) {
    }

    /** What the URL asks for: search text, tag, status and the page's cursor (each empty = none). */
    record Filter(String query, String tag, String status, String cursor) {
        String url(String withCursor) {
            StringBuilder url = new StringBuilder("/");
            String sep = "?";
            for (String[] p : new String[][] {{"q", query}, {"tag", tag}, {"status", status}, {"cursor", withCursor}}) {
                if (!p[1].isEmpty()) {
                    url.append(sep).append(p[0]).append('=').append(URLEncoder.encode(p[1], StandardCharsets.UTF_8));
                    sep = "&";
                }
            }
            return url.toString();
        }

        /** The page of {@code GET /api/hosts} this filter shows (blank values are left out by the client). */
        Map<String, String> apiQuery() {
            return Map.of("limit", Integer.toString(PAGE_SIZE), "q", query, "tag", tag, "status", status,
                          "cursor", cursor);
        }
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", Pages.signedIn(this::dashboard));
    }

    private void dashboard(ServerRequest req, ServerResponse res, Session session) {
        Filter filter = new Filter(Http.query(req, "q").map(String::strip).map(q -> q.length() > 200
                                           ? q.substring(0, 200) : q).orElse(""),
                                   Http.query(req, "tag").orElse(""),
                                   Http.query(req, "status").filter(STATUSES::contains).orElse(""),
                                   Http.query(req, "cursor").filter(c -> c.matches("[A-Za-z0-9_-]{1,400}")).orElse(""));
        DashboardView view;
        Optional<AlertFeed.Firing> firing = Optional.empty();
        try (var calls = new Parallel()) {
            // the five reads are independent: asked at once, the page waits for the slowest, not for their sum
            var summary = calls.start(() -> api.get(session, "/api/hosts/summary"));
            var page = calls.start(() -> api.get(session, "/api/hosts", filter.apiQuery(), GatewayApi.HOSTS));
            // one call for every card's alerts and the nav badge; left out when it fails
            var alerts = calls.start(() -> pages.alerts().firing(session));
            var repos = calls.start(() -> RepoRoutes.index(api, session, SPARK_POINTS));
            var nextRuns = calls.start(() -> HostScheduleRoutes.nextRuns(api, session, Optional.empty()));
            firing = alerts.get();
            view = build(summary.get(), page.get(), repos.get().names(), repos.get().sparklines(), nextRuns.get(),
                         firing, filter);
        } catch (ApiException e) {
            if (!e.unavailable()) {
                throw e;
            }
            // Keep the polling element so the page recovers by itself when the API is back.
            view = new DashboardView(filter.url(filter.cursor()), filter.query(), new Counts(0, 0, 0, 0), List.of(),
                                     statusOptions(filter.status()), List.of(), false, 0, false, false, null,
                                     Views.ProblemView.of(e), null, null);
        }
        int code = view.unavailable() == null ? 200 : 503;
        if (Pages.fragmentRequested(req)) {
            pages.fragment(res, code, session, "dashboard/_cards", view);
        } else {
            pages.page(res, code, session, "Dashboard", "dashboard", null, "dashboard/index", view,
                       firing.map(f -> java.util.OptionalInt.of(f.count())).orElse(java.util.OptionalInt.empty()));
        }
    }

    /** The view of one page of hosts; each card with its primary repository's size sparkline (by repository id). */
    static DashboardView build(JsonNode summary, Page<HostView> page, Map<String, String> repoNames,
                               Map<String, Charts.Sparkline> sparklines, Map<String, Instant> nextRuns,
                               Optional<AlertFeed.Firing> firing, Filter filter) {
        Instant now = Instant.now();
        List<Views.HostSummary> shown = new ArrayList<>();
        for (HostView h : page.items()) {
            String id = Objects.requireNonNullElse(h.id(), "");
            shown.add(Views.HostSummary.of(h, repoNames, now)
                              .withNextRun(Format.when(nextRuns.get(id), now))
                              .withAlerts(firing.map(f -> Views.HostAlerts.of(id, f.of(id), now)).orElse(null))
                              .withSparkline(sparklines.get(Objects.requireNonNullElse(h.repoId(), ""))));
        }
        int total = summary.path("total").asInt();
        List<Views.Option> tagOptions = new ArrayList<>();
        tagOptions.add(new Views.Option("", "All tags", filter.tag().isEmpty()));
        summary.path("tags").forEach(t -> tagOptions.add(new Views.Option(t.asText(), t.asText(),
                                                                           t.asText().equals(filter.tag()))));
        boolean filtered = !filter.tag().isEmpty() || !filter.status().isEmpty() || !filter.query().isEmpty();
        String next = Objects.requireNonNullElse(page.nextCursor(), "");
        Paging paging = next.isEmpty() && filter.cursor().isEmpty() ? null
                : new Paging(next.isEmpty() ? null : filter.url(next),
                             filter.cursor().isEmpty() ? null : filter.url(""));
        return new DashboardView(filter.url(filter.cursor()), filter.query(),
                                 new Counts(total, summary.path("online").asInt(), summary.path("offline").asInt(),
                                            summary.path("failing").asInt()),
                                 tagOptions, statusOptions(filter.status()), shown, filtered, shown.size(), total == 0,
                                 total > 0 && shown.isEmpty(), paging, null,
                                 firing.map(f -> new FiringCount(f.count(), Views.firingLabel(f.count())))
                                         .orElse(null), Skew.of(summary));
    }

    private static List<Views.Option> statusOptions(String status) {
        return List.of(new Views.Option("", "Any status", status.isEmpty()),
                       new Views.Option("online", "Online", status.equals("online")),
                       new Views.Option("offline", "Offline", status.equals("offline")),
                       new Views.Option("disabled", "Disabled", status.equals("disabled")),
                       new Views.Option("failing", "Last backup failed", status.equals("failing")));
    }
}
