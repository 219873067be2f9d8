package io.resticmanager.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpServer;
import io.resticmanager.proto.DrillSummary;
import io.resticmanager.proto.JobStatus;
import io.resticmanager.proto.Message;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static io.resticmanager.jobs.TestSupport.ADMIN;
import static io.resticmanager.jobs.TestSupport.OPERATOR;
import static io.resticmanager.jobs.TestSupport.VIEWER;
import static io.resticmanager.jobs.TestSupport.ack;
import static org.awaitility.Awaitility.await;
import static io.resticmanager.jobs.TestSupport.event;
import static io.resticmanager.jobs.TestSupport.host;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

/**
 * Restore drills through the jobs API with stub hub and inventory: validation and rights, the job.start the agent
 * gets (whose snapshots, on which host), the drill's history feeding the RPO view's "restorable as of", and
 * drill_failed firing and resolving.
 */
@ServerTest
class DrillFlowTest {
    private static TestSupport.Stack stack;
    private final TestSupport.Api api;

    DrillFlowTest(URI uri) {
        this.api = TestSupport.Api.create(uri);
    }

    @SetUpServer
    static void server(WebServerConfig.Builder server) throws Exception {
        stack = TestSupport.Stack.serve(server, "drill-flow");
    }

    @AfterAll
    static void stop() {
        stack.close();
    }

    private static Map<String, Object> summary(Instant snapshotTime, List<String> mismatched) {
        return new DrillSummary("1efb7167c49a1f037955f4186bf4de7a69a68d5239bf8a986847f681d1205045", snapshotTime,
                                "hostname", 5, 5 - mismatched.size(), 4096, 5 - mismatched.size(), 0, mismatched,
                                mismatched.size(), true, true, 900, 100_000, true).toMap();
    }

    private void finish(String runner, String jobId, JobStatus status, Map<String, Object> summary, String error) {
        api.events(ack(runner, jobId, 1), event(runner, "job.finished", new Message.JobFinished(
                jobId, 2, status, status == JobStatus.SUCCEEDED ? 0 : 1, summary, error, Instant.now())));
        await("drill " + jobId + " ended").until(() -> api.status(jobId).equals(status.wire()));
    }

    @Test
    void badDrillRequestsAreRefusedBeforeAnythingIsQueued() {
        String host = host();
        stack.inventory.host(host, "repo-" + host);
        String path = "/api/hosts/" + host + "/jobs";
        assertThat(api.post(path, OPERATOR, Map.of("kind", "drill", "sample_files", 0)).status(), is(422));
        assertThat(api.post(path, OPERATOR, Map.of("kind", "drill", "sample_files", 1001)).status(), is(422));
        assertThat(api.post(path, OPERATOR, Map.of("kind", "drill", "sample_files", "ten")).status(), is(400));
        assertThat(api.post(path, OPERATOR, Map.of("kind", "drill", "max_bytes", 1L << 40)).status(), is(422));
        assertThat(api.post(path, OPERATOR, Map.of("kind", "drill", "target_host_id", 7)).status(), is(400));
        // another host lends it this host's repository: an operator may not, an unknown host is refused
        String other = host();
        stack.inventory.host(other, "repo-" + other);
        assertThat(api.post(path, OPERATOR, Map.of("kind", "drill", "target_host_id", other)).status(), is(403));
        assertThat(api.post(path, ADMIN, Map.of("kind", "drill", "target_host_id", "no-such-host")).status(), is(422));
        assertThat(api.post(path, VIEWER, Map.of("kind", "drill")).status(), is(403));
        assertThat(api.get("/api/jobs?host_id=" + host, VIEWER).body().path("items").size(), is(0));
    }

    @Test
    void aDrillRunsOnItsHostProvesASnapshotAndFeedsTheRpoView() {
        String host = host();
        stack.inventory.host(host, "repo-" + host);
        String jobId = api.runNow(host, Map.of("kind", "drill", "sample_files", 5, "max_bytes", 1 << 20));
        await("job.start").until(() -> !stack.hub.starts(jobId).isEmpty());
        var start = stack.hub.starts(jobId).getFirst();
        assertThat(start.hostId(), is(host));
        assertThat(start.payload().path("kind").asText(), is("drill"));
        assertThat(start.payload().path("repo").path("for_hostname").asText(), is("hostname-" + host));
        assertThat(start.payload().path("params").path("sample_files").asInt(), is(5));
        assertThat(stack.inventory.accesses.getLast().purpose(), is("backup"));

        Instant snapshotTime = Instant.parse("2026-11-26T03:00:04.102Z");
        finish(host, jobId, JobStatus.SUCCEEDED, summary(snapshotTime, List.of()), null);
        JsonNode job = api.job(jobId);
        assertThat(job.path("summary").path("scratch_removed").asBoolean(), is(true));
        await("result to inventory").until(() -> !stack.inventory.results(jobId).isEmpty());
        assertThat(stack.inventory.results(jobId).getFirst().path("kind").asText(), is("drill"));

        JsonNode row = rpo(host);
        assertThat(row.toString(), Instant.parse(row.path("restorable_as_of").asText()), is(snapshotTime));
        assertThat(row.path("last_drill").path("job_id").asText(), is(jobId));
        assertThat(row.path("last_drill").path("status").asText(), is("succeeded"));
    }

    @Test
    void aCrossHostDrillRunsOnTheOtherAgentAndAFailedOneAlertsUntilAGoodOne() {
        String host = host();
        String other = host();
        stack.inventory.host(host, "repo-" + host);
        stack.inventory.host(other, "repo-" + other);
        String jobId = api.runNow(host, ADMIN, Map.of("kind", "drill", "target_host_id", other));
        await("job.start on the other host").until(() -> !stack.hub.starts(jobId).isEmpty());
        var start = stack.hub.starts(jobId).getFirst();
        assertThat(start.hostId(), is(other));
        // the other agent gets this host's repository (backup credential) and restores this host's snapshots
        assertThat(start.payload().path("repo").path("repo_id").asText(), is("repo-" + host));
        assertThat(start.payload().path("repo").path("for_hostname").asText(), is("hostname-" + host));
        JsonNode queued = api.job(jobId);
        assertThat(queued.path("host_id").asText(), is(host));
        assertThat(queued.path("runner_host_id").asText(), is(other));

        // the source host cannot report on it; the runner can
        Instant snapshotTime = Instant.parse("2026-11-27T03:00:00Z");
        finish(other, jobId, JobStatus.FAILED, summary(snapshotTime, List.of("/srv/a.bin")),
               "drill failed: 1 of 5 sampled file(s) did not restore intact: /srv/a.bin");
        await("drill_failed firing").until(() -> api.get("/api/alerts?host_id=" + host + "&state=firing", VIEWER).body()
                .path("items").toString().contains("drill_failed"));
        JsonNode alert = api.get("/api/alerts?host_id=" + host + "&state=firing", VIEWER).body().path("items").get(0);
        assertThat(alert.path("summary").asText(), containsString("/srv/a.bin"));
        assertThat(alert.path("job_id").asText(), is(jobId));
        JsonNode row = rpo(host);
        assertThat(row.path("restorable_as_of").isNull(), is(true)); // a failed drill proves nothing
        assertThat(row.path("last_drill").path("status").asText(), is("failed"));

        String again = api.runNow(host, OPERATOR, Map.of("kind", "drill"));
        await("job.start").until(() -> !stack.hub.starts(again).isEmpty());
        assertThat(stack.hub.starts(again).getFirst().hostId(), is(host));
        finish(host, again, JobStatus.SUCCEEDED, summary(snapshotTime, List.of()), null);
        await("drill_failed resolved").until(() -> api.get("/api/alerts/" + alert.path("id").asText(), VIEWER).body()
                .path("state").asText().equals("resolved"));
        assertThat(Instant.parse(rpo(host).path("restorable_as_of").asText()), is(snapshotTime));
    }

    @Test
    void drillsCanBeScheduledWithTheirSample() {
        String host = host();
        stack.inventory.host(host, "repo-" + host);
        TestSupport.Api.Reply created = api.post("/api/schedules", OPERATOR, Map.of(
                "host_id", host, "cron", "0 4 * * 0", "kind", "drill", "sample_files", 12, "max_bytes", 5_000_000));
        assertThat(created.body().toString(), created.status(), is(201));
        assertThat(created.body().path("kind").asText(), is("drill"));
        assertThat(created.body().path("sample_files").asInt(), is(12));
        assertThat(created.body().path("max_bytes").asLong(), is(5_000_000L));
        String id = created.body().path("id").asText();
        assertThat(api.patch("/api/schedules/" + id, OPERATOR, Map.of("sample_files", 3)).body().path("sample_files")
                           .asInt(), is(3));
        assertThat(api.post("/api/schedules", OPERATOR, Map.of("host_id", host, "cron", "0 4 * * 0", "kind", "drill",
                                                                "target_host_id", host())).status(), is(403));
    }

    private JsonNode rpo(String host) {
        for (JsonNode row : api.get("/api/alerts/rpo", VIEWER).body().path("items")) {
            if (row.path("host_id").asText().equals(host)) {
                return row;
            }
        }
        throw new AssertionError("no RPO row for " + host);
    }
}
