package io.resticmanager.jobs;

import io.resticmanager.common.Loop;
import io.resticmanager.proto.JobStatus;

import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Instant;

/**
 * Applies the timeouts that turn silence into a visible {@code lost}: a dispatched job without
 * {@code job.ack} within {@code rm.jobs.ack-timeout-s}, and a running job whose host has been offline
 * longer than {@code rm.jobs.lost-after-s}. It also nudges the dispatcher and the result sender, so
 * deferred work is retried even when no event arrives, and applies log retention every ten minutes.
 */
final class Reaper implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Reaper.class.getName());
    private final JobStore store;
    private final Signals signals;
    private final JobsSettings settings;
    private static final java.time.Duration PURGE_EVERY = java.time.Duration.ofMinutes(10);
    private final Clock clock;
    private Instant nextPurge = Instant.EPOCH;
    private Loop loop;

    Reaper(JobStore store, Signals signals, JobsSettings settings, Clock clock) {
        this.store = store;
        this.signals = signals;
        this.settings = settings;
        this.clock = clock;
    }

    void start() {
        loop = Loop.start("jobs-reaper", clock, settings.reaperInterval(), now -> {
            pass(now);
            return settings.reaperInterval();
        });
    }

    void pass(Instant now) {
        for (String id : store.unacknowledgedSince(now.minus(settings.ackTimeout()))) {
            lose(id, "no job.ack from the agent within " + seconds(settings.ackTimeout())
                    + " s of dispatch; the agent never started it", now);
        }
        for (String id : store.runningOnHostsOfflineSince(now.minus(settings.lostAfter()))) {
            lose(id, "the host has been offline for more than " + seconds(settings.lostAfter())
                    + " s while the job was running and never reported back", now);
        }
        signals.dispatch();
        signals.resultsWakeup().wake();
        if (now.isAfter(nextPurge)) {
            nextPurge = now.plus(PURGE_EVERY);
            purgeOldLogs(now);
        }
    }

    /** Log retention: the logs of jobs finished longer ago than {@code rm.jobs.log-retention-days}, a few jobs per transaction. */
    int purgeOldLogs(Instant now) {
        if (settings.logRetention().isZero() || settings.logRetention().isNegative()) {
            return 0;
        }
        Instant cutoff = now.minus(settings.logRetention());
        int total = 0;
        for (int round = 0; round < 1000; round++) {
            int deleted = store.write(tx -> JobLogStore.purge(tx, cutoff, 50));
            total += deleted;
            if (deleted == 0) {
                break;
            }
        }
        if (total > 0) {
            LOG.log(Level.INFO, "log retention: deleted " + total + " log lines of jobs finished before " + cutoff);
        }
        return total;
    }

    private static String seconds(java.time.Duration d) {
        return d.toMillis() % 1000 == 0 ? Long.toString(d.toSeconds()) : Double.toString(d.toMillis() / 1000.0);
    }

    private void lose(String jobId, String reason, Instant now) {
        if (store.write(tx -> tx.toTerminal(jobId, JobStatus.LOST, null, null, reason, now))) {
            LOG.log(Level.INFO, "job " + jobId + " lost: " + reason);
            signals.jobFinished(jobId);
        }
    }

    @Override
    public void close() {
        if (loop != null) {
            loop.close();
        }
    }
}
