package io.resticmanager.system;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Every public route, service by service, as the gateway's RouteTable and Upstreams expose them: the gateway's own,
 * agent-hub's, inventory's, jobs-service's and the UI pages. {@code {host}}, {@code {repo}}… are id slots; a JSON
 * template is a valid body with ids as {@code {{placeholders}}}, the starting point of body mutations.
 */
final class FuzzRoutes {
    /** body: null (none read), {@link #FORM} (a UI form) or a JSON template. */
    record Route(String method, String pattern, String body) {
        boolean json() {
            return body != null && !body.equals(FORM);
        }

        boolean ui() {
            return !pattern.startsWith("/api/") && !pattern.equals("/metrics") && !pattern.equals("/health")
                    && !pattern.startsWith("/install.") && !pattern.startsWith("/downloads/")
                    && !pattern.startsWith("/ws/");
        }

        String name() {
            return method + " " + pattern;
        }
    }

    static final String FORM = "form";

    private static final String USER = "{\"username\":\"fz-new\",\"password\":\"fuzz-password-0123\",\"role\":\"viewer\"}";
    private static final String JOB_BACKUP = "{\"kind\":\"backup\",\"paths\":[\"/srv\"],\"repo_id\":\"{{repo}}\"}";
    private static final String JOB_FORGET = "{\"kind\":\"forget\",\"policy\":{\"keep_last\":3,\"prune\":false},"
            + "\"dry_run\":true}";
    private static final String SCHEDULE = "{\"host_id\":\"{{host_a}}\",\"name\":\"fz\",\"cron\":\"0 0 29 2 *\","
            + "\"timezone\":\"UTC\",\"kind\":\"check\",\"enabled\":true,\"read_data_subset\":\"10%\"}";
    private static final String CHANNEL = "{\"name\":\"fz-new\",\"kind\":\"webhook\",\"config\":{\"url\":"
            + "\"http://127.0.0.1:9/h\",\"secret\":\"s\"},\"rules\":[\"backup_failed\"],\"min_severity\":\"warning\","
            + "\"enabled\":false}";

    static final List<Route> ALL = List.of(
            // gateway
            new Route("GET", "/health", null),
            new Route("POST", "/api/setup", "{\"setup_token\":\"rms_x\",\"username\":\"fz\",\"password\":\"fuzz-password-0123\"}"),
            new Route("POST", "/api/login", "{\"username\":\"fz-nobody\",\"password\":\"fuzz-password-0123\"}"),
            new Route("POST", "/api/logout", null),
            new Route("GET", "/api/me", null),
            new Route("GET", "/api/auth/providers", null),
            new Route("GET", "/api/auth/settings", null),
            new Route("PUT", "/api/auth/settings", "{\"local_login\":\"all\"}"),
            new Route("GET", "/api/openapi.json", null),
            new Route("GET", "/api/users", null),
            new Route("POST", "/api/users", USER),
            new Route("PATCH", "/api/users/{user}", "{\"role\":\"viewer\",\"password\":\"fuzz-password-0123\"}"),
            new Route("DELETE", "/api/users/{user}", null),
            new Route("GET", "/api/tokens", null),
            new Route("POST", "/api/tokens", "{\"name\":\"fz-new\",\"role\":\"viewer\",\"expires_in_days\":1}"),
            new Route("DELETE", "/api/tokens/{token}", null),
            new Route("GET", "/api/audit", null),
            new Route("GET", "/api/audit/export", null),
            new Route("GET", "/api/escrow/sealing-key", null),
            new Route("POST", "/api/escrow/sealing-key", "{\"passphrase\":\"a-fuzz-passphrase-of-some-length\"}"),
            new Route("GET", "/metrics", null),
            // agent-hub
            new Route("POST", "/api/enrollment-tokens", "{\"name\":\"fz-new\",\"expires_in_s\":600}"),
            new Route("GET", "/api/enrollment-tokens", null),
            new Route("POST", "/api/agents/enroll", "{\"token\":\"rme_nope\",\"hostname\":\"fz-x\",\"os\":\"linux\","
                    + "\"arch\":\"amd64\",\"agent_version\":\"1\"}"),
            new Route("GET", "/api/agents", null),
            new Route("GET", "/api/agents/{host}", null),
            new Route("GET", "/api/agents/state", null),
            new Route("GET", "/ws/agent", null),
            new Route("GET", "/install.sh", null),
            new Route("GET", "/install.ps1", null),
            new Route("GET", "/downloads/restic-manager-agent-windows.zip", null),
            new Route("GET", "/downloads/restic-manager-agent.service", null),
            new Route("GET", "/downloads/restic-manager-agent.tar.gz", null),
            new Route("GET", "/downloads/", null),
            new Route("GET", "/downloads/SHA256SUMS", null),
            new Route("GET", "/downloads/SHA256SUMS.sig", null),
            new Route("GET", "/downloads/release-keys.pem", null),
            new Route("GET", "/downloads/apt/restic-manager.gpg", null),
            new Route("GET", "/downloads/apt/dists/stable/InRelease", null),
            // inventory-service
            new Route("GET", "/api/hosts", null),
            new Route("GET", "/api/hosts/summary", null),
            // one host's update (like a download) waits for that agent's answer, which the fuzz agents never give:
            // the 504 it ends in is the agent's silence, so that route is exercised by UpdateTest instead
            new Route("POST", "/api/hosts/update", null),
            new Route("GET", "/api/hosts/{host}", null),
            new Route("PATCH", "/api/hosts/{host}", "{\"repo_id\":\"{{repo}}\",\"tags\":[\"fz\"]}"),
            new Route("DELETE", "/api/hosts/{host}", null),
            new Route("GET", "/api/hosts/{host}/hooks", null),
            new Route("PUT", "/api/hosts/{host}/hooks", "{\"pre_hook\":\"echo pre\",\"post_hook\":null,"
                    + "\"hook_shell\":[\"/bin/sh\",\"-c\"],\"hook_timeout_s\":600}"),
            new Route("GET", "/api/hosts/{host}/repos", null),
            new Route("POST", "/api/hosts/{host}/repos", "{\"repo_id\":\"{{repo2}}\",\"role\":\"offsite\",\"primary\":false}"),
            new Route("PATCH", "/api/hosts/{host}/repos/{repo}", "{\"role\":\"offsite\",\"primary\":true}"),
            new Route("DELETE", "/api/hosts/{host}/repos/{repo}", null),
            new Route("GET", "/api/hosts/{host}/snapshots", null),
            new Route("GET", "/api/repos", null),
            new Route("POST", "/api/repos", "{\"name\":\"fz-new\",\"url\":\"/tmp/fz-new\",\"password\":"
                    + "\"fuzz-password-0123\",\"env\":{\"AWS_REGION\":\"x\"}}"),
            new Route("POST", "/api/repos/rekey", null),
            new Route("GET", "/api/repos/{repo}", null),
            new Route("PATCH", "/api/repos/{repo}", "{\"offline_lease_days\":7,\"offline_lease_on_disk\":false,"
                    + "\"maintenance_host_id\":null}"),
            new Route("DELETE", "/api/repos/{repo}", null),
            new Route("GET", "/api/repos/{repo}/stats/history", null),
            new Route("GET", "/api/repos/{repo}/snapshots", null),
            new Route("POST", "/api/repos/{repo}/jobs", "{\"kind\":\"stats\",\"host_id\":\"{{host_a}}\"}"),
            new Route("GET", "/api/snapshots/{snapshot}", null),
            new Route("GET", "/api/snapshots/{snapshot}/tree", null),
            new Route("GET", "/api/snapshots/{snapshot}/size", null),
            new Route("GET", "/api/hosts/{host}/files", null),
            new Route("GET", "/api/files", null),
            // jobs-service
            new Route("POST", "/api/hosts/{host}/jobs", JOB_BACKUP),
            new Route("POST", "/api/hosts/{host}/jobs", JOB_FORGET),
            new Route("GET", "/api/jobs", null),
            new Route("GET", "/api/jobs/{job}", null),
            new Route("GET", "/api/jobs/{job}/logs", null),
            new Route("GET", "/api/jobs/{job}/diff", null),
            new Route("POST", "/api/hosts/{host}/diffs", "{\"snapshot_id\":\"{{snapshot}}\",\"other_snapshot_id\":"
                    + "\"{{snapshot}}\"}"),
            new Route("GET", "/api/jobs/{job}/stream", null),
            new Route("POST", "/api/jobs/{job}/cancel", null),
            new Route("POST", "/api/hosts/{host}/restores", "{\"snapshot_id\":\"{{snapshot}}\",\"paths\":[\"/srv\"],"
                    + "\"target\":\"/tmp/fz-restore\"}"),
            new Route("POST", "/api/hosts/{host}/snapshots/{snapshot}/restore-preview", "{\"paths\":[\"/srv\"],"
                    + "\"target\":\"/tmp/fz-restore\"}"),
            new Route("POST", "/api/schedules", SCHEDULE),
            new Route("GET", "/api/schedules", null),
            new Route("GET", "/api/schedules/{schedule}", null),
            new Route("PATCH", "/api/schedules/{schedule}", "{\"cron\":\"5 4 * * *\",\"enabled\":false}"),
            new Route("DELETE", "/api/schedules/{schedule}", null),
            new Route("GET", "/api/alerts", null),
            new Route("GET", "/api/alerts/rules", null),
            new Route("PATCH", "/api/alerts/rules/{rule}", "{\"enabled\":true,\"severity\":\"warning\","
                    + "\"threshold_s\":600,\"renotify_s\":3600}"),
            new Route("PUT", "/api/alerts/rules/{rule}/overrides", "{\"subject\":\"host:{{host_a}}\",\"enabled\":true,"
                    + "\"threshold_s\":3600}"),
            new Route("DELETE", "/api/alerts/rules/{rule}/overrides", null),
            new Route("GET", "/api/alerts/silences", null),
            new Route("POST", "/api/alerts/silences", "{\"rule\":\"host_offline\",\"host_id\":\"{{host_a}}\","
                    + "\"duration_s\":3600,\"reason\":\"fz\"}"),
            new Route("DELETE", "/api/alerts/silences/{silence}", null),
            new Route("GET", "/api/alerts/rpo", null),
            new Route("GET", "/api/alerts/deliveries", null),
            new Route("GET", "/api/alerts/{alert}", null),
            new Route("POST", "/api/alerts/{alert}/ack", null),
            new Route("POST", "/api/alerts/{alert}/resolve", null),
            new Route("GET", "/api/alert-channels", null),
            new Route("POST", "/api/alert-channels", CHANNEL),
            new Route("GET", "/api/alert-channels/{channel}", null),
            new Route("PATCH", "/api/alert-channels/{channel}", "{\"name\":\"fz-renamed\",\"enabled\":false}"),
            new Route("DELETE", "/api/alert-channels/{channel}", null),
            new Route("POST", "/api/alert-channels/{channel}/test", null),
            // ui-service pages
            new Route("GET", "/", null),
            new Route("GET", "/login", null),
            new Route("POST", "/login", FORM),
            new Route("GET", "/setup", null),
            new Route("POST", "/setup", FORM),
            new Route("POST", "/logout", FORM),
            new Route("GET", "/logout", null),
            new Route("GET", "/jobs/{job}", null),
            new Route("POST", "/jobs/{job}/cancel", FORM),
            new Route("GET", "/hosts/{host}/restore", null),
            new Route("GET", "/hosts/{host}/restore/tree", null),
            new Route("POST", "/hosts/{host}/restore", FORM),
            new Route("GET", "/hosts/{host}/schedules", null),
            new Route("POST", "/hosts/{host}/schedules", FORM),
            new Route("GET", "/repos", null),
            new Route("POST", "/repos", FORM),
            new Route("GET", "/repos/{repo}", null),
            new Route("POST", "/repos/{repo}", FORM),
            new Route("GET", "/hosts/new", null),
            new Route("POST", "/hosts/new", FORM),
            new Route("GET", "/hosts/new/watch", null),
            new Route("GET", "/hosts/{host}", null),
            new Route("GET", "/hosts/{host}/jobs", null),
            new Route("GET", "/hosts/{host}/actions", null),
            new Route("POST", "/hosts/{host}/actions", FORM),
            new Route("POST", "/hosts/{host}/hooks", FORM),
            new Route("GET", "/assets/{asset}", null),
            new Route("GET", "/favicon.ico", null),
            new Route("GET", "/alerts/channels", null),
            new Route("POST", "/alerts/channels", FORM),
            new Route("GET", "/alerts", null),
            new Route("POST", "/alerts", FORM),
            new Route("GET", "/rpo", null),
            new Route("GET", "/versions", null),
            new Route("GET", "/admin/users", null),
            new Route("GET", "/admin", null),
            new Route("POST", "/admin/users", FORM),
            new Route("POST", "/admin/tokens", FORM),
            new Route("GET", "/hosts/{host}/diff", null),
            new Route("POST", "/hosts/{host}/diff", FORM),
            new Route("GET", "/hosts/{host}/diffs/{job}", null),
            new Route("GET", "/admin/tokens", null),
            new Route("GET", "/admin/audit", null),
            new Route("GET", "/alerts/rules", null),
            new Route("POST", "/alerts/rules", FORM),
            // RouteTable rows no service answers: they must still be 4xx
            new Route("GET", "/internal/{any}", null),
            new Route("POST", "/internal/events", "{\"events\":[]}"),
            new Route("GET", "/ws/{any}", null),
            new Route("GET", "/api/{any}", null),
            new Route("POST", "/api/{any}/{any}", "{}"),
            new Route("GET", "/{any}", null));

    /** POSTs that only read (RouteTable: VIEWER): a restore's preview. */
    static boolean viewerMay(Route r) {
        return r.pattern().endsWith("/restore-preview");
    }

    /** Routes only an admin may change (RouteTable: ADMIN rows, UNSAFE hosts/repos/agents). */
    static boolean adminOnly(Route r) {
        String p = r.pattern();
        if (viewerMay(r)) {
            return false;
        }
        if (p.startsWith("/api/users") || p.startsWith("/api/tokens") || p.startsWith("/api/enrollment-tokens")
                || p.startsWith("/api/alert-channels") || p.startsWith("/api/audit") || p.equals("/api/auth/settings")
                || p.startsWith("/api/escrow") || p.equals("/api/files")) {
            return true;
        }
        boolean unsafe = !r.method().equals("GET");
        // operators run jobs, restores, diffs and downloads; a repository's unlock/stats jobs too
        boolean operatorAction = p.endsWith("/jobs") || p.endsWith("/restores") || p.endsWith("/diffs")
                || p.endsWith("/downloads");
        return unsafe && !operatorAction && (p.startsWith("/api/repos") || p.startsWith("/api/hosts")
                || p.startsWith("/api/agents/") && !p.equals("/api/agents/enroll"));
    }

    /** Methods some route registers for this pattern. */
    static Set<String> methodsOf(String pattern) {
        return ALL.stream().filter(r -> r.pattern().equals(pattern)).map(Route::method).collect(Collectors.toSet());
    }

    /** The ids a DELETE aims at: the world's sacrificial copies. */
    static List<String> doomed(String slot) {
        return switch (slot) {
            case "host" -> List.of("{{host_c}}");
            case "repo" -> List.of("{{repo3}}");
            case "schedule" -> List.of("{{schedule2}}");
            case "channel" -> List.of("{{channel2}}");
            case "silence" -> List.of("{{silence2}}");
            default -> real(slot);
        };
    }

    /** A concrete-looking id for a slot, from the world's placeholders. */
    static List<String> real(String slot) {
        return switch (slot) {
            case "host" -> List.of("{{host_a}}", "{{host_b}}");
            case "repo" -> List.of("{{repo}}", "{{repo2}}");
            case "job" -> List.of("{{job}}", "{{job_done}}");
            case "rule" -> FuzzValues.RULES;
            case "asset" -> List.of("app.css", "app.js", "favicon.svg", "live-log.js");
            case "any" -> List.of("x", "hosts", "internal", "metrics", "events", "health");
            default -> List.of("{{" + slot + "}}");
        };
    }

    private FuzzRoutes() {
    }
}
