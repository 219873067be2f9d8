package io.resticmanager.jobs;

import io.helidon.dbclient.DbClient;
import io.helidon.dbclient.DbRow;
import io.resticmanager.kit.SqliteStore;
import io.resticmanager.proto.Message;

import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A job's stored events and log lines ({@code job_logs} in jobs.db) and its log budget. Every line is keyed by
 * {@code (job_id, seq)}, so a re-delivered line changes nothing. Reads go through the store's read path (the tail,
 * read most often, maps rows straight off JDBC); writes are static helpers that run inside a {@link JobStore#write}
 * transaction, with the job changes they come with.
 */
final class JobLogStore {
    private final DbClient db;
    private final SqliteStore sqlite;

    JobLogStore(JobStore jobs) {
        this.db = jobs.db();
        this.sqlite = jobs.sqlite();
    }

    /** A job's owner and log budget as stored; {@code lines}/{@code bytes} count stored log lines only. */
    record Budget(String jobId, String hostId, long lines, long bytes, boolean truncated) {
    }

    // ---- reads -------------------------------------------------------------------------------

    /**
     * Stored events of a job after {@code afterSeq}, in seq order: the read of log pages and of every live stream
     * (which calls it again after the last seq it sent).
     */
    List<LogEntry> after(String jobId, long afterSeq, int limit, boolean includeProgress) {
        // rows straight off JDBC: the DbClient's per-row column maps cost more than SQLite for thousands of lines
        return sqlite.read(tx -> tx.query(includeProgress ? "job-logs.after" : "job-logs.after-without-progress",
                                          rs -> new LogEntry(rs.getLong("seq"), rs.getString("ts"),
                                                             rs.getString("stream"), rs.getString("line")),
                                          jobId, afterSeq, limit));
    }

    /** A line of a diff job's entries. */
    record DiffLine(long seq, String line) {
    }

    /** Up to {@code limit} of a diff job's entry lines after {@code afterSeq}. */
    List<DiffLine> diffLines(String jobId, long afterSeq, int limit) {
        try (var rows = db.execute().namedQuery("job-logs.diff-after", jobId, afterSeq, limit)) {
            return rows.map(r -> new DiffLine(seq(r), JobStore.text(r, "line"))).toList();
        }
    }

    /** All recorded seqs of a job, ascending (lets tests and operators prove there are no gaps or duplicates). */
    List<Long> seqs(String jobId) {
        try (var rows = db.execute().namedQuery("job-logs.seqs", jobId)) {
            return rows.map(JobLogStore::seq).toList();
        }
    }

    private static long seq(DbRow row) {
        return row.column("seq").get(Number.class).longValue();
    }

    // ---- writes (inside a JobStore.write transaction) ---------------------------------------------

    /** Records one event by (job_id, seq); false when that seq was already stored (a duplicate). */
    static boolean record(JobStore.Tx tx, String jobId, long seq, Instant ts, String stream, String line)
            throws SQLException {
        return tx.sql().update("job-logs.add", jobId, seq, ts, stream, line) == 1;
    }

    /**
     * Log lines of one batch, JDBC-batched; a line whose (job_id, seq) exists is skipped. Returns, per line in
     * order, whether it was stored (false for a duplicate).
     */
    static boolean[] addLines(JobStore.Tx tx, List<Message.JobLog> logs) throws SQLException {
        List<Object[]> rows = new ArrayList<>();
        for (Message.JobLog log : logs) {
            for (Message.LogLine line : log.lines()) {
                rows.add(new Object[] {log.jobId(), line.seq(), line.ts(), line.stream(), line.line()});
            }
        }
        int[] counts = tx.sql().batch("job-logs.add", rows);
        boolean[] stored = new boolean[counts.length];
        for (int i = 0; i < counts.length; i++) {
            stored[i] = counts[i] != 0;
        }
        return stored;
    }

    /** Whose job it is and how much of its log budget is used; empty for a job this service never created. */
    static Optional<Budget> budget(JobStore.Tx tx, String jobId) throws SQLException {
        return tx.sql().one("jobs.owner", rs -> new Budget(jobId, rs.getString("host_id"), rs.getLong("log_lines"),
                                                           rs.getLong("log_bytes"), rs.getInt("log_truncated") != 0),
                            jobId);
    }

    static void saveBudget(JobStore.Tx tx, Budget budget) throws SQLException {
        tx.sql().update("jobs.save-budget", budget.lines(), budget.bytes(), budget.truncated(), budget.jobId());
    }

    /** Deletes the logs of at most {@code limit} jobs finished before {@code cutoff}; returns the lines deleted. */
    static int purge(JobStore.Tx tx, Instant cutoff, int limit) throws SQLException {
        return tx.sql().update("job-logs.purge", cutoff, limit);
    }
}
