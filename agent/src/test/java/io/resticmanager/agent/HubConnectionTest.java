package io.resticmanager.agent;

import io.resticmanager.proto.Frames;
import io.resticmanager.proto.JobKind;
import io.resticmanager.proto.JobParams;
import io.resticmanager.proto.JobStatus;
import io.resticmanager.proto.Message;
import io.resticmanager.proto.Protocol;
import io.resticmanager.proto.RepoAccess;
import io.resticmanager.proto.ScheduleSpec;
import io.resticmanager.proto.SnapshotInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.stream.LongStream;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

/** The agent against a fake hub (Helidon WebServer + WsRouting), real restic, real repository. */
class HubConnectionTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    static Path shared;
    static Path repo;
    static Path small;

    @TempDir
    Path dir;
    private FakeHub hub;
    private Agent agent;

    @BeforeAll
    static void repo() throws Exception {
        repo = TestRepo.create(shared);
        small = TestRepo.data(shared, "small", 2, 1_000);
    }

    @AfterEach
    void stop() {
        if (agent != null) {
            agent.stop(Duration.ofSeconds(12));
        }
        if (hub != null) {
            hub.close();
        }
    }

    private Agent start() {
        return start(new FakeHub());
    }

    private Agent start(FakeHub fake) {
        hub = fake;
        AgentConfig config = new AgentConfig(URI.create("http://127.0.0.1:" + hub.port()), "host-1", "rma_test_token",
                                             Optional.empty(), Optional.empty(), dir.resolve("spool"),
                                             OptionalInt.empty(), dir.resolve("agent.yaml"));
        agent = new Agent(config, HostInfo.detect(), TestRepo.restic(),
                          new Backoff(Duration.ofMillis(50), Duration.ofMillis(300)));
        Thread.ofVirtual().start(agent::run);
        return agent;
    }

    private static Message.JobStart backup(String jobId, Path path, Integer limitUploadKib) {
        return new Message.JobStart(jobId, JobKind.BACKUP, new RepoAccess("repo-1", repo.toString(), TestRepo.PASSWORD,
                                                                          Map.of()),
                                    new JobParams(List.of(path.toString()), null, List.of("rm-test"), limitUploadKib,
                                                  null, null, null, null, null, null, null, null));
    }

    /** Job events of one job on one connection, until job.finished. */
    private List<Message.JobEvent> untilFinished(String jobId, int connection) throws InterruptedException {
        List<Message.JobEvent> events = new ArrayList<>();
        while (true) {
            FakeHub.Received r = hub.await(x -> x.connection() == connection
                    && x.envelope().payload() instanceof Message.JobEvent ev && ev.jobId().equals(jobId), WAIT);
            Message.JobEvent ev = (Message.JobEvent) r.envelope().payload();
            events.add(ev);
            if (ev instanceof Message.JobFinished) {
                return events;
            }
        }
    }

    /** Every seq the events carry: each log line has its own. */
    private static List<Long> seqs(List<Message.JobEvent> events) {
        List<Long> out = new ArrayList<>();
        for (Message.JobEvent ev : events) {
            if (ev instanceof Message.JobLog log) {
                assertThat(log.seq(), is(log.lines().getFirst().seq()));
                log.lines().forEach(l -> out.add(l.seq()));
            } else {
                out.add(ev.seq());
            }
        }
        return out;
    }

    private static List<Long> range(long from, long to) {
        return LongStream.rangeClosed(from, to).boxed().toList();
    }

    private void awaitEmptySpool() {
        await("an empty spool").atMost(WAIT).until(() -> {
            try (var files = Files.list(dir.resolve("spool"))) {
                return files.noneMatch(f -> f.toString().endsWith(".spool"));
            }
        });
    }

    @Test
    void helloFirstThenHeartbeatsAndAJobWithContiguousSeqs() throws Exception {
        start();
        hub.autoAck = true;
        FakeHub.Received first = hub.await(r -> true, WAIT);
        assertThat(first.envelope().type().wire(), is("hello"));
        Message.Hello hello = (Message.Hello) first.envelope().payload();
        assertThat(hello.protocolVersion(), is(Protocol.VERSION));
        assertThat(hello.agentVersion(), is(AgentVersion.current()));
        assertThat(hello.resticVersion(), is(TestRepo.restic().versionText()));
        assertThat(hello.jobs(), is(empty()));
        assertThat(hub.authorizations.getFirst(), is("Bearer rma_test_token"));
        hub.await(FakeHub.type("host.facts"), WAIT);
        hub.await(FakeHub.type("heartbeat"), Duration.ofSeconds(5));

        // bad frames are answered with an error envelope and the agent keeps going
        hub.sendRaw("this is not json");
        Message.Error bad = (Message.Error) hub.await(FakeHub.type("error"), WAIT).envelope().payload();
        assertThat(bad.code(), is("bad_json"));
        hub.sendRaw("{\"v\":1,\"type\":\"brand.new\",\"id\":\"x\",\"ts\":\"2026-01-01T00:00:00Z\",\"payload\":{}}");
        Message.Error unknown = (Message.Error) hub.await(FakeHub.type("error"), WAIT).envelope().payload();
        assertThat(unknown.code(), is("unknown_type"));

        hub.send(new Message.SchedulesSync(List.of(new ScheduleSpec("s1", "0 3 * * *", "UTC", JobKind.BACKUP,
                                                                    JobParams.empty(), "repo-1", true))));

        String jobId = UUID.randomUUID().toString();
        hub.send(backup(jobId, small, null));
        List<Message.JobEvent> events = untilFinished(jobId, 1);
        assertThat(seqs(events), is(range(1, seqs(events).size())));
        Message.JobAck ack = (Message.JobAck) events.getFirst();
        assertThat(ack.accepted(), is(true));
        assertThat(ack.commandLine(), is("restic backup --json --host " + HostInfo.current().hostname() + " --tag rm-test -- " + small));
        assertThat(ack.startedAt() != null, is(true));
        Message.JobFinished fin = (Message.JobFinished) events.getLast();
        assertThat(fin.status(), is(JobStatus.SUCCEEDED));
        assertThat(fin.exitCode(), is(0));
        assertThat(fin.summary().get("files_new"), is(2));
        assertThat(String.valueOf(fin.summary().get("snapshot_id")).length(), is(8));

        Message.SnapshotsReport report = (Message.SnapshotsReport) hub.find(FakeHub.type("snapshots.report"), WAIT)
                .envelope().payload();
        assertThat(report.repoId(), is("repo-1"));
        assertThat(report.jobId(), is(jobId));
        assertThat(report.snapshots().stream().map(s -> s.shortId()).toList(),
                   hasItem((String) fin.summary().get("snapshot_id")));

        awaitEmptySpool();
        String schedules = Files.readString(dir.resolve("schedules.json"));
        assertThat(schedules, containsString("0 3 * * *"));
        // the same job id again is refused, not run twice
        hub.send(backup(jobId, small, null));
        Message.JobAck again = (Message.JobAck) hub.await(FakeHub.type("job.ack"), WAIT).envelope().payload();
        assertThat(again.accepted(), is(false));
        assertThat(hub.rejected, is(empty()));
    }

    @Test
    void aLongSnapshotListArrivesWholeAfterAReconnectAndANewerListReplacesAQueuedOne() throws Exception {
        FakeHub fake = new FakeHub();
        fake.refuseUpgrade = true;
        start(fake);
        // queued while the hub refuses us: the older list of repo-1 is replaced by the newer one
        agent.connection().sendLater(List.copyOf(SnapshotReports.split("job-old", "repo-1",
                SnapshotReportsTest.synthetic(5_000)).orElseThrow()));
        agent.connection().sendLater(List.of(new Message.SnapshotsReport("job-other", "repo-2", List.of())));
        // ~22 MB: more than the socket buffers hold, so the drop surely comes before the last part
        List<Message.SnapshotsReport> parts = SnapshotReports.split("job-new", "repo-1",
                SnapshotReportsTest.synthetic(40_000)).orElseThrow();
        assertThat(parts.size(), greaterThan(100));
        agent.connection().sendLater(List.copyOf(parts));
        // the line goes down in the middle of the list
        fake.dropAfter = e -> e.payload() instanceof Message.SnapshotsReport r && Integer.valueOf(2).equals(r.part());
        fake.refuseUpgrade = false;

        List<Message.SnapshotsReport> second = new ArrayList<>();
        while (second.isEmpty() || !second.getLast().part().equals(second.getLast().parts())) {
            FakeHub.Received r = fake.await(x -> x.connection() == 2 && x.envelope().payload()
                    instanceof Message.SnapshotsReport p && "job-new".equals(p.jobId()), WAIT);
            second.add((Message.SnapshotsReport) r.envelope().payload());
        }
        // after the reconnect the whole list is sent again, from part 1, in order
        assertThat(second.stream().map(Message.SnapshotsReport::part).toList(),
                   is(range(1, parts.size()).stream().map(Long::intValue).toList()));
        assertThat(second.stream().flatMap(p -> p.snapshots().stream()).map(SnapshotInfo::id).toList(),
                   is(parts.stream().flatMap(p -> p.snapshots().stream()).map(SnapshotInfo::id).toList()));
        assertThat(second.stream().map(Message.SnapshotsReport::reportId).distinct().toList(),
                   is(List.of(parts.getFirst().reportId())));
        assertThat(fake.history.stream().filter(r -> r.connection() == 1
                && r.envelope().payload() instanceof Message.SnapshotsReport p && "job-new".equals(p.jobId())).count(),
                   greaterThan(1L));
        assertThat(fake.history.stream().anyMatch(r -> r.envelope().payload() instanceof Message.SnapshotsReport p
                && "job-old".equals(p.jobId())), is(false));
        // another repository's report is kept
        fake.find(r -> r.envelope().payload() instanceof Message.SnapshotsReport p && "job-other".equals(p.jobId()),
                  WAIT);
    }

    /** New content each time: data restic has seen before would be deduplicated and back up instantly. */
    private Path slowData() throws Exception {
        return TestRepo.data(dir, "slow-" + UUID.randomUUID(), 1, 300_000);
    }

    @Test
    void aDroppedConnectionMidJobIsReplayedFromTheFirstUnacknowledgedSeq() throws Exception {
        Path slow = slowData();
        start();
        hub.await(FakeHub.type("hello"), WAIT);
        String jobId = UUID.randomUUID().toString();
        hub.send(backup(jobId, slow, 48));
        FakeHub.Received ack = hub.await(FakeHub.type("job.ack"), WAIT);
        assertThat(((Message.JobAck) ack.envelope().payload()).seq(), is(1L));
        hub.send(new Message.JobEventsAck(jobId, 1));
        // at least one more event reached the hub before the line goes down
        hub.await(r -> r.envelope().payload() instanceof Message.JobEvent ev && ev.seq() > 1, WAIT);
        hub.drop();
        hub.autoAck = true;

        FakeHub.Received hello2 = hub.await(r -> r.connection() == 2 && r.envelope().type().wire().equals("hello"),
                                            WAIT);
        Message.Hello hello = (Message.Hello) hello2.envelope().payload();
        Message.JobReport report = hello.jobs().stream().filter(j -> j.jobId().equals(jobId)).findFirst().orElseThrow();
        assertThat(report.lastSeq(), greaterThan(1L));
        for (Path f : Files.list(dir.resolve("spool")).toList()) {
            assertThat(Files.readString(f, StandardCharsets.UTF_8), not(containsString(TestRepo.PASSWORD)));
        }

        List<Message.JobEvent> replayed = untilFinished(jobId, 2);
        // seq 1 was acknowledged before the drop: everything after it arrives exactly once, in order
        assertThat(seqs(replayed), is(range(2, seqs(replayed).getLast())));
        assertThat(((Message.JobFinished) replayed.getLast()).status(), is(JobStatus.SUCCEEDED));
        awaitEmptySpool();
        assertThat(agent.connection().connections(), is(2));
    }

    @Test
    void cancelStopsResticAndTheJobEndsCancelled() throws Exception {
        Path slow = slowData();
        start();
        hub.autoAck = true;
        hub.await(FakeHub.type("hello"), WAIT);
        String jobId = UUID.randomUUID().toString();
        hub.send(backup(jobId, slow, 16));
        hub.await(FakeHub.type("job.progress"), WAIT);
        Message.Heartbeat hb = (Message.Heartbeat) hub.await(FakeHub.type("heartbeat"), WAIT).envelope().payload();
        assertThat(hb.runningJobs(), hasItem(jobId));

        // the running restic's real argv carries no secret
        ProcessHandle restic = ProcessHandle.current().descendants()
                .filter(p -> p.info().command().orElse("").endsWith("restic")).findFirst().orElseThrow();
        String cmdline = Files.readString(Path.of("/proc/" + restic.pid() + "/cmdline")).replace('\0', ' ');
        assertThat(cmdline, startsWith(TestRepo.restic().binary().orElseThrow() + " backup --json"));
        assertThat(cmdline, not(containsString(TestRepo.PASSWORD)));

        long t0 = System.nanoTime();
        hub.send(new Message.JobCancel(jobId));
        Message.JobFinished fin = (Message.JobFinished) hub.await(FakeHub.type("job.finished"), WAIT)
                .envelope().payload();
        assertThat(fin.status(), is(JobStatus.CANCELLED));
        assertThat(fin.exitCode(), is(130));
        assertThat(Duration.ofNanos(System.nanoTime() - t0).toSeconds() < 10, is(true));
        assertThat(restic.isAlive(), is(false));
        // restic left no lock behind: an exclusive-lock command runs at once
        Outcome unlock = new UnlockRunner().run(TestRepo.wrapper(repo), List.of("list", "locks"), new RecordingSink(),
                                                new Cancellation());
        assertThat(unlock.status(), is(JobStatus.SUCCEEDED));
        hub.send(new Message.JobCancel(jobId));
        Message.Error err = (Message.Error) hub.await(FakeHub.type("error"), WAIT).envelope().payload();
        assertThat(err.code(), is("unknown_job"));
        assertThat(Frames.encode(io.resticmanager.proto.Envelope.of(fin)), not(containsString(TestRepo.PASSWORD)));
    }

    @Test
    void aRefusedCredentialIsLoggedClearlyAndRetried() throws Exception {
        FakeHub fake = new FakeHub();
        fake.refuseUpgrade = true;
        start(fake);
        // retried (at the maximum interval, 300 ms in this test)
        await("a second attempt").atMost(WAIT).until(() -> hub.authorizations.size() >= 2);
        assertThat(hub.authorizations.getFirst(), is("Bearer rma_test_token"));
        assertThat(agent.connection().lastProblem(), containsString("refused this agent's credential"));
        assertThat(agent.connection().connected(), is(false));
    }
}
