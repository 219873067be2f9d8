package io.resticmanager.inventory;

import io.helidon.dbclient.DbClient;
import io.helidon.dbclient.DbRow;
import io.resticmanager.kit.Problem;
import io.resticmanager.kit.SqliteStore;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** SQL for {@code hosts}, {@code host_tags} and {@code deleted_hosts}. */
final class HostStore {
    private static final String VIEW = "SELECT h.*, r.name AS repo_name, "
            + "(SELECT group_concat(t.tag, ',') FROM host_tags t WHERE t.host_id = h.id) AS tag_list, "
            + "(SELECT MAX(s.time_ns) FROM snapshots s WHERE s.repo_id = h.repo_id AND s.hostname = h.hostname) "
            + "AS last_snapshot_ns FROM hosts h LEFT JOIN repos r ON r.id = h.repo_id";
    private final SqliteStore store;
    private final DbClient db;

    HostStore(SqliteStore store) {
        this.store = store;
        this.db = store.db();
    }

    Optional<Host> find(String id) {
        return db.execute().get(VIEW + " WHERE h.id = ?", id).map(HostStore::host);
    }

    /** Hosts filtered by tag and status (each optional), by name. */
    List<Host> list(Optional<String> tag, Optional<String> status) {
        StringBuilder sql = new StringBuilder(VIEW + " WHERE 1 = 1");
        List<Object> args = new ArrayList<>();
        tag.ifPresent(t -> {
            sql.append(" AND EXISTS (SELECT 1 FROM host_tags t WHERE t.host_id = h.id AND t.tag = ?)");
            args.add(t);
        });
        status.ifPresent(s -> sql.append(switch (s) {
            case Host.DISABLED -> " AND h.disabled = 1";
            case Host.ONLINE -> " AND h.disabled = 0 AND h.online = 1";
            default -> " AND h.disabled = 0 AND h.online = 0";
        }));
        sql.append(" ORDER BY COALESCE(h.name, h.hostname) COLLATE NOCASE, h.id");
        try (var rows = db.execute().query(sql.toString(), args.toArray())) {
            return rows.map(HostStore::host).toList();
        }
    }

    /**
     * Applies a validated PATCH in one transaction. {@code name} empty string = back to the hostname.
     * Returns false when the host does not exist (any more).
     */
    boolean patch(String id, HostPatch patch, Instant now) {
        return Db.tx(store, c -> {
            if (!Db.exists(c, "SELECT 1 FROM hosts WHERE id = ?", id)) {
                return false;
            }
            if (patch.name().isPresent()) {
                String name = patch.name().get();
                Db.update(c, "UPDATE hosts SET name = ? WHERE id = ?", name.isEmpty() ? null : name, id);
            }
            if (patch.repoId().isPresent()) {
                String repoId = patch.repoId().get();
                if (!repoId.isEmpty() && !Db.exists(c, "SELECT 1 FROM repos WHERE id = ?", repoId)) {
                    throw Problem.unprocessable("repository " + repoId + " does not exist");
                }
                Db.update(c, "UPDATE hosts SET repo_id = ? WHERE id = ?", repoId.isEmpty() ? null : repoId, id);
            }
            if (patch.disabled().isPresent()) {
                Db.update(c, "UPDATE hosts SET disabled = ? WHERE id = ?", patch.disabled().get() ? 1 : 0, id);
            }
            if (patch.tags().isPresent()) {
                Db.update(c, "DELETE FROM host_tags WHERE host_id = ?", id);
                for (String tag : patch.tags().get()) {
                    Db.update(c, "INSERT INTO host_tags (host_id, tag) VALUES (?, ?)", id, tag);
                }
            }
            Db.update(c, "UPDATE hosts SET updated_at = ? WHERE id = ?", Db.time(now), id);
            return true;
        });
    }

    /** Deletes the host and remembers its id so replayed hub events cannot recreate it. */
    boolean delete(String id, Instant now) {
        return Db.tx(store, c -> {
            int deleted = Db.update(c, "DELETE FROM hosts WHERE id = ?", id);
            if (deleted > 0) {
                Db.update(c, "INSERT OR REPLACE INTO deleted_hosts (id, deleted_at) VALUES (?, ?)", id, Db.time(now));
            }
            return deleted > 0;
        });
    }

    /** Keeps the newest backup result (by finish time); older or replayed results change nothing. */
    boolean recordBackup(String hostId, Host.LastBackup backup) {
        String at = Db.time(backup.finishedAt());
        return db.execute().update("UPDATE hosts SET last_backup_job_id = ?, last_backup_status = ?, "
                                           + "last_backup_finished_at = ?, last_backup_data_added = ?, "
                                           + "last_backup_snapshot_id = ? WHERE id = ? AND "
                                           + "(last_backup_finished_at IS NULL OR last_backup_finished_at <= ?)",
                                   backup.jobId(), backup.status(), at, backup.dataAdded(), backup.snapshotId(),
                                   hostId, at) > 0;
    }

    // ---- hub events, inside the caller's transaction ----

    static boolean isDeleted(Connection c, String id) throws SQLException {
        return Db.exists(c, "SELECT 1 FROM deleted_hosts WHERE id = ?", id);
    }

    static boolean exists(Connection c, String id) throws SQLException {
        return Db.exists(c, "SELECT 1 FROM hosts WHERE id = ?", id);
    }

    static String repoOf(Connection c, String id) throws SQLException {
        return Db.queryString(c, "SELECT repo_id FROM hosts WHERE id = ?", id);
    }

    /** Creates the host record unless it exists (or was deleted). */
    static boolean create(Connection c, String id, String hostname, Instant at) throws SQLException {
        return Db.update(c, "INSERT OR IGNORE INTO hosts (id, hostname, created_at, updated_at) VALUES (?, ?, ?, ?)",
                  id, hostname, Db.time(at), Db.time(at)) > 0;
    }

    /** Newer facts win; a null fact keeps what we knew. */
    static void facts(Connection c, String id, String hostname, String os, String arch, String agentVersion,
                      String resticVersion, Boolean runsAsRoot, Instant at) throws SQLException {
        Db.update(c, "UPDATE hosts SET hostname = COALESCE(?, hostname), os = COALESCE(?, os), arch = COALESCE(?, arch), "
                          + "agent_version = COALESCE(?, agent_version), restic_version = COALESCE(?, restic_version), "
                          + "runs_as_root = COALESCE(?, runs_as_root), updated_at = ? WHERE id = ?",
                  blankToNull(hostname), blankToNull(os), blankToNull(arch), blankToNull(agentVersion),
                  blankToNull(resticVersion), runsAsRoot == null ? null : (runsAsRoot ? 1 : 0), Db.time(at), id);
    }

    /**
     * Presence from the hub; an event older than the last one applied is ignored, so a late
     * {@code host.offline} never hides a newer {@code host.online}.
     */
    static void presence(Connection c, String id, boolean online, Instant at, Instant lastSeenAt) throws SQLException {
        String seen = Db.time(lastSeenAt);
        Db.update(c, "UPDATE hosts SET online = ?, presence_at = ?, "
                          + "last_seen_at = CASE WHEN last_seen_at IS NULL OR last_seen_at < ? THEN ? ELSE last_seen_at END "
                          + "WHERE id = ? AND (presence_at IS NULL OR presence_at <= ?)",
                  online ? 1 : 0, Db.time(at), seen, seen, id, Db.time(at));
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }

    private static Host host(DbRow r) {
        String hostname = Db.str(r, "hostname");
        String name = Db.str(r, "name");
        String status = Db.bool(r, "disabled") ? Host.DISABLED : Db.bool(r, "online") ? Host.ONLINE : Host.OFFLINE;
        String tagList = Db.str(r, "tag_list");
        List<String> tags = tagList == null || tagList.isEmpty() ? List.of()
                : Arrays.stream(tagList.split(",")).sorted().toList();
        String jobId = Db.str(r, "last_backup_job_id");
        Host.LastBackup backup = jobId == null ? null : new Host.LastBackup(
                jobId, Db.str(r, "last_backup_status"), Db.instant(r, "last_backup_finished_at"),
                Db.lng(r, "last_backup_data_added"), Db.str(r, "last_backup_snapshot_id"));
        Long lastSnapshot = Db.lng(r, "last_snapshot_ns");
        Long root = Db.lng(r, "runs_as_root");
        return new Host(Db.str(r, "id"), name == null ? hostname : name, hostname, status, Db.instant(r, "last_seen_at"),
                        Db.str(r, "os"), Db.str(r, "arch"), Db.str(r, "agent_version"), Db.str(r, "restic_version"),
                        root == null ? null : root != 0, tags, Db.str(r, "repo_id"), Db.str(r, "repo_name"), backup,
                        lastSnapshot == null ? null : SnapshotStore.fromNanos(lastSnapshot),
                        Db.instant(r, "created_at"));
    }
}
