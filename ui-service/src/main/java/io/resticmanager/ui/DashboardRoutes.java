package io.resticmanager.ui;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.resticmanager.kit.Http;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * {@code /}: fleet counts, tag/status filter and one card per host (with its next scheduled run, from one
 * {@code GET /api/schedules}, and its firing alerts, from one {@code GET /api/alerts?state=firing} that also feeds
 * the nav badge); polled by htmx every 5 s.
 */
final class DashboardRoutes implements HttpService {
    private static final List<String> STATUSES = List.of("online", "offline", "disabled", "failing");
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

    record DashboardView(String pollUrl, Counts counts, List<Views.Option> tagOptions,
                         List<Views.Option> statusOptions, List<Views.HostSummary> cards, boolean filtered,
                         int shown, boolean noHosts, boolean noMatch, Views.ProblemView unavailable,
                         FiringCount firing) {
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", this::dashboard);
    }

    private void dashboard(ServerRequest req, ServerResponse res) {
        Session session = Pages.signedIn(req, res);
        if (session == null) {
            return;
        }
        String tag = Http.query(req, "tag").orElse("");
        String status = Http.query(req, "status").filter(STATUSES::contains).orElse("");
        DashboardView view;
        Optional<AlertFeed.Firing> firing = Optional.empty();
        try {
            JsonNode hosts = api.get(session, "/api/hosts");
            // one call for every card's alerts and the nav badge; left out when it fails
            firing = pages.alerts().firing(session);
            RepoRoutes.RepoIndex repos = RepoRoutes.index(api, session, SPARK_POINTS);
            view = build(Nodes.items(hosts), repos.names(), repos.sparklines(),
                         HostScheduleRoutes.nextRuns(api, session, Optional.empty()), firing, tag, status);
        } catch (ApiException e) {
            if (!e.unavailable()) {
                throw e;
            }
            // Keep the polling element so the page recovers by itself when the API is back.
            view = new DashboardView(pollUrl(tag, status), new Counts(0, 0, 0, 0), List.of(),
                                     statusOptions(status), List.of(), false, 0, false, false,
                                     Views.ProblemView.of(e), null);
        }
        int code = view.unavailable() == null ? 200 : 503;
        if (Pages.fragmentRequested(req)) {
            pages.fragment(res, code, session, "dashboard/_cards", view);
        } else {
            pages.page(res, code, session, "Dashboard", "dashboard", null, "dashboard/index", view,
                       firing.map(f -> java.util.OptionalInt.of(f.count())).orElse(java.util.OptionalInt.empty()));
        }
    }

    static DashboardView build(List<JsonNode> hosts, Map<String, String> repoNames, Map<String, Instant> nextRuns,
                               Optional<AlertFeed.Firing> firing, String tag, String status) {
        return build(hosts, repoNames, Map.of(), nextRuns, firing, tag, status);
    }

    /** As above, each card with its primary repository's size sparkline ({@code sparklines} by repository id). */
    static DashboardView build(List<JsonNode> hosts, Map<String, String> repoNames,
                               Map<String, Charts.Sparkline> sparklines, Map<String, Instant> nextRuns,
                               Optional<AlertFeed.Firing> firing, String tag, String status) {
        Instant now = Instant.now();
        List<Views.HostSummary> all = new ArrayList<>();
        for (JsonNode h : hosts) {
            String id = Nodes.text(h, "id", "");
            all.add(Views.HostSummary.of(h, repoNames, now)
                            .withNextRun(Format.when(nextRuns.get(id), now))
                            .withAlerts(firing.map(f -> Views.HostAlerts.of(id, f.of(id), now)).orElse(null))
                            .withSparkline(sparklines.get(Nodes.text(h, "repo_id", ""))));
        }
        int online = 0;
        int offline = 0;
        int failing = 0;
        TreeSet<String> tags = new TreeSet<>();
        for (Views.HostSummary h : all) {
            online += h.status().key().equals("online") ? 1 : 0;
            offline += h.status().key().equals("offline") ? 1 : 0;
            failing += h.lastBackup() != null && h.lastBackup().failed() ? 1 : 0;
            tags.addAll(h.tags());
        }
        List<Views.HostSummary> shown = all.stream()
                .filter(h -> tag.isEmpty() || h.tags().contains(tag))
                .filter(h -> status.isEmpty()
                        || (status.equals("failing") ? h.lastBackup() != null && h.lastBackup().failed()
                        : h.status().key().equals(status)))
                .toList();
        List<Views.Option> tagOptions = new ArrayList<>();
        tagOptions.add(new Views.Option("", "All tags", tag.isEmpty()));
        tags.forEach(t -> tagOptions.add(new Views.Option(t, t, t.equals(tag))));
        boolean filtered = !tag.isEmpty() || !status.isEmpty();
        return new DashboardView(pollUrl(tag, status), new Counts(all.size(), online, offline, failing),
                                 tagOptions, statusOptions(status), shown, filtered, shown.size(), all.isEmpty(),
                                 !all.isEmpty() && shown.isEmpty(), null,
                                 firing.map(f -> new FiringCount(f.count(), Views.firingLabel(f.count())))
                                         .orElse(null));
    }

    private static List<Views.Option> statusOptions(String status) {
        return List.of(new Views.Option("", "Any status", status.isEmpty()),
                       new Views.Option("online", "Online", status.equals("online")),
                       new Views.Option("offline", "Offline", status.equals("offline")),
                       new Views.Option("disabled", "Disabled", status.equals("disabled")),
                       new Views.Option("failing", "Last backup failed", status.equals("failing")));
    }

    private static String pollUrl(String tag, String status) {
        StringBuilder url = new StringBuilder("/");
        String sep = "?";
        if (!tag.isEmpty()) {
            url.append(sep).append("tag=").append(URLEncoder.encode(tag, StandardCharsets.UTF_8));
            sep = "&";
        }
        if (!status.isEmpty()) {
            url.append(sep).append("status=").append(status);
        }
        return url.toString();
    }
}
