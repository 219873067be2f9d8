package io.resticmanager.agent;

import io.resticmanager.proto.FrameException;
import io.resticmanager.proto.Frames;
import io.resticmanager.proto.Hooks;
import io.resticmanager.proto.JobKind;
import io.resticmanager.proto.JobParams;
import io.resticmanager.proto.JobStatus;
import io.resticmanager.proto.Message;
import io.resticmanager.proto.RepoAccess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

/** A backup job with pre/post hooks, end to end through Jobs: real hook processes, real restic, the spooled events. */
class BackupHooksTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;
    private Path repo;
    private Path data;
    private Spool spool;
    private Jobs jobs;

    @BeforeEach
    void setUp() throws Exception {
        repo = TestRepo.create(dir);
        data = TestRepo.data(dir, "data", 2, 1_000);
        spool = Spool.open(dir.resolve("spool"));
        jobs = new Jobs(spool, TestRepo.restic(), () -> { }, reports -> { });
    }

    @AfterEach
    void tearDown() {
        jobs.stopAll(Duration.ofSeconds(15));
        spool.close();
    }

    @Test
    void thePreHookRunsFirstItsFileIsBackedUpAndBothHooksSeeTheJob() throws Exception {
        Path dump = data.resolve("dump.sql");
        Hooks hooks = new Hooks("echo \"dump of $RM_JOB_ID\" > '" + dump + "' && echo \"dumped for "
                + "$RM_REPOSITORY_NAME on $RM_HOST with password " + TestRepo.PASSWORD + "\"",
                                "echo \"post status=$RM_JOB_STATUS hook=$RM_HOOK pw=[$RESTIC_PASSWORD] "
                                        + "repo=[$RESTIC_REPOSITORY]\"", null, 60);
        String id = start(hooks, data);
        Message.JobFinished end = finished(id);
        assertThat(end.status(), is(JobStatus.SUCCEEDED));
        List<String> log = log(id);
        String pre = "stdout: [pre] dumped for repo-1 on " + HostInfo.current().hostname() + " with password ***";
        String post = "stdout: [post] post status=succeeded hook=post pw=[] repo=[]";
        assertThat(log, hasItems(pre, post));
        int resticStarts = indexOf(log, "event: repository ");
        assertThat(log.indexOf(pre) < resticStarts && resticStarts < log.indexOf(post), is(true));
        // the snapshot holds what the pre-hook wrote
        assertThat(restic("dump", "latest", dump.toString()), is("dump of " + id + "\n"));
        // users see restic's command line, never the hook text; no secret reached the spool
        Message.JobAck ack = (Message.JobAck) events(id).getFirst();
        assertThat(ack.commandLine(), startsWith("restic backup --json"));
        assertThat(ack.commandLine(), not(containsString("dump")));
        assertThat(spoolText(id), not(containsString(TestRepo.PASSWORD)));
    }

    @Test
    void aFailingPreHookFailsTheJobResticNeverRunsAndThePostHookSeesFailed() throws Exception {
        String id = start(new Hooks("echo cannot dump >&2; exit 3", "echo \"post status=$RM_JOB_STATUS\"", null, 60),
                          data);
        Message.JobFinished end = finished(id);
        assertThat(end.status(), is(JobStatus.FAILED));
        assertThat(end.error(), is("pre-hook failed: exit 3"));
        assertThat(end.exitCode(), is(-1));
        List<String> log = log(id);
        assertThat(log, hasItems("stderr: [pre] cannot dump", "stdout: [post] post status=failed"));
        assertThat(indexOf(log, "event: repository "), is(-1));
        assertThat(snapshotCount(), is(0));
    }

    @Test
    void aVssBackupOnThisLinuxHostFailsWithTheReasonBeforeItsHooksOrResticRun() throws Exception {
        Assumptions.assumeTrue(Platform.current().family() == Platform.Family.LINUX);
        Path marker = dir.resolve("pre-ran");
        String id = start(new Hooks("touch '" + marker + "'", null, null, 60), data, true);
        Message.JobFinished end = finished(id);
        assertThat(end.status(), is(JobStatus.FAILED));
        assertThat(end.error(), containsString("use_fs_snapshot (Windows VSS) works on Windows hosts only; this host "
                                                       + "runs linux — edit the schedule"));
        assertThat(Files.exists(marker), is(false));
        assertThat(snapshotCount(), is(0));
    }

    @Test
    void aFailingPostHookWarnsAfterASuccessAndNeverHidesAFailure() throws Exception {
        String ok = start(new Hooks(null, "echo \"status=$RM_JOB_STATUS\"; exit 4", null, 60), data);
        Message.JobFinished warned = finished(ok);
        assertThat(warned.status(), is(JobStatus.SUCCEEDED_WITH_WARNINGS));
        assertThat(warned.error(), is("post-hook failed: exit 4"));
        assertThat(warned.summary().get("snapshot_id"), is(org.hamcrest.Matchers.notNullValue()));
        assertThat(log(ok), hasItems("stdout: [post] status=succeeded", "event: warning: post-hook failed: exit 4"));
        assertThat(snapshotCount(), is(1));

        String bad = start(new Hooks(null, "echo \"status=$RM_JOB_STATUS\"; exit 4", null, 60), dir.resolve("missing"));
        Message.JobFinished failed = finished(bad);
        assertThat(failed.status(), is(JobStatus.FAILED));
        assertThat(failed.error(), not(containsString("post-hook")));
        assertThat(log(bad), hasItem("stdout: [post] status=failed"));
    }

    @Test
    void aPreHookPastItsTimeoutIsKilledWithItsChildAndTheBackupDoesNotRun() throws Exception {
        long t0 = System.nanoTime();
        String id = start(new Hooks("sleep 600 & echo child=$!; wait", null, null, 1), data);
        Message.JobFinished end = finished(id);
        assertThat(Duration.ofNanos(System.nanoTime() - t0).toMillis(), lessThan(8_000L));
        assertThat(end.status(), is(JobStatus.FAILED));
        assertThat(end.error(), is("pre-hook timed out after 1 s"));
        HookRunnerTest.awaitGone(childPid(id));
        assertThat(snapshotCount(), is(0));
    }

    @Test
    void cancellingDuringThePreHookStopsItAndThePostHookStillRuns() throws Exception {
        String id = start(new Hooks("sleep 600 & echo child=$!; wait", "echo \"post status=$RM_JOB_STATUS\"", null,
                                    600), data);
        await("the pre-hook's child").atMost(WAIT)
                .until(() -> log(id).stream().anyMatch(l -> l.contains("[pre] child=")));
        long child = childPid(id);
        long t0 = System.nanoTime();
        assertThat(jobs.cancel(id, "cancelled on request"), is(true));
        Message.JobFinished end = finished(id);
        assertThat(Duration.ofNanos(System.nanoTime() - t0).toMillis(), lessThan(5_000L));
        assertThat(end.status(), is(JobStatus.CANCELLED));
        assertThat(end.error(), is("cancelled: cancelled on request (pre-hook was stopped: the job was cancelled)"));
        HookRunnerTest.awaitGone(child);
        assertThat(log(id), hasItem("stdout: [post] post status=cancelled"));
        assertThat(snapshotCount(), is(0));
    }

    private String start(Hooks hooks, Path path) {
        return start(hooks, path, false);
    }

    private String start(Hooks hooks, Path path, boolean vss) {
        String id = UUID.randomUUID().toString();
        JobParams params = new JobParams(List.of(path.toString()), null, null, null, null, null, null, null, null,
                                         null, null, null).withFsSnapshot(vss);
        var refused = jobs.start(new Message.JobStart(id, JobKind.BACKUP, new RepoAccess("repo-1", repo.toString(),
                TestRepo.PASSWORD, Map.of()), params, null, hooks));
        assertThat(refused.isPresent(), is(false));
        return id;
    }

    private Message.JobFinished finished(String id) throws Exception {
        await("job " + id + " to finish").atMost(WAIT).until(() -> spool.finished(id).isPresent());
        return (Message.JobFinished) events(id).getLast();
    }

    private List<Message.JobEvent> events(String id) {
        List<Message.JobEvent> out = new ArrayList<>();
        for (Spool.Frame f : spool.pending(id, 0)) {
            try {
                out.add((Message.JobEvent) Frames.decode(f.text()).payload());
            } catch (FrameException e) {
                throw new AssertionError(e);
            }
        }
        return out;
    }

    /** The job's log lines as "stream: line". */
    private List<String> log(String id) {
        List<String> lines = new ArrayList<>();
        for (Message.JobEvent e : events(id)) {
            if (e instanceof Message.JobLog l) {
                l.lines().forEach(line -> lines.add(line.stream() + ": " + line.line()));
            }
        }
        return lines;
    }

    private String spoolText(String id) {
        return String.join("\n", spool.pending(id, 0).stream().map(Spool.Frame::text).toList());
    }

    private long childPid(String id) {
        RecordingSink sink = new RecordingSink();
        log(id).forEach(l -> sink.lines.add(l));
        return HookRunnerTest.childPid(sink);
    }

    private static int indexOf(List<String> lines, String prefix) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(prefix)) {
                return i;
            }
        }
        return -1;
    }

    private int snapshotCount() throws Exception {
        return new SnapshotsRunner().run(TestRepo.wrapper(repo), SnapshotsRunner.ARGS, new RecordingSink(),
                                         new Cancellation()).snapshots().orElseThrow().size();
    }

    private String restic(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(TestRepo.restic().binary().orElseThrow().toString(), "-r",
                                                   repo.toString(), "-q"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("RESTIC_PASSWORD", TestRepo.PASSWORD);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, is(true));
        return out;
    }

}
