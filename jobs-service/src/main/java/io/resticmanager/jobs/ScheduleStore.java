package io.resticmanager.jobs;

import io.helidon.dbclient.DbClient;
import io.helidon.dbclient.DbRow;
import io.resticmanager.kit.Times;
import io.resticmanager.proto.JobKind;
import io.resticmanager.proto.JobParams;
import io.resticmanager.proto.Json;
import io.resticmanager.proto.Message;

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
        return db.execute().namedGet("schedules.find", id).map(ScheduleStore::schedule);
    }

    /** Every schedule (or one host's), by host then creation time. */
    List<Schedule> list(Optional<String> hostId) {
        String host = hostId.orElse(null);
        try (var rows = db.execute().namedQuery("schedules.list", host, host)) {
            return rows.map(ScheduleStore::schedule).toList();
        }
    }

    /** What the host's agent must keep: its enabled schedules. */
    List<Schedule> enabledFor(String hostId) {
        return list(Optional.of(hostId)).stream().filter(Schedule::enabled).toList();
    }

    /** The newest job of each schedule (of one host, or all), keyed by schedule id. */
    Map<String, LastRun> lastRuns(Optional<String> hostId) {
        String host = hostId.orElse(null);
        try (var rows = db.execute().namedQuery("schedules.last-runs", host, host)) {
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
        return db.execute().namedGet("schedules.fired-for", scheduleId, Times.format(scheduledFor)).isPresent();
    }

    List<Fire> dueFires(Instant now, int limit) {
        try (var rows = db.execute().namedQuery("schedule-fires.due", Times.format(now), limit)) {
            return rows.map(r -> new Fire(text(r, "job_id"), text(r, "host_id"), text(r, "schedule_id"),
                                          Times.parse(text(r, "fired_at")),
                                          r.column("catch_up").get(Number.class).intValue() == 1,
                                          r.column("attempts").get(Number.class).intValue())).toList();
        }
    }

    List<SyncDue> syncsDue() {
        try (var rows = db.execute().namedQuery("schedule-sync.due")) {
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
                                Times.parse(text(row, "created_at")), Times.parse(text(row, "updated_at")),
                                text(row, "repo_id"));
        } catch (java.io.IOException e) {
            throw new IllegalStateException("corrupt JSON in schedule row " + text(row, "id"), e);
        }
    }

    private static String text(DbRow row, String column) {
        return JobStore.text(row, column);
    }

    // ---- writes (inside JobStore.write) --------------------------------------------------------

    static void insert(JobStore.Tx tx, Schedule s) throws SQLException {
        tx.sql().update("schedules.insert", s.id(), s.hostId(), s.name(), s.cron(), s.timezone(), s.kind().wire(),
                        Json.write(s.params()), s.enabled(), s.createdBy(), s.createdAt(), s.updatedAt(), s.repoId());
        changed(tx, s.hostId());
    }

    /** Replaces what and when of an existing schedule; false when it is gone. */
    static boolean update(JobStore.Tx tx, Schedule s) throws SQLException {
        if (tx.sql().update("schedules.update", s.name(), s.cron(), s.timezone(), s.kind().wire(),
                            Json.write(s.params()), s.enabled(), s.updatedAt(), s.repoId(), s.id()) != 1) {
            return false;
        }
        changed(tx, s.hostId());
        return true;
    }

    static boolean delete(JobStore.Tx tx, Schedule s) throws SQLException {
        if (tx.sql().update("schedules.delete", s.id()) != 1) {
            return false;
        }
        changed(tx, s.hostId());
        return true;
    }

    /** A removed host's schedules go with it, and their hooks. */
    static void deleteForHost(JobStore.Tx tx, String hostId) throws SQLException {
        tx.sql().update("schedules.delete-for-host", hostId);
        tx.sql().update("schedule-hooks.orphans");
    }

    /** The host's schedule list changed: its agent needs the new one. */
    private static void changed(JobStore.Tx tx, String hostId) throws SQLException {
        tx.sql().update("schedule-sync.changed", hostId);
    }

    /** A host that ever had schedules came online: push its list again (its agent may have lost or missed it). */
    static void hostOnline(JobStore.Tx tx, String hostId) throws SQLException {
        tx.sql().update("schedule-sync.host-online", hostId);
    }

    /** The hub wrote list {@code version} to the agent's socket. */
    static void synced(JobStore.Tx tx, String hostId, long version, Instant at) throws SQLException {
        tx.sql().update("schedule-sync.synced", version, at, hostId, version);
    }

    /** Stores a fire once per job id (the agent re-sends until it gets the job.start). */
    static void recordFire(JobStore.Tx tx, String hostId, Message.ScheduleFire fire, Instant now) throws SQLException {
        tx.sql().update("schedule-fires.record", fire.jobId(), hostId, fire.scheduleId(), fire.firedAt(),
                        fire.catchUp(), now, Instant.EPOCH);
    }

    static void fireDone(JobStore.Tx tx, String jobId) throws SQLException {
        tx.sql().update("schedule-fires.done", jobId);
    }

    static void fireRetry(JobStore.Tx tx, String jobId, int attempts, Instant nextAt) throws SQLException {
        tx.sql().update("schedule-fires.retry", attempts, nextAt, jobId);
    }

    /** Links a job to the schedule that fired it and the cron time it stands for. */
    static void markScheduled(JobStore.Tx tx, String jobId, String scheduleId, Instant scheduledFor)
            throws SQLException {
        tx.sql().update("jobs.mark-scheduled", scheduleId, scheduledFor, jobId);
    }

    /** For tests and the README's guarantees: how many fires wait. */
    int pendingFires() {
        return db.execute().namedGet("schedule-fires.count")
                .map(r -> r.column("n").get(Number.class).intValue()).orElse(0);
    }
}
