package io.resticmanager.agent;

import io.resticmanager.proto.Frames;
import io.resticmanager.proto.JobStatus;
import io.resticmanager.proto.Message;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

class SpoolTest {
    @TempDir
    Path dir;

    private static Message.JobLog log(String job, long seq) {
        return new Message.JobLog(job, seq, List.of(new Message.LogLine(seq, Instant.now(), "stdout", "line " + seq)));
    }

    private static List<Long> seqs(List<Spool.Frame> frames) {
        return frames.stream().map(Spool.Frame::seq).toList();
    }

    @Test
    void replaysUnacknowledgedEventsInOrderAndDropsAcknowledgedOnes() throws Exception {
        Spool spool = Spool.open(dir);
        spool.append(new Message.JobAck("j1", 1, true, null, "restic backup --json -- /data", Instant.now()));
        for (long s = 2; s <= 5; s++) {
            spool.append(log("j1", s));
        }
        assertThat(seqs(spool.pending("j1", 0)), contains(1L, 2L, 3L, 4L, 5L));
        spool.ack("j1", 3);
        assertThat(seqs(spool.pending("j1", 0)), contains(4L, 5L));
        // the frame text is a complete envelope, replayed as it was first sent
        String text = spool.pending("j1", 0).getFirst().text();
        assertThat(((Message.JobLog) Frames.decode(text).payload()).seq(), is(4L));
        spool.close();

        Spool reopened = Spool.open(dir);
        assertThat(reopened.ackedUpTo("j1"), is(3L));
        assertThat(seqs(reopened.pending("j1", 0)), contains(4L, 5L));
        assertThat(reopened.lastSeq("j1"), is(5L));
    }

    @Test
    void eventsStoredTogetherSurviveARestartLikeEventsStoredOneByOne() throws Exception {
        Spool spool = Spool.open(dir);
        // a new job's first write creates its file; the last lines and job.finished go in one write
        spool.appendAll(List.of(new Message.JobAck("j9", 1, true, null, "restic backup --json -- /data", Instant.now()),
                                log("j9", 2)));
        spool.appendAll(List.of(log("j9", 3),
                                new Message.JobFinished("j9", 4, JobStatus.SUCCEEDED, 0, Map.of(), null, Instant.now())));
        assertThat(seqs(spool.pending("j9", 0)), contains(1L, 2L, 3L, 4L));
        spool.close();

        Spool reopened = Spool.open(dir);
        assertThat(seqs(reopened.pending("j9", 0)), contains(1L, 2L, 3L, 4L));
        assertThat(reopened.finished("j9"), is(Optional.of(JobStatus.SUCCEEDED)));
        assertThat(reopened.unfinished(), is(empty()));
        // a seq out of order anywhere in a group stores none of it
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> reopened.appendAll(
                List.of(log("j9", 5), log("j9", 5))));
        assertThat(reopened.lastSeq("j9"), is(4L));
    }

    @Test
    void theFileIsDeletedOnceTheFinishedEventIsAcknowledged() throws Exception {
        Spool spool = Spool.open(dir);
        spool.append(log("j2", 1));
        spool.append(new Message.JobFinished("j2", 2, JobStatus.SUCCEEDED, 0, Map.of(), null, Instant.now()));
        Path file = dir.resolve(Spool.fileName("j2"));
        assertThat(Files.exists(file), is(true));
        assertThat(spool.finished("j2"), is(Optional.of(JobStatus.SUCCEEDED)));
        spool.ack("j2", 1);
        assertThat(Files.exists(file), is(true));
        spool.ack("j2", 2);
        assertThat(Files.exists(file), is(false));
        assertThat(spool.jobIds(), is(empty()));
    }

    @Test
    void aJobThatNeverFinishedIsReportedFailedAfterARestart() throws Exception {
        Spool spool = Spool.open(dir);
        spool.append(new Message.JobAck("j3", 1, true, null, "restic backup --json -- /data", Instant.now()));
        spool.append(new Message.JobLog("j3", 2, List.of(new Message.LogLine(2, Instant.now(), "stdout", "a"),
                                                          new Message.LogLine(3, Instant.now(), "stderr", "b"))));
        spool.ack("j3", 3);
        spool.close();

        // the agent died here; a new process opens the same spool
        Spool after = Spool.open(dir);
        Jobs jobs = new Jobs(after, Jobs.ResticSetup.missing("not needed"), () -> { }, m -> { });
        assertThat(jobs.reports(), contains(new Message.JobReport("j3", JobStatus.RUNNING, 3)));
        jobs.recoverInterrupted();
        List<Spool.Frame> pending = after.pending("j3", 0);
        // the log's lines took seqs 2 and 3: the finished event continues at 4
        assertThat(seqs(pending), contains(4L));
        Message.JobFinished fin = (Message.JobFinished) Frames.decode(pending.getFirst().text()).payload();
        assertThat(fin.status(), is(JobStatus.FAILED));
        assertThat(fin.error(), is("agent restarted while the job was running"));
        assertThat(jobs.reports(), contains(new Message.JobReport("j3", JobStatus.FAILED, 4)));
    }

    @Test
    void aTornLastLineFromACrashIsDroppedAndAppendingContinues() throws Exception {
        Spool spool = Spool.open(dir);
        spool.append(log("j4", 1));
        spool.append(log("j4", 2));
        spool.close();
        Files.writeString(dir.resolve(Spool.fileName("j4")), "{\"v\":1,\"type\":\"job.lo", StandardOpenOption.APPEND);

        Spool after = Spool.open(dir);
        assertThat(seqs(after.pending("j4", 0)), contains(1L, 2L));
        after.append(log("j4", 3));
        after.close();
        assertThat(seqs(Spool.open(dir).pending("j4", 0)), contains(1L, 2L, 3L));
    }

    @Test
    void duplicateJobStartIsRefusedWithoutTouchingTheJobsEvents() throws Exception {
        Spool spool = Spool.open(dir);
        spool.append(new Message.JobAck("j5", 1, true, null, "restic unlock", Instant.now()));
        Jobs jobs = new Jobs(spool, TestRepo.restic(), () -> { }, m -> { });
        var repo = new io.resticmanager.proto.RepoAccess("r1", dir.resolve("repo").toString(), "pw-secret", Map.of());
        Optional<Message.JobAck> refusal = jobs.start(new Message.JobStart("j5", io.resticmanager.proto.JobKind.UNLOCK,
                                                                            repo, null));
        assertThat(refusal.orElseThrow().accepted(), is(false));
        assertThat(seqs(spool.pending("j5", 0)), contains(1L));
    }

    @Test
    void unsupportedKindsAreRefusedAndEndFailed() throws Exception {
        Spool spool = Spool.open(dir);
        Jobs jobs = new Jobs(spool, TestRepo.restic(), () -> { }, m -> { });
        var repo = new io.resticmanager.proto.RepoAccess("r1", "/tmp/x", "pw-secret", Map.of());
        assertThat(jobs.start(new Message.JobStart("j6", io.resticmanager.proto.JobKind.LS, repo, null)),
                   is(Optional.empty()));
        List<Spool.Frame> frames = spool.pending("j6", 0);
        Message.JobAck ack = (Message.JobAck) Frames.decode(frames.get(0).text()).payload();
        Message.JobFinished fin = (Message.JobFinished) Frames.decode(frames.get(1).text()).payload();
        assertThat(ack.accepted(), is(false));
        assertThat(ack.reason(), containsString("ls"));
        assertThat(fin.status(), is(JobStatus.FAILED));
        // nothing secret ever reaches the spool
        for (Path f : Files.list(dir).toList()) {
            assertThat(Files.readString(f), not(containsString("pw-secret")));
        }
    }
}
