package io.resticmanager.agent;

import io.resticmanager.proto.CredentialLease;
import io.resticmanager.proto.Envelope;
import io.resticmanager.proto.Hooks;
import io.resticmanager.proto.JobKind;
import io.resticmanager.proto.JobParams;
import io.resticmanager.proto.Json;
import io.resticmanager.proto.Message;
import io.resticmanager.proto.RepoAccess;
import io.resticmanager.proto.ScheduleSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

/** A schedule's hooks: in memory only, passed to its offline runs, and never silently skipped after a restart. */
class ScheduleHooksTest {
    private static final String PRE = "pg_dump -U app --password=db-secret-42 app > /var/backups/app.sql";
    private static final Hooks HOOKS = new Hooks(PRE, "echo done", null, 300);

    @TempDir
    Path dir;

    private static ScheduleSpec backup(String id) {
        return new ScheduleSpec(id, "0 2 * * *", "UTC", JobKind.BACKUP, JobParams.empty(), "repo-disk", true);
    }

    @Test
    void anOfflineRunCarriesItsHooksAndARestartWithoutThemFailsInsteadOfSkippingThem() throws Exception {
        SchedulerTest.FakeClock clock = new SchedulerTest.FakeClock("2026-11-26T01:00:00Z");
        List<Message.JobStart> ran = new CopyOnWriteArrayList<>();
        List<String> refused = new CopyOnWriteArrayList<>();
        SchedulerTest.Outlet outlet = new SchedulerTest.Outlet() {
            @Override
            public void runOffline(Message.JobStart start) {
                ran.add(start);
            }

            @Override
            public void refuseOffline(String jobId, String reason) {
                refused.add(reason);
            }
        };
        Path file = dir.resolve("schedules.json");
        Files.writeString(file, Json.write(new Message.SchedulesSync(List.of(backup("hooked"), backup("plain")))));
        // the repository keeps its lease on disk, so a restarted agent could still back up offline
        List<CredentialLease> leases = List.of(new CredentialLease(new RepoAccess("repo-disk", "/srv/disk",
                "disk-lease-password", Map.of(), null, true, null, null), Instant.parse("2026-11-30T00:00:00Z")));
        Scheduler scheduler = new Scheduler(file, clock, outlet);
        scheduler.sync(List.of(backup("hooked"), backup("plain")), leases, Map.of("hooked", HOOKS));
        String state = Files.readString(scheduler.stateFile());
        assertThat(state, containsString("\"hooked\":[\"hooked\"]"));
        assertThat(state, not(containsString("db-secret-42")));

        clock.set("2026-11-26T02:00:00Z");
        scheduler.tick();
        assertThat(ran, hasSize(2));
        Map<String, Message.JobStart> byJob = new java.util.HashMap<>();
        ran.forEach(s -> byJob.put(s.jobId(), s));
        for (Scheduler.Pending p : scheduler.pending()) {
            Hooks hooks = byJob.get(p.jobId()).hooks();
            assertThat(p.scheduleId(), hooks == null ? is("plain") : is("hooked"));
            if (hooks != null) {
                assertThat(hooks.pre(), is(PRE));
            }
        }

        // restarted during the outage: the lease came back from disk, the hooks did not
        ran.clear();
        Scheduler restarted = new Scheduler(file, clock, outlet);
        restarted.tick();
        clock.set("2026-11-27T02:00:00Z");
        restarted.tick();
        assertThat(ran, hasSize(1));
        assertThat(ran.getFirst().hooks(), is(nullValue()));
        assertThat(refused, hasSize(1));
        assertThat(refused.getFirst(), containsString("no longer holds the hooks of schedule hooked"));
        assertThat(refused.getFirst(), containsString("did not run without its pre/post hooks"));

        // the next sync without hooks for it: nothing is owed any more
        restarted.sync(List.of(backup("hooked")), leases, Map.of());
        assertThat(Files.readString(restarted.stateFile()), not(containsString("\"hooked\":[\"hooked\"]")));
    }

    @Test
    void theAgentStoresSchedulesWithoutHookTextOrLeases() throws Exception {
        AgentConfig config = new AgentConfig(URI.create("http://127.0.0.1:9"), "host-1", "rma_test_token",
                                             Optional.empty(), Optional.empty(), dir.resolve("spool"),
                                             OptionalInt.empty(), dir.resolve("agent.yaml"));
        Agent agent = new Agent(config, HostInfo.detect(), TestRepo.restic(),
                                new Backoff(Duration.ofMillis(50), Duration.ofMillis(300)));
        try {
            Message.SchedulesSync sync = new Message.SchedulesSync(List.of(backup("hooked")), List.of(
                    new CredentialLease(new RepoAccess("repo-disk", "/srv/disk", "memory-lease-password", Map.of()),
                                        Instant.now().plus(Duration.ofDays(1)))), Map.of("hooked", HOOKS));
            agent.received(Envelope.of(sync), e -> true);
            String stored = Files.readString(config.schedulesFile());
            assertThat(stored, containsString("\"hooked\""));
            assertThat(stored, not(containsString("db-secret-42")));
            assertThat(stored, not(containsString("echo done")));
            assertThat(stored, not(containsString("memory-lease-password")));
            String state = Files.readString(agent.scheduler().stateFile());
            assertThat(state, containsString("\"hooked\":[\"hooked\"]"));
            assertThat(state, not(containsString("db-secret-42")));
        } finally {
            agent.stop(Duration.ofSeconds(1));
        }
    }
}
