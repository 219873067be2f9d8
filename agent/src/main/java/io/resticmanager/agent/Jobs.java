package io.resticmanager.agent;

import io.resticmanager.proto.JobStatus;
import io.resticmanager.proto.RepoPolicy;
import io.resticmanager.proto.Message;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.logging.Logger;

/** The jobs of this agent: starts, cancels, acknowledges and reports them. */
final class Jobs {
    private static final Logger LOG = Logger.getLogger(Jobs.class.getName());
    static final String RESTARTED = "agent restarted while the job was running";

    private final Spool spool;
    private final ResticSetup restic;
    private final Runnable wake;
    private final Consumer<List<Message>> report;
    private final Optional<SnapshotIndexer> indexer;
    private final Map<String, JobRun> running = new ConcurrentHashMap<>();
    private final Map<String, Thread> workers = new ConcurrentHashMap<>();
    /** Told when a job of a repository starts and when its worker ended (background indexing yields to jobs). */
    private volatile Consumer<String> repoBusy = repoId -> { };
    private volatile Runnable repoFree = () -> { };
    private final Path drillsDir;
    /** Where a self backup's state comes from (the server, asked with this agent's credential). */
    private final java.util.function.Function<String, SelfBackupRunner.Source> serverState;

    /** Where restic is (or why it is not). */
    record ResticSetup(Optional<Path> binary, Optional<ResticVersion> version, Optional<String> problem) {
        static ResticSetup missing(String problem) {
            return new ResticSetup(Optional.empty(), Optional.empty(), Optional.of(problem));
        }

        String versionText() {
            return version.map(ResticVersion::toString).orElse("not found");
        }
    }

    /** Without a server behind it (tests): drills in the default place, no self backup, no indexing. */
    Jobs(Spool spool, ResticSetup restic, Runnable wake, Consumer<List<Message>> report) {
        this(spool, restic, wake, report, Runner.DEFAULT_DRILLS_DIR, jobId -> () -> {
            throw new java.io.IOException("this agent has no server to fetch the state from");
        }, Optional.empty());
    }

    /**
     * {@code drillsDir}: where restore drills make (and remove) their scratch directories; {@code serverState}: the
     * server's state stream for a self-backup job, by job id; {@code indexer}: indexes each new backup snapshot for
     * the server's tree index (after job.finished).
     */
    Jobs(Spool spool, ResticSetup restic, Runnable wake, Consumer<List<Message>> report, Path drillsDir,
         java.util.function.Function<String, SelfBackupRunner.Source> serverState,
         Optional<SnapshotIndexer> indexer) {
        this.serverState = serverState;
        this.indexer = indexer;
        this.drillsDir = drillsDir;
        this.spool = spool;
        this.restic = restic;
        this.wake = wake;
        this.report = report;
    }

    /**
     * Jobs the spool shows as started but never finished had their restic die with the previous agent
     * process: they end {@code failed}, and that event is replayed like any other.
     */
    void recoverInterrupted() {
        for (String jobId : spool.unfinished()) {
            long seq = spool.lastSeq(jobId) + 1;
            spool.append(new Message.JobFinished(jobId, seq, JobStatus.FAILED, -1, Map.of(), RESTARTED, Instant.now()));
            LOG.warning("job " + jobId + " was running when the agent stopped; reporting it as failed");
        }
    }

    /**
     * Handles {@code job.start}. Returns a refusal to send directly (not spooled) when the job id is
     * already known, since its own events already own seq 1.
     */
    synchronized Optional<Message.JobAck> start(Message.JobStart start) {
        String id = start.jobId();
        // a job whose spool file is gone (fully acknowledged, also before a restart) is not run twice
        if (running.containsKey(id) || spool.contains(id) || spool.isDone(id)) {
            LOG.warning("job " + id + " is already known; refusing the duplicate job.start");
            return Optional.of(new Message.JobAck(id, 1, false, "job " + id + " is already known to this agent",
                                                  null, Instant.now()));
        }
        Optional<Runner> runner;
        try {
            // a maintenance host runs forget for the host the server names, a drill restores the snapshots of the
            // host it names; any other job is this host's own
            runner = start.kind() == io.resticmanager.proto.JobKind.SELF_BACKUP
                    ? Optional.of(new SelfBackupRunner(serverState.apply(id)))
                    : Runner.forKind(start.kind(), start.repo().forHostname() != null ? start.repo().forHostname()
                    : HostInfo.current().hostname(), drillsDir);
        } catch (IllegalArgumentException e) {
            JobRun.refuse(id, "invalid job: " + e.getMessage(), spool, wake);
            return Optional.empty();
        }
        if (runner.isEmpty()) {
            JobRun.refuse(id, "job kind " + start.kind().wire() + " is not supported by this agent yet", spool, wake);
            return Optional.empty();
        }
        if (restic.binary().isEmpty() || restic.version().isEmpty()) {
            JobRun.refuse(id, restic.problem().orElse("restic is not available"), spool, wake);
            return Optional.empty();
        }
        List<String> args;
        try {
            args = Runner.withBandwidthLimits(runner.get(), runner.get().args(start.params(), restic.version().get()),
                                              start.params());
        } catch (IllegalArgumentException e) {
            JobRun.refuse(id, "invalid job parameters: " + e.getMessage(), spool, wake);
            return Optional.empty();
        }
        Restic r;
        try {
            r = new Restic(restic.binary().get(), restic.version().get(), start.repo().url(),
                           start.repo().password(), start.repo().env());
            if (start.fromRepo() != null) {
                r = r.copyingFrom(start.fromRepo());
            }
        } catch (RepoPolicy.Violation e) {
            LOG.warning("job " + id + " refused: " + e.getMessage());
            JobRun.refuse(id, "repository refused by this agent: " + e.getMessage(), spool, wake);
            return Optional.empty();
        }
        // only a backup carries hooks (proto refuses them elsewhere); the command line users see stays restic's
        BackupHooks hooks = start.hooks() == null || !start.hooks().any() ? null
                : new BackupHooks(start.hooks(), new HookRunner(start.hooks(), new HookRunner.JobFacts(
                        id, HostInfo.current().hostname(), start.repo().repoId())));
        JobRun run = new JobRun(id, start.kind(), start.repo().repoId(), runner.get(), r, args, hooks, spool, wake,
                                report, start.kind() == io.resticmanager.proto.JobKind.BACKUP ? indexer
                                        : Optional.empty());
        running.put(id, run);
        if (run.repoId() != null) {
            repoBusy.accept(run.repoId());
        }
        Thread worker = run.start();
        workers.put(id, worker);
        Thread.ofVirtual().start(() -> {
            try {
                worker.join();
            } catch (InterruptedException ignored) {
                return;
            }
            running.remove(id);
            workers.remove(id);
            repoFree.run();
        });
        return Optional.empty();
    }

    /** Fails a job that never started (an offline fire without a credential): its events are spooled as usual. */
    void refuse(String jobId, String reason) {
        JobRun.refuse(jobId, reason, spool, wake);
    }

    /** Returns false when no such job is running. */
    boolean cancel(String jobId, String reason) {
        JobRun run = running.get(jobId);
        if (run == null || run.done()) {
            return false;
        }
        LOG.info("cancelling job " + jobId + ": " + reason);
        run.cancel(reason);
        return true;
    }

    /** The hub stored the job's events up to {@code upToSeq}. */
    void acknowledged(String jobId, long upToSeq) {
        spool.ack(jobId, upToSeq);
        if (!spool.contains(jobId)) {
            spool.rememberDone(jobId);
        }
    }

    /**
     * Whether a job of this repository is running — its worker included, which goes on to refresh the snapshot list
     * and index a backup's new snapshot after job.finished.
     */
    boolean busy(String repoId) {
        return running.values().stream().anyMatch(r -> repoId.equals(r.repoId()));
    }

    /** {@code busy}: a job of the named repository starts; {@code free}: a job's worker ended. */
    void watch(Consumer<String> busy, Runnable free) {
        this.repoBusy = busy;
        this.repoFree = free;
    }

    List<String> runningIds() {
        return running.values().stream().filter(r -> !r.done()).map(JobRun::jobId).toList();
    }

    /** For hello: every job still running or finished but not fully acknowledged, with its last seq. */
    List<Message.JobReport> reports() {
        Map<String, Message.JobReport> out = new LinkedHashMap<>();
        for (String id : spool.jobIds()) {
            JobStatus status = spool.finished(id).orElse(JobStatus.RUNNING);
            out.put(id, new Message.JobReport(id, status, spool.lastSeq(id)));
        }
        return new ArrayList<>(out.values());
    }

    /** Stops every running job (the agent is shutting down) and waits for them to end. */
    void stopAll(Duration wait) {
        running.keySet().forEach(id -> cancel(id, "the agent was stopped"));
        long deadline = System.nanoTime() + wait.toNanos();
        for (Thread t : List.copyOf(workers.values())) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            try {
                t.join(Duration.ofNanos(left));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
