package io.resticmanager.jobs;

import io.resticmanager.proto.DrillSummary;
import io.resticmanager.proto.JobStatus;

import java.sql.SQLException;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * The history of restore drills ({@code drills} in jobs.db): written in the transaction that ends a drill job, read by
 * the fleet RPO view ("restorable as of": the newest snapshot a drill proved).
 */
final class DrillStore {
    private DrillStore() {
    }

    /**
     * Records a finished drill. It counts as proven only when the agent said succeeded AND its summary shows every
     * sampled file intact and the scratch copy gone; anything else is kept as failed.
     */
    static void record(JobStore.Tx tx, String jobId, JobStatus status, Map<String, Object> summary,
                       Instant finishedAt) throws SQLException {
        Optional<DrillSummary> d = DrillSummary.from(summary);
        String kept = status == JobStatus.SUCCEEDED && d.map(DrillSummary::passed).orElse(false) ? "succeeded"
                : status == JobStatus.CANCELLED ? "cancelled" : "failed";
        tx.sql().update("drills.insert", kept, d.map(DrillSummary::snapshotId).orElse(null),
                  d.map(DrillSummary::snapshotTime).orElse(null), d.map(DrillSummary::filesSampled).orElse(null),
                  d.map(DrillSummary::filesRestored).orElse(null), d.map(DrillSummary::bytesRestored).orElse(null),
                  d.map(DrillSummary::verified).orElse(null), d.map(DrillSummary::mismatchedCount).orElse(null),
                  d.map(DrillSummary::durationMs).orElse(null), d.map(DrillSummary::bytesPerSecond).orElse(null),
                  finishedAt, jobId);
    }
}
