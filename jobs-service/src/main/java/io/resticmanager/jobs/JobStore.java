package io.resticmanager.jobs;

import com.fasterxml.jackson.core.type.TypeReference;
import io.helidon.dbclient.DbClient;
import io.helidon.dbclient.DbRow;
import io.resticmanager.kit.SqliteStore;
import io.resticmanager.kit.Times;
import io.resticmanager.proto.JobKind;
import io.resticmanager.proto.JobParams;
import io.resticmanager.proto.JobStatus;
import io.resticmanager.proto.Json;
import io.resticmanager.proto.Message;

import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Jobs, their events/logs, host presence and undelivered results ({@code jobs.db}), through the kit's
 * {@link SqliteStore}: every statement is named in {@code db/statements.sql}; reads go through the DbClient, all
 * writes through {@link SqliteStore#write} (one writer, short {@code BEGIN IMMEDIATE} transactions), so SQLite's
 * single writer never waits on itself. Status changes are conditional updates that only move forward
 * ({@link JobStatus#canMoveTo}).
 */
final class JobStore implements AutoCloseable {
    /** How created_by marks a job the agent ran offline. */
    static final String OFFLINE_SUFFIX = " (offline)";

    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };

    private final SqliteStore sqlite;
    private final DbClient db;

    private JobStore(SqliteStore sqlite) {
        this.sqlite = sqlite;
        this.db = sqlite.db();
    }

    /** The kit store itself, for the service's other stores (alerts) on the same database. */
    SqliteStore sqlite() {
        return sqlite;
    }

    static JobStore create(SqliteStore sqlite) {
        return new JobStore(sqlite);
    }

    boolean healthy() {
        return sqlite.healthy();
    }

    /** For other readers of jobs.db (schedules, restores, metrics): the client with this service's named statements. */
    DbClient db() {
        return db;
    }

    /** A unit of work in one write transaction; committed when it returns, rolled back when it throws. */
    interface Work<T> {
        T run(Tx tx) throws SQLException;
    }

    <T> T write(Work<T> work) {
        return sqlite.write(tx -> work.run(new Tx(tx)));
    }

    // ---- reads -------------------------------------------------------------------------------

    Optional<Job> find(String id) {
        return db.execute().namedGet("jobs.find", id).map(JobStore::job);
    }

    /** Newest first; {@code beforeSeq} is the keyset cursor (0 = from the newest). */
    List<Job> list(Optional<String> hostId, Optional<JobStatus> status, Optional<JobKind> kind, long beforeSeq,
                   int limit) {
        String s = status.map(JobStatus::wire).orElse(null);
        String k = kind.map(JobKind::wire).orElse(null);
        long before = beforeSeq > 0 ? beforeSeq : Long.MAX_VALUE;
        try (var rows = hostId.isPresent()
                ? db.execute().namedQuery("jobs.list-for-host", hostId.get(), s, s, k, k, before, limit)
                : db.execute().namedQuery("jobs.list", s, s, k, k, before, limit)) {
            return rows.map(JobStore::job).toList();
        }
    }

    /** Queued jobs not yet handed to an agent, oldest first. */
    List<Job> waiting() {
        try (var rows = db.execute().namedQuery("jobs.waiting")) {
            return rows.map(JobStore::job).toList();
        }
    }

    /** Repositories that have a job handed to an agent (running or waiting for its ack). */
    Set<String> busyRepos() {
        try (var rows = db.execute().namedQuery("jobs.busy-repos")) {
            return rows.map(r -> r.column("repo_id").get(String.class)).collect(Collectors.toCollection(HashSet::new));
        }
    }

    /** Presence per host as last reported; hosts never reported are absent (unknown). */
    Map<String, Boolean> presence() {
        try (var rows = db.execute().namedQuery("hosts.presence")) {
            Map<String, Boolean> result = new HashMap<>();
            rows.forEach(r -> result.put(r.column("host_id").get(String.class),
                                         r.column("online").get(Number.class).intValue() == 1));
            return result;
        }
    }

    Optional<Boolean> online(String hostId) {
        return db.execute().namedGet("hosts.online", hostId)
                .map(r -> r.column("online").get(Number.class).intValue() == 1);
    }

    /** Dispatched jobs still without an ack since before {@code cutoff}. */
    List<String> unacknowledgedSince(Instant cutoff) {
        try (var rows = db.execute().namedQuery("jobs.unacknowledged-since", Times.format(cutoff))) {
            return rows.map(r -> r.column("id").get(String.class)).toList();
        }
    }

    /** Running jobs whose host has been offline since before {@code cutoff}. */
    List<String> runningOnHostsOfflineSince(Instant cutoff) {
        try (var rows = db.execute().namedQuery("jobs.running-on-offline-hosts", Times.format(cutoff))) {
            return rows.map(r -> r.column("id").get(String.class)).toList();
        }
    }

    /** Jobs with a cancel requested that are not finished, on one host (to re-send the cancel). */
    List<String> cancelsPending(String hostId) {
        try (var rows = db.execute().namedQuery("jobs.cancels-pending", hostId)) {
            return rows.map(r -> r.column("id").get(String.class)).toList();
        }
    }

    record PendingResult(String jobId, String hostId, String bodyJson, int attempts) {
    }

    List<PendingResult> pendingResults(Instant now, int limit) {
        try (var rows = db.execute().namedQuery("pending-results.due", Times.format(now), limit)) {
            return rows.map(r -> new PendingResult(r.column("job_id").get(String.class),
                                                   r.column("host_id").get(String.class),
                                                   r.column("body_json").get(String.class),
                                                   r.column("attempts").get(Number.class).intValue())).toList();
        }
    }

    int pendingResultCount() {
        return db.execute().namedGet("pending-results.count")
                .map(r -> r.column("n").get(Number.class).intValue()).orElse(0);
    }

    /**
     * Stored events of a job after {@code afterSeq}, in seq order: the read of log pages and of every live stream
     * (which calls it again after the last seq it sent).
     */
    List<LogEntry> logs(String jobId, long afterSeq, int limit, boolean includeProgress) {
        // rows straight off JDBC: the DbClient's per-row column maps cost more than SQLite for thousands of lines
        return sqlite.read(tx -> tx.query(includeProgress ? "job-logs.after" : "job-logs.after-without-progress",
                                          rs -> new LogEntry(rs.getLong("seq"), rs.getString("ts"),
                                                             rs.getString("stream"), rs.getString("line")),
                                          jobId, afterSeq, limit));
    }

    /** Up to {@code limit} of a diff job's entry lines after {@code afterSeq}, as {seq, line}. */
    List<Object[]> diffLines(String jobId, long afterSeq, int limit) {
        try (var rows = db.execute().namedQuery("job-logs.diff-after", jobId, afterSeq, limit)) {
            return rows.map(r -> new Object[] {r.column("seq").get(Number.class).longValue(), text(r, "line")}).toList();
        }
    }

    /** A repository due for a stats refresh ({@code stats_refresh} row). */
    record RefreshDue(String repoId, String hostId, String lastAt) {
    }

    List<RefreshDue> refreshesDue(Instant quietSince, Instant waitingSince) {
        try (var rows = db.execute().namedQuery("stats-refresh.due", Times.format(quietSince),
                                                Times.format(waitingSince))) {
            return rows.map(r -> new RefreshDue(text(r, "repo_id"), text(r, "host_id"), text(r, "last_at"))).toList();
        }
    }

    /** Whether a stats job of the repository is queued or running. */
    boolean statsWaiting(String repoId) {
        return db.execute().namedGet("jobs.stats-waiting-for-repo", repoId).isPresent();
    }

    /** When a successful stats job last measured the repository's restore size too; empty when never. */
    java.util.Optional<Instant> lastFullStats(String repoId) {
        return db.execute().namedGet("jobs.last-full-stats", repoId).map(r -> Times.parse(text(r, "at")))
                .filter(java.util.Objects::nonNull);
    }

    /** All recorded seqs of a job, ascending (lets tests and operators prove there are no gaps or duplicates). */
    List<Long> seqs(String jobId) {
        try (var rows = db.execute().namedQuery("job-logs.seqs", jobId)) {
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
                           text(row, "runner_host_id"), row.column("seq").get(Number.class).longValue(), Times.parse(text(row, "dispatched_at")),
                           row.column("cancel_requested").get(Number.class).intValue() == 1);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("corrupt JSON in job row " + text(row, "id"), e);
        }
    }

    private static String text(DbRow row, String column) {
        return row.column(column).asOptional().map(Object::toString).orElse(null);
    }

    @Override
    public void close() {
        sqlite.close();
    }

    /** A job's owner and log budget as stored; {@code lines}/{@code bytes} count stored log lines only. */
    record LogBudget(String jobId, String hostId, long lines, long bytes, boolean truncated) {
    }

    // ---- writes (inside one transaction) -------------------------------------------------------

    /** The write operations, valid only inside {@link #write}: thin calls on the kit's transaction. */
    static final class Tx {
        private final SqliteStore.Tx tx;

        private Tx(SqliteStore.Tx tx) {
            this.tx = tx;
        }

        /** The kit transaction, for other stores' named statements in the same transaction (schedules, restores). */
        SqliteStore.Tx sql() {
            return tx;
        }

        void insertJob(String id, String hostId, String repoId, JobKind kind, JobParams params, String createdById,
                       String createdBy, Instant createdAt, String queuedReason) throws SQLException {
            tx.update("jobs.insert", id, hostId, repoId, kind.wire(), queuedReason, Json.write(params), createdById,
                      createdBy, createdAt);
        }

        /**
         * A job the agent ran by itself from its schedule while the server was unreachable: created as running (it
         * ran; its own events follow) and linked to the schedule. False when the job exists already (a re-sent fire),
         * or when the schedule belongs to another host.
         */
        boolean insertOfflineRun(String jobId, String hostId, Message.ScheduleFire fire) throws SQLException {
            if (tx.exists("jobs.exists", jobId)) {
                return false;
            }
            Optional<String[]> schedule = tx.one("schedules.host-name-params", rs -> new String[] {
                    rs.getString("host_id"), rs.getString("name"), rs.getString("params_json")}, fire.scheduleId());
            if (schedule.isPresent() && !schedule.get()[0].equals(hostId)) {
                return false;
            }
            JobParams params = schedule.map(s -> Json.read(s[2], JobParams.class)).orElse(JobParams.empty());
            String by = "schedule:" + schedule.map(s -> s[1]).orElse(fire.scheduleId()) + OFFLINE_SUFFIX;
            insertJob(jobId, hostId, fire.repoId(), fire.kind(), params, null, by, fire.firedAt(), null);
            tx.update("jobs.mark-scheduled", fire.scheduleId(), fire.firedAt(), jobId);
            tx.update("jobs.mark-offline-run", fire.firedAt(), jobId);
            return true;
        }

        /** Records one event by (job_id, seq); false when that seq was already stored (a duplicate). */
        boolean recordEvent(String jobId, long seq, Instant ts, String stream, String line) throws SQLException {
            return tx.update("job-logs.add", jobId, seq, ts, stream, line) == 1;
        }

        /**
         * Log lines of one batch, JDBC-batched; a line whose (job_id, seq) exists is skipped. Returns, per line in
         * order, whether it was stored (false for a duplicate).
         */
        boolean[] addLogLines(List<Message.JobLog> logs) throws SQLException {
            List<Object[]> rows = new ArrayList<>();
            for (Message.JobLog log : logs) {
                for (Message.LogLine line : log.lines()) {
                    rows.add(new Object[] {log.jobId(), line.seq(), line.ts(), line.stream(), line.line()});
                }
            }
            int[] counts = tx.batch("job-logs.add", rows);
            boolean[] stored = new boolean[counts.length];
            for (int i = 0; i < counts.length; i++) {
                stored[i] = counts[i] != 0;
            }
            return stored;
        }

        /** Whose job it is and how much of its log budget is used; empty for a job this service never created. */
        Optional<LogBudget> owner(String jobId) throws SQLException {
            return tx.one("jobs.owner", rs -> new LogBudget(jobId, rs.getString("host_id"), rs.getLong("log_lines"),
                                                            rs.getLong("log_bytes"), rs.getInt("log_truncated") != 0),
                          jobId);
        }

        void saveBudget(LogBudget budget) throws SQLException {
            tx.update("jobs.save-budget", budget.lines(), budget.bytes(), budget.truncated(), budget.jobId());
        }

        /** Deletes the logs of at most {@code limit} jobs that finished before {@code cutoff}; returns the lines deleted. */
        int purgeLogs(Instant cutoff, int limit) throws SQLException {
            return tx.update("job-logs.purge", cutoff, limit);
        }

        /** queued → running (ack accepted, or any sign of life from the agent). */
        boolean toRunning(String jobId, Instant startedAt, String commandLine) throws SQLException {
            return tx.update("jobs.to-running", startedAt, commandLine, jobId) == 1;
        }

        /** A late ack for a job that already moved on: keep its facts, never its status. */
        void fillAck(String jobId, Instant startedAt, String commandLine) throws SQLException {
            tx.update("jobs.fill-ack", startedAt, commandLine, jobId);
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
            if (tx.update("jobs.to-terminal", status.wire(), exitCode, summaryJson, error, finishedAt, jobId) != 1) {
                return false;
            }
            String[] hostAndKind = tx.one("jobs.host-and-kind", rs -> new String[] {rs.getString("host_id"),
                    rs.getString("kind"), rs.getString("repo_id")}, jobId).orElseThrow();
            var result = new io.resticmanager.proto.internal.HostEvents.JobResult(
                    jobId, hostAndKind[1], status.wire(), finishedAt.truncatedTo(java.time.temporal.ChronoUnit.MILLIS),
                    summary == null ? Map.of() : summary, hostAndKind[2]);
            tx.update("pending-results.put", jobId, hostAndKind[0], Json.write(result), Instant.EPOCH);
            if (hostAndKind[2] != null && StatsRefresher.changesStats(JobKind.fromWire(hostAndKind[1]), status, error)) {
                Instant now = Instant.now();
                tx.update("stats-refresh.mark", hostAndKind[2], hostAndKind[0], now, now);
            }
            if (JobKind.DRILL.wire().equals(hostAndKind[1])) {
                DrillStore.record(tx, jobId, status, summary, finishedAt);
            }
            return true;
        }

        /** Keeps the newest progress only (by seq), on jobs that are not finished; true when kept. */
        boolean progress(String jobId, long seq, String json) throws SQLException {
            return tx.update("jobs.progress", json, seq, jobId, seq) == 1;
        }

        /** Applies a presence report unless a newer one was applied already; true when applied. */
        boolean presence(String hostId, boolean online, Instant at) throws SQLException {
            return tx.update("hosts.report", hostId, online, at) == 1;
        }

        /** Jobs of a host handed to its agent before {@code before}: running, or dispatched and not acknowledged. */
        List<String[]> handedOverBefore(String hostId, Instant before) throws SQLException {
            return tx.query("jobs.handed-over-before", rs -> new String[] {rs.getString("id"), rs.getString("status")},
                            hostId, before);
        }

        /** The host that will run a not-yet-dispatched job for its host (null: the host itself). */
        void setRunner(String jobId, String runnerHostId) throws SQLException {
            tx.update("jobs.set-runner", runnerHostId, jobId);
        }

        /** Marks a waiting job as handed to the agent; false when it is no longer waiting (e.g. cancelled). */
        boolean markDispatched(String jobId, Instant at) throws SQLException {
            return tx.update("jobs.mark-dispatched", at, jobId) == 1;
        }

        /** Back to waiting (the command did not reach the agent), with the reason shown to users. */
        void undispatch(String jobId, String reason) throws SQLException {
            tx.update("jobs.undispatch", reason, jobId);
        }

        /** Sets the visible reason a job still waits; true when it changed. */
        boolean queuedReason(String jobId, String reason) throws SQLException {
            return tx.update("jobs.queued-reason", reason, jobId, reason) == 1;
        }

        /** Cancels a job that never reached an agent; false when it was dispatched meanwhile or finished. */
        boolean cancelWaiting(String jobId, Instant at) throws SQLException {
            if (!tx.exists("jobs.is-waiting", jobId)) {
                return false;
            }
            return toTerminal(jobId, JobStatus.CANCELLED, null, null, "cancelled before it started", at);
        }

        void requestCancel(String jobId) throws SQLException {
            tx.update("jobs.request-cancel", jobId);
        }

        void resultDelivered(String jobId) throws SQLException {
            tx.update("pending-results.delete", jobId);
        }

        void resultRetry(String jobId, int attempts, Instant nextAt) throws SQLException {
            tx.update("pending-results.retry", attempts, nextAt, jobId);
        }
    }
}
