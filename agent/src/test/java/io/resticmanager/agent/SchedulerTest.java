package io.resticmanager.agent;

import io.resticmanager.proto.Envelope;
import io.resticmanager.proto.JobKind;
import io.resticmanager.proto.JobParams;
import io.resticmanager.proto.Json;
import io.resticmanager.proto.Message;
import io.resticmanager.proto.ScheduleSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

/** The local scheduler with a fake clock: on time, persisted across restarts, catch-up once, pending fires. */
class SchedulerTest {
    @TempDir
    Path dir;

    /** A clock the test moves by hand. */
    static final class FakeClock extends Clock {
        volatile Instant now;

        FakeClock(String now) {
            this.now = Instant.parse(now);
        }

        void set(String instant) {
            now = Instant.parse(instant);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    /** Records what the scheduler sends while "connected". */
    static class Outlet implements Scheduler.Outlet {
        volatile boolean connected;
        final List<Message.ScheduleFire> sent = new CopyOnWriteArrayList<>();

        @Override
        public boolean connected() {
            return connected;
        }

        @Override
        public void send(Message message) {
            sent.add((Message.ScheduleFire) message);
        }
    }

    private static ScheduleSpec spec(String id, String cron, String zone) {
        return new ScheduleSpec(id, cron, zone, JobKind.BACKUP, new JobParams(List.of("/etc"), null, null, null, null,
                                                                              null, null, null, null, null, null, null),
                                null, true);
    }

    private Path schedules(ScheduleSpec... specs) throws Exception {
        Path file = dir.resolve("schedules.json");
        Files.writeString(file, Json.write(new Message.SchedulesSync(List.of(specs))));
        return file;
    }

    private String state() throws Exception {
        return Files.readString(dir.resolve("schedule-state.json"));
    }

    @Test
    void firesOnTimeInItsTimeZone() throws Exception {
        FakeClock clock = new FakeClock("2026-11-26T00:58:00Z"); // 01:58 in Berlin (CET)
        Outlet outlet = new Outlet();
        outlet.connected = true;
        Scheduler scheduler = new Scheduler(schedules(spec("s1", "0 2 * * *", "Europe/Berlin")), clock, outlet);

        assertThat(scheduler.tick(), is(Instant.parse("2026-11-26T01:00:00Z")));
        clock.set("2026-11-26T00:59:59.999Z");
        scheduler.tick();
        assertThat(outlet.sent, is(empty()));

        clock.set("2026-11-26T01:00:00Z");
        assertThat(scheduler.tick(), is(Instant.parse("2026-11-27T01:00:00Z")));
        assertThat(outlet.sent, hasSize(1));
        Message.ScheduleFire fire = outlet.sent.getFirst();
        assertThat(fire.scheduleId(), is("s1"));
        assertThat(fire.firedAt(), is(Instant.parse("2026-11-26T01:00:00Z")));
        assertThat(fire.catchUp(), is(false));
        assertThat(fire.jobId().length(), is(36));
        // recorded until the server answers with the job.start
        assertThat(scheduler.pending(), hasSize(1));
        assertThat(state(), containsString(fire.jobId()));
        assertThat(state(), containsString("2026-11-27T01:00:00Z"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("schedule-state.json"))),
                   is("rw-------"));

        clock.set("2026-11-26T01:00:40Z");
        scheduler.tick();
        assertThat(outlet.sent, hasSize(1));

        scheduler.answered(fire.jobId());
        assertThat(scheduler.pending(), is(empty()));
        assertThat(state(), not(containsString(fire.jobId())));
    }

    @Test
    void whileTheServerIsUnreachableABackupRunsHereWithItsLeaseOrFailsClearlyWithout() throws Exception {
        FakeClock clock = new FakeClock("2026-11-26T01:59:00Z");
        List<Message.JobStart> ran = new CopyOnWriteArrayList<>();
        List<String> refused = new CopyOnWriteArrayList<>();
        Outlet outlet = new Outlet() {
            @Override
            public void runOffline(Message.JobStart start) {
                ran.add(start);
            }

            @Override
            public void refuseOffline(String jobId, String reason) {
                refused.add(reason);
            }
        };
        ScheduleSpec backup = new ScheduleSpec("s1", "0 2 * * *", "UTC", JobKind.BACKUP, JobParams.empty(), "repo-1",
                                               true);
        Scheduler scheduler = new Scheduler(schedules(backup), clock, outlet);
        scheduler.sync(List.of(backup), List.of(new io.resticmanager.proto.CredentialLease(
                new io.resticmanager.proto.RepoAccess("repo-1", "/srv/repo", "lease-password-1", Map.of()),
                Instant.parse("2026-12-03T00:00:00Z"))));
        clock.set("2026-11-26T02:00:00Z");
        scheduler.tick();
        assertThat(ran, hasSize(1));
        assertThat(ran.getFirst().repo().password(), is("lease-password-1"));
        Scheduler.Pending fire = scheduler.pending().getFirst();
        assertThat(fire.offline(), is(true));
        assertThat(fire.jobId(), is(ran.getFirst().jobId()));
        // the lease never reaches the disk
        assertThat(state(), not(containsString("lease-password-1")));
        // on reconnect the fire goes out, marked offline; it is done once the server stored the job's events
        List<Envelope> sent = new CopyOnWriteArrayList<>();
        scheduler.connected(e -> sent.add(e));
        assertThat(((Message.ScheduleFire) sent.getFirst().payload()).offline(), is(true));
        scheduler.answered(fire.jobId());
        assertThat(scheduler.pending(), is(empty()));

        // a restarted agent has no lease: the next run fails at once and says why
        Scheduler restarted = new Scheduler(dir.resolve("schedules.json"), clock, outlet);
        restarted.tick();
        clock.set("2026-11-27T02:00:00Z");
        restarted.tick();
        assertThat(ran, hasSize(1));
        assertThat(refused, hasSize(1));
        assertThat(refused.getFirst(), containsString("holds no valid credential for repository repo-1"));
        assertThat(restarted.pending().getFirst().offline(), is(true));
    }

    @Test
    void aLeaseTheRepositoryAllowsOnDiskSurvivesARestartAndOnlyThatOne() throws Exception {
        FakeClock clock = new FakeClock("2026-11-26T01:00:00Z");
        List<Message.JobStart> ran = new CopyOnWriteArrayList<>();
        List<String> refused = new CopyOnWriteArrayList<>();
        Outlet outlet = new Outlet() {
            @Override
            public void runOffline(Message.JobStart start) {
                ran.add(start);
            }

            @Override
            public void refuseOffline(String jobId, String reason) {
                refused.add(reason);
            }
        };
        ScheduleSpec kept = new ScheduleSpec("s1", "0 2 * * *", "UTC", JobKind.BACKUP, JobParams.empty(), "repo-disk",
                                             true);
        ScheduleSpec memory = new ScheduleSpec("s2", "0 2 * * *", "UTC", JobKind.BACKUP, JobParams.empty(),
                                               "repo-mem", true);
        Scheduler scheduler = new Scheduler(schedules(kept, memory), clock, outlet);
        scheduler.sync(List.of(kept, memory), List.of(
                new io.resticmanager.proto.CredentialLease(new io.resticmanager.proto.RepoAccess(
                        "repo-disk", "/srv/disk", "disk-lease-password", Map.of(), null, true, null, null),
                                                           Instant.parse("2026-11-30T00:00:00Z")),
                new io.resticmanager.proto.CredentialLease(new io.resticmanager.proto.RepoAccess(
                        "repo-mem", "/srv/mem", "memory-lease-password", Map.of()),
                                                           Instant.parse("2026-11-30T00:00:00Z"))));
        Path leases = dir.resolve("offline-leases.json");
        assertThat(Files.getPosixFilePermissions(leases), is(PosixFilePermissions.fromString("rw-------")));
        assertThat(Files.readString(leases), containsString("disk-lease-password"));
        assertThat(Files.readString(leases), not(containsString("memory-lease-password")));

        // the agent restarts during the outage: the disk lease still runs its schedule, the other one fails clearly
        Scheduler restarted = new Scheduler(dir.resolve("schedules.json"), clock, outlet);
        restarted.tick();
        clock.set("2026-11-26T02:00:00Z");
        restarted.tick();
        assertThat(ran, hasSize(1));
        assertThat(ran.getFirst().repo().password(), is("disk-lease-password"));
        assertThat(refused, hasSize(1));
        assertThat(refused.getFirst(), containsString("repository repo-mem"));

        // the admin turns the option off: the next sync takes the credential off this disk
        restarted.sync(List.of(kept, memory), List.of(new io.resticmanager.proto.CredentialLease(
                new io.resticmanager.proto.RepoAccess("repo-disk", "/srv/disk", "disk-lease-password", Map.of()),
                Instant.parse("2026-11-30T00:00:00Z"))));
        assertThat(Files.exists(leases), is(false));

        // an expired lease on disk is not used after a restart (and the file goes)
        restarted.sync(List.of(kept), List.of(new io.resticmanager.proto.CredentialLease(
                new io.resticmanager.proto.RepoAccess("repo-disk", "/srv/disk", "disk-lease-password", Map.of(), null,
                                                      true, null, null), Instant.parse("2026-11-26T03:00:00Z"))));
        clock.set("2026-11-27T01:00:00Z");
        new Scheduler(dir.resolve("schedules.json"), clock, outlet);
        assertThat(Files.exists(leases), is(false));
    }

    @Test
    void catchUpsWaitARandomDelayWithinTheJitterKeptAcrossRestarts() throws Exception {
        FakeClock clock = new FakeClock("2026-11-26T10:00:30Z");
        Outlet outlet = new Outlet();
        Path file = schedules(spec("hourly", "0 * * * *", "UTC"));
        Duration jitter = Duration.ofMinutes(10);
        new Scheduler(file, clock, outlet, jitter).tick();

        // down for hours: the missed fire is not run at once but at a random moment within ten minutes
        clock.set("2026-11-26T15:20:00Z");
        Scheduler restarted = new Scheduler(file, clock, outlet, jitter);
        Instant wake = restarted.tick();
        assertThat(restarted.pending(), is(empty()));
        assertThat(wake.isBefore(Instant.parse("2026-11-26T15:30:00Z")), is(true));
        assertThat(wake.isBefore(Instant.parse("2026-11-26T15:20:00Z")), is(false));

        // a restart while it waits keeps the same moment (and still owes exactly one fire)
        Scheduler again = new Scheduler(file, clock, outlet, jitter);
        assertThat(again.tick(), is(wake));
        assertThat(again.pending(), is(empty()));
        clock.now = wake;
        again.tick();
        assertThat(again.pending(), hasSize(1));
        assertThat(again.pending().getFirst().catchUp(), is(true));
        assertThat(again.pending().getFirst().firedAt(), is(Instant.parse("2026-11-26T11:00:00Z")));
        again.tick();
        assertThat(again.pending(), hasSize(1));

        // a fleet: forty agents down together pick forty moments spread over the window
        java.util.Set<Instant> moments = new java.util.HashSet<>();
        for (int i = 0; i < 40; i++) {
            Path host = Files.createDirectories(dir.resolve("host-" + i));
            Path schedulesFile = host.resolve("schedules.json");
            Files.writeString(schedulesFile, Json.write(new Message.SchedulesSync(List.of(spec("h", "0 * * * *",
                                                                                                 "UTC")))));
            clock.set("2026-11-26T10:00:30Z");
            new Scheduler(schedulesFile, clock, outlet, jitter).tick();
            clock.set("2026-11-26T15:20:00Z");
            moments.add(new Scheduler(schedulesFile, clock, outlet, jitter).tick());
        }
        assertThat(moments.size() >= 35, is(true));
    }

    @Test
    void aRestartAfterDowntimeCatchesUpOnceAndNeverFiresTwice() throws Exception {
        FakeClock clock = new FakeClock("2026-11-26T10:00:30Z");
        Outlet outlet = new Outlet();
        Path file = schedules(spec("hourly", "0 * * * *", "UTC"));
        new Scheduler(file, clock, outlet).tick();
        assertThat(state(), containsString("2026-11-26T11:00:00Z"));

        // the agent was stopped for five hours: five fire times passed
        clock.set("2026-11-26T15:20:00Z");
        Scheduler restarted = new Scheduler(file, clock, outlet);
        assertThat(restarted.tick(), is(Instant.parse("2026-11-26T16:00:00Z")));
        restarted.tick();
        assertThat(restarted.pending(), hasSize(1));
        Scheduler.Pending catchUp = restarted.pending().getFirst();
        assertThat(catchUp.catchUp(), is(true));
        assertThat(catchUp.firedAt(), is(Instant.parse("2026-11-26T11:00:00Z")));
        assertThat(outlet.sent, is(empty())); // not connected: it waits

        // another restart before the next fire time: the same single fire, nothing new
        Scheduler again = new Scheduler(file, clock, outlet);
        again.tick();
        assertThat(again.pending(), is(List.of(catchUp)));

        // on the next hello.ok it is sent
        List<Envelope> sent = new CopyOnWriteArrayList<>();
        again.connected(e -> sent.add(e));
        assertThat(sent, hasSize(1));
        Message.ScheduleFire fire = (Message.ScheduleFire) sent.getFirst().payload();
        assertThat(fire.jobId(), is(catchUp.jobId()));
        assertThat(fire.catchUp(), is(true));
        assertThat(fire.firedAt(), is(Instant.parse("2026-11-26T11:00:00Z")));

        clock.set("2026-11-26T16:00:00Z");
        again.tick();
        assertThat(again.pending(), hasSize(2));
        assertThat(again.pending().getLast().catchUp(), is(false));
    }

    @Test
    void unansweredFiresWaitWhileOfflineAndAreDroppedOnlyLongAfterBeingSent() throws Exception {
        FakeClock clock = new FakeClock("2026-11-26T01:59:00Z");
        Outlet outlet = new Outlet();
        // prune needs the full credential: it never runs without the server, its fire waits for it
        ScheduleSpec prune = new ScheduleSpec("s1", "0 2 * * *", "UTC", JobKind.PRUNE, JobParams.empty(), null, true);
        Scheduler scheduler = new Scheduler(schedules(prune), clock, outlet);
        scheduler.tick();
        clock.set("2026-11-26T02:00:00Z");
        scheduler.tick();
        // the server is unreachable for a day: the fire waits
        clock.set("2026-11-26T23:00:00Z");
        scheduler.tick();
        assertThat(scheduler.pending(), hasSize(1));
        List<Envelope> sent = new CopyOnWriteArrayList<>();
        scheduler.connected(e -> sent.add(e));
        assertThat(sent, hasSize(1));
        assertThat(((Message.ScheduleFire) sent.getFirst().payload()).catchUp(), is(false));

        // sent, but the server never answered (e.g. the schedule was deleted meanwhile): given up after a while
        clock.set(Instant.parse("2026-11-26T23:00:00Z").plus(Scheduler.ANSWER_TIMEOUT).plusSeconds(1).toString());
        scheduler.tick();
        assertThat(scheduler.pending(), is(empty()));
    }

    @Test
    void aSyncRecomputesChangedSchedulesAndForgetsRemovedOnes() throws Exception {
        FakeClock clock = new FakeClock("2026-11-26T03:30:00Z");
        Outlet outlet = new Outlet();
        Scheduler scheduler = new Scheduler(schedules(spec("s1", "0 2 * * *", "UTC"), spec("s2", "0 * * * *", "UTC")),
                                            clock, outlet);
        scheduler.tick();
        assertThat(scheduler.next("s1").orElseThrow(), is(Instant.parse("2026-11-27T02:00:00Z")));
        assertThat(scheduler.next("s2").orElseThrow(), is(Instant.parse("2026-11-26T04:00:00Z")));

        ScheduleSpec disabled = new ScheduleSpec("s4", "* * * * *", "UTC", JobKind.PRUNE, null, null, false);
        scheduler.sync(List.of(spec("s1", "0 5 * * *", "UTC"), spec("s3", "*/15 * * * *", "Asia/Tokyo"), disabled,
                               spec("bad", "0 2 * *", "UTC"), spec("badzone", "0 2 * * *", "Nowhere/Else")));
        assertThat(scheduler.next("s1").orElseThrow(), is(Instant.parse("2026-11-26T05:00:00Z")));
        assertThat(scheduler.next("s2").isPresent(), is(false));
        assertThat(scheduler.next("s3").orElseThrow(), is(Instant.parse("2026-11-26T03:45:00Z")));
        assertThat(scheduler.next("s4").isPresent(), is(false));
        assertThat(scheduler.next("bad").isPresent(), is(false));
        assertThat(scheduler.next("badzone").isPresent(), is(false));
        // a changed schedule owes nothing for the past
        assertThat(scheduler.pending(), is(empty()));
        assertThat(state(), not(containsString("\"s2\"")));
    }
}
