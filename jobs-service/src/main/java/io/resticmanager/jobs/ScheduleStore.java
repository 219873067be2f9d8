package io.resticmanager.jobs;

import io.helidon.dbclient.DbClient;
import io.helidon.dbclient.DbRow;
import io.resticmanager.proto.JobKind;
import io.resticmanager.proto.JobParams;
import io.resticmanager.proto.Json;
import io.resticmanager.proto.Message;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * SQL for schedules, the per-host schedule sync state and received {@code schedule.fire} events (all in
 * {@code jobs.db}). Reads go through the DbClient; writes are static helpers that run inside a
 * {@link JobStore#write} transaction, so a schedule change and its sync bump, or a fire and the job it
 * creates, commit together.
 */
final class ScheduleStore {
    private static final String COLUMNS = "id, host_id, name, cron, timezone, kind, params_json, enabled, created_by, "
            + "created_at, updated_at";
    private final DbClient db;

    ScheduleStore(JobStore jobs) {
        this.db = jobs.db();
    }

    /** The last job a schedule started, for "last run". */
    record LastRun(String jobId, String status, Instant at) {
    }

    /** A received fire waiting to become a job. */
    record Fire(String jobId, String hostId, String scheduleId, Instant firedAt, boolean catchUp, int attempts) {
    }

    /** A host whose agent has not got schedule list {@code version} yet. */
    record SyncDue(String hostId, long version) {
    }

    // ---- reads -------------------------------------------------------------------------------

    Optional<Schedule> find(String id) {
        return db.execute().get("SELECT " + COLUMNS + " FROM schedules WHERE id = ?", id).map(ScheduleStore::schedule);
    }

    /** Every schedule (or one host's), by host then creation time. */
    List<Schedule> list(Optional<String> hostId) {
        String where = hostId.isPresent() ? " WHERE host_id = ?" : "";
        try (var rows = db.execute().query("SELECT " + COLUMNS + " FROM schedules" + where
                                                   + " ORDER BY host_id, created_at, id", hostId.stream().toArray())) {
            return rows.map(ScheduleStore::schedule).toList();
        }
    }

    /** What the host's agent must keep: its enabled schedules. */
    List<Schedule> enabledFor(String hostId) {
        return list(Optional.of(hostId)).stream().filter(Schedule::enabled).toList();
    }

    /** The newest job of each schedule (of one host, or all), keyed by schedule id. */
    Map<String, LastRun> lastRuns(Optional<String> hostId) {
        String sql = "SELECT j.schedule_id, j.id, j.status, j.created_at, j.started_at, j.finished_at FROM jobs j "
                + "JOIN (SELECT MAX(seq) AS seq FROM jobs WHERE schedule_id IS NOT NULL"
                + (hostId.isPresent() ? " AND host_id = ?" : "") + " GROUP BY schedule_id) l ON l.seq = j.seq";
        try (var rows = db.execute().query(sql, hostId.stream().toArray())) {
            Map<String, LastRun> result = new HashMap<>();
            rows.forEach(r -> {
                String at = text(r, "finished_at");
                at = at != null ? at : text(r, "started_at") != null ? text(r, "started_at") : text(r, "created_at");
                result.put(text(r, "schedule_id"), new LastRun(text(r, "id"), text(r, "status"), Times.parse(at)));
            });
            return result;
        }
    }

    /** True when a job for this schedule and cron time exists already (a second fire for the same time). */
    boolean firedFor(String scheduleId, Instant scheduledFor) {
        return db.execute().get("SELECT 1 AS x FROM jobs WHERE schedule_id = ? AND scheduled_for = ?", scheduleId,
                                Times.format(scheduledFor)).isPresent();
    }

    List<Fire> dueFires(Instant now, int limit) {
        try (var rows = db.execute().query("SELECT job_id, host_id, schedule_id, fired_at, catch_up, attempts "
                                                   + "FROM schedule_fires WHERE next_at <= ? ORDER BY received_at LIMIT ?",
                                           Times.format(now), limit)) {
            return rows.map(r -> new Fire(text(r, "job_id"), text(r, "host_id"), text(r, "schedule_id"),
                                          Times.parse(text(r, "fired_at")),
                                          r.column("catch_up").get(Number.class).intValue() == 1,
                                          r.column("attempts").get(Number.class).intValue())).toList();
        }
    }

    List<SyncDue> syncsDue() {
        try (var rows = db.execute().query("SELECT host_id, version FROM schedule_sync WHERE pushed < version")) {
            return rows.map(r -> new SyncDue(text(r, "host_id"), r.column("version").get(Number.class).longValue()))
                    .toList();
        }
    }

    private static Schedule schedule(DbRow row) {
        try {
            return new Schedule(text(row, "id"), text(row, "host_id"), text(row, "name"), text(row, "cron"),
                                text(row, "timezone"), JobKind.fromWire(text(row, "kind")),
                                Json.MAPPER.readValue(text(row, "params_json"), JobParams.class),
                                row.column("enabled").get(Number.class).intValue() == 1, text(row, "created_by"),
                                Times.parse(text(row, "created_at")), Times.parse(text(row, "updated_at")));
        } catch (java.io.IOException e) {
            throw new IllegalStateException("corrupt JSON in schedule row " + text(row, "id"), e);
        }
    }

    private static String text(DbRow row, String column) {
        return row.column(column).asOptional().map(Object::toString).orElse(null);
    }

    // ---- writes (inside JobStore.write) --------------------------------------------------------

    static void insert(JobStore.Tx tx, Schedule s) throws SQLException {
        try (PreparedStatement ps = tx.connection().prepareStatement(
                "INSERT INTO schedules (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, s.id());
            ps.setString(2, s.hostId());
            bind(ps, 3, s);
            ps.setString(9, s.createdBy());
            ps.setString(10, Times.format(s.createdAt()));
            ps.setString(11, Times.format(s.updatedAt()));
            ps.executeUpdate();
        }
        changed(tx, s.hostId());
    }

    /** Replaces what and when of an existing schedule; false when it is gone. */
    static boolean update(JobStore.Tx tx, Schedule s) throws SQLException {
        try (PreparedStatement ps = tx.connection().prepareStatement(
                "UPDATE schedules SET name = ?, cron = ?, timezone = ?, kind = ?, params_json = ?, enabled = ?, "
                        + "updated_at = ? WHERE id = ?")) {
            bind(ps, 1, s);
            ps.setString(7, Times.format(s.updatedAt()));
            ps.setString(8, s.id());
            if (ps.executeUpdate() != 1) {
                return false;
            }
        }
        changed(tx, s.hostId());
        return true;
    }

    static boolean delete(JobStore.Tx tx, Schedule s) throws SQLException {
        try (PreparedStatement ps = tx.connection().prepareStatement("DELETE FROM schedules WHERE id = ?")) {
            ps.setString(1, s.id());
            if (ps.executeUpdate() != 1) {
                return false;
            }
        }
        changed(tx, s.hostId());
        return true;
    }

    private static void bind(PreparedStatement ps, int from, Schedule s) throws SQLException {
        ps.setString(from, s.name());
        ps.setString(from + 1, s.cron());
        ps.setString(from + 2, s.timezone());
        ps.setString(from + 3, s.kind().wire());
        ps.setString(from + 4, Json.write(s.params()));
        ps.setInt(from + 5, s.enabled() ? 1 : 0);
    }

    /** The host's schedule list changed: its agent needs the new one. */
    private static void changed(JobStore.Tx tx, String hostId) throws SQLException {
        try (PreparedStatement ps = tx.connection().prepareStatement(
                "INSERT INTO schedule_sync (host_id, version) VALUES (?, 1) "
                        + "ON CONFLICT (host_id) DO UPDATE SET version = version + 1")) {
            ps.setString(1, hostId);
            ps.executeUpdate();
        }
    }

    /** A host that ever had schedules came online: push its list again (its agent may have lost or missed it). */
    static void hostOnline(JobStore.Tx tx, String hostId) throws SQLException {
        try (PreparedStatement ps = tx.connection().prepareStatement(
                "UPDATE schedule_sync SET version = version + 1 WHERE host_id = ?")) {
            ps.setString(1, hostId);
            ps.executeUpdate();
        }
    }

    /** The hub wrote list {@code version} to the agent's socket. */
    static void synced(JobStore.Tx tx, String hostId, long version, Instant at) throws SQLException {
        try (PreparedStatement ps = tx.connection().prepareStatement(
                "UPDATE schedule_sync SET pushed = ?, pushed_at = ? WHERE host_id = ? AND pushed < ?")) {
            ps.setLong(1, version);
            ps.setString(2, Times.format(at));
            ps.setString(3, hostId);
            ps.setLong(4, version);
            ps.executeUpdate();
        }
    }

    /** Stores a fire once per job id (the agent re-sends until it gets the job.start). */
    static void recordFire(JobStore.Tx tx, String hostId, Message.ScheduleFire fire, Instant now) throws SQLException {
        try (PreparedStatement ps = tx.connection().prepareStatement(
                "INSERT OR IGNORE INTO schedule_fires (job_id, host_id, schedule_id, fired_at, catch_up, received_at, "
                        + "next_at) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, fire.jobId());
            ps.setString(2, hostId);
            ps.setString(3, fire.scheduleId());
            ps.setString(4, Times.format(fire.firedAt()));
            ps.setInt(5, fire.catchUp() ? 1 : 0);
            ps.setString(6, Times.format(now));
            ps.setString(7, Times.format(Instant.EPOCH));
            ps.executeUpdate();
        }
    }

    static void fireDone(JobStore.Tx tx, String jobId) throws SQLException {
        try (PreparedStatement ps = tx.connection().prepareStatement("DELETE FROM schedule_fires WHERE job_id = ?")) {
            ps.setString(1, jobId);
            ps.executeUpdate();
        }
    }

    static void fireRetry(JobStore.Tx tx, String jobId, int attempts, Instant nextAt) throws SQLException {
        try (PreparedStatement ps = tx.connection().prepareStatement(
                "UPDATE schedule_fires SET attempts = ?, next_at = ? WHERE job_id = ?")) {
            ps.setInt(1, attempts);
            ps.setString(2, Times.format(nextAt));
            ps.setString(3, jobId);
            ps.executeUpdate();
        }
    }

    /** Links a job to the schedule that fired it and the cron time it stands for. */
    static void markScheduled(JobStore.Tx tx, String jobId, String scheduleId, Instant scheduledFor)
            throws SQLException {
        Connection c = tx.connection();
        try (PreparedStatement ps = c.prepareStatement("UPDATE jobs SET schedule_id = ?, scheduled_for = ? WHERE id = ?")) {
            ps.setString(1, scheduleId);
            ps.setString(2, Times.format(scheduledFor));
            ps.setString(3, jobId);
            ps.executeUpdate();
        }
    }

    /** For tests and the README's guarantees: how many fires wait. */
    int pendingFires() {
        return db.execute().get("SELECT COUNT(*) AS n FROM schedule_fires")
                .map(r -> r.column("n").get(Number.class).intValue()).orElse(0);
    }
}
