package io.resticmanager.agent;

import io.resticmanager.proto.JobKind;
import io.resticmanager.proto.JobParams;
import io.resticmanager.proto.JobStatus;
import io.resticmanager.proto.Json;
import io.resticmanager.proto.Message;
import io.resticmanager.proto.RepoAccess;
import io.resticmanager.proto.ScheduleSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

/**
 * A whole agent against the fake hub: a schedule that came due while the agent was stopped fires once on
 * start, waits while the server is unreachable, goes out after hello.ok, and the server's job.start for
 * that id runs the backup like any other job.
 */
class ScheduledFireTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;
    private FakeHub hub;
    private Agent agent;

    @AfterEach
    void stop() {
        if (agent != null) {
            agent.stop(Duration.ofSeconds(12));
        }
        if (hub != null) {
            hub.close();
        }
    }

    @Test
    void aMissedFireOfARestartedAgentFailsClearlyAndIsReportedBeforeItsEvents() throws Exception {
        Path data = TestRepo.data(dir, "data", 2, 1_000);
        // daily at a time two hours ago: it cannot come due again while the test runs
        Instant missed = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofHours(2));
        String cron = missed.atZone(java.time.ZoneOffset.UTC).getMinute() + " "
                + missed.atZone(java.time.ZoneOffset.UTC).getHour() + " * * *";
        ScheduleSpec daily = new ScheduleSpec("s-daily", cron, "UTC", JobKind.BACKUP,
                                               new JobParams(List.of(data.toString()), null, null, null, null, null,
                                                             null, null, null, null, null, null), "repo-1", true);
        Files.writeString(dir.resolve("schedules.json"), Json.write(new Message.SchedulesSync(List.of(daily))));
        // the previous agent process had it due then, and was stopped before
        Files.writeString(dir.resolve("schedule-state.json"), "{\"schedules\":{\"s-daily\":{\"cron\":\"" + cron
                + "\",\"timezone\":\"UTC\",\"next\":\"" + missed + "\"}},\"pending\":[]}");

        hub = new FakeHub();
        hub.refuseUpgrade = true; // the server cannot be reached yet
        AgentConfig config = new AgentConfig(URI.create("http://127.0.0.1:" + hub.port()), "host-1", "rma_test_token",
                                             Optional.empty(), Optional.empty(), dir.resolve("spool"),
                                             OptionalInt.empty(), dir.resolve("agent.yaml"));
        agent = new Agent(config, HostInfo.detect(), TestRepo.restic(),
                          new Backoff(Duration.ofMillis(50), Duration.ofMillis(300)));
        Thread.ofVirtual().start(agent::run);

        await("the catch-up fire").atMost(WAIT).until(() -> !agent.scheduler().pending().isEmpty());
        Scheduler.Pending pending = agent.scheduler().pending().getFirst();
        assertThat(pending.catchUp(), is(true));
        assertThat(pending.offline(), is(true));
        assertThat(pending.firedAt(), is(missed));
        assertThat(Files.readString(dir.resolve("schedule-state.json")), containsString(pending.jobId()));
        assertThat(agent.scheduler().next("s-daily").orElseThrow().isAfter(Instant.now()), is(true));

        hub.refuseUpgrade = false;
        hub.autoAck = true;
        FakeHub.Received received = hub.await(FakeHub.type("schedule.fire"), WAIT);
        Message.ScheduleFire fire = (Message.ScheduleFire) received.envelope().payload();
        assertThat(fire.scheduleId(), is("s-daily"));
        assertThat(fire.jobId(), is(pending.jobId()));
        assertThat(fire.offline(), is(true));
        assertThat(fire.repoId(), is("repo-1"));
        assertThat(fire.catchUp(), is(true));
        // the agent restarted during the outage: no lease, so the job failed at once and says why
        FakeHub.Received end = hub.await(r -> r.envelope().payload() instanceof Message.JobFinished f
                && f.jobId().equals(fire.jobId()), WAIT);
        Message.JobFinished finished = (Message.JobFinished) end.envelope().payload();
        assertThat(finished.status(), is(JobStatus.FAILED));
        assertThat(finished.error(), containsString("holds no valid credential for repository repo-1"));
        // the server learns of the job (the fire) before its events
        assertThat(hub.history.indexOf(received) < hub.history.indexOf(end), is(true));
        await("the fire is done once the events are stored").atMost(WAIT)
                .until(() -> agent.scheduler().pending().isEmpty());
        assertThat(hub.history.stream().filter(FakeHub.type("schedule.fire")).toList(), hasSize(1));
    }
}
