package io.resticmanager.inventory;

import com.fasterxml.jackson.databind.JsonNode;
import io.resticmanager.kit.SecretBox;
import io.resticmanager.proto.Role;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.resticmanager.inventory.TestEnv.event;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;

/** Hosts come to life from agent-hub events and are changed by admins, who reach the hub at once. */
class HostLifecycleTest {
    private static TestEnv env;

    @BeforeAll
    static void setUp() {
        env = TestEnv.start();
    }

    @AfterAll
    static void tearDown() {
        env.close();
    }

    @BeforeEach
    void resetHub() {
        env.hubCalls.clear();
        env.hubStatus.set(204);
    }

    private static String evId() {
        return "ev-" + UUID.randomUUID();
    }

    private static Map<String, Object> online(String hostname, String resticVersion) {
        return Map.of("hostname", hostname, "os", "linux", "arch", "arm64", "agent_version", "0.2.0",
                      "restic_version", resticVersion, "protocol_version", 1, "jobs", List.of());
    }

    @Test
    void enrolledThenOnlineThenOffline() {
        String id = UUID.randomUUID().toString();
        Instant t0 = Instant.parse("2026-11-26T10:00:00Z");
        assertThat(env.events(event(evId(), id, "host.enrolled", t0, Map.of("hostname", "web-1", "os", "linux",
                "arch", "amd64", "agent_version", "0.1.0"))).json().get("accepted").asInt(), is(1));
        JsonNode host = env.get("/api/hosts/" + id).json();
        assertThat(host.get("name").asText(), is("web-1"));
        assertThat(host.get("hostname").asText(), is("web-1"));
        assertThat(host.get("status").asText(), is("offline"));
        assertThat(host.get("last_backup").isNull(), is(true));
        assertThat(host.get("repo_id").isNull(), is(true));
        assertThat(host.get("tags").size(), is(0));

        Instant t1 = t0.plusSeconds(5);
        env.events(event(evId(), id, "host.online", t1, online("web-1", "0.14.0")));
        host = env.get("/api/hosts/" + id).json();
        assertThat(host.get("status").asText(), is("online"));
        assertThat(host.get("restic_version").asText(), is("0.14.0"));
        assertThat(host.get("agent_version").asText(), is("0.2.0"));
        assertThat(host.get("arch").asText(), is("arm64"));
        assertThat(Instant.parse(host.get("last_seen_at").asText()), is(t1));

        Instant seen = t1.plusSeconds(60);
        String offlineId = evId();
        env.events(event(offlineId, id, "host.offline", seen.plusSeconds(90), Map.of("last_seen_at", seen.toString())));
        host = env.get("/api/hosts/" + id).json();
        assertThat(host.get("status").asText(), is("offline"));
        assertThat(Instant.parse(host.get("last_seen_at").asText()), is(seen));

        // a late, older online event (redelivered out of order) does not flip the host back
        env.events(event(evId(), id, "host.online", t1.plusSeconds(1), online("web-1", "0.14.0")));
        assertThat(env.get("/api/hosts/" + id).json().get("status").asText(), is("offline"));

        // host.facts updates versions
        env.events(event(evId(), id, "host.facts", seen.plusSeconds(200), Map.of("hostname", "web-1", "os", "linux",
                "arch", "arm64", "agent_version", "0.3.0", "restic_version", "0.17.3", "runs_as_root", true)));
        host = env.get("/api/hosts/" + id).json();
        assertThat(host.get("restic_version").asText(), is("0.17.3"));
        assertThat(host.get("runs_as_root").asBoolean(), is(true));
    }

    @Test
    void eventsAreIdempotentByEventId() {
        String id = UUID.randomUUID().toString();
        Instant t0 = Instant.now().minusSeconds(100);
        String onlineEvent = evId();
        env.events(event(evId(), id, "host.enrolled", t0, Map.of("hostname", "db-1")));
        env.events(event(onlineEvent, id, "host.online", t0.plusSeconds(1), online("db-1", "0.14.0")));
        env.events(event(evId(), id, "host.offline", t0.plusSeconds(2), Map.of("last_seen_at", t0.plusSeconds(2).toString())));
        // the hub redelivers the online event with a NEWER timestamp: still the same event, so ignored
        TestEnv.Reply replay = env.events(event(onlineEvent, id, "host.online", t0.plusSeconds(3), online("db-1", "0.14.0")));
        assertThat(replay.status(), is(200));
        assertThat(replay.json().get("accepted").asInt(), is(1));
        assertThat(env.get("/api/hosts/" + id).json().get("status").asText(), is("offline"));
    }

    @Test
    void malformedBatchIsRejectedWholeAndUnknownTypesAreAccepted() {
        String id = UUID.randomUUID().toString();
        TestEnv.Reply bad = env.events(event(evId(), id, "host.enrolled", Instant.now(), Map.of("hostname", "ok-1")),
                                       event(evId(), id, "snapshots.report", Instant.now(), Map.of("snapshots", List.of())));
        assertThat(bad.status(), is(400));
        assertThat(bad.json().get("detail").asText(), containsString("repo_id"));
        assertThat(env.get("/api/hosts/" + id).status(), is(404));

        TestEnv.Reply unknown = env.events(event(evId(), id, "job.log", Instant.now(), Map.of("anything", 1)),
                                           event(evId(), id, "host.enrolled", Instant.now(), Map.of("hostname", "ok-1")));
        assertThat(unknown.status(), is(200));
        assertThat(unknown.json().get("accepted").asInt(), is(2));
        assertThat(env.get("/api/hosts/" + id).status(), is(200));
        assertThat(env.call("POST", "/internal/events", "{\"events\":[{\"type\":\"host.online\"}]}", null).status(),
                   is(400));
    }

    @Test
    void patchValidatesAndFilters() {
        String id = env.enroll("app-7");
        String repo = env.createRepo(Map.of("name", "repo-app-7", "url", "/srv/app7", "password", "repo-password"));
        TestEnv.Reply ok = env.admin("PATCH", "/api/hosts/" + id, Map.of("name", "App Seven", "tags",
                List.of("prod", "eu", "prod"), "repo_id", repo));
        assertThat(ok.body(), ok.status(), is(200));
        assertThat(ok.header("X-RM-Audit-Action"), is("host.update"));
        assertThat(ok.header("X-RM-Audit-Target"), is("host=" + id));
        JsonNode host = ok.json();
        assertThat(host.get("name").asText(), is("App Seven"));
        assertThat(host.get("repo_name").asText(), is("repo-app-7"));
        assertThat(host.get("tags").toString(), is("[\"eu\",\"prod\"]"));
        assertThat(env.hubCalls, is(empty()));

        assertThat(env.admin("PATCH", "/api/hosts/" + id, Map.of("name", "x".repeat(101))).status(), is(422));
        assertThat(env.admin("PATCH", "/api/hosts/" + id, Map.of("tags", List.of("Bad Tag"))).status(), is(422));
        assertThat(env.admin("PATCH", "/api/hosts/" + id, Map.of("repo_id", "no-such-repo")).status(), is(422));
        assertThat(env.admin("PATCH", "/api/hosts/" + id, Map.of("disabled", "yes")).status(), is(422));
        assertThat(env.admin("PATCH", "/api/hosts/nope", Map.of("name", "x")).status(), is(404));
        assertThat(env.call("PATCH", "/api/hosts/" + id, Map.of("name", "x"), Role.OPERATOR).status(), is(403));
        assertThat(env.get("/api/hosts/" + id).json().get("name").asText(), is("App Seven"));

        List<String> tagged = ids(env.get("/api/hosts?tag=eu").json());
        assertThat(tagged, contains(id));
        assertThat(ids(env.get("/api/hosts?tag=eu&status=online").json()), is(empty()));
        assertThat(ids(env.get("/api/hosts?tag=eu&status=offline").json()), contains(id));
        assertThat(env.get("/api/hosts?status=sleeping").status(), is(400));

        // name: null goes back to the hostname
        assertThat(env.admin("PATCH", "/api/hosts/" + id, "{\"name\":null}").json().get("name").asText(), is("app-7"));
    }

    @Test
    void disablingTellsTheHubFirst() {
        String id = env.enroll("kiosk-1");
        String repo = env.createRepo(Map.of("name", "repo-kiosk", "url", "/srv/kiosk", "password", "repo-password"));
        env.assign(id, repo);
        TestEnv.Reply disabled = env.admin("PATCH", "/api/hosts/" + id, Map.of("disabled", true));
        assertThat(disabled.status(), is(200));
        assertThat(disabled.json().get("status").asText(), is("disabled"));
        assertThat(env.hubCalls, contains("PUT /internal/agents/" + id + "/disabled {\"disabled\":true}"));
        assertThat(ids(env.get("/api/hosts?status=disabled").json()), contains(id));
        assertThat(env.call("GET", "/internal/hosts/" + id + "/repo-access", null, null).status(), is(409));

        // the hub refuses: 503 and nothing changes here
        env.hubStatus.set(500);
        TestEnv.Reply refused = env.admin("PATCH", "/api/hosts/" + id, Map.of("disabled", false, "name", "renamed"));
        assertThat(refused.status(), is(503));
        JsonNode host = env.get("/api/hosts/" + id).json();
        assertThat(host.get("status").asText(), is("disabled"));
        assertThat(host.get("name").asText(), is("kiosk-1"));

        env.hubStatus.set(204);
        assertThat(env.admin("PATCH", "/api/hosts/" + id, Map.of("disabled", false)).json().get("status").asText(),
                   is("offline"));
        assertThat(env.hubCalls.getLast(), is("PUT /internal/agents/" + id + "/disabled {\"disabled\":false}"));
    }

    @Test
    void deletingRevokesAtTheHubAndStaysDeleted() {
        String id = env.enroll("old-1");
        TestEnv.Reply deleted = env.admin("DELETE", "/api/hosts/" + id, null);
        assertThat(deleted.status(), is(204));
        assertThat(deleted.header("X-RM-Audit-Action"), is("host.delete"));
        assertThat(env.hubCalls, contains("POST /internal/agents/" + id + "/revoke"));
        assertThat(env.get("/api/hosts/" + id).status(), is(404));
        // a replayed online event does not bring it back
        env.events(event(evId(), id, "host.online", Instant.now(), online("old-1", "0.14.0")));
        assertThat(env.get("/api/hosts/" + id).status(), is(404));
        assertThat(env.admin("DELETE", "/api/hosts/" + id, null).status(), is(404));
    }

    @Test
    void hubDownMeansNothingChanges() {
        try (TestEnv down = TestEnv.start(SecretBox.parse(SecretBox.newKeyLine()), false)) {
            String id = down.enroll("lonely-1");
            TestEnv.Reply delete = down.admin("DELETE", "/api/hosts/" + id, null);
            assertThat(delete.status(), is(503));
            assertThat(delete.json().get("detail").asText(), containsString("agent-hub"));
            assertThat(down.get("/api/hosts/" + id).status(), is(200));
            assertThat(down.admin("PATCH", "/api/hosts/" + id, Map.of("disabled", true)).status(), is(503));
            assertThat(down.get("/api/hosts/" + id).json().get("status").asText(), is("offline"));
            // changes that need no hub still work
            assertThat(down.admin("PATCH", "/api/hosts/" + id, Map.of("tags", List.of("x"))).status(), is(200));
        }
    }

    @Test
    void jobResultsFeedLastBackupStatsAndChecks() {
        String id = env.enroll("files-1");
        String repo = env.createRepo(Map.of("name", "repo-files", "url", "/srv/files", "password", "repo-password"));
        env.assign(id, repo);
        Instant t = Instant.parse("2026-11-26T12:00:00Z");
        TestEnv.Reply r = env.call("POST", "/internal/hosts/" + id + "/job-result", Map.of("job_id", "j1", "kind",
                "backup", "status", "succeeded", "finished_at", t.toString(), "summary",
                Map.of("data_added", 1067, "snapshot_id", "ac017e1b", "files_new", 1)), null);
        assertThat(r.status(), is(204));
        // an older result arriving late does not replace the newer one
        env.call("POST", "/internal/hosts/" + id + "/job-result", Map.of("job_id", "j0", "kind", "backup", "status",
                "failed", "finished_at", t.minusSeconds(60).toString(), "summary", Map.of()), null);
        JsonNode backup = env.get("/api/hosts/" + id).json().get("last_backup");
        assertThat(backup.get("job_id").asText(), is("j1"));
        assertThat(backup.get("status").asText(), is("succeeded"));
        assertThat(backup.get("data_added").asLong(), is(1067L));
        assertThat(backup.get("snapshot_id").asText(), is("ac017e1b"));
        assertThat(Instant.parse(backup.get("finished_at").asText()), is(t));

        env.call("POST", "/internal/hosts/" + id + "/job-result", Map.of("job_id", "s1", "kind", "stats", "status",
                "succeeded", "finished_at", t.toString(), "summary",
                Map.of("total_size", 12, "total_file_count", 6, "snapshots_count", 2)), null);
        env.call("POST", "/internal/hosts/" + id + "/job-result", Map.of("job_id", "s2", "kind", "stats", "status",
                "succeeded", "finished_at", t.plusSeconds(10).toString(), "summary",
                Map.of("total_size", 793, "total_file_count", 0, "total_blob_count", 4, "snapshots_count", 2,
                       "total_uncompressed_size", 1586, "compression_ratio", 2.0)), null);
        // replay of s2: no second point
        env.call("POST", "/internal/hosts/" + id + "/job-result", Map.of("job_id", "s2", "kind", "stats", "status",
                "succeeded", "finished_at", t.plusSeconds(10).toString(), "summary", Map.of("total_size", 793)), null);
        env.call("POST", "/internal/hosts/" + id + "/job-result", Map.of("job_id", "c1", "kind", "check", "status",
                "failed", "finished_at", t.plusSeconds(20).toString()), null);

        JsonNode stats = env.get("/api/repos/" + repo).json().get("stats");
        assertThat(stats.get("total_size").asLong(), is(793L));
        assertThat(stats.get("raw_size").asLong(), is(793L));
        assertThat(stats.get("restore_size").asLong(), is(12L));
        assertThat(stats.get("total_file_count").asLong(), is(6L));
        assertThat(stats.get("snapshot_count").asLong(), is(2L));
        assertThat(stats.get("compression_ratio").asDouble(), is(2.0));
        assertThat(stats.get("last_check_status").asText(), is("failed"));
        assertThat(Instant.parse(stats.get("last_check_at").asText()), is(t.plusSeconds(20)));

        JsonNode history = env.get("/api/repos/" + repo + "/stats/history").json().get("items");
        assertThat(history.size(), is(2));
        assertThat(history.get(0).get("mode").asText(), is("restore-size"));
        assertThat(history.get(1).get("mode").asText(), is("raw-data"));
        assertThat(history.get(1).get("total_uncompressed_size").asLong(), is(1586L));
        assertThat(env.get("/api/repos/" + repo + "/stats/history?limit=1").json().get("items").get(0)
                           .get("job_id").asText(), is("s2"));
        assertThat(env.get("/api/repos/" + repo + "/stats/history?mode=restore-size").json().get("items").size(), is(1));

        assertThat(env.call("POST", "/internal/hosts/nope/job-result", Map.of("job_id", "x", "kind", "backup",
                "status", "succeeded"), null).status(), is(404));
        assertThat(env.call("POST", "/internal/hosts/" + id + "/job-result", Map.of("kind", "backup"), null).status(),
                   is(422));
    }

    @Test
    void hostHasEveryApiFieldEvenWhenUnknown() {
        String id = UUID.randomUUID().toString();
        env.events(event(evId(), id, "host.enrolled", Instant.now(), Map.of("hostname", "bare-1")));
        JsonNode listed = null;
        for (JsonNode h : env.get("/api/hosts").json().get("items")) {
            if (h.get("id").asText().equals(id)) {
                listed = h;
            }
        }
        List<String> fields = new ArrayList<>();
        listed.fieldNames().forEachRemaining(fields::add);
        for (String api : List.of("id", "name", "status", "last_seen_at", "os", "arch", "agent_version",
                                  "restic_version", "tags", "repo_id", "repo_name", "last_backup")) {
            assertThat(api + " in " + fields, fields.contains(api), is(true));
        }
        assertThat(listed.get("os").isNull(), is(true));
        env.call("POST", "/internal/hosts/" + id + "/job-result", Map.of("job_id", "jb", "kind", "backup",
                "status", "failed", "finished_at", Instant.now().toString()), null);
        JsonNode backup = env.get("/api/hosts/" + id).json().get("last_backup");
        assertThat(backup.get("status").asText(), is("failed"));
        assertThat(backup.get("data_added").isNull(), is(true));
        assertThat(backup.get("snapshot_id").isNull(), is(true));
    }

    @Test
    void healthAnswersWithoutToken() {
        TestEnv.Reply health = env.call("GET", "/health", null, null, null);
        assertThat(health.status(), is(200));
        assertThat(health.json().get("checks").get("db").asText(), is("up"));
    }

    private static List<String> ids(JsonNode list) {
        List<String> ids = new ArrayList<>();
        list.get("items").forEach(h -> ids.add(h.get("id").asText()));
        return ids;
    }
}
