package io.resticmanager.inventory;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.resticmanager.inventory.TestEnv.event;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

/** inventory-service's metrics fragment over GET /internal/metrics: repos, hosts by status, newest snapshots. */
class InventoryMetricsTest {
    private static TestEnv env;

    @BeforeAll
    static void setUp() {
        env = TestEnv.start();
    }

    @AfterAll
    static void tearDown() {
        env.close();
    }

    @Test
    void reportsRepoSizeSnapshotsHostsAndNewestSnapshot() {
        String web = env.enroll("web-1");
        String idle = env.enroll("idle-1");
        String repo = env.createRepo(Map.of("name", "repo-metrics", "url", "/srv/metrics", "password", "repo-password"));
        env.assign(web, repo);
        env.admin("PATCH", "/api/hosts/" + idle, Map.of("disabled", true));
        env.events(event("ev-" + UUID.randomUUID(), web, "snapshots.report", Instant.now(), Map.of(
                "job_id", "j-" + UUID.randomUUID(), "repo_id", repo, "snapshots", List.of(
                        Map.of("id", "a".repeat(64), "time", "2026-11-20T10:00:00Z", "hostname", "web-1",
                               "paths", List.of("/etc"), "tags", List.of()),
                        Map.of("id", "b".repeat(64), "time", "2026-11-21T10:00:30.5Z", "hostname", "web-1",
                               "paths", List.of("/etc"), "tags", List.of())))));
        env.call("POST", "/internal/hosts/" + web + "/job-result", Map.of("job_id", "s1", "kind", "stats", "status",
                "succeeded", "finished_at", Instant.now().toString(), "summary",
                Map.of("total_size", 793, "total_blob_count", 4, "snapshots_count", 2, "compression_ratio", 2.0)),
                 null);

        TestEnv.Reply r = env.call("GET", "/internal/metrics", null, null);
        assertThat(r.body(), r.status(), is(200));
        assertThat(r.header("Content-Type"), startsWith("text/plain; version=0.0.4"));
        String text = r.body();
        // the Prometheus client sorts label names
        String labels = "{repo=\"repo-metrics\",repo_id=\"" + repo + "\"}";
        assertThat(text, containsString("# TYPE restic_manager_repo_size_bytes gauge\n"));
        assertThat(text, containsString("restic_manager_repo_size_bytes" + labels + " 793.0\n"));
        assertThat(text, containsString("restic_manager_repo_snapshots" + labels + " 2.0\n"));
        assertThat(text, containsString("restic_manager_hosts{status=\"disabled\"} 1.0\n"));
        assertThat(text, containsString("restic_manager_hosts{status=\"online\"} 0.0\n"));
        assertThat(text, containsString("restic_manager_host_last_snapshot_timestamp_seconds{host_id=\"" + web
                + "\"} " + Instant.parse("2026-11-21T10:00:30.5Z").toEpochMilli() / 1000.0 + "\n"));
        assertThat(text, not(containsString("host_id=\"" + idle + "\"")));
    }

    @Test
    void reportsEachHostRepositoryLinkOnce() {
        String app = env.enroll("app-1");
        String db = env.enroll("db-1");
        String shared = env.createRepo(Map.of("name", "links-shared", "url", "/srv/links", "password", "pw-shared"));
        String offsite = env.createRepo(Map.of("name", "links-offsite", "url", "/srv/off", "password", "pw-offsite"));
        env.assign(app, shared);
        env.assign(db, shared);
        assertThat(env.admin("POST", "/api/hosts/" + app + "/repos", Map.of("repo_id", offsite, "role", "off-site"))
                           .status(), is(201));
        assertThat(env.admin("PATCH", "/api/hosts/" + db, Map.of("name", "Database \"main\"")).status(), is(200));
        env.events(event("ev-" + UUID.randomUUID(), app, "snapshots.report", Instant.now(), Map.of(
                "job_id", "j-" + UUID.randomUUID(), "repo_id", shared, "snapshots", List.of(
                        snapshot("c", "2026-11-20T10:00:00Z", "app-1"), snapshot("d", "2026-11-22T08:00:00Z", "app-1"),
                        snapshot("e", "2026-11-21T09:00:00Z", "db-1")))));
        env.call("POST", "/internal/hosts/" + app + "/job-result", Map.of("job_id", "s-" + UUID.randomUUID(), "kind",
                "stats", "status", "succeeded", "finished_at", Instant.now().toString(), "repo_id", shared, "summary",
                Map.of("total_size", 4096, "snapshots_count", 3)), null);

        String text = env.call("GET", "/internal/metrics", null, null).body();
        String appShared = "{host=\"app-1\",host_id=\"" + app + "\",repo=\"links-shared\",repo_id=\"" + shared + "\"}";
        String dbShared = "{host=\"Database \\\"main\\\"\",host_id=\"" + db + "\",repo=\"links-shared\",repo_id=\""
                + shared + "\"}";
        assertThat(text, containsString("# TYPE restic_manager_host_repo_size_bytes gauge\n"));
        assertThat(text, containsString("restic_manager_host_repo_size_bytes" + appShared + " 4096.0\n"));
        assertThat(text, containsString("restic_manager_host_repo_size_bytes" + dbShared + " 4096.0\n"));
        assertThat(text, containsString("restic_manager_host_repo_snapshots" + appShared + " 2.0\n"));
        assertThat(text, containsString("restic_manager_host_repo_snapshots" + dbShared + " 1.0\n"));
        assertThat(text, containsString("restic_manager_host_repo_last_snapshot_timestamp_seconds" + appShared + " "
                + (double) Instant.parse("2026-11-22T08:00:00Z").getEpochSecond() + "\n"));
        assertThat(text, containsString("restic_manager_host_repo_last_snapshot_timestamp_seconds" + dbShared + " "
                + (double) Instant.parse("2026-11-21T09:00:00Z").getEpochSecond() + "\n"));
        // the off-site link: never measured, never listed, so no number is made up for it
        assertThat(text, not(containsString("repo=\"links-offsite\",repo_id=\"" + offsite + "\"} ")));
        assertThat(count(text, "restic_manager_host_repo_snapshots{host=\"app-1\",host_id=\"" + app + "\""), is(1L));
    }

    private static Map<String, Object> snapshot(String idChar, String time, String hostname) {
        return Map.of("id", idChar.repeat(64), "time", time, "hostname", hostname, "paths", List.of("/etc"),
                      "tags", List.of());
    }

    private static long count(String text, String prefix) {
        return text.lines().filter(l -> l.startsWith(prefix)).count();
    }

    @Test
    void needsTheInternalToken() {
        assertThat(env.call("GET", "/internal/metrics", null, null, "wrong").status(), is(401));
    }
}
