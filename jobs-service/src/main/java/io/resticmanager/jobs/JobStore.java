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
import io.resticmanager.proto.internal.HostEvents;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Jobs ({@code jobs} in jobs.db), through the kit's {@link SqliteStore}: every statement is named in
 * {@code db/statements.sql}; reads go through the DbClient, all writes through {@link #write} (the kit's one writer,
 * short {@code BEGIN IMMEDIATE} transactions), so SQLite's single writer never waits on itself. Status changes are
 * conditional updates that only move forward ({@link JobStatus#canMoveTo}). The other tables of jobs.db have stores
 * of their own ({@link JobLogStore}, {@link HostPresenceStore}, {@link ResultOutbox}, {@link StatsRefreshStore},
 * {@link ScheduleStore}, ...) whose writes join a {@link Tx} of this store, so a job change and what comes with it
 * commit together.
 */
final class JobStore implements AutoCloseable {
    /** How created_by marks a job the agent ran offline. */
    static final String OFFLINE_SUFFIX = " (offline)";

    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };

    private final SqliteStore sqlite;
    private final DbClient db;
    private final Clock clock;

    private JobStore(SqliteStore sqlite, Clock clock) {
        this.sqlite = sqlite;
        this.db = sqlite.db();
        this.clock = clock;
    }

    /** The kit store itself, for the service's other stores (alerts) on the same database. */
    SqliteStore sqlite() {
        return sqlite;
    }

    /** {@code clock}: the service's one clock, for the times a transaction stamps by itself. */
    static JobStore create(SqliteStore sqlite, Clock clock) {
        return new JobStore(sqlite, clock);
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
        return sqlite.write(tx -> work.run(new Tx(tx, clock)));
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

    /** Whether a stats job of the repository is queued or running. */
    boolean statsWaiting(String repoId) {
        return db.execute().namedGet("jobs.stats-waiting-for-repo", repoId).isPresent();
    }

    /** When a successful stats job last measured the repository's restore size too; empty when never. */
    Optional<Instant> lastFullStats(String repoId) {
        return db.execute().namedGet("jobs.last-full-stats", repoId).map(r -> Times.parse(text(r, "at")))
                .filter(Objects::nonNull);
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

    /** A column as text, null when NULL (for this service's stores). */
    static String text(DbRow row, String column) {
        return row.column(column).asOptional().map(Object::toString).orElse(null);
    }

    @Override
    public void close() {
        sqlite.close();
    }

    // ---- writes (inside one transaction) -------------------------------------------------------

    /**
     * One write transaction on jobs.db, valid only inside {@link #write}: the job writes are its methods (thin calls
     * on the kit's transaction); the other stores' writes are their static helpers taking it.
     */
    static final class Tx {
        private final SqliteStore.Tx tx;
        private final Clock clock;

        private Tx(SqliteStore.Tx tx, Clock clock) {
            this.tx = tx;
            this.clock = clock;
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
            ResultOutbox.put(this, hostAndKind[0], new HostEvents.JobResult(
                    jobId, hostAndKind[1], status.wire(), finishedAt.truncatedTo(ChronoUnit.MILLIS),
                    summary == null ? Map.of() : summary, hostAndKind[2]));
            if (hostAndKind[2] != null && StatsRefresher.changesStats(JobKind.fromWire(hostAndKind[1]), status, error)) {
                StatsRefreshStore.mark(this, hostAndKind[2], hostAndKind[0], clock.instant());
            }
            if (JobKind.DRILL.wire().equals(hostAndKind[1])) {
                DrillStore.record(this, jobId, status, summary, finishedAt);
            }
            return true;
        }

        /** Keeps the newest progress only (by seq), on jobs that are not finished; true when kept. */
        boolean progress(String jobId, long seq, String json) throws SQLException {
            return tx.update("jobs.progress", json, seq, jobId, seq) == 1;
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

        /** A host's jobs that never reached its agent. */
        List<String> waitingOfHost(String hostId) throws SQLException {
            return tx.query("jobs.waiting-of-host", rs -> rs.getString(1), hostId);
        }
    }
}
