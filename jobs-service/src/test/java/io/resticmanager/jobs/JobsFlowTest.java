package io.resticmanager.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpServer;
import io.resticmanager.proto.JobStatus;
import io.resticmanager.proto.Message;
import io.resticmanager.proto.Principal;
import io.resticmanager.proto.Role;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;

import static io.resticmanager.jobs.TestSupport.ADMIN;
import static io.resticmanager.jobs.TestSupport.OPERATOR;
import static io.resticmanager.jobs.TestSupport.VIEWER;
import static io.resticmanager.jobs.TestSupport.ack;
import static org.awaitility.Awaitility.await;
import static io.resticmanager.jobs.TestSupport.backup;
import static io.resticmanager.jobs.TestSupport.finished;
import static io.resticmanager.jobs.TestSupport.host;
import static io.resticmanager.jobs.TestSupport.log;
import static io.resticmanager.jobs.TestSupport.offline;
import static io.resticmanager.jobs.TestSupport.online;
import static io.resticmanager.jobs.TestSupport.progress;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;

/** The jobs API end to end against a real server, real SQLite and stub hub/inventory servers. */
@ServerTest
class JobsFlowTest {
    private static TestSupport.Stack stack;
    private final TestSupport.Api api;

    JobsFlowTest(URI uri) {
        this.api = TestSupport.Api.create(uri);
    }

    @SetUpServer
    static void server(WebServerConfig.Builder server) throws Exception {
        stack = TestSupport.Stack.serve(server, "jobs-flow");
    }

    @AfterAll
    static void stop() {
        stack.close();
    }

    private String startedJob(String host, String repo) {
        stack.inventory.host(host, repo);
        String jobId = api.runNow(host, backup("/etc"));
        await("job.start for " + jobId).until(() -> !stack.hub.starts(jobId).isEmpty());
        return jobId;
    }

    @Test
    void runNowGoesFromQueuedThroughEventsToSucceededWithSummary() {
        String host = host();
        stack.inventory.host(host, "repo-" + host);
        TestSupport.Api.Reply created = api.post("/api/hosts/" + host + "/jobs", OPERATOR,
                                                 Map.of("kind", "backup", "paths", List.of("/etc", "/home"),
                                                        "excludes", List.of("*.tmp"), "limit_upload_kib", 512));
        assertThat(created.body().toString(), created.status(), is(202));
        String jobId = created.body().path("job_id").asText();
        assertThat(created.body().path("status").asText(), is("queued"));
        assertThat(created.header("X-RM-Audit-Action"), is("job.run_now"));
        assertThat(created.header("X-RM-Audit-Target"), is("host=" + host + " job=" + jobId + " kind=backup"));

        await("job.start").until(() -> !stack.hub.starts(jobId).isEmpty());
        JsonNode start = stack.hub.starts(jobId).getFirst().payload();
        assertThat(start.path("kind").asText(), is("backup"));
        assertThat(start.path("repo").path("password").asText(), is("pw-repo-" + host + "-SECRET"));
        assertThat(start.path("params").path("paths").toString(), is("[\"/etc\",\"/home\"]"));
        assertThat(start.path("params").path("limit_upload_kib").asInt(), is(512));
        assertThat(stack.inventory.accesses.stream().filter(a -> a.hostId().equals(host))
                           .allMatch(a -> a.purpose().equals("backup")), is(true));

        assertThat(api.events(ack(host, jobId, 1)).body().path("accepted").asInt(), is(1));
        JsonNode running = api.job(jobId);
        assertThat(running.path("status").asText(), is("running"));
        assertThat(running.path("command_line").asText(), is("restic backup --json /etc"));
        assertThat(running.path("started_at").isTextual(), is(true));

        api.events(log(host, jobId, 2, 3), progress(host, jobId, 5, 42.5));
        assertThat(api.job(jobId).path("progress").path("percent").asDouble(), is(42.5));
        api.events(finished(host, jobId, 6, JobStatus.SUCCEEDED, 0));

        JsonNode job = api.job(jobId);
        assertThat(job.path("status").asText(), is("succeeded"));
        assertThat(job.path("exit_code").asInt(), is(0));
        assertThat(job.path("summary").path("snapshot_id").asText(), is("abcd1234"));
        assertThat(job.path("created_by").asText(), is("olivia"));
        assertThat(job.path("host_id").asText(), is(host));
        assertThat(job.path("repo_id").asText(), is("repo-" + host));
        assertThat(job.path("finished_at").isTextual(), is(true));
        assertThat(job.has("error"), is(true));
        assertThat(job.toString(), not(containsString("SECRET")));

        assertThat(api.logSeqs(jobId, ""), contains(1L, 2L, 3L, 4L, 6L));
        assertThat(api.logSeqs(jobId, "&include=progress"), contains(1L, 2L, 3L, 4L, 5L, 6L));
        JsonNode page = api.get("/api/jobs/" + jobId + "/logs?after_seq=2&limit=2", VIEWER).body();
        assertThat(page.path("items").get(0).path("line").asText(), is("line 3"));
        assertThat(page.path("next_after_seq").asLong(), is(4L));

        await("job result at inventory").until(() -> !stack.inventory.results(jobId).isEmpty());
        JsonNode result = stack.inventory.results(jobId).getFirst();
        assertThat(result.path("status").asText(), is("succeeded"));
        assertThat(result.path("kind").asText(), is("backup"));
        assertThat(result.path("summary").path("snapshot_id").asText(), is("abcd1234"));

        JsonNode list = api.get("/api/jobs?host_id=" + host, VIEWER).body();
        assertThat(list.path("items").size(), is(1));
        assertThat(list.path("items").get(0).path("id").asText(), is(jobId));
    }

    @Test
    void aRunNowBackupAsksForVssOnlyWhenTold() {
        String host = host();
        stack.inventory.host(host, "repo-" + host);
        TestSupport.Api.Reply wrong = api.post("/api/hosts/" + host + "/jobs", OPERATOR,
                                               Map.of("kind", "backup", "paths", List.of("C:\\Users"),
                                                      "use_fs_snapshot", "true"));
        assertThat(wrong.status(), is(400));
        assertThat(wrong.body().path("detail").asText(), containsString("use_fs_snapshot"));
        TestSupport.Api.Reply created = api.post("/api/hosts/" + host + "/jobs", OPERATOR,
                                                 Map.of("kind", "backup", "paths", List.of("C:\\Users"),
                                                        "use_fs_snapshot", true));
        assertThat(created.body().toString(), created.status(), is(202));
        String jobId = created.body().path("job_id").asText();
        await("job.start").until(() -> !stack.hub.starts(jobId).isEmpty());
        JsonNode params = stack.hub.starts(jobId).getFirst().payload().path("params");
        assertThat(params.path("use_fs_snapshot").asBoolean(), is(true));
        assertThat(params.path("paths").toString(), is("[\"C:\\\\Users\"]"));
    }

    @Test
    void duplicateAndOutOfOrderEventsAreAbsorbed() {
        String host = host();
        String jobId = startedJob(host, "repo-" + host);
        // The outbox redelivers: finished before the lines, every batch twice, a duplicate inside a batch.
        api.events(finished(host, jobId, 10, JobStatus.SUCCEEDED, 0), log(host, jobId, 5, 5));
        api.events(log(host, jobId, 2, 3), log(host, jobId, 2, 3), progress(host, jobId, 7, 99));
        api.events(finished(host, jobId, 10, JobStatus.SUCCEEDED, 0), log(host, jobId, 5, 5));
        api.events(ack(host, jobId, 1));

        List<Long> seqs = api.logSeqs(jobId, "&include=progress");
        assertThat(seqs, is(LongStream.rangeClosed(1, 10).boxed().toList()));
        JsonNode job = api.job(jobId);
        assertThat(job.path("status").asText(), is("succeeded"));
        // the late ack still fills in what it knows, without moving the status back
        assertThat(job.path("command_line").asText(), is("restic backup --json /etc"));
        assertThat(job.has("progress"), is(false));
        await("one result").until(() -> !stack.inventory.results(jobId).isEmpty());
        assertThat(stack.inventory.results(jobId), hasSize(1));
    }

    @Test
    void aFinishedJobIsNeverResurrected() {
        String host = host();
        String jobId = startedJob(host, "repo-" + host);
        api.events(ack(host, jobId, 1), finished(host, jobId, 2, JobStatus.FAILED, 1));
        assertThat(api.status(jobId), is("failed"));

        api.events(ack(host, jobId, 3), progress(host, jobId, 4, 10), log(host, jobId, 5, 1),
                   finished(host, jobId, 6, JobStatus.SUCCEEDED, 0), online(host));
        JsonNode job = api.job(jobId);
        assertThat(job.path("status").asText(), is("failed"));
        assertThat(job.path("exit_code").asInt(), is(1));
        assertThat(job.path("error").asText(), is("boom"));
        assertThat(api.post("/api/jobs/" + jobId + "/cancel", OPERATOR, "{}").status(), is(409));
    }

    @Test
    void oneJobPerRepositoryRunsAtATimeInFifoOrder() {
        String host = host();
        String other = host();
        stack.inventory.host(host, "shared-" + host);
        stack.inventory.host(other, "own-" + other);
        String first = api.runNow(host, backup("/a"));
        String second = api.runNow(host, Map.of("kind", "check", "read_data_subset", "10%", "limit_download_kib", 512));
        String third = api.runNow(host, Map.of("kind", "unlock"));
        String elsewhere = api.runNow(other, backup("/b"));

        await("first and the other repository's job dispatched")
                .until(() -> !stack.hub.starts(first).isEmpty() && !stack.hub.starts(elsewhere).isEmpty());
        await("second shows why it waits").until(() -> api.job(second).path("queued_reason").asText()
                .equals(Dispatcher.REPO_BUSY));
        assertThat(stack.hub.starts(second), empty());
        assertThat(stack.hub.starts(third), empty());

        api.events(ack(host, first, 1), finished(host, first, 2, JobStatus.SUCCEEDED, 0));
        await("second dispatched").until(() -> !stack.hub.starts(second).isEmpty());
        // a check over a thin line is throttled like a backup
        assertThat(stack.hub.starts(second).getFirst().payload().path("params").path("limit_download_kib").asInt(),
                   is(512));
        assertThat(stack.hub.starts(second).getFirst().payload().path("params").path("read_data_subset").asText(),
                   is("10%"));
        assertThat(stack.hub.starts(third), empty());
        api.events(ack(host, second, 1), finished(host, second, 2, JobStatus.SUCCEEDED_WITH_WARNINGS, 3));
        await("third dispatched").until(() -> !stack.hub.starts(third).isEmpty());
        assertThat(api.status(second), is("succeeded_with_warnings"));
    }

    @Test
    void offlineHostQueuesVisiblyAndStartsWhenItReconnects() {
        String host = host();
        stack.inventory.host(host, "repo-" + host);
        stack.hub.offline.add(host);
        String jobId = api.runNow(host, backup("/etc"));
        await("offline reason")
                .until(() -> Dispatcher.HOST_OFFLINE.equals(api.job(jobId).path("queued_reason").asText()));
        assertThat(api.status(jobId), is("queued"));

        // Known offline now: the next run-now says so at once.
        TestSupport.Api.Reply second = api.post("/api/hosts/" + host + "/jobs", OPERATOR, Map.of("kind", "snapshots"));
        assertThat(second.status(), is(202));
        assertThat(second.body().path("queued_reason").asText(), is(Dispatcher.HOST_OFFLINE));

        stack.hub.offline.remove(host);
        api.events(online(host));
        await("dispatched after host.online").until(() -> !stack.hub.starts(jobId).isEmpty());
        JsonNode job = api.job(jobId);
        assertThat(job.path("status").asText(), is("queued"));
        assertThat(job.has("queued_reason"), is(false));
        api.events(ack(host, jobId, 1));
        assertThat(api.status(jobId), is("running"));
    }

    @Test
    void hostOfflineEventKeepsNewJobsQueued() {
        String host = host();
        stack.inventory.host(host, "repo-" + host);
        api.events(offline(host));
        String jobId = api.runNow(host, backup("/etc"));
        assertThat(api.job(jobId).path("queued_reason").asText(), is(Dispatcher.HOST_OFFLINE));
        api.events(online(host));
        await("dispatched").until(() -> !stack.hub.starts(jobId).isEmpty());
    }

    @Test
    void cancelEndsAQueuedJobAtOnceAndAsksTheAgentForARunningOne() {
        String host = host();
        stack.inventory.host(host, "repo-" + host);
        api.events(offline(host));
        String queued = api.runNow(host, backup("/etc"));
        TestSupport.Api.Reply cancelled = api.post("/api/jobs/" + queued + "/cancel", OPERATOR, "");
        assertThat(cancelled.status(), is(202));
        assertThat(cancelled.header("X-RM-Audit-Action"), is("job.cancel"));
        assertThat(api.status(queued), is("cancelled"));
        assertThat(api.post("/api/jobs/" + queued + "/cancel", OPERATOR, "").status(), is(409));

        api.events(online(host));
        String running = api.runNow(host, backup("/etc"));
        await("dispatched").until(() -> !stack.hub.starts(running).isEmpty());
        api.events(ack(host, running, 1));
        assertThat(api.post("/api/jobs/" + running + "/cancel", VIEWER, "").status(), is(403));
        assertThat(api.post("/api/jobs/" + running + "/cancel", OPERATOR, "").status(), is(202));
        await("job.cancel sent").until(() -> stack.hub.commands(host, "job.cancel").stream()
                .anyMatch(c -> c.payload().path("job_id").asText().equals(running)));
        assertThat(api.status(running), is("running"));
        api.events(finished(host, running, 2, JobStatus.CANCELLED, 130));
        assertThat(api.status(running), is("cancelled"));
        assertThat(stack.hub.starts(queued), empty());
    }

    @Test
    void requestsAreValidated() {
        String host = host();
        stack.inventory.host(host, "repo-" + host);
        String path = "/api/hosts/" + host + "/jobs";
        assertThat(api.post(path, OPERATOR, Map.of("kind", "defrag")).status(), is(422));
        assertThat(api.post(path, OPERATOR, Map.of("kind", "backup")).status(), is(422));
        assertThat(api.post(path, OPERATOR, Map.of("kind", "backup", "paths", List.of())).status(), is(422));
        assertThat(api.post(path, OPERATOR, Map.of("kind", "backup", "paths", "/etc")).status(), is(400));
        assertThat(api.post(path, OPERATOR, "{not json").status(), is(400));
        assertThat(api.post(path, OPERATOR, Map.of("kind", "forget")).status(), is(422));
        assertThat(api.post(path, OPERATOR, Map.of("kind", "forget", "policy", Map.of())).status(), is(422));
        assertThat(api.post(path, OPERATOR, Map.of("kind", "forget", "policy", Map.of("keep_last", 0))).status(),
                   is(422));
        assertThat(api.post(path, OPERATOR, Map.of("kind", "check", "read_data_subset", "150%")).status(), is(422));
        assertThat(api.post(path, OPERATOR, Map.of("kind", "check", "read_data_subset", "3/2")).status(), is(422));
        // sizes restic itself refuses (a fraction of a unit, no unit) are refused here, before any agent sees them
        assertThat(api.post(path, OPERATOR, Map.of("kind", "check", "read_data_subset", "1.5G")).status(), is(422));
        assertThat(api.post(path, OPERATOR, Map.of("kind", "check", "read_data_subset", "500")).status(), is(422));
        TestSupport.Api.Reply problem = api.post(path, OPERATOR, Map.of("kind", "restore"));
        assertThat(problem.status(), is(422));
        assertThat(problem.header("Content-Type"), is("application/problem+json"));
        assertThat(api.post(path, VIEWER, backup("/etc")).status(), is(403));
        assertThat(api.post(path, null, backup("/etc")).status(), is(401));

        assertThat(api.post("/api/hosts/" + host() + "/jobs", OPERATOR, backup("/etc")).status(), is(404));
        String bare = host();
        stack.inventory.withoutRepo.add(bare);
        TestSupport.Api.Reply noRepo = api.post("/api/hosts/" + bare + "/jobs", OPERATOR, backup("/etc"));
        assertThat(noRepo.status(), is(409));
        assertThat(noRepo.body().path("detail").asText(), containsString("has no repository"));

        // prune deletes for good: an operator may forget, only an admin may prune
        Map<String, Object> forgetAndPrune = Map.of("kind", "forget", "policy",
                                                    Map.of("keep_last", 3, "keep_daily", 7, "prune", true));
        TestSupport.Api.Reply notAdmin = api.post("/api/hosts/" + host + "/jobs", OPERATOR, forgetAndPrune);
        assertThat(notAdmin.status(), is(403));
        assertThat(notAdmin.body().path("detail").asText(), containsString("only admins may prune"));
        assertThat(api.post("/api/hosts/" + host + "/jobs", OPERATOR, Map.of("kind", "prune")).status(), is(403));
        String forget = api.runNow(host, ADMIN, forgetAndPrune);
        await("forget dispatched").until(() -> !stack.hub.starts(forget).isEmpty());
        assertThat(stack.hub.starts(forget).getFirst().payload().path("params").path("policy").path("keep_daily").asInt(),
                   is(7));
        assertThat(stack.inventory.accesses.stream().filter(a -> a.hostId().equals(host)).map(Stubs.Inventory.Access::purpose)
                           .toList(), contains("full", "full"));
        // a preview: restic forget --dry-run, never with --prune (queued behind the forget: one job per repository)
        api.events(ack(host, forget, 1), finished(host, forget, 2, JobStatus.SUCCEEDED, 0));
        String preview = api.runNow(host, Map.of("kind", "forget", "dry_run", true, "policy",
                                                 Map.of("keep_last", 3, "prune", true)));
        await("preview dispatched").until(() -> !stack.hub.starts(preview).isEmpty());
        JsonNode policy = stack.hub.starts(preview).getFirst().payload().path("params").path("policy");
        assertThat(policy.path("dry_run").asBoolean(), is(true));
        assertThat(policy.path("prune").asBoolean(), is(false));
        assertThat(api.post("/api/hosts/" + host + "/jobs", OPERATOR, Map.of("kind", "forget", "dry_run", "yes",
                "policy", Map.of("keep_last", 3))).status(), is(400));
        assertThat(api.get("/api/jobs/" + forget, null).status(), is(401));
        assertThat(api.get("/api/jobs/nope", VIEWER).status(), is(404));
        assertThat(api.get("/api/jobs?status=bogus", VIEWER).status(), is(400));
    }

    @Test
    void listIsNewestFirstWithKeysetPaging() {
        String host = host();
        stack.inventory.host(host, "repo-" + host);
        api.events(offline(host));
        List<String> ids = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(api.runNow(host, Map.of("kind", "stats")));
        }
        JsonNode page1 = api.get("/api/jobs?host_id=" + host + "&limit=3", VIEWER).body();
        assertThat(page1.path("items").size(), is(3));
        assertThat(page1.path("items").get(0).path("id").asText(), is(ids.get(4)));
        assertThat(page1.path("next_cursor").asText(), notNullValue());
        JsonNode page2 = api.get("/api/jobs?host_id=" + host + "&limit=3&cursor="
                                         + page1.path("next_cursor").asText(), VIEWER).body();
        assertThat(page2.path("items").size(), is(2));
        assertThat(page2.path("items").get(1).path("id").asText(), is(ids.get(0)));
        assertThat(page2.path("next_cursor").isNull(), is(true));
        assertThat(api.get("/api/jobs?host_id=" + host + "&kind=stats&status=queued", VIEWER).body().path("items").size(),
                   is(5));
        assertThat(api.get("/api/jobs?host_id=" + host + "&kind=backup", VIEWER).body().path("items").size(), is(0));
    }

    @Test
    void refusedAckFailsTheJob() {
        String host = host();
        String jobId = startedJob(host, "repo-" + host);
        api.events(TestSupport.event(host, "job.ack", new Message.JobAck(jobId, 1, false, "restic not installed",
                                                                        null, null)));
        JsonNode job = api.job(jobId);
        assertThat(job.path("status").asText(), is("failed"));
        assertThat(job.path("error").asText(), containsString("restic not installed"));
    }

    @Test
    void malformedBatchIsRejectedWholeAndUnknownTypesAreIgnored() {
        String host = host();
        String jobId = startedJob(host, "repo-" + host);
        TestSupport.Api.Reply bad = api.post("/internal/events", null, Map.of("events", List.of(
                Map.of("id", "1", "host_id", host, "type", "job.log", "at", "2026-01-01T00:00:00Z",
                       "payload", Map.of("job_id", jobId, "seq", 2, "lines", List.of(
                               Map.of("seq", 2, "ts", "2026-01-01T00:00:00Z", "stream", "stdout", "line", "x")))),
                Map.of("id", "2", "host_id", host, "type", "job.finished", "at", "2026-01-01T00:00:00Z",
                       "payload", Map.of("job_id", jobId, "seq", 3, "status", "running", "exit_code", 0)))));
        assertThat(bad.status(), is(400));
        assertThat(api.logSeqs(jobId, ""), empty());
        TestSupport.Api.Reply ignored = api.events(TestSupport.event(host, "snapshots.report", Map.of("x", 1)));
        assertThat(ignored.status(), is(200));
        assertThat(ignored.body().path("accepted").asInt(), is(1));
    }

    @Test
    void onlyCallersWithTheInternalTokenAreServed() throws Exception {
        var client = java.net.http.HttpClient.newHttpClient();
        var noToken = client.send(java.net.http.HttpRequest.newBuilder(api.base().resolve("/api/jobs"))
                                          .header("X-RM-Principal", new Principal("u-admin", "ada", Role.ADMIN).toHeader())
                                          .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(noToken.statusCode(), is(401));
        var health = client.send(java.net.http.HttpRequest.newBuilder(api.base().resolve("/health")).build(),
                                 java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode(), is(200));
    }
}
