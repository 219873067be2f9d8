package io.resticmanager.agent;

import io.resticmanager.proto.JobKind;
import io.resticmanager.proto.JobStatus;
import io.resticmanager.proto.Message;
import io.resticmanager.proto.SnapshotInfo;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One job on this host. Numbers every event with one per-job seq (ack = 1, then every progress event
 * and every log line, then finished — no gaps), throttles progress to about one per second, batches
 * log lines (every 200 ms or 200 lines), and appends each event to the spool before it may be sent.
 */
final class JobRun implements JobSink {
    private static final Logger LOG = Logger.getLogger(JobRun.class.getName());
    static final Duration PROGRESS_EVERY = Duration.ofSeconds(1);
    static final Duration LOG_FLUSH_EVERY = Duration.ofMillis(200);
    static final int LOG_BATCH_LINES = 200;
    private static final int LOG_BATCH_CHARS = 256 * 1024;
    private static final int MAX_LINE_CHARS = 8 * 1024;

    private final String jobId;
    private final JobKind kind;
    private final String repoId;
    private final Runner runner;
    private final Restic restic;
    private final List<String> args;
    private final BackupHooks hooks;
    private final Spool spool;
    private final Runnable wake;
    private final Consumer<List<Message>> report;
    private final Optional<SnapshotIndexer> indexer;
    private final Cancellation cancellation = new Cancellation();

    private final Object lock = new Object();
    private long seq;
    private final List<Message.LogLine> lines = new ArrayList<>();
    private int lineChars;
    private long firstLineAt;
    private long lastProgressAt = Long.MIN_VALUE / 2;
    private Progress pendingProgress;
    private volatile boolean done;
    private volatile String stopReason;

    JobRun(String jobId, JobKind kind, String repoId, Runner runner, Restic restic, List<String> args, Spool spool,
           Runnable wake, Consumer<List<Message>> report) {
        this(jobId, kind, repoId, runner, restic, args, null, spool, wake, report);
    }

    /** {@code hooks}: a backup's pre/post hooks, null when it has none. */
    JobRun(String jobId, JobKind kind, String repoId, Runner runner, Restic restic, List<String> args,
           BackupHooks hooks, Spool spool, Runnable wake, Consumer<List<Message>> report) {
        this(jobId, kind, repoId, runner, restic, args, hooks, spool, wake, report, Optional.empty());
    }

    /** {@code indexer}: a backup's new snapshot is indexed for the server after the snapshot list refresh. */
    JobRun(String jobId, JobKind kind, String repoId, Runner runner, Restic restic, List<String> args,
           BackupHooks hooks, Spool spool, Runnable wake, Consumer<List<Message>> report,
           Optional<SnapshotIndexer> indexer) {
        this.indexer = indexer;
        this.jobId = jobId;
        this.kind = kind;
        this.repoId = repoId;
        this.runner = runner;
        this.restic = restic;
        this.args = List.copyOf(args);
        this.hooks = hooks;
        this.spool = spool;
        this.wake = wake;
        this.report = report;
    }

    /** The repository the job works on (null for a job without one). */
    String repoId() {
        return repoId;
    }

    String jobId() {
        return jobId;
    }

    boolean done() {
        return done;
    }

    /** Acknowledges (seq 1) and runs restic on a virtual thread; returns once the ack is spooled. */
    Thread start() {
        String commandLine = restic.commandLine(args);
        synchronized (lock) {
            append(new Message.JobAck(jobId, ++seq, true, null, commandLine, Instant.now()));
        }
        LOG.info("job " + jobId + " (" + kind.wire() + ") started: " + commandLine);
        Thread worker = Thread.ofVirtual().name("job-" + jobId).start(this::execute);
        Thread.ofVirtual().name("job-" + jobId + "-ticker").start(this::tick);
        return worker;
    }

    /**
     * Stops restic (SIGINT, then forced after 10 s) or a running hook (SIGTERM, then forced); the job ends
     * {@code cancelled} (a post-hook still runs).
     */
    void cancel(String reason) {
        stopReason = reason;
        log("event", "cancel requested: " + reason);
        cancellation.cancel();
        if (hooks != null) {
            hooks.cancel();
        }
    }

    private void execute() {
        Outcome outcome;
        try {
            outcome = hooks == null ? runRestic() : hooks.around(this::runRestic, this, cancellation);
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "job " + jobId + " failed inside the agent", e);
            outcome = Outcome.failed("agent error: " + e);
        }
        if (outcome.status() == JobStatus.CANCELLED && stopReason != null) {
            String detail = outcome.exitCode() >= 0 ? "restic exit " + outcome.exitCode()
                    : outcome.error().orElse("restic did not run");
            outcome = new Outcome(outcome.status(), outcome.exitCode(), outcome.summary(),
                                  Optional.of("cancelled: " + stopReason + " (" + detail + ")"), outcome.snapshots());
        }
        Outcome end = outcome;
        boolean refresh = end.successful() && runner.refreshesSnapshots() && end.snapshots().isEmpty()
                && !cancellation.requested();
        end.snapshots().ifPresent(this::reportSnapshots);
        finish(end);
        if (refresh) {
            // after job.finished: the user sees the result without waiting for one more repository open
            refreshSnapshots();
        }
        if (end.successful() && !cancellation.requested() && indexer.isPresent()
                && end.summary().get("snapshot_id") instanceof String snapshotId
                && io.resticmanager.proto.Checks.snapshotId(snapshotId)) {
            index(indexer.get(), snapshotId);
        }
    }

    /** After job.finished, like the refresh: a failure leaves the snapshot browsable only live from this host. */
    private void index(SnapshotIndexer snapshotIndexer, String snapshotId) {
        try {
            snapshotIndexer.index(restic, repoId, snapshotId);
        } catch (IOException | RuntimeException e) {
            LOG.warning("job " + jobId + ": snapshot " + snapshotId.substring(0, 8) + " was not indexed: "
                                + restic.redactor().apply(e.getMessage()));
        }
    }

    private Outcome runRestic() {
        try {
            log("event", "repository " + restic.redactedRepo() + ", restic " + restic.version());
            return runner.run(restic, args, this, cancellation);
        } catch (IOException e) {
            return Outcome.failed("cannot run restic: " + e.getMessage());
        } catch (RuntimeException e) {
            // caught here too, so a backup's post-hook still runs
            LOG.log(Level.SEVERE, "job " + jobId + " failed inside the agent", e);
            return Outcome.failed("agent error: " + e);
        }
    }

    /** The list as one frame, or in parts when it is long (see {@link SnapshotReports}); queued as one unit. */
    private void reportSnapshots(List<SnapshotInfo> list) {
        Optional<List<Message.SnapshotsReport>> parts = SnapshotReports.split(jobId, repoId, list);
        if (parts.isEmpty()) {
            LOG.warning("job " + jobId + ": a snapshot in the list (" + list.size() + " snapshots) is too large for "
                    + "one frame; the list was not reported");
            return;
        }
        if (parts.get().size() > 1) {
            LOG.info("job " + jobId + ": reporting " + list.size() + " snapshots in " + parts.get().size() + " parts");
        }
        report.accept(List.copyOf(parts.get()));
    }

    /**
     * Lists the repository's snapshots for the server's projection. Runs after the job has finished, so it is
     * not part of the job's events; {@code --no-lock} keeps it from ever blocking the next job on this
     * repository (prune/forget take an exclusive lock) — a listing needs no lock to be consistent.
     */
    private void refreshSnapshots() {
        List<String> listArgs = new java.util.ArrayList<>(SnapshotsRunner.ARGS);
        listArgs.add("--no-lock");
        JobSink quiet = new JobSink() {
            @Override
            public void progress(Progress progress) {
            }

            @Override
            public void log(String stream, String line) {
                LOG.fine(() -> "job " + jobId + " snapshot refresh: " + restic.redactor().apply(line));
            }
        };
        try {
            Outcome list = new SnapshotsRunner().run(restic, listArgs, quiet, new Cancellation());
            if (list.snapshots().isPresent()) {
                reportSnapshots(list.snapshots().get());
            } else {
                LOG.warning("job " + jobId + ": snapshot list refresh failed: "
                        + restic.redactor().apply(list.error().orElse("no output")));
            }
        } catch (IOException | RuntimeException e) {
            LOG.warning("job " + jobId + ": snapshot list refresh failed: " + e.getMessage());
        }
    }

    private void finish(Outcome o) {
        synchronized (lock) {
            // the last lines and the end in one spool write: one disk flush before job.finished can leave
            List<Message.JobEvent> last = new ArrayList<>(2);
            pendingLogs().ifPresent(last::add);
            last.add(new Message.JobFinished(jobId, ++seq, o.status(), o.exitCode(), o.summary(),
                                             restic.redactor().apply(o.error().orElse(null)), Instant.now()));
            append(last);
            done = true;
        }
        LOG.info("job " + jobId + " (" + kind.wire() + ") " + o.status().wire() + ", exit " + o.exitCode()
                + o.error().map(e -> ": " + firstLine(e)).orElse(""));
    }

    @Override
    public void progress(Progress progress) {
        synchronized (lock) {
            pendingProgress = progress;
            if (System.nanoTime() - lastProgressAt >= PROGRESS_EVERY.toNanos()) {
                emitProgress();
            }
        }
    }

    @Override
    public void log(String stream, String line) {
        String clean = restic.redactor().apply(line);
        if (clean.length() > MAX_LINE_CHARS) {
            clean = clean.substring(0, MAX_LINE_CHARS) + "…";
        }
        synchronized (lock) {
            if (done) {
                return;
            }
            if (lines.isEmpty()) {
                firstLineAt = System.nanoTime();
            }
            lines.add(new Message.LogLine(++seq, Instant.now(), stream, clean));
            lineChars += clean.length();
            if (lines.size() >= LOG_BATCH_LINES || lineChars >= LOG_BATCH_CHARS) {
                flushLogs();
            }
        }
    }

    /** Flushes aged log lines and a throttled progress event while the job runs. */
    private void tick() {
        while (!done) {
            try {
                Thread.sleep(LOG_FLUSH_EVERY.toMillis() / 2);
            } catch (InterruptedException e) {
                return;
            }
            synchronized (lock) {
                if (done) {
                    return;
                }
                if (!lines.isEmpty() && System.nanoTime() - firstLineAt >= LOG_FLUSH_EVERY.toNanos()) {
                    flushLogs();
                }
                if (pendingProgress != null && System.nanoTime() - lastProgressAt >= PROGRESS_EVERY.toNanos()) {
                    emitProgress();
                }
            }
        }
    }

    // callers hold lock; pending lines go first so the spool stays in seq order
    private void emitProgress() {
        List<Message.JobEvent> events = new ArrayList<>(2);
        pendingLogs().ifPresent(events::add);
        Progress p = pendingProgress;
        pendingProgress = null;
        lastProgressAt = System.nanoTime();
        events.add(new Message.JobProgress(jobId, ++seq, p.percent(), p.filesDone(), p.totalFiles(), p.bytesDone(),
                                           p.totalBytes(), p.etaS(),
                                           p.currentFile() == null ? null : restic.redactor().apply(p.currentFile())));
        append(events);
    }

    private void flushLogs() {
        pendingLogs().ifPresent(this::append);
    }

    /** The batched lines as one job.log event (taken out of the batch), if there are any. */
    private Optional<Message.JobLog> pendingLogs() {
        if (lines.isEmpty()) {
            return Optional.empty();
        }
        List<Message.LogLine> batch = List.copyOf(lines);
        lines.clear();
        lineChars = 0;
        return Optional.of(new Message.JobLog(jobId, batch.getFirst().seq(), batch));
    }

    private void append(Message.JobEvent event) {
        append(List.of(event));
    }

    private void append(List<Message.JobEvent> events) {
        spool.appendAll(events);
        wake.run();
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl) + " …";
    }

    /** A job refused before it ran: ack(accepted=false) then finished(failed), both spooled. */
    static void refuse(String jobId, String reason, Spool spool, Runnable wake) {
        spool.appendAll(List.of(new Message.JobAck(jobId, 1, false, reason, null, Instant.now()),
                                new Message.JobFinished(jobId, 2, JobStatus.FAILED, -1, Map.of(), reason,
                                                        Instant.now())));
        wake.run();
        LOG.warning("job " + jobId + " refused: " + reason);
    }
}
