package io.resticmanager.jobs;

import com.fasterxml.jackson.core.type.TypeReference;
import io.helidon.dbclient.DbClient;
import io.helidon.dbclient.DbRow;
import io.resticmanager.kit.SqliteStore;
import io.resticmanager.proto.JobKind;
import io.resticmanager.proto.JobParams;
import io.resticmanager.proto.JobStatus;
import io.resticmanager.proto.Json;
import io.resticmanager.proto.Message;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Collectors;

/**
 * SQL for jobs, their events/logs, host presence and undelivered results ({@code jobs.db}).
 * Reads go through the DbClient; all writes go through one writer connection under a lock, in short
 * transactions ({@link #write}), so SQLite's single writer never waits on itself. Status changes are
 * conditional updates that only move forward ({@link JobStatus#canMoveTo}).
 */
final class JobStore implements AutoCloseable {
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };
    private static final String JOB_COLUMNS = "seq, id, host_id, repo_id, kind, status, queued_reason, params_json, "
            + "created_by_id, created_by, created_at, dispatched_at, started_at, finished_at, exit_code, summary_json, "
            + "error, command_line, progress_json, cancel_requested, schedule_id, scheduled_for";

    private final SqliteStore sqlite;
    private final DbClient db;
    private final ReentrantLock writeLock = new ReentrantLock();
    private Connection writer;

    private JobStore(SqliteStore sqlite) {
        this.sqlite = sqlite;
        this.db = sqlite.db();
    }

    static JobStore create(SqliteStore sqlite) {
        return new JobStore(sqlite);
    }

    boolean healthy() {
        return sqlite.healthy();
    }

    /** For other stores of jobs.db (schedules) that read through the same client. */
    DbClient db() {
        return db;
    }

    /** A unit of work on the writer connection; committed when it returns, rolled back when it throws. */
    interface Work<T> {
        T run(Tx tx) throws SQLException;
    }

    <T> T write(Work<T> work) {
        writeLock.lock();
        try {
            if (writer == null || writer.isClosed()) {
                writer = sqlite.connect();
                writer.setAutoCommit(false);
            }
            try {
                T result = work.run(new Tx(writer));
                writer.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                writer.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("jobs.db write failed: " + e.getMessage(), e);
        } finally {
            writeLock.unlock();
        }
    }

    // ---- reads -------------------------------------------------------------------------------

    Optional<Job> find(String id) {
        return db.execute().get("SELECT " + JOB_COLUMNS + " FROM jobs WHERE id = ?", id).map(JobStore::job);
    }

    /** Newest first; {@code beforeSeq} is the keyset cursor (0 = from the newest). */
    List<Job> list(Optional<String> hostId, Optional<JobStatus> status, Optional<JobKind> kind, long beforeSeq,
                   int limit) {
        StringBuilder sql = new StringBuilder("SELECT " + JOB_COLUMNS + " FROM jobs WHERE 1 = 1");
        List<Object> args = new ArrayList<>();
        hostId.ifPresent(h -> {
            sql.append(" AND host_id = ?");
            args.add(h);
        });
        status.ifPresent(s -> {
            sql.append(" AND status = ?");
            args.add(s.wire());
        });
        kind.ifPresent(k -> {
            sql.append(" AND kind = ?");
            args.add(k.wire());
        });
        if (beforeSeq > 0) {
            sql.append(" AND seq < ?");
            args.add(beforeSeq);
        }
        sql.append(" ORDER BY seq DESC LIMIT ?");
        args.add(limit);
        try (var rows = db.execute().query(sql.toString(), args.toArray())) {
            return rows.map(JobStore::job).toList();
        }
    }

    /** Queued jobs not yet handed to an agent, oldest first. */
    List<Job> waiting() {
        try (var rows = db.execute().query("SELECT " + JOB_COLUMNS + " FROM jobs WHERE status = 'queued' "
                                                   + "AND dispatched_at IS NULL ORDER BY seq")) {
            return rows.map(JobStore::job).toList();
        }
    }

    /** Repositories that have a job handed to an agent (running or waiting for its ack). */
    Set<String> busyRepos() {
        try (var rows = db.execute().query("SELECT DISTINCT repo_id FROM jobs WHERE repo_id IS NOT NULL AND "
                                                   + "(status = 'running' OR (status = 'queued' AND dispatched_at IS NOT NULL))")) {
            return rows.map(r -> r.column("repo_id").get(String.class)).collect(Collectors.toCollection(HashSet::new));
        }
    }

    /** Presence per host as last reported; hosts never reported are absent (unknown). */
    Map<String, Boolean> presence() {
        try (var rows = db.execute().query("SELECT host_id, online FROM hosts")) {
            Map<String, Boolean> result = new HashMap<>();
            rows.forEach(r -> result.put(r.column("host_id").get(String.class),
                                         r.column("online").get(Number.class).intValue() == 1));
            return result;
        }
    }

    Optional<Boolean> online(String hostId) {
        return db.execute().get("SELECT online FROM hosts WHERE host_id = ?", hostId)
                .map(r -> r.column("online").get(Number.class).intValue() == 1);
    }

    /** Dispatched jobs still without an ack since before {@code cutoff}. */
    List<String> unacknowledgedSince(Instant cutoff) {
        try (var rows = db.execute().query("SELECT id FROM jobs WHERE status = 'queued' AND dispatched_at IS NOT NULL "
                                                   + "AND dispatched_at < ?", Times.format(cutoff))) {
            return rows.map(r -> r.column("id").get(String.class)).toList();
        }
    }

    /** Running jobs whose host has been offline since before {@code cutoff}. */
    List<String> runningOnHostsOfflineSince(Instant cutoff) {
        try (var rows = db.execute().query("SELECT j.id FROM jobs j JOIN hosts h ON h.host_id = j.host_id "
                                                   + "WHERE j.status = 'running' AND h.online = 0 AND h.changed_at < ?",
                                           Times.format(cutoff))) {
            return rows.map(r -> r.column("id").get(String.class)).toList();
        }
    }

    /** Jobs with a cancel requested that are not finished, on one host (to re-send the cancel). */
    List<String> cancelsPending(String hostId) {
        try (var rows = db.execute().query("SELECT id FROM jobs WHERE host_id = ? AND cancel_requested = 1 AND "
                                                   + "status IN ('queued', 'running') AND (status = 'running' OR dispatched_at IS NOT NULL)",
                                           hostId)) {
            return rows.map(r -> r.column("id").get(String.class)).toList();
        }
    }

    record PendingResult(String jobId, String hostId, String bodyJson, int attempts) {
    }

    List<PendingResult> pendingResults(Instant now, int limit) {
        try (var rows = db.execute().query("SELECT job_id, host_id, body_json, attempts FROM pending_results "
                                                   + "WHERE next_at <= ? ORDER BY next_at LIMIT ?", Times.format(now), limit)) {
            return rows.map(r -> new PendingResult(r.column("job_id").get(String.class),
                                                   r.column("host_id").get(String.class),
                                                   r.column("body_json").get(String.class),
                                                   r.column("attempts").get(Number.class).intValue())).toList();
        }
    }

    int pendingResultCount() {
        return db.execute().get("SELECT COUNT(*) AS n FROM pending_results")
                .map(r -> r.column("n").get(Number.class).intValue()).orElse(0);
    }

    /**
     * Stored events of a job after {@code afterSeq}, in seq order. Plain JDBC: this is the hot read of
     * every live stream and of log pages.
     */
    List<LogEntry> logs(String jobId, long afterSeq, int limit, boolean includeProgress) {
        try (Connection c = sqlite.connect()) {
            return logs(c, jobId, afterSeq, limit, includeProgress);
        } catch (SQLException e) {
            throw new IllegalStateException("jobs.db read failed: " + e.getMessage(), e);
        }
    }

    /** A connection of one's own for repeated {@link #logs(Connection, String, long, int, boolean)} reads. Close it. */
    Connection readConnection() {
        return sqlite.connect();
    }

    /** As {@link #logs(String, long, int, boolean)} on the caller's connection (kept open: warm page cache). */
    List<LogEntry> logs(Connection c, String jobId, long afterSeq, int limit, boolean includeProgress) {
        String sql = "SELECT seq, ts, stream, line FROM job_logs WHERE job_id = ? AND seq > ?"
                + (includeProgress ? "" : " AND stream <> 'progress'") + " ORDER BY seq LIMIT ?";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, jobId);
            ps.setLong(2, afterSeq);
            ps.setInt(3, limit);
            List<LogEntry> result = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    result.add(new LogEntry(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4)));
                }
            }
            return result;
        } catch (SQLException e) {
            throw new IllegalStateException("jobs.db read failed: " + e.getMessage(), e);
        }
    }

    /** All recorded seqs of a job, ascending (lets tests and operators prove there are no gaps or duplicates). */
    List<Long> seqs(String jobId) {
        try (var rows = db.execute().query("SELECT seq FROM job_logs WHERE job_id = ? ORDER BY seq", jobId)) {
            return rows.map(r -> r.column("seq").get(Number.class).longValue()).toList();
        }
    }

    private static Job job(DbRow row) {
        String progress = text(row, "progress_json");
        String summary = text(row, "summary_json");
        Object exit = row.column("exit_code").asOptional().orElse(null);
        try {
            return new Job(text(row, "id"), text(row, "host_id"), text(row, "repo_id"),
                           JobKind.fromWire(text(row, "kind")), JobStatus.fromWire(text(row, "status")),
                           text(row, "queued_reason"), text(row, "created_by"), text(row, "created_by_id"),
                           Times.parse(text(row, "created_at")), Times.parse(text(row, "started_at")),
                           Times.parse(text(row, "finished_at")), exit instanceof Number n ? n.intValue() : null,
                           summary == null ? null : Json.MAPPER.readValue(summary, MAP), text(row, "error"),
                           text(row, "command_line"), progress == null ? null : Json.MAPPER.readTree(progress),
                           Json.MAPPER.readValue(text(row, "params_json"), JobParams.class),
                           text(row, "schedule_id"), Times.parse(text(row, "scheduled_for")),
                           row.column("seq").get(Number.class).longValue(), Times.parse(text(row, "dispatched_at")),
                           row.column("cancel_requested").get(Number.class).intValue() == 1);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("corrupt JSON in job row " + text(row, "id"), e);
        }
    }

    private static String text(DbRow row, String column) {
        return row.column(column).asOptional().map(Object::toString).orElse(null);
    }

    /** Statuses from which {@code next} may be reached, as a SQL list (constants, never user input). */
    private static String from(JobStatus next) {
        return Arrays.stream(JobStatus.values()).filter(s -> s.canMoveTo(next))
                .map(s -> "'" + s.wire() + "'").collect(Collectors.joining(", ", "(", ")"));
    }

    @Override
    public void close() {
        writeLock.lock();
        try {
            if (writer != null) {
                writer.close();
            }
        } catch (SQLException ignored) {
            // closing anyway
        } finally {
            writeLock.unlock();
        }
        sqlite.close();
    }

    /** A job's owner and log budget as stored; {@code lines}/{@code bytes} count stored log lines only. */
    record LogBudget(String jobId, String hostId, long lines, long bytes, boolean truncated) {
    }

    // ---- writes (inside one transaction) -------------------------------------------------------

    /** The write operations, valid only inside {@link #write}. */
    static final class Tx {
        private final Connection c;

        private Tx(Connection c) {
            this.c = c;
        }

        /** The transaction's connection, for other stores' statements in the same transaction (schedules). */
        Connection connection() {
            return c;
        }

        void insertJob(String id, String hostId, String repoId, JobKind kind, JobParams params, String createdById,
                       String createdBy, Instant createdAt, String queuedReason) throws SQLException {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO jobs (id, host_id, repo_id, kind, status, queued_reason, params_json, created_by_id, "
                            + "created_by, created_at) VALUES (?, ?, ?, ?, 'queued', ?, ?, ?, ?, ?)")) {
                ps.setString(1, id);
                ps.setString(2, hostId);
                ps.setString(3, repoId);
                ps.setString(4, kind.wire());
                ps.setString(5, queuedReason);
                ps.setString(6, Json.write(params));
                ps.setString(7, createdById);
                ps.setString(8, createdBy);
                ps.setString(9, Times.format(createdAt));
                ps.executeUpdate();
            }
        }

        /** Records one event by (job_id, seq); false when that seq was already stored (a duplicate). */
        boolean recordEvent(String jobId, long seq, Instant ts, String stream, String line) throws SQLException {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT OR IGNORE INTO job_logs (job_id, seq, ts, stream, line) VALUES (?, ?, ?, ?, ?)")) {
                ps.setString(1, jobId);
                ps.setLong(2, seq);
                ps.setString(3, Times.format(ts));
                ps.setString(4, stream);
                ps.setString(5, line);
                return ps.executeUpdate() == 1;
            }
        }

        /**
         * Log lines of one batch, JDBC-batched; a line whose (job_id, seq) exists is skipped. Returns, per line in
         * order, whether it was stored (false for a duplicate).
         */
        boolean[] addLogLines(List<Message.JobLog> logs) throws SQLException {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT OR IGNORE INTO job_logs (job_id, seq, ts, stream, line) VALUES (?, ?, ?, ?, ?)")) {
                for (Message.JobLog log : logs) {
                    for (Message.LogLine line : log.lines()) {
                        ps.setString(1, log.jobId());
                        ps.setLong(2, line.seq());
                        ps.setString(3, Times.format(line.ts()));
                        ps.setString(4, line.stream());
                        ps.setString(5, line.line());
                        ps.addBatch();
                    }
                }
                int[] counts = ps.executeBatch();
                boolean[] stored = new boolean[counts.length];
                for (int i = 0; i < counts.length; i++) {
                    stored[i] = counts[i] != 0;
                }
                return stored;
            }
        }

        /** Whose job it is and how much of its log budget is used; empty for a job this service never created. */
        Optional<LogBudget> owner(String jobId) throws SQLException {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT host_id, log_lines, log_bytes, log_truncated FROM jobs WHERE id = ?")) {
                ps.setString(1, jobId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    return Optional.of(new LogBudget(jobId, rs.getString(1), rs.getLong(2), rs.getLong(3),
                                                     rs.getInt(4) != 0));
                }
            }
        }

        void saveBudget(LogBudget budget) throws SQLException {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE jobs SET log_lines = ?, log_bytes = ?, log_truncated = ? WHERE id = ?")) {
                ps.setLong(1, budget.lines());
                ps.setLong(2, budget.bytes());
                ps.setInt(3, budget.truncated() ? 1 : 0);
                ps.setString(4, budget.jobId());
                ps.executeUpdate();
            }
        }

        /** Deletes the logs of at most {@code limit} jobs that finished before {@code cutoff}; returns the lines deleted. */
        int purgeLogs(Instant cutoff, int limit) throws SQLException {
            try (PreparedStatement ps = c.prepareStatement(
                    "DELETE FROM job_logs WHERE job_id IN (SELECT j.id FROM jobs j WHERE j.finished_at IS NOT NULL "
                            + "AND j.finished_at < ? AND EXISTS (SELECT 1 FROM job_logs l WHERE l.job_id = j.id) "
                            + "LIMIT ?)")) {
                ps.setString(1, Times.format(cutoff));
                ps.setInt(2, limit);
                return ps.executeUpdate();
            }
        }

        /** queued → running (ack accepted, or any sign of life from the agent). */
        boolean toRunning(String jobId, Instant startedAt, String commandLine) throws SQLException {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE jobs SET status = 'running', queued_reason = NULL, started_at = COALESCE(started_at, ?), "
                            + "command_line = COALESCE(?, command_line) WHERE id = ? AND status IN " + from(JobStatus.RUNNING))) {
                ps.setString(1, Times.format(startedAt));
                ps.setString(2, commandLine);
                ps.setString(3, jobId);
                return ps.executeUpdate() == 1;
            }
        }

        /** A late ack for a job that already moved on: keep its facts, never its status. */
        void fillAck(String jobId, Instant startedAt, String commandLine) throws SQLException {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE jobs SET started_at = COALESCE(started_at, ?), command_line = COALESCE(command_line, ?) "
                            + "WHERE id = ?")) {
                ps.setString(1, Times.format(startedAt));
                ps.setString(2, commandLine);
                ps.setString(3, jobId);
                ps.executeUpdate();
            }
        }

        /**
         * Moves a job to a terminal status if it is not terminal yet, and queues its result for
         * inventory-service in the same transaction. False when the job is unknown or already finished.
         */
        boolean toTerminal(String jobId, JobStatus status, Integer exitCode, Map<String, Object> summary, String error,
                           Instant finishedAt) throws SQLException {
            if (!status.terminal()) {
                throw new IllegalArgumentException("not a terminal status: " + status.wire());
            }
            String summaryJson = summary == null ? null : Json.write(summary);
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE jobs SET status = ?, queued_reason = NULL, exit_code = ?, summary_json = ?, error = ?, "
                            + "finished_at = ? WHERE id = ? AND status IN " + from(status))) {
                ps.setString(1, status.wire());
                if (exitCode == null) {
                    ps.setNull(2, Types.INTEGER);
                } else {
                    ps.setInt(2, exitCode);
                }
                ps.setString(3, summaryJson);
                ps.setString(4, error);
                ps.setString(5, Times.format(finishedAt));
                ps.setString(6, jobId);
                if (ps.executeUpdate() != 1) {
                    return false;
                }
            }
            String hostId;
            String kind;
            try (PreparedStatement ps = c.prepareStatement("SELECT host_id, kind FROM jobs WHERE id = ?")) {
                ps.setString(1, jobId);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    hostId = rs.getString(1);
                    kind = rs.getString(2);
                }
            }
            var result = new io.resticmanager.proto.internal.HostEvents.JobResult(
                    jobId, kind, status.wire(), finishedAt.truncatedTo(java.time.temporal.ChronoUnit.MILLIS),
                    summary == null ? Map.of() : summary);
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT OR REPLACE INTO pending_results (job_id, host_id, body_json, attempts, next_at) "
                            + "VALUES (?, ?, ?, 0, ?)")) {
                ps.setString(1, jobId);
                ps.setString(2, hostId);
                ps.setString(3, Json.write(result));
                ps.setString(4, Times.format(Instant.EPOCH));
                ps.executeUpdate();
            }
            return true;
        }

        /** Keeps the newest progress only (by seq), on jobs that are not finished; true when kept. */
        boolean progress(String jobId, long seq, String json) throws SQLException {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE jobs SET progress_json = ?, progress_seq = ? WHERE id = ? AND progress_seq < ? "
                            + "AND status IN ('queued', 'running')")) {
                ps.setString(1, json);
                ps.setLong(2, seq);
                ps.setString(3, jobId);
                ps.setLong(4, seq);
                return ps.executeUpdate() == 1;
            }
        }

        /** Applies a presence report unless a newer one was applied already; true when applied. */
        boolean presence(String hostId, boolean online, Instant at) throws SQLException {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO hosts (host_id, online, changed_at) VALUES (?, ?, ?) ON CONFLICT (host_id) DO UPDATE "
                            + "SET online = excluded.online, changed_at = excluded.changed_at "
                            + "WHERE excluded.changed_at >= hosts.changed_at")) {
                ps.setString(1, hostId);
                ps.setInt(2, online ? 1 : 0);
                ps.setString(3, Times.format(at));
                return ps.executeUpdate() == 1;
            }
        }

        /** Jobs of a host handed to its agent before {@code before}: running, or dispatched and not acknowledged. */
        List<String[]> handedOverBefore(String hostId, Instant before) throws SQLException {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT id, status FROM jobs WHERE host_id = ? AND dispatched_at IS NOT NULL AND dispatched_at < ? "
                            + "AND status IN ('queued', 'running')")) {
                ps.setString(1, hostId);
                ps.setString(2, Times.format(before));
                List<String[]> result = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        result.add(new String[] {rs.getString(1), rs.getString(2)});
                    }
                }
                return result;
            }
        }

        /** Marks a waiting job as handed to the agent; false when it is no longer waiting (e.g. cancelled). */
        boolean markDispatched(String jobId, Instant at) throws SQLException {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE jobs SET dispatched_at = ?, queued_reason = NULL WHERE id = ? AND status = 'queued' "
                            + "AND dispatched_at IS NULL")) {
                ps.setString(1, Times.format(at));
                ps.setString(2, jobId);
                return ps.executeUpdate() == 1;
            }
        }

        /** Back to waiting (the command did not reach the agent), with the reason shown to users. */
        void undispatch(String jobId, String reason) throws SQLException {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE jobs SET dispatched_at = NULL, queued_reason = ? WHERE id = ? AND status = 'queued'")) {
                ps.setString(1, reason);
                ps.setString(2, jobId);
                ps.executeUpdate();
            }
        }

        /** Sets the visible reason a job still waits; true when it changed. */
        boolean queuedReason(String jobId, String reason) throws SQLException {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE jobs SET queued_reason = ? WHERE id = ? AND status = 'queued' AND dispatched_at IS NULL "
                            + "AND queued_reason IS NOT ?")) {
                ps.setString(1, reason);
                ps.setString(2, jobId);
                ps.setString(3, reason);
                return ps.executeUpdate() == 1;
            }
        }

        /** Cancels a job that never reached an agent; false when it was dispatched meanwhile or finished. */
        boolean cancelWaiting(String jobId, Instant at) throws SQLException {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT 1 FROM jobs WHERE id = ? AND status = 'queued' AND dispatched_at IS NULL")) {
                ps.setString(1, jobId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return false;
                    }
                }
            }
            return toTerminal(jobId, JobStatus.CANCELLED, null, null, "cancelled before it started", at);
        }

        void requestCancel(String jobId) throws SQLException {
            try (PreparedStatement ps = c.prepareStatement("UPDATE jobs SET cancel_requested = 1 WHERE id = ?")) {
                ps.setString(1, jobId);
                ps.executeUpdate();
            }
        }

        void resultDelivered(String jobId) throws SQLException {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM pending_results WHERE job_id = ?")) {
                ps.setString(1, jobId);
                ps.executeUpdate();
            }
        }

        void resultRetry(String jobId, int attempts, Instant nextAt) throws SQLException {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE pending_results SET attempts = ?, next_at = ? WHERE job_id = ?")) {
                ps.setInt(1, attempts);
                ps.setString(2, Times.format(nextAt));
                ps.setString(3, jobId);
                ps.executeUpdate();
            }
        }
    }
}
