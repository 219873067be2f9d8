package io.resticmanager.jobs;

import io.helidon.dbclient.DbClient;
import io.resticmanager.kit.Times;
import io.resticmanager.proto.Json;
import io.resticmanager.proto.internal.HostEvents;

import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

/**
 * Finished jobs' results not yet delivered to inventory-service ({@code pending_results} in jobs.db): put in the
 * transaction that ends the job, taken out by {@link ResultSender} once delivered. Reads go through the DbClient;
 * writes are static helpers that run inside a {@link JobStore#write} transaction.
 */
final class ResultOutbox {
    private final DbClient db;

    ResultOutbox(JobStore jobs) {
        this.db = jobs.db();
    }

    record Pending(String jobId, String hostId, String bodyJson, int attempts) {
    }

    /** Results whose next attempt is due at {@code now}, the longest waiting first. */
    List<Pending> due(Instant now, int limit) {
        try (var rows = db.execute().namedQuery("pending-results.due", Times.format(now), limit)) {
            return rows.map(r -> new Pending(r.column("job_id").get(String.class),
                                             r.column("host_id").get(String.class),
                                             r.column("body_json").get(String.class),
                                             r.column("attempts").get(Number.class).intValue())).toList();
        }
    }

    int count() {
        return db.execute().namedGet("pending-results.count")
                .map(r -> r.column("n").get(Number.class).intValue()).orElse(0);
    }

    /** Queues a job's result for its host, due at once (replacing any earlier one of the job). */
    static void put(JobStore.Tx tx, String hostId, HostEvents.JobResult result) throws SQLException {
        tx.sql().update("pending-results.put", result.jobId(), hostId, Json.write(result), Instant.EPOCH);
    }

    static void delivered(JobStore.Tx tx, String jobId) throws SQLException {
        tx.sql().update("pending-results.delete", jobId);
    }

    static void retry(JobStore.Tx tx, String jobId, int attempts, Instant nextAt) throws SQLException {
        tx.sql().update("pending-results.retry", attempts, nextAt, jobId);
    }
}
