package io.resticmanager.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpServer;
import io.resticmanager.kit.Times;
import io.resticmanager.proto.JobStatus;
import io.resticmanager.proto.Message;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static io.resticmanager.jobs.TestSupport.VIEWER;
import static io.resticmanager.jobs.TestSupport.ack;
import static org.awaitility.Awaitility.await;
import static io.resticmanager.jobs.TestSupport.backup;
import static io.resticmanager.jobs.TestSupport.event;
import static io.resticmanager.jobs.TestSupport.finished;
import static io.resticmanager.jobs.TestSupport.host;
import static io.resticmanager.jobs.TestSupport.log;
import static io.resticmanager.jobs.TestSupport.progress;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

/**
 * Attacks an enrolled (hostile) agent can make through its own event stream, replayed against a real
 * jobs-service and SQLite: another host's job, a job nobody created, a log without end.
 */
@ServerTest
class JobEventGuardTest {
    private static TestSupport.Stack stack;
    private final TestSupport.Api api;

    JobEventGuardTest(URI uri) {
        this.api = TestSupport.Api.create(uri);
    }

    @SetUpServer
    static void server(WebServerConfig.Builder server) throws Exception {
        stack = TestSupport.Stack.serve(server, "jobs-guard", Map.of("rm.jobs.log-max-lines", "10",
                                                                     "rm.jobs.log-max-bytes", "100000"));
    }

    @AfterAll
    static void stop() {
        stack.close();
    }

    private String startedJob(String host) {
        stack.inventory.host(host, "repo-" + host);
        String jobId = api.runNow(host, backup("/etc"));
        await("job.start for " + jobId).until(() -> !stack.hub.starts(jobId).isEmpty());
        return jobId;
    }

    @Test
    void anotherHostCannotFinishAckOrWriteIntoMyJob() throws Exception {
        String victim = host();
        String attacker = host();
        String jobId = startedJob(victim);
        api.events(ack(victim, jobId, 1));
        long droppedBefore = stack.app.ingest().droppedEvents().get(EventIngest.DROP_FOREIGN_HOST);

        // the attacker's agent claims the victim's backup succeeded, with its own lines and progress
        TestSupport.Api.Reply reply = api.events(log(attacker, jobId, 2, 3), progress(attacker, jobId, 5, 100),
                                                 finished(attacker, jobId, 6, JobStatus.SUCCEEDED, 0));
        assertThat(reply.status(), is(200));

        JsonNode job = api.job(jobId);
        assertThat(job.path("status").asText(), is("running"));
        assertThat(job.path("progress").isMissingNode() || job.path("progress").isNull(), is(true));
        assertThat(api.logSeqs(jobId, "&include=progress"), contains(1L));
        assertThat(stack.app.ingest().droppedEvents().get(EventIngest.DROP_FOREIGN_HOST), is(droppedBefore + 3));
        assertThat(metrics(), containsString("job_events_dropped_total{reason=\"foreign_host\"}"));

        // the real agent's own events still count, with the seqs the attacker tried to take
        api.events(log(victim, jobId, 2, 3), finished(victim, jobId, 6, JobStatus.FAILED, 1));
        assertThat(api.status(jobId), is("failed"));
        assertThat(api.logSeqs(jobId, ""), contains(1L, 2L, 3L, 4L, 6L));
    }

    @Test
    void eventsWithoutAnAuthenticatedHostAreDropped() {
        String host = host();
        String jobId = startedJob(host);
        api.events(finished(null, jobId, 6, JobStatus.SUCCEEDED, 0));
        assertThat(api.status(jobId), is("queued"));
    }

    @Test
    void logLinesForAJobNobodyCreatedAreNotStored() throws Exception {
        String attacker = host();
        String invented = "0193a4f0-0000-7000-8000-" + "0".repeat(12);
        long before = stack.app.ingest().droppedEvents().get(EventIngest.DROP_UNKNOWN_JOB);
        api.events(log(attacker, invented, 1, 500), finished(attacker, invented, 501, JobStatus.SUCCEEDED, 0));
        assertThat(stack.app.ingest().droppedEvents().get(EventIngest.DROP_UNKNOWN_JOB), is(before + 2));
        assertThat(stack.app.logs().seqs(invented), is(empty()));
        assertThat(api.get("/api/jobs/" + invented, VIEWER).status(), is(404));
    }

    @Test
    void aRunawayLogStopsAtItsLimitAndSaysSo() {
        String host = host();
        String jobId = startedJob(host);
        api.events(ack(host, jobId, 1));
        api.events(log(host, jobId, 2, 6));
        // redelivery of the same lines does not eat the budget
        api.events(log(host, jobId, 2, 6));
        api.events(log(host, jobId, 8, 20));
        api.events(log(host, jobId, 28, 20));
        api.events(finished(host, jobId, 48, JobStatus.SUCCEEDED, 0));

        List<Long> seqs = api.logSeqs(jobId, "");
        // ack + 10 lines + the truncation notice + finished
        assertThat(seqs, contains(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L, 48L));
        JsonNode notice = api.get("/api/jobs/" + jobId + "/logs?after_seq=11&limit=1", VIEWER).body().path("items").get(0);
        assertThat(notice.path("line").asText(), containsString("log truncated"));
        assertThat(api.status(jobId), is("succeeded"));
        assertThat(stack.app.ingest().linesOverBudget() >= 36, is(true));
    }

    @Test
    void retentionDeletesOldFinishedLogsOnly() throws Exception {
        String host = host();
        String old = startedJob(host);
        api.events(ack(host, old, 1), log(host, old, 2, 2), finished(host, old, 4, JobStatus.SUCCEEDED, 0));
        String recent = startedJob(host);
        api.events(ack(host, recent, 1), log(host, recent, 2, 2), finished(host, recent, 4, JobStatus.SUCCEEDED, 0));
        String running = startedJob(host);
        api.events(ack(host, running, 1), log(host, running, 2, 2));
        stack.app.store().db().execute().update("UPDATE jobs SET finished_at = ? WHERE id = ?",
                                                 Times.format(Instant.now().minus(java.time.Duration.ofDays(100))), old);

        int deleted = stack.app.reaper().purgeOldLogs(Instant.now());

        assertThat(deleted, is(4));
        assertThat(stack.app.logs().seqs(old), is(empty()));
        assertThat(stack.app.logs().seqs(recent), not(empty()));
        assertThat(stack.app.logs().seqs(running), not(empty()));
        assertThat(api.status(old), is("succeeded"));
    }

    @Test
    void anUnknownJobInABatchDoesNotStopTheRest() {
        String host = host();
        String jobId = startedJob(host);
        api.events(event(host, "job.log", new Message.JobLog("not-a-job", 1,
                List.of(new Message.LogLine(1, Instant.now(), "stdout", "x")))), ack(host, jobId, 1));
        assertThat(api.status(jobId), is("running"));
    }

    private String metrics() throws Exception {
        var request = java.net.http.HttpRequest.newBuilder(api.base().resolve("/internal/metrics"))
                .header(io.resticmanager.kit.Http.INTERNAL_TOKEN.defaultCase(), Stubs.TOKEN).build();
        return api.client().send(request, java.net.http.HttpResponse.BodyHandlers.ofString()).body();
    }
}
