package io.resticmanager.system;

import io.resticmanager.proto.JobStatus;
import io.resticmanager.proto.Message;
import io.resticmanager.proto.SnapshotInfo;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The simulated agents' side of the soak's jobs. A run-now backup is acked, logs a few lines as restic would,
 * reports its repository's snapshot list (one snapshot more each time, as a repository without a forget
 * policy grows) and finishes. The tail host's jobs are handed to {@link SoakTail}, which streams them itself.
 */
final class SoakAgents {
    static final int LINES_PER_JOB = 5;

    private final Map<String, CompletableFuture<Long>> starts = new ConcurrentHashMap<>();
    private final Map<String, List<SnapshotInfo>> snapshots = new ConcurrentHashMap<>();
    private final BlockingQueue<Message.JobStart> tailStarts = new LinkedBlockingQueue<>();
    private final AtomicLong finished = new AtomicLong();
    private volatile String tailHostId;

    void tailHost(String hostId) {
        this.tailHostId = hostId;
    }

    /** Completes with the nanoTime the host's next job.start arrived (set before the run-now is posted). */
    CompletableFuture<Long> expectStart(String hostId) {
        CompletableFuture<Long> seen = new CompletableFuture<>();
        starts.put(hostId, seen);
        return seen;
    }

    /** The tail host's next job.start, or null when none came within the timeout. */
    Message.JobStart nextTailStart(Duration timeout) throws InterruptedException {
        return tailStarts.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    long finished() {
        return finished.get();
    }

    void onJobStart(SimAgent agent, BenchSetup.Enrolled host, Message.JobStart start, long arrived) {
        if (BenchFleet.answeredStats(agent, start)) {
            return;
        }
        if (host.hostId().equals(tailHostId)) {
            tailStarts.add(start);
            return;
        }
        CompletableFuture<Long> seen = starts.remove(host.hostId());
        if (seen != null) {
            seen.complete(arrived);
        }
        String jobId = start.jobId();
        String repoId = start.repo().repoId();
        agent.send(new Message.JobAck(jobId, 1, true, null, "restic backup --json /srv/soak", Instant.now()));
        agent.send(new Message.JobLog(jobId, 2, JobLogBench.batch(2, LINES_PER_JOB)));
        SnapshotInfo made = snapshot(host.hostname());
        agent.send(new Message.SnapshotsReport(jobId, repoId, grow(repoId, made)));
        agent.send(new Message.JobFinished(jobId, 2 + LINES_PER_JOB, JobStatus.SUCCEEDED, 0, Map.of(
                "files_new", 3, "files_changed", 12, "data_added", 48_213, "total_bytes_processed", 104_857_600,
                "total_duration", 1.7, "snapshot_id", made.id()), null, Instant.now()));
        finished.incrementAndGet();
    }

    /** The repository's list with {@code made} added (a copy: the report must not change while sent). */
    private List<SnapshotInfo> grow(String repoId, SnapshotInfo made) {
        List<SnapshotInfo> list = snapshots.computeIfAbsent(repoId, k -> new ArrayList<>());
        synchronized (list) {
            list.add(made);
            return List.copyOf(list);
        }
    }

    private static SnapshotInfo snapshot(String hostname) {
        String id = hex(32);
        return new SnapshotInfo(id, id.substring(0, 8), Instant.now(), List.of("/srv/soak", "/etc"), List.of("soak"),
                                hostname, "root", hex(32), null, Map.of("files_new", 3, "data_added", 48_213));
    }

    private static String hex(int bytes) {
        byte[] b = new byte[bytes];
        ThreadLocalRandom.current().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
