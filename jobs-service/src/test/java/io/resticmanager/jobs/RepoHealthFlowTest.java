package io.resticmanager.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpServer;
import io.resticmanager.proto.DiffEntry;
import io.resticmanager.proto.JobStatus;
import io.resticmanager.proto.Message;
import io.resticmanager.proto.internal.HubEvent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.resticmanager.jobs.TestSupport.OPERATOR;
import static io.resticmanager.jobs.TestSupport.VIEWER;
import static org.awaitility.Awaitility.await;
import static io.resticmanager.jobs.TestSupport.backup;
import static io.resticmanager.jobs.TestSupport.host;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/** The stats refresh after backups (debounced), repository jobs (unlock, stats) and diff jobs with paged entries. */
@ServerTest
class RepoHealthFlowTest {
    private static TestSupport.Stack stack;
    private final TestSupport.Api api;

    RepoHealthFlowTest(URI uri) {
        this.api = TestSupport.Api.create(uri);
    }

    @SetUpServer
    static void server(WebServerConfig.Builder server) throws Exception {
        stack = TestSupport.Stack.serve(server, "repo-health", Map.of("rm.jobs.stats-refresh", "true",
                                                                      "rm.jobs.stats-refresh-delay-s", "0.5"));
    }

    @AfterAll
    static void stop() {
        stack.close();
    }

    private void finish(String host, String jobId, JobStatus status) {
        await("job.start for " + jobId).until(() -> !stack.hub.starts(jobId).isEmpty());
        api.events(TestSupport.ack(host, jobId, 1), TestSupport.finished(host, jobId, 2, status, 0));
        await("end of " + jobId).until(() -> api.job(jobId).path("status").asText().equals(status.wire()));
    }

    private List<JsonNode> jobsOf(String host, String kind) {
        List<JsonNode> out = new ArrayList<>();
        api.get("/api/jobs?host_id=" + host + "&kind=" + kind, VIEWER).body().path("items").forEach(out::add);
        return out;
    }

    @Test
    void backupsEndingTogetherGetOneStatsRefreshAfterThem() {
        String host = host();
        String repo = "repo-" + host;
        stack.inventory.host(host, repo);
        String first = api.runNow(host, backup("/etc"));
        finish(host, first, JobStatus.SUCCEEDED);
        String second = api.runNow(host, backup("/home"));
        finish(host, second, JobStatus.SUCCEEDED);
        await("a stats refresh").until(() -> jobsOf(host, "stats").size() == 1);
        JsonNode stats = jobsOf(host, "stats").getFirst();
        assertThat(stats.path("repo_id").asText(), is(repo));
        assertThat(stats.path("created_by").asText(), is("system (stats refresh)"));
        // never measured in full: the first refresh measures the restore size too
        assertThat(stats.path("params").path("stats_mode").isMissingNode(), is(true));
        finish(host, stats.path("id").asText(), JobStatus.SUCCEEDED);
        // a stats job itself asks for no refresh, and a failed backup neither
        String failed = api.runNow(host, backup("/var"));
        finish(host, failed, JobStatus.FAILED);
        String third = api.runNow(host, backup("/srv"));
        finish(host, third, JobStatus.SUCCEEDED);
        await("the second refresh").until(() -> jobsOf(host, "stats").size() == 2);
        // measured in full a moment ago: this one is the cheap raw-data one
        assertThat(jobsOf(host, "stats").getFirst().path("params").path("stats_mode").asText(), is("raw-data"));
        await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(jobsOf(host, "stats").size(), is(2)));
    }

    @Test
    void anOperatorUnlocksARepositoryOnAHostThatUsesIt() {
        String host = host();
        String repo = "repo-" + host;
        stack.inventory.host(host, repo);
        stack.inventory.repoHosts.put(repo, List.of(host));
        assertThat(api.post("/api/repos/" + repo + "/jobs", VIEWER, Map.of("kind", "unlock")).status(), is(403));
        assertThat(api.post("/api/repos/" + repo + "/jobs", OPERATOR, Map.of("kind", "prune")).status(), is(422));
        assertThat(api.post("/api/repos/no-such/jobs", OPERATOR, Map.of("kind", "unlock")).status(), is(404));
        assertThat(api.post("/api/repos/" + repo + "/jobs", OPERATOR, Map.of("kind", "unlock", "host_id", "other"))
                           .status(), is(422));
        TestSupport.Api.Reply created = api.post("/api/repos/" + repo + "/jobs", OPERATOR, Map.of("kind", "unlock"));
        assertThat(created.body().toString(), created.status(), is(202));
        assertThat(created.body().path("host_id").asText(), is(host));
        assertThat(created.header("X-RM-Audit-Action"), is("job.run_now"));
        String jobId = created.body().path("job_id").asText();
        assertThat(created.header("X-RM-Audit-Target"), is("repo=" + repo + " host=" + host + " job=" + jobId
                + " kind=unlock"));
        await("job.start").until(() -> !stack.hub.starts(jobId).isEmpty());
        assertThat(stack.hub.starts(jobId).getFirst().payload().path("kind").asText(), is("unlock"));
        finish(host, jobId, JobStatus.SUCCEEDED);
        // the unlock is followed by a refresh, which shows the locks that are left
        await("a refresh after the unlock").until(() -> jobsOf(host, "stats").size() == 1);
        stack.inventory.repoHosts.put("empty-" + repo, List.of());
        assertThat(api.post("/api/repos/empty-" + repo + "/jobs", OPERATOR, Map.of("kind", "stats")).status(),
                   is(409));
    }

    @Test
    void aDiffJobIsQueuedForTwoSnapshotsAndItsEntriesArePaged() {
        String host = host();
        stack.inventory.host(host, "repo-" + host);
        stack.inventory.snapshots.add(host + "/aaaaaaaa11111111");
        stack.inventory.snapshots.add(host + "/bbbbbbbb22222222");
        String path = "/api/hosts/" + host + "/diffs";
        assertThat(api.post(path, VIEWER, Map.of("snapshot_id", "aaaaaaaa", "other_snapshot_id", "bbbbbbbb"))
                           .status(), is(403));
        assertThat(api.post(path, OPERATOR, Map.of("snapshot_id", "aaaaaaaa", "other_snapshot_id", "latest"))
                           .status(), is(422));
        assertThat(api.post(path, OPERATOR, Map.of("snapshot_id", "aaaaaaaa", "other_snapshot_id", "aaaaaaaa11"))
                           .status(), is(422));
        assertThat(api.post(path, OPERATOR, Map.of("snapshot_id", "aaaaaaaa", "other_snapshot_id", "cccccccc"))
                           .status(), is(404));
        TestSupport.Api.Reply created = api.post(path, OPERATOR, Map.of("snapshot_id", "aaaaaaaa",
                                                                       "other_snapshot_id", "bbbbbbbb"));
        assertThat(created.body().toString(), created.status(), is(202));
        assertThat(created.header("X-RM-Audit-Action"), is("job.diff"));
        String jobId = created.body().path("job_id").asText();
        await("job.start").until(() -> !stack.hub.starts(jobId).isEmpty());
        JsonNode start = stack.hub.starts(jobId).getFirst().payload();
        assertThat(start.path("kind").asText(), is("diff"));
        assertThat(start.path("params").path("snapshot_id").asText(), is("aaaaaaaa"));
        assertThat(start.path("params").path("other_snapshot_id").asText(), is("bbbbbbbb"));
        // nothing is paged while the diff runs
        assertThat(api.get("/api/jobs/" + jobId + "/diff", VIEWER).body().path("items").size(), is(0));

        List<Message.LogLine> lines = new ArrayList<>();
        lines.add(new Message.LogLine(2, Instant.now(), "stderr", "comparing"));
        for (int i = 0; i < 250; i++) {
            lines.add(new Message.LogLine(3 + i, Instant.now(), DiffEntry.STREAM, new DiffEntry(
                    String.format("/data/f%03d", i), DiffEntry.Change.ADDED, "file", null, (long) i).line()));
        }
        api.events(TestSupport.ack(host, jobId, 1),
                   TestSupport.event(host, "job.log", new Message.JobLog(jobId, 2, lines)),
                   TestSupport.event(host, "job.finished", new Message.JobFinished(
                           jobId, 253, JobStatus.SUCCEEDED, 0, Map.of("added_files", 250, "entries", 250), null,
                           Instant.now())));
        await("diff finished").until(() -> api.job(jobId).path("status").asText().equals("succeeded"));
        JsonNode page = api.get("/api/jobs/" + jobId + "/diff?limit=100", VIEWER).body();
        assertThat(page.path("items").size(), is(100));
        assertThat(page.path("items").get(0).path("path").asText(), is("/data/f000"));
        assertThat(page.path("items").get(0).path("change").asText(), is("added"));
        assertThat(page.path("summary").path("added_files").asInt(), is(250));
        assertThat(page.path("snapshot_id").asText(), is("aaaaaaaa"));
        List<String> all = new ArrayList<>();
        String cursor = "";
        do {
            JsonNode p = api.get("/api/jobs/" + jobId + "/diff?limit=100" + (cursor.isEmpty() ? "" : "&cursor=" + cursor),
                                 VIEWER).body();
            p.path("items").forEach(e -> all.add(e.path("path").asText()));
            cursor = p.path("next_cursor").isNull() ? "" : p.path("next_cursor").asText();
        } while (!cursor.isEmpty());
        assertThat(all.size(), is(250));
        assertThat(all.getLast(), is("/data/f249"));
        assertThat(api.get("/api/jobs/" + jobId + "/diff?cursor=x", VIEWER).status(), is(400));
        // a job of another kind has no diff
        String other = api.runNow(host, backup("/etc"));
        assertThat(api.get("/api/jobs/" + other + "/diff", VIEWER).status(), is(404));
        JsonNode last = api.get("/api/jobs/" + jobId + "/diff?limit=500", VIEWER).body();
        assertThat(last.path("next_cursor").isNull(), is(true));
        assertThat(last.path("items").size(), is(250));
    }
}
