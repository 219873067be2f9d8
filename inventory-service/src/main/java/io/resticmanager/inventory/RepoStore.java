package io.resticmanager.inventory;

import io.helidon.dbclient.DbClient;
import io.helidon.dbclient.DbRow;
import io.resticmanager.kit.SqliteStore;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** SQL for {@code repos} and {@code repo_stats}. */
final class RepoStore {
    private static final String COLUMNS = "id, name, url_redacted, url_sealed, password_sealed, env_sealed, env_keys, "
            + "prune_url_sealed, prune_password_sealed, prune_env_sealed, last_check_at, last_check_status, "
            + "created_at, updated_at";
    private final SqliteStore store;
    private final DbClient db;

    RepoStore(SqliteStore store) {
        this.store = store;
        this.db = store.db();
    }

    void insert(RepoRow r) {
        db.execute().insert("INSERT INTO repos (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            r.id(), r.name(), r.urlRedacted(), r.urlSealed(), r.passwordSealed(), r.envSealed(),
                            Db.json(r.envKeys()), r.pruneUrlSealed(), r.prunePasswordSealed(), r.pruneEnvSealed(),
                            null, null, Db.time(r.createdAt()), Db.time(r.updatedAt()));
    }

    Optional<RepoRow> find(String id) {
        return db.execute().get("SELECT " + COLUMNS + " FROM repos WHERE id = ?", id).map(RepoStore::row);
    }

    boolean nameTaken(String name, String exceptId) {
        return db.execute().get("SELECT id FROM repos WHERE name = ? AND id <> ?", name, exceptId).isPresent();
    }

    List<RepoRow> list() {
        try (var rows = db.execute().query("SELECT " + COLUMNS + " FROM repos ORDER BY name COLLATE NOCASE, id")) {
            return rows.map(RepoStore::row).toList();
        }
    }

    /** Sets the given columns (already validated and sealed) and bumps updated_at. */
    void update(String id, Map<String, Object> columns, Instant now) {
        StringBuilder sql = new StringBuilder("UPDATE repos SET ");
        List<Object> args = new ArrayList<>();
        columns.forEach((column, value) -> {
            sql.append(column).append(" = ?, ");
            args.add(value);
        });
        sql.append("updated_at = ? WHERE id = ?");
        args.add(Db.time(now));
        args.add(id);
        db.execute().update(sql.toString(), args.toArray());
    }

    /** Deletes the repo (its snapshots and stats go with it) unless a host still uses it. */
    boolean deleteIfUnused(String id) {
        return Db.tx(store, c -> {
            if (Db.exists(c, "SELECT 1 FROM hosts WHERE repo_id = ?", id)) {
                return false;
            }
            Db.update(c, "DELETE FROM repos WHERE id = ?", id);
            return true;
        });
    }

    int hostCount(String id) {
        return db.execute().get("SELECT COUNT(*) AS n FROM hosts WHERE repo_id = ?", id)
                .map(r -> Db.lng(r, "n").intValue()).orElse(0);
    }

    Map<String, Integer> hostCounts() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        try (var rows = db.execute().query("SELECT repo_id, COUNT(*) AS n FROM hosts WHERE repo_id IS NOT NULL "
                                                   + "GROUP BY repo_id")) {
            rows.forEach(r -> counts.put(Db.str(r, "repo_id"), Db.lng(r, "n").intValue()));
        }
        return counts;
    }

    /** Current stats of a repo, or null when nothing was ever measured, reported or checked. */
    Repo.Stats stats(RepoRow repo) {
        String id = repo.id();
        Optional<DbRow> latest = db.execute().get("SELECT * FROM repo_stats WHERE repo_id = ? ORDER BY seq DESC LIMIT 1", id);
        Optional<DbRow> raw = db.execute().get("SELECT * FROM repo_stats WHERE repo_id = ? AND mode = 'raw-data' "
                                                       + "ORDER BY seq DESC LIMIT 1", id);
        Optional<DbRow> restore = db.execute().get("SELECT * FROM repo_stats WHERE repo_id = ? AND mode = 'restore-size' "
                                                           + "ORDER BY seq DESC LIMIT 1", id);
        DbRow projection = db.execute().get("SELECT COUNT(*) AS n, MAX(time_ns) AS last, "
                                                    + "(SELECT snapshots_reported_at FROM repos WHERE id = ?) AS reported "
                                                    + "FROM snapshots WHERE repo_id = ?", id, id).orElseThrow();
        Instant reportedAt = Db.instant(projection, "reported");
        if (latest.isEmpty() && reportedAt == null && repo.lastCheckAt() == null) {
            return null;
        }
        Long rawSize = raw.map(r -> Db.lng(r, "total_size")).orElse(null);
        Long restoreSize = restore.map(r -> Db.lng(r, "total_size")).orElse(null);
        Long snapshotCount = reportedAt != null ? Db.lng(projection, "n")
                : latest.map(r -> Db.lng(r, "snapshot_count")).orElse(null);
        Long lastNs = Db.lng(projection, "last");
        Double dedup = rawSize != null && restoreSize != null && rawSize > 0
                ? Math.round(restoreSize * 100.0 / rawSize) / 100.0 : null;
        Instant updatedAt = java.util.stream.Stream.of(latest.map(r -> Db.instant(r, "at")).orElse(null), reportedAt,
                                                       repo.lastCheckAt())
                .filter(java.util.Objects::nonNull).max(Comparator.naturalOrder()).orElse(null);
        return new Repo.Stats(rawSize != null ? rawSize : restoreSize,
                              restore.map(r -> Db.lng(r, "total_file_count")).orElse(null),
                              snapshotCount,
                              rawSize,
                              restoreSize,
                              raw.map(r -> Db.dbl(r, "compression_ratio")).orElse(null),
                              dedup,
                              lastNs == null ? null : SnapshotStore.fromNanos(lastNs),
                              repo.lastCheckAt(),
                              repo.lastCheckStatus(),
                              updatedAt);
    }

    /** The last {@code limit} stats points, oldest first (ready to plot). */
    List<Repo.StatsPoint> history(String repoId, int limit, Optional<String> mode) {
        String filter = mode.isPresent() ? " AND mode = ?" : "";
        Object[] args = mode.isPresent() ? new Object[] {repoId, mode.get(), limit} : new Object[] {repoId, limit};
        try (var rows = db.execute().query("SELECT * FROM repo_stats WHERE repo_id = ?" + filter
                                                   + " ORDER BY seq DESC LIMIT ?", args)) {
            List<Repo.StatsPoint> points = new ArrayList<>(rows.map(r -> new Repo.StatsPoint(
                    Db.instant(r, "at"), Db.str(r, "job_id"), Db.str(r, "mode"), Db.lng(r, "total_size"),
                    Db.lng(r, "total_file_count"), Db.lng(r, "snapshot_count"), Db.lng(r, "total_blob_count"),
                    Db.lng(r, "total_uncompressed_size"), Db.dbl(r, "compression_ratio"))).toList());
            java.util.Collections.reverse(points);
            return points;
        }
    }

    /** One stats job's numbers; a replayed job id changes nothing. */
    void insertStats(String repoId, String jobId, Instant at, String mode, Long totalSize, Long totalFileCount,
                     Long snapshotCount, Long totalBlobCount, Long totalUncompressedSize, Double compressionRatio) {
        db.execute().insert("INSERT OR IGNORE INTO repo_stats (repo_id, job_id, at, mode, total_size, total_file_count, "
                                    + "snapshot_count, total_blob_count, total_uncompressed_size, compression_ratio) "
                                    + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            repoId, jobId, Db.time(at), mode, totalSize, totalFileCount, snapshotCount, totalBlobCount,
                            totalUncompressedSize, compressionRatio);
    }

    /** Records a check result unless a newer one is already there. */
    void recordCheck(String repoId, Instant at, String status) {
        db.execute().update("UPDATE repos SET last_check_at = ?, last_check_status = ? "
                                    + "WHERE id = ? AND (last_check_at IS NULL OR last_check_at <= ?)",
                            Db.time(at), status, repoId, Db.time(at));
    }

    /** Re-seals every sealed column of every repo with {@code reseal}; one transaction; returns how many values. */
    int resealAll(Vault vault) {
        return Db.tx(store, c -> {
            int count = 0;
            List<Map<String, String>> rows = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT id, url_sealed, password_sealed, env_sealed, "
                    + "prune_url_sealed, prune_password_sealed, prune_env_sealed FROM repos");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Map<String, String> row = new LinkedHashMap<>();
                    row.put("id", rs.getString("id"));
                    for (String field : Vault.FIELDS) {
                        row.put(field, rs.getString(field + "_sealed"));
                    }
                    rows.add(row);
                }
            }
            for (Map<String, String> row : rows) {
                String id = row.get("id");
                for (String field : Vault.FIELDS) {
                    String sealed = row.get(field);
                    if (sealed != null) {
                        Db.update(c, "UPDATE repos SET " + field + "_sealed = ? WHERE id = ?",
                                  vault.reseal(id, field, sealed), id);
                        count++;
                    }
                }
            }
            return count;
        });
    }

    /** Every sealed value with its repo id and field (for tests and checks of the key in use). */
    List<String[]> sealedValues() throws SQLException {
        List<String[]> out = new ArrayList<>();
        try (Connection c = store.connect();
             PreparedStatement ps = c.prepareStatement("SELECT * FROM repos");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                for (String field : Vault.FIELDS) {
                    String sealed = rs.getString(field + "_sealed");
                    if (sealed != null) {
                        out.add(new String[] {rs.getString("id"), field, sealed});
                    }
                }
            }
        }
        return out;
    }

    private static RepoRow row(DbRow r) {
        return new RepoRow(Db.str(r, "id"), Db.str(r, "name"), Db.str(r, "url_redacted"), Db.str(r, "url_sealed"),
                           Db.str(r, "password_sealed"), Db.str(r, "env_sealed"), Db.strings(Db.str(r, "env_keys")),
                           Db.str(r, "prune_url_sealed"), Db.str(r, "prune_password_sealed"),
                           Db.str(r, "prune_env_sealed"), Db.instant(r, "last_check_at"),
                           Db.str(r, "last_check_status"), Db.instant(r, "created_at"), Db.instant(r, "updated_at"));
    }
}
