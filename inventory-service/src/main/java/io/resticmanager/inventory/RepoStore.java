package io.resticmanager.inventory;

import io.helidon.dbclient.DbRow;
import io.resticmanager.kit.SqliteStore;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * {@code repos} and {@code repo_stats}. Statements {@code repos.*} and {@code repo-stats.*} in
 * {@code db/statements.sql}.
 */
final class RepoStore {
    private final SqliteStore store;

    RepoStore(SqliteStore store) {
        this.store = store;
    }

    /**
     * The columns a PATCH sets, already validated and sealed; a null value clears the column. Each change is one
     * named statement ({@code repos.set-*}), all applied in one transaction by {@link #update}.
     */
    static final class Changes {
        private final Map<String, Object[]> statements = new LinkedHashMap<>();

        Changes name(String name) {
            return put("repos.set-name", name);
        }

        Changes url(String redacted, String sealed) {
            return put("repos.set-url", redacted, sealed);
        }

        Changes password(String sealed) {
            return put("repos.set-password", sealed);
        }

        /** {@code keys} is the JSON list of the variable names (shown without their values). */
        Changes env(String sealed, String keys) {
            return put("repos.set-env", sealed, keys);
        }

        Changes pruneUrl(String sealed) {
            return put("repos.set-prune-url", sealed);
        }

        Changes prunePassword(String sealed) {
            return put("repos.set-prune-password", sealed);
        }

        Changes pruneEnv(String sealed) {
            return put("repos.set-prune-env", sealed);
        }

        /** Seconds agents may keep the backup credential for offline runs; null = the default, 0 = never. */
        Changes offlineLease(Long seconds) {
            return put("repos.set-offline-lease", seconds);
        }

        /** The host that runs forget/prune/check with the full credential; null = each host its own. */
        Changes maintenanceHost(String hostId) {
            return put("repos.set-maintenance-host", hostId);
        }

        Changes leaseOnDisk(boolean onDisk) {
            return put("repos.set-lease-on-disk", onDisk ? 1 : 0);
        }

        boolean isEmpty() {
            return statements.isEmpty();
        }

        private Changes put(String statement, Object... values) {
            statements.put(statement, values);
            return this;
        }
    }

    void insert(RepoRow r) {
        store.write(tx -> tx.update("repos.insert", r.id(), r.name(), r.urlRedacted(), r.urlSealed(),
                                    r.passwordSealed(), r.envSealed(), Rows.json(r.envKeys()), r.pruneUrlSealed(),
                                    r.prunePasswordSealed(), r.pruneEnvSealed(), r.createdAt(), r.updatedAt()));
    }

    Optional<RepoRow> find(String id) {
        return store.db().execute().namedGet("repos.find", id).map(RepoStore::row);
    }

    boolean nameTaken(String name, String exceptId) {
        return store.db().execute().namedGet("repos.name-taken", name, exceptId).isPresent();
    }

    List<RepoRow> list() {
        return store.db().execute().namedQuery("repos.list").map(RepoStore::row).toList();
    }

    /** Applies the changes and bumps updated_at, in one transaction. */
    void update(String id, Changes changes, Instant now) {
        store.write(tx -> {
            for (Map.Entry<String, Object[]> change : changes.statements.entrySet()) {
                Object[] values = change.getValue();
                Object[] args = Arrays.copyOf(values, values.length + 1);
                args[values.length] = id;
                tx.update(change.getKey(), args);
            }
            tx.update("repos.touch", now, id);
            return null;
        });
    }

    /** Deletes the repo (its snapshots and stats go with it) unless a host still uses it. */
    boolean deleteIfUnused(String id) {
        return store.write(tx -> {
            if (tx.exists("hosts.using-repo", id)) {
                return false;
            }
            tx.update("repos.delete", id);
            return true;
        });
    }

    int hostCount(String id) {
        return store.db().execute().namedGet("hosts.count-for-repo", id)
                .map(r -> Rows.lng(r, "n").intValue()).orElse(0);
    }

    Map<String, Integer> hostCounts() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        store.db().execute().namedQuery("hosts.count-by-repo")
                .forEach(r -> counts.put(Rows.str(r, "repo_id"), Rows.lng(r, "n").intValue()));
        return counts;
    }

    /** Current stats of a repo, or null when nothing was ever measured, reported or checked. */
    Repo.Stats stats(RepoRow repo) {
        String id = repo.id();
        Optional<DbRow> latest = store.db().execute().namedGet("repo-stats.latest", id);
        Optional<DbRow> raw = store.db().execute().namedGet("repo-stats.latest-raw", id);
        Optional<DbRow> restore = store.db().execute().namedGet("repo-stats.latest-restore", id);
        DbRow projection = store.db().execute().namedGet("snapshots.summary", id, id).orElseThrow();
        Instant reportedAt = Rows.instant(projection, "reported");
        if (latest.isEmpty() && reportedAt == null && repo.lastCheckAt() == null) {
            return null;
        }
        Long rawSize = raw.map(r -> Rows.lng(r, "total_size")).orElse(null);
        Long restoreSize = restore.map(r -> Rows.lng(r, "restore_size")).orElse(null);
        Long snapshotCount = reportedAt != null ? Rows.lng(projection, "n")
                : latest.map(r -> Rows.lng(r, "snapshot_count")).orElse(null);
        Long lastNs = Rows.lng(projection, "last");
        // the ratio of one measurement: a full run's own stored size, else (older rows) the newest stored size
        Long storedThen = restore.map(r -> Rows.lng(r, "stored_then")).orElse(rawSize);
        Double dedup = storedThen != null && restoreSize != null && storedThen > 0
                ? Math.round(restoreSize * 100.0 / storedThen) / 100.0 : null;
        Instant updatedAt = Stream.of(latest.map(r -> Rows.instant(r, "at")).orElse(null), reportedAt,
                                      repo.lastCheckAt())
                .filter(Objects::nonNull).max(Comparator.naturalOrder()).orElse(null);
        return new Repo.Stats(rawSize != null ? rawSize : restoreSize,
                              restore.map(r -> Rows.lng(r, "total_file_count")).orElse(null),
                              snapshotCount,
                              rawSize,
                              restoreSize,
                              raw.map(r -> Rows.dbl(r, "compression_ratio")).orElse(null),
                              dedup,
                              lastNs == null ? null : SnapshotStore.fromNanos(lastNs),
                              repo.lastCheckAt(),
                              repo.lastCheckStatus(),
                              updatedAt);
    }

    /** The last {@code limit} stats points, oldest first (ready to plot). */
    List<Repo.StatsPoint> history(String repoId, int limit, Optional<String> mode) {
        String m = mode.orElse(null);
        List<Repo.StatsPoint> points = new ArrayList<>(store.db().execute()
                .namedQuery("repo-stats.history", repoId, m, m, limit)
                .map(r -> new Repo.StatsPoint(
                        Rows.instant(r, "at"), Rows.str(r, "job_id"), Rows.str(r, "mode"), Rows.lng(r, "total_size"),
                        Rows.lng(r, "total_file_count"), Rows.lng(r, "snapshot_count"),
                        Rows.lng(r, "total_blob_count"), Rows.lng(r, "total_uncompressed_size"),
                        Rows.dbl(r, "compression_ratio")))
                .toList());
        Collections.reverse(points);
        return points;
    }

    /** One stats job's numbers; a replayed job id changes nothing. */
    void insertStats(String repoId, String jobId, Instant at, String mode, Long totalSize, Long totalFileCount,
                     Long snapshotCount, Long totalBlobCount, Long totalUncompressedSize, Double compressionRatio) {
        store.write(tx -> {
            tx.update("repo-stats.insert", repoId, jobId, at, mode, totalSize, totalFileCount, snapshotCount,
                      totalBlobCount, totalUncompressedSize, compressionRatio);
            thin(tx, repoId, at);
            return null;
        });
    }

    /**
     * One full stats job (stored and restore size from one run) as a raw-data row with the restore size beside it;
     * then the history is thinned ({@link #thin}). A replayed job id changes nothing.
     */
    void insertFullStats(String repoId, String jobId, Instant at, Long storedSize, Long restoreSize,
                         Long totalFileCount, Long snapshotCount, Long totalBlobCount, Long totalUncompressedSize,
                         Double compressionRatio) {
        store.write(tx -> {
            tx.update("repo-stats.insert-full", repoId, jobId, at, storedSize, totalFileCount, snapshotCount,
                      totalBlobCount, totalUncompressedSize, compressionRatio, restoreSize);
            thin(tx, repoId, at);
            return null;
        });
    }

    /** Points kept at most per repository, whatever their age. */
    static final int HISTORY_CAP = 5000;
    /** Younger points are all kept; older ones only each day's last. */
    static final java.time.Duration HISTORY_DENSE = java.time.Duration.ofDays(2);

    /** Keeps the trend history bounded: every point of the last two days, then one a day, at most HISTORY_CAP. */
    private static void thin(SqliteStore.Tx tx, String repoId, Instant now) throws SQLException {
        Instant cutoff = now.minus(HISTORY_DENSE);
        tx.update("repo-stats.thin", repoId, cutoff, repoId, cutoff);
        tx.update("repo-stats.cap", repoId, repoId, HISTORY_CAP);
    }

    /** Records the locks a stats job listed ({@code json}: {count, stale, items}) unless newer ones are there. */
    void recordLocks(String repoId, Instant at, String json) {
        store.write(tx -> tx.update("repos.record-locks", json, at, repoId, at));
    }

    /** The repository's last known locks; null when no stats job has listed them yet. */
    Repo.Locks locks(String repoId) {
        Optional<DbRow> row = store.db().execute().namedGet("repos.locks", repoId);
        String json = row.map(r -> Rows.str(r, "locks_json")).orElse(null);
        if (json == null) {
            return null;
        }
        try {
            Repo.Locks stored = io.resticmanager.proto.Json.MAPPER.readValue(json, Repo.Locks.class);
            return new Repo.Locks(Rows.instant(row.get(), "locks_checked_at"), stored.count(), stored.stale(),
                                  stored.items() == null ? List.of() : stored.items());
        } catch (Exception e) {
            throw new IllegalStateException("corrupt locks JSON in inventory database", e);
        }
    }

    /** The hosts that back up to the repository, by name. */
    List<Repo.HostLink> hostsOf(String repoId) {
        return store.db().execute().namedQuery("host-repos.of-repo", repoId)
                .map(r -> new Repo.HostLink(Rows.str(r, "id"), Rows.str(r, "name"), Rows.str(r, "hostname"),
                                            Rows.str(r, "role"), Rows.bool(r, "is_primary"), Rows.bool(r, "online"),
                                            Rows.bool(r, "disabled")))
                .toList();
    }

    /** The last {@code points} stored sizes, oldest first. */
    List<Repo.TrendPoint> trend(String repoId, int points) {
        List<Repo.TrendPoint> out = new ArrayList<>(store.db().execute().namedQuery("repo-stats.trend", repoId, points)
                .map(r -> new Repo.TrendPoint(Rows.instant(r, "at"), Rows.lng(r, "total_size"),
                                              Rows.lng(r, "snapshot_count")))
                .toList());
        Collections.reverse(out);
        return out;
    }

    /** Records a check result unless a newer one is already there. */
    void recordCheck(String repoId, Instant at, String status) {
        store.write(tx -> tx.update("repos.record-check", at, status, repoId, at));
    }

    /** Re-seals every sealed column of every repo with {@code reseal}; one transaction; returns how many values. */
    int resealAll(Vault vault) {
        // repos.reseal takes the sealed columns in Vault.FIELDS order, then the id
        return store.write(tx -> {
            int count = 0;
            for (Sealed row : tx.query("repos.sealed", Sealed::of)) {
                Object[] args = new Object[Vault.FIELDS.size() + 1];
                for (int i = 0; i < Vault.FIELDS.size(); i++) {
                    String field = Vault.FIELDS.get(i);
                    String sealed = row.values().get(field);
                    if (sealed != null) {
                        args[i] = vault.reseal(row.id(), field, sealed);
                        count++;
                    }
                }
                args[Vault.FIELDS.size()] = row.id();
                tx.update("repos.reseal", args);
            }
            return count;
        });
    }

    /** Every sealed value with its repo id and field (for tests and checks of the key in use). */
    List<String[]> sealedValues() {
        List<String[]> out = new ArrayList<>();
        store.db().execute().namedQuery("repos.sealed").forEach(r -> {
            for (String field : Vault.FIELDS) {
                String sealed = Rows.str(r, field + "_sealed");
                if (sealed != null) {
                    out.add(new String[] {Rows.str(r, "id"), field, sealed});
                }
            }
        });
        return out;
    }

    /** A row of {@code repos.sealed}: the repo id and its sealed values by field (absent = NULL). */
    private record Sealed(String id, Map<String, String> values) {
        static Sealed of(ResultSet rs) throws SQLException {
            Map<String, String> values = new LinkedHashMap<>();
            for (String field : Vault.FIELDS) {
                values.put(field, rs.getString(field + "_sealed"));
            }
            return new Sealed(rs.getString("id"), values);
        }
    }

    private static RepoRow row(DbRow r) {
        return new RepoRow(Rows.str(r, "id"), Rows.str(r, "name"), Rows.str(r, "url_redacted"),
                           Rows.str(r, "url_sealed"), Rows.str(r, "password_sealed"), Rows.str(r, "env_sealed"),
                           Rows.strings(Rows.str(r, "env_keys")), Rows.str(r, "prune_url_sealed"),
                           Rows.str(r, "prune_password_sealed"), Rows.str(r, "prune_env_sealed"),
                           Rows.instant(r, "last_check_at"), Rows.str(r, "last_check_status"),
                           Rows.instant(r, "created_at"), Rows.instant(r, "updated_at"),
                           Rows.lng(r, "offline_lease_s"), Rows.str(r, "maintenance_host_id"),
                           Long.valueOf(1).equals(Rows.lng(r, "lease_on_disk")));
    }
}
