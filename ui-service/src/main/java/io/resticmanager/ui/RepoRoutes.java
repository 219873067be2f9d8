package io.resticmanager.ui;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * {@code /repos}: the repositories with their stats, and (admin) the form that adds one. {@code /repos/{id}}: one
 * repository, who maintains it (forget, prune and check) and its offline lease, with (admin) a form for each; a form
 * PATCHes only the fields it changed, and a problem re-renders the page with it next to that form, the input kept.
 */
final class RepoRoutes implements HttpService {
    private final GatewayApi api;
    private final Pages pages;

    RepoRoutes(GatewayApi api, Pages pages) {
        this.api = api;
        this.pages = pages;
    }

    record RepoRow(String id, String name, String url, boolean hasPrune, String totalSize, String snapshotCount,
                   String rawSize, String dedup) {
    }

    /** Non-secret input survives a failed submit; passwords and the backend environment never do. */
    record RepoForm(String name, String url, Views.ProblemView problem) {
    }

    record ReposView(List<RepoRow> repos, boolean empty, RepoForm form, String created) {
    }

    /**
     * The host that runs forget, prune and check for every host of the repository, with its full credential.
     * {@code gone}: no longer enrolled (only its id is left); a gone or disabled one makes the API refuse those jobs.
     */
    record Maintainer(String id, String name, boolean gone, boolean disabled) {
        boolean blocked() {
            return gone || disabled;
        }
    }

    /** The offline-lease form as the admin filled it in, with the values it was shown with ({@code was…}). */
    record LeaseForm(String days, boolean onDisk, String wasDays, boolean wasOnDisk) {
    }

    /**
     * The health facts: what the repository stores, what its snapshots hold in all (restore size), the ratio of the
     * two (deduplication and compression together), its snapshot count, last check and when it was last measured.
     */
    record Health(String stored, String restoreSize, String ratio, String snapshotCount, Format.When lastCheck,
                  String lastCheckStatus, boolean lastCheckFailed, Format.When measured) {
    }

    /** One lock: who holds it since when; {@code stale} when restic's unlock would remove it. */
    record LockRow(String id, String shortId, Format.When since, boolean exclusive, String holder, boolean stale) {
    }

    /** The lock state: null {@code checked} means no stats job has looked yet. */
    /** {@code notShown}: how many locks are not described (restic's first 20 are), null when none. */
    record Locks(Format.When checked, long count, long stale, List<LockRow> items, boolean none, boolean anyStale,
                 Long notShown) {
    }

    /** A host that backs up to this repository. */
    record HostRow(String id, String name, String role, boolean primary, Views.Badge status) {
    }

    record RepoPage(RepoRow repo, Maintainer maintainer, boolean needsMaintainer, String leaseDays,
                    boolean leaseOnDisk, List<Views.Option> hostOptions, LeaseForm lease, String failedAction,
                    Views.ProblemView problem, String saved, Health health, Locks locks, List<HostRow> hosts,
                    Charts.Chart sizeChart, Charts.Chart countChart) {
        Views.ProblemView actionProblem() {
            return "unlock".equals(failedAction) || "stats".equals(failedAction) ? problem : null;
        }

        boolean noHosts() {
            return hosts.isEmpty();
        }

        Views.ProblemView maintenanceProblem() {
            return "maintenance".equals(failedAction) ? problem : null;
        }

        Views.ProblemView leaseProblem() {
            return "lease".equals(failedAction) ? problem : null;
        }
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/repos", Pages.signedIn(this::list))
                .post("/repos", Pages.signedIn(this::create))
                .get("/repos/{id}", Pages.signedIn(this::show))
                .post("/repos/{id}", Pages.signedIn(this::act));
    }

    /** Repository id → name for cards and host pages; a viewer without access just sees ids. */
    static Map<String, String> repoNames(GatewayApi api, Session session) {
        return index(api, session, 0).names();
    }

    /** Repository names and, for the dashboard's cards, each one's size sparkline (absent below two points). */
    record RepoIndex(Map<String, String> names, Map<String, Charts.Sparkline> sparklines) {
    }

    /**
     * One {@code GET /api/repos?brief=true}: names, and with {@code trendPoints} > 0 each repository's last size points.
     */
    static RepoIndex index(GatewayApi api, Session session, int trendPoints) {
        Map<String, String> names = new HashMap<>();
        Map<String, Charts.Sparkline> sparklines = new HashMap<>();
        try {
            // the brief list: names and trends without each repository's stats
            for (JsonNode repo : items(api.get(session, "/api/repos", Map.of("brief", "true", "trend_points",
                                                                             String.valueOf(trendPoints))))) {
                String id = Nodes.text(repo, "id");
                if (id == null) {
                    continue;
                }
                String name = Nodes.text(repo, "name", Views.shortId(id));
                names.put(id, name);
                List<Charts.Point> points = new ArrayList<>();
                for (JsonNode p : repo.path("trend")) {
                    Instant at = Nodes.instant(p, "at");
                    OptionalLong size = Nodes.number(p, "total_size");
                    if (at != null && size.isPresent()) {
                        points.add(new Charts.Point(at, size.getAsLong()));
                    }
                }
                Charts.Sparkline line = Charts.sparkline(points, "Size of " + name);
                if (line != null) {
                    sparklines.put(id, line);
                }
            }
        } catch (ApiException e) {
            if (e.unauthenticated() || e.unavailable()) {
                throw e;
            }
        }
        return new RepoIndex(names, sparklines);
    }

    /** The list endpoint answers {@code {items:[…]}}; a bare array is accepted too. */
    static List<JsonNode> items(JsonNode body) {
        if (body.isArray()) {
            List<JsonNode> out = new ArrayList<>();
            body.forEach(out::add);
            return out;
        }
        return Nodes.items(body);
    }

    private void list(ServerRequest req, ServerResponse res, Session session) {
        render(res, 200, session, new RepoForm("", "", null), req.query().first("created").orElse(null));
    }

    private void render(ServerResponse res, int status, Session session, RepoForm form, String created) {
        List<RepoRow> rows = new ArrayList<>();
        for (JsonNode repo : items(api.get(session, "/api/repos"))) {
            rows.add(row(repo));
        }
        pages.page(res, status, session, "Repositories", "repos", "repos/index",
                   new ReposView(rows, rows.isEmpty(), form, created));
    }

    static RepoRow row(JsonNode repo) {
        JsonNode stats = repo.path("stats");
        OptionalLong total = Nodes.number(stats, "total_size");
        OptionalLong raw = Nodes.number(stats, "raw_size");
        OptionalLong count = Nodes.number(stats, "snapshot_count");
        Double ratio = Nodes.decimal(stats, "dedup_ratio");
        return new RepoRow(Nodes.text(repo, "id", ""), Nodes.text(repo, "name", "(unnamed)"),
                           Nodes.text(repo, "url", ""), repo.path("has_prune_credential").asBoolean(false),
                           total.isPresent() ? Format.bytes(total.getAsLong()) : "–",
                           count.isPresent() ? Format.count(count.getAsLong()) : "–",
                           raw.isPresent() ? Format.bytes(raw.getAsLong()) : null,
                           ratio == null ? null : String.format(java.util.Locale.ROOT, "%.2f×", ratio));
    }

    private void create(ServerRequest req, ServerResponse res, Session session) {
        Form form = Form.read(req);
        String name = form.get("name");
        String url = form.get("url");
        Form.act(() -> {
            if (name.isEmpty() || url.isEmpty()) {
                throw new Form.Invalid("Name and repository URL are required.");
            }
            String password = form.raw("password");
            if (password.isEmpty()) {
                throw new Form.Invalid("The repository password is required.");
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("name", name);
            body.put("url", url);
            body.put("password", password);
            Map<String, String> env = form.env("env", "Backend environment");
            if (!env.isEmpty()) {
                body.put("env", env);
            }
            String prunePassword = form.raw("prune_password");
            if (!prunePassword.isEmpty()) {
                body.put("prune_password", prunePassword);
            }
            Map<String, String> pruneEnv = form.env("prune_env", "Prune environment");
            if (!pruneEnv.isEmpty()) {
                body.put("prune_env", pruneEnv);
            }
            api.post(session, "/api/repos", body);
            Pages.redirect(req, res, "/repos?created=" + java.net.URLEncoder.encode(name,
                    java.nio.charset.StandardCharsets.UTF_8));
        }, (status, problem) -> render(res, status, session, new RepoForm(name, url, problem), null));
    }

    private void show(ServerRequest req, ServerResponse res, Session session) {
        String saved = switch (req.query().first("saved").orElse("")) {
            case "maintenance" -> "Maintenance host saved.";
            case "lease" -> "Offline lease saved.";
            case "unchanged" -> "Nothing changed.";
            default -> null;
        };
        renderRepo(res, 200, session, req.path().pathParameters().get("id"), null, null, null, null, saved);
    }

    /** One endpoint for the repository's forms, field {@code action} = maintenance or lease. */
    private void act(ServerRequest req, ServerResponse res, Session session) {
        String id = req.path().pathParameters().get("id");
        Form form = Form.read(req);
        String action = form.get("action");
        if (action.equals("unlock") || action.equals("stats")) {
            // run on one of the repository's hosts, like any job; the job page follows it
            try {
                JsonNode created = api.post(session, "/api/repos/" + Urls.enc(id) + "/jobs",
                                            Map.of("kind", action)).body();
                Pages.redirect(req, res, "/jobs/" + Urls.enc(Nodes.text(created, "job_id", "")));
            } catch (ApiException e) {
                if (e.unauthenticated() || e.unavailable()) {
                    throw e;
                }
                renderRepo(res, e.status(), session, id, action, Views.ProblemView.of(e), null, null, null);
            }
            return;
        }
        String hostId = action.equals("maintenance") ? form.get("maintenance_host_id") : null;
        LeaseForm lease = action.equals("lease") ? new LeaseForm(form.get("offline_lease_days"),
                form.checked("offline_lease_on_disk"), form.get("was_offline_lease_days"),
                form.checked("was_offline_lease_on_disk")) : null;
        Form.act(() -> {
            switch (action) {
                case "maintenance" -> {
                    // "none" must reach the API as an explicit null: a PATCH that leaves the field out keeps it
                    Map<String, Object> body = new LinkedHashMap<>();
                    body.put("maintenance_host_id", hostId.isEmpty() ? JobFields.CLEAR : hostId);
                    patch(req, res, session, id, body, "maintenance");
                }
                case "lease" -> {
                    Integer days = form.between("offline_lease_days", "Offline lease", 0, 365);
                    if (days == null) {
                        throw new Form.Invalid("Enter the offline lease in days: 0 (never offline) to 365.");
                    }
                    Map<String, Object> body = new LinkedHashMap<>();
                    if (!String.valueOf(days).equals(lease.wasDays())) {
                        body.put("offline_lease_days", days);
                    }
                    if (lease.onDisk() != lease.wasOnDisk()) {
                        body.put("offline_lease_on_disk", lease.onDisk());
                    }
                    if (body.isEmpty()) {
                        Pages.redirect(req, res, "/repos/" + Urls.enc(id) + "?saved=unchanged");
                        return;
                    }
                    patch(req, res, session, id, body, "lease");
                }
                default -> throw new Form.Invalid("Unknown action.");
            }
        }, (status, problem) -> renderRepo(res, status, session, id, action, problem, hostId, lease, null));
    }

    private void patch(ServerRequest req, ServerResponse res, Session session, String id, Map<String, Object> body,
                       String saved) {
        api.patch(session, "/api/repos/" + Urls.enc(id), body);
        Pages.redirect(req, res, "/repos/" + Urls.enc(id) + "?saved=" + saved);
    }

    /**
     * The repository page; {@code selectedHost} and {@code lease} are the admin's input to keep (null: the
     * repository's own values).
     */
    private void renderRepo(ServerResponse res, int status, Session session, String id, String failedAction,
                            Views.ProblemView problem, String selectedHost, LeaseForm lease, String saved) {
        JsonNode repo = api.get(session, "/api/repos/" + Urls.enc(id));
        List<JsonNode> hosts = items(api.get(session, "/api/hosts"));
        String maintainerId = Nodes.text(repo, "maintenance_host_id");
        Maintainer maintainer = maintainerId == null ? null : maintainer(maintainerId, hosts);
        boolean hasPrune = repo.path("has_prune_credential").asBoolean(false);
        OptionalLong days = Nodes.number(repo, "offline_lease_days");
        boolean onDisk = repo.path("offline_lease_on_disk").asBoolean(false);
        String wasDays = days.isPresent() ? String.valueOf(days.getAsLong()) : "";
        List<Views.Option> hostOptions = new ArrayList<>();
        if (session.admin()) {
            String selected = selectedHost != null ? selectedHost : maintainerId == null ? "" : maintainerId;
            hostOptions.add(new Views.Option("", "None: each host maintains its own snapshots", selected.isEmpty()));
            for (JsonNode host : hosts) {
                String hostId = Nodes.text(host, "id", "");
                boolean disabled = "disabled".equals(Nodes.text(host, "status"));
                // the API refuses a disabled host; the current one stays listed so the select shows it
                if (hostId.isEmpty() || (disabled && !hostId.equals(maintainerId))) {
                    continue;
                }
                hostOptions.add(new Views.Option(hostId, hostLabel(host) + (disabled ? " (disabled)" : ""),
                                                 hostId.equals(selected)));
            }
        }
        if (lease == null) {
            lease = new LeaseForm(wasDays, onDisk, wasDays, onDisk);
        } else {
            lease = new LeaseForm(lease.days(), lease.onDisk(), wasDays, onDisk);
        }
        Instant now = Instant.now();
        List<Charts.Point> sizes = new ArrayList<>();
        List<Charts.Point> counts = new ArrayList<>();
        for (JsonNode point : history(session, id)) {
            Instant at = Nodes.instant(point, "at");
            OptionalLong size = Nodes.number(point, "total_size");
            OptionalLong count = Nodes.number(point, "snapshot_count");
            if (at != null && size.isPresent()) {
                sizes.add(new Charts.Point(at, size.getAsLong()));
            }
            if (at != null && count.isPresent()) {
                counts.add(new Charts.Point(at, count.getAsLong()));
            }
        }
        RepoPage page = new RepoPage(row(repo), maintainer, hasPrune && maintainerId == null,
                                     days.isPresent() ? leaseDays(days.getAsLong()) : null, onDisk, hostOptions,
                                     lease, failedAction, problem, saved, health(repo.path("stats"), now),
                                     locks(repo.path("locks"), now), hostRows(repo.path("hosts")),
                                     Charts.chart("size-chart", "Stored size", sizes, Format::bytes),
                                     Charts.chart("snapshot-chart", "Snapshots", counts, Format::count));
        pages.page(res, status, session, Nodes.text(repo, "name", "Repository"), "repos", "repos/show", page);
    }

    /** The stored-size points to plot, oldest first; none when the history cannot be read (the page still shows). */
    private List<JsonNode> history(Session session, String id) {
        try {
            return items(api.get(session, "/api/repos/" + Urls.enc(id) + "/stats/history",
                                 Map.of("mode", "raw-data", "limit", "200")));
        } catch (ApiException e) {
            if (e.unauthenticated() || e.unavailable()) {
                throw e;
            }
            return List.of();
        }
    }

    static Health health(JsonNode stats, Instant now) {
        OptionalLong raw = Nodes.number(stats, "raw_size");
        OptionalLong total = Nodes.number(stats, "total_size");
        OptionalLong restore = Nodes.number(stats, "restore_size");
        OptionalLong count = Nodes.number(stats, "snapshot_count");
        Double ratio = Nodes.decimal(stats, "dedup_ratio");
        String status = Nodes.text(stats, "last_check_status");
        return new Health(raw.isPresent() ? Format.bytes(raw.getAsLong())
                                  : total.isPresent() ? Format.bytes(total.getAsLong()) : "–",
                          restore.isPresent() ? Format.bytes(restore.getAsLong()) : "–",
                          ratio == null ? null : String.format(java.util.Locale.ROOT, "%.2f×", ratio),
                          count.isPresent() ? Format.count(count.getAsLong()) : "–",
                          Format.when(Nodes.instant(stats, "last_check_at"), now),
                          status == null ? null : status.startsWith("succeeded") ? "passed" : status.replace('_', ' '),
                          status != null && !status.startsWith("succeeded"),
                          Format.when(Nodes.instant(stats, "updated_at"), now));
    }

    static Locks locks(JsonNode locks, Instant now) {
        if (locks == null || !locks.isObject()) {
            return new Locks(null, 0, 0, List.of(), true, false, null);
        }
        List<LockRow> rows = new ArrayList<>();
        for (JsonNode l : locks.path("items")) {
            String id = Nodes.text(l, "id", "");
            String user = Nodes.text(l, "username", "");
            String host = Nodes.text(l, "hostname", "");
            OptionalLong pid = Nodes.number(l, "pid");
            String holder = (user.isEmpty() ? "" : user + "@") + host + (pid.isPresent() ? " (PID " + pid.getAsLong()
                    + ")" : "");
            rows.add(new LockRow(id, Views.shortId(id), Format.when(Nodes.instant(l, "time"), now),
                                 l.path("exclusive").asBoolean(false), holder, l.path("stale").asBoolean(false)));
        }
        long count = locks.path("count").asLong(rows.size());
        long stale = locks.path("stale").asLong(0);
        return new Locks(Format.when(Nodes.instant(locks, "checked_at"), now), count, stale, rows, count == 0,
                         stale > 0, count > rows.size() ? count - rows.size() : null);
    }

    private static List<HostRow> hostRows(JsonNode hosts) {
        List<HostRow> rows = new ArrayList<>();
        for (JsonNode h : hosts) {
            String status = h.path("disabled").asBoolean(false) ? "disabled"
                    : h.path("online").asBoolean(false) ? "online" : "offline";
            rows.add(new HostRow(Nodes.text(h, "id", ""), Nodes.text(h, "name", "(unnamed host)"),
                                 Nodes.text(h, "role", ""), h.path("primary").asBoolean(false),
                                 Views.hostBadge(status)));
        }
        return rows;
    }

    private static Maintainer maintainer(String id, List<JsonNode> hosts) {
        for (JsonNode host : hosts) {
            if (id.equals(Nodes.text(host, "id"))) {
                return new Maintainer(id, Nodes.text(host, "name", Views.shortId(id)), false,
                                      "disabled".equals(Nodes.text(host, "status")));
            }
        }
        return new Maintainer(id, Views.shortId(id), true, false);
    }

    /** "web-1", or "web-1 (web-1.example.org)" when the host was renamed. */
    private static String hostLabel(JsonNode host) {
        String name = Nodes.text(host, "name", Views.shortId(Nodes.text(host, "id", "")));
        String hostname = Nodes.text(host, "hostname");
        return hostname == null || hostname.isBlank() || hostname.equals(name) ? name : name + " (" + hostname + ")";
    }

    static String leaseDays(long days) {
        if (days == 0) {
            return "never: agents run this repository's schedules only while the server answers";
        }
        return days + (days == 1 ? " day" : " days");
    }
}
