package io.resticmanager.inventory;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

/** Full and raw-data stats jobs, the locks they report, the hosts of a repository, its trend and bounded history. */
class RepoHealthTest {
    private static TestEnv env;

    @BeforeAll
    static void start() {
        env = TestEnv.start();
    }

    @AfterAll
    static void stop() {
        env.close();
    }

    private void result(String host, String job, String status, Instant at, Map<String, Object> summary) {
        assertThat(env.call("POST", "/internal/hosts/" + host + "/job-result", Map.of("job_id", job, "kind", "stats",
                "status", status, "finished_at", at.toString(), "summary", summary), null).status(), is(204));
    }

    @Test
    void fullAndRawDataStatsLocksHostsAndTrend() {
        String id = env.enroll("health-1");
        String repo = env.createRepo(Map.of("name", "repo-health", "url", "/srv/health", "password", "repo-password"));
        env.assign(id, repo);
        Instant t = Instant.parse("2026-12-01T12:00:00Z");
        // the agent's full stats: restore size as total_size, the stored size as raw_data_size
        result(id, "s1", "succeeded", t, Map.of("total_size", 9000, "total_file_count", 30, "snapshots_count", 2,
                                                 "raw_data_size", 3000, "total_blob_count", 12, "dedup_ratio", 3.0,
                                                 "lock_count", 0, "stale_lock_count", 0, "locks", List.of()));
        JsonNode stats = env.get("/api/repos/" + repo).json().get("stats");
        assertThat(stats.get("raw_size").asLong(), is(3000L));
        assertThat(stats.get("restore_size").asLong(), is(9000L));
        assertThat(stats.get("total_size").asLong(), is(3000L));
        assertThat(stats.get("dedup_ratio").asDouble(), is(3.0));
        // a raw-data refresh moves the stored size; the restore size stays the full run's
        result(id, "s2", "succeeded", t.plusSeconds(60), Map.of("mode", "raw-data", "total_size", 3500,
                "total_blob_count", 14, "snapshots_count", 3, "lock_count", 1, "stale_lock_count", 1,
                "locks", List.of(Map.of("id", "ab".repeat(32), "time", "2026-12-01T11:00:00Z", "exclusive", false,
                                        "hostname", "health-1", "username", "root", "pid", 4242, "stale", true))));
        JsonNode body = env.get("/api/repos/" + repo).json();
        assertThat(body.get("stats").get("raw_size").asLong(), is(3500L));
        assertThat(body.get("stats").get("restore_size").asLong(), is(9000L));
        // the ratio is that of one measurement (the full run's), not today's stored size over an older restore size
        assertThat(body.get("stats").get("dedup_ratio").asDouble(), is(3.0));
        JsonNode locks = body.get("locks");
        assertThat(locks.get("count").asLong(), is(1L));
        assertThat(locks.get("stale").asLong(), is(1L));
        assertThat(locks.get("items").get(0).get("pid").asLong(), is(4242L));
        assertThat(locks.get("items").get(0).get("stale").asBoolean(), is(true));
        assertThat(Instant.parse(locks.get("checked_at").asText()), is(t.plusSeconds(60)));
        // a stats job that failed on a lock still reports it; an older report never replaces a newer one
        result(id, "s3", "failed", t.minusSeconds(600), Map.of("lock_count", 0, "locks", List.of()));
        assertThat(env.get("/api/repos/" + repo).json().get("locks").get("count").asLong(), is(1L));
        result(id, "s4", "failed", t.plusSeconds(120), Map.of("lock_count", 0, "stale_lock_count", 0,
                                                               "locks", List.of()));
        assertThat(env.get("/api/repos/" + repo).json().get("locks").get("count").asLong(), is(0L));

        JsonNode hosts = env.get("/api/repos/" + repo).json().get("hosts");
        assertThat(hosts.size(), is(1));
        assertThat(hosts.get(0).get("id").asText(), is(id));
        assertThat(hosts.get(0).get("primary").asBoolean(), is(true));
        JsonNode list = env.get("/api/repos?trend_points=10").json().get("items");
        JsonNode mine = null;
        for (JsonNode r : list) {
            if (r.get("id").asText().equals(repo)) {
                mine = r;
            }
        }
        assertThat(mine.get("trend").size(), is(2));
        assertThat(mine.get("trend").get(0).get("total_size").asLong(), is(3000L));
        assertThat(mine.get("trend").get(1).get("snapshot_count").asLong(), is(3L));
        assertThat(mine.has("hosts"), is(false));
        assertThat(env.get("/api/repos").json().get("items").get(0).has("trend"), is(false));
        assertThat(env.get("/api/repos?trend_points=101").status(), is(400));
        // the brief list carries the same trend and the name, and no stats
        JsonNode brief = null;
        for (JsonNode r : env.get("/api/repos?brief=true&trend_points=10").json().get("items")) {
            if (r.get("id").asText().equals(repo)) {
                brief = r;
            }
        }
        assertThat(brief.get("trend"), is(mine.get("trend")));
        assertThat(brief.get("name"), is(mine.get("name")));
        assertThat(brief.has("stats"), is(false));
        assertThat(brief.has("url"), is(false));
    }

    @Test
    void historyIsThinnedToOnePointADayAfterTwoDays() {
        String id = env.enroll("health-2");
        String repo = env.createRepo(Map.of("name", "repo-thin", "url", "/srv/thin", "password", "repo-password"));
        env.assign(id, repo);
        Instant start = Instant.parse("2026-11-01T00:00:00Z");
        // ten days of a point every 4 hours
        for (int i = 0; i < 60; i++) {
            result(id, "t" + i, "succeeded", start.plusSeconds(i * 4 * 3600L), Map.of("mode", "raw-data",
                    "total_size", 1000 + i, "snapshots_count", i));
        }
        JsonNode history = env.get("/api/repos/" + repo + "/stats/history?limit=1000").json().get("items");
        // the last two days dense (12 points and the newest), the eight days before one point each
        assertThat(history.size(), lessThanOrEqualTo(13 + 9));
        assertThat(history.get(history.size() - 1).get("total_size").asLong(), is(1059L));
    }
}
