package io.resticmanager.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import io.resticmanager.proto.JobStatus;
import io.resticmanager.proto.Message;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.stream.LongStream;

import static io.resticmanager.jobs.TestSupport.ack;
import static org.awaitility.Awaitility.await;
import static io.resticmanager.jobs.TestSupport.backup;
import static io.resticmanager.jobs.TestSupport.finished;
import static io.resticmanager.jobs.TestSupport.host;
import static io.resticmanager.jobs.TestSupport.log;
import static io.resticmanager.jobs.TestSupport.offline;
import static io.resticmanager.jobs.TestSupport.online;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;

/** Timeouts that make silence visible as lost, agent reconnects, restarts and result retries. */
class JobsRecoveryTest {
    @TempDir
    Path data;
    private Stubs.Hub hub;
    private Stubs.Inventory inventory;

    @BeforeEach
    void stubs() {
        hub = new Stubs.Hub();
        inventory = new Stubs.Inventory();
    }

    @AfterEach
    void stop() {
        hub.close();
        inventory.close();
    }

    private String dispatched(RunningJobs jobs, String host) {
        inventory.host(host, "repo-" + host);
        String jobId = jobs.api().runNow(host, backup("/etc"));
        await("job.start").until(() -> !hub.starts(jobId).isEmpty());
        return jobId;
    }

    @Test
    void aDispatchedJobWithoutAckWithinTheTimeoutIsLost() {
        try (RunningJobs jobs = RunningJobs.start(data, hub, inventory, Map.of("rm.jobs.ack-timeout-s", "0.5",
                                                                               "rm.jobs.reaper-interval-ms", "100"))) {
            String host = host();
            String silent = dispatched(jobs, host);
            String other = host();
            String acked = dispatched(jobs, other);
            jobs.api().events(ack(other, acked, 1));
            await("lost").until(() -> jobs.api().status(silent).equals("lost"));
            assertThat(jobs.api().job(silent).path("error").asText(), containsString("job.ack"));
            assertThat(jobs.api().job(silent).path("finished_at").isTextual(), is(true));
            assertThat(jobs.api().status(acked), is("running"));
            await("lost result at inventory").until(() -> !inventory.results(silent).isEmpty());
            assertThat(inventory.results(silent).getFirst().path("status").asText(), is("lost"));
            // The repository is free again: the next job of the host is dispatched.
            String next = jobs.api().runNow(host, backup("/etc"));
            await("next dispatched").until(() -> !hub.starts(next).isEmpty());
        }
    }

    @Test
    void aRunningJobWhoseHostStaysOfflineTooLongIsLost() {
        try (RunningJobs jobs = RunningJobs.start(data, hub, inventory, Map.of("rm.jobs.lost-after-s", "0.6",
                                                                               "rm.jobs.reaper-interval-ms", "100"))) {
            String host = host();
            String jobId = dispatched(jobs, host);
            String steady = host();
            String steadyJob = dispatched(jobs, steady);
            jobs.api().events(ack(host, jobId, 1), ack(steady, steadyJob, 1), offline(host));
            assertThat(jobs.api().status(jobId), is("running"));
            await("lost").until(() -> jobs.api().status(jobId).equals("lost"));
            assertThat(jobs.api().job(jobId).path("error").asText(), containsString("offline"));
            assertThat(jobs.api().status(steadyJob), is("running"));
            // Its agent's late report does not bring it back.
            jobs.api().events(finished(host, jobId, 2, JobStatus.SUCCEEDED, 0));
            assertThat(jobs.api().status(jobId), is("lost"));
        }
    }

    @Test
    void aReconnectingAgentThatDoesNotReportAJobLosesItAndGetsUnackedStartsAgain() {
        try (RunningJobs jobs = RunningJobs.start(data, hub, inventory, Map.of())) {
            String host = host();
            String forgotten = dispatched(jobs, host);
            jobs.api().events(ack(host, forgotten, 1));
            String other = host();
            String kept = dispatched(jobs, other);
            jobs.api().events(ack(other, kept, 1));
            String third = host();
            String unacked = dispatched(jobs, third);

            jobs.api().events(online(host), online(other, new Message.JobReport(kept, JobStatus.RUNNING, 1)),
                              online(third));
            JsonNode lost = jobs.api().job(forgotten);
            assertThat(lost.path("status").asText(), is("lost"));
            assertThat(lost.path("error").asText(), is(EventIngest.LOST_ON_RECONNECT));
            assertThat(jobs.api().status(kept), is("running"));
            await("job.start sent again").until(() -> hub.starts(unacked).size() == 2);
            assertThat(jobs.api().status(unacked), is("queued"));
        }
    }

    @Test
    void aRestartLosesNoQueuedOrRunningJobAndNoLogLine() {
        String offlineHost = host();
        String busyHost = host();
        String queued;
        String running;
        try (RunningJobs jobs = RunningJobs.start(data, hub, inventory, Map.of())) {
            inventory.host(offlineHost, "repo-" + offlineHost);
            jobs.api().events(offline(offlineHost));
            queued = jobs.api().runNow(offlineHost, backup("/srv"));
            running = dispatched(jobs, busyHost);
            jobs.api().events(ack(busyHost, running, 1), log(busyHost, running, 2, 49));
        }
        try (RunningJobs jobs = RunningJobs.start(data, hub, inventory, Map.of())) {
            JsonNode q = jobs.api().job(queued);
            assertThat(q.path("status").asText(), is("queued"));
            assertThat(q.path("queued_reason").asText(), is(Dispatcher.HOST_OFFLINE));
            assertThat(q.path("created_by").asText(), is("olivia"));
            assertThat(jobs.api().status(running), is("running"));
            assertThat(jobs.api().logSeqs(running, ""), is(LongStream.rangeClosed(1, 50).boxed().toList()));

            // Redelivered events after the restart are absorbed; the job finishes normally.
            jobs.api().events(log(busyHost, running, 40, 20), finished(busyHost, running, 60, JobStatus.SUCCEEDED, 0));
            assertThat(jobs.api().logSeqs(running, ""), is(LongStream.rangeClosed(1, 60).boxed().toList()));
            assertThat(jobs.api().status(running), is("succeeded"));

            jobs.api().events(online(offlineHost));
            await("queued job dispatched after restart").until(() -> !hub.starts(queued).isEmpty());
        }
    }

    @Test
    void resultsReachInventoryEvenWhenItIsDownForAWhile() {
        inventory.failResults.set(3);
        try (RunningJobs jobs = RunningJobs.start(data, hub, inventory, Map.of("rm.jobs.result-retry-max-s", "0.2"))) {
            String host = host();
            String jobId = dispatched(jobs, host);
            TestSupport.Api.Reply reply = jobs.api().events(ack(host, jobId, 1),
                                                            finished(host, jobId, 2, JobStatus.FAILED, 1));
            assertThat(reply.status(), is(200));
            assertThat(jobs.api().status(jobId), is("failed"));
            await("delivered after retries").until(() -> !inventory.results(jobId).isEmpty());
            assertThat(inventory.results(jobId), hasSize(1));
            assertThat(inventory.results(jobId).getFirst().path("status").asText(), is("failed"));
            await("pending table drained").until(() -> jobs.app().resultOutbox().count() == 0);
        }
    }
}
