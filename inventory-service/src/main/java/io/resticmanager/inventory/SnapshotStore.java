package io.resticmanager.inventory;

import io.helidon.dbclient.DbClient;
import io.helidon.dbclient.DbRow;
import io.resticmanager.kit.Problem;
import io.resticmanager.kit.SqliteStore;
import io.resticmanager.proto.SnapshotInfo;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * The snapshot projection: per repository, the list restic last reported, replaced as a whole.
 * Lists are newest first with keyset paging on {@code (time_ns, id)}, which the
 * {@code snapshots_repo_time} / {@code snapshots_repo_host_time} indexes serve directly.
 */
final class SnapshotStore {
    private final DbClient db;

    SnapshotStore(SqliteStore store) {
        this.db = store.db();
    }

    /** Replaces the repo's snapshots inside the caller's transaction (batched inserts). */
    static void replace(Connection c, String repoId, List<SnapshotInfo> snapshots) throws SQLException {
        Db.update(c, "DELETE FROM snapshots WHERE repo_id = ?", repoId);
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT OR REPLACE INTO snapshots (repo_id, id, short_id, time_ns, time, hostname, username, paths, "
                        + "tags, tree, parent, summary) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            int pending = 0;
            for (SnapshotInfo s : snapshots) {
                Db.bind(ps, repoId, s.id(), s.shortId(), nanos(s.time()), s.time().toString(),
                        s.hostname() == null ? "" : s.hostname(), s.username(), Db.json(s.paths()), Db.json(s.tags()),
                        s.tree(), s.parent(), s.summary() == null || s.summary().isEmpty() ? null : Db.json(s.summary()));
                ps.addBatch();
                if (++pending == 1000) {
                    ps.executeBatch();
                    pending = 0;
                }
            }
            if (pending > 0) {
                ps.executeBatch();
            }
        }
    }

    /**
     * One page, newest first. {@code hostname} empty = every snapshot of the repo.
     * {@code cursor} is the opaque {@code next_cursor} of the previous page.
     */
    Page<SnapshotInfo> page(String repoId, Optional<String> hostname, Optional<String> cursor, int limit) {
        List<Object> args = new ArrayList<>();
        StringBuilder sql = new StringBuilder("SELECT id, short_id, time_ns, time, hostname, username, paths, tags, "
                                                      + "tree, parent, summary FROM snapshots WHERE repo_id = ?");
        args.add(repoId);
        if (hostname.isPresent()) {
            sql.append(" AND hostname = ?");
            args.add(hostname.get());
        }
        if (cursor.isPresent()) {
            Key key = Key.decode(cursor.get());
            sql.append(" AND (time_ns, id) < (?, ?)");
            args.add(key.timeNs());
            args.add(key.id());
        }
        sql.append(" ORDER BY time_ns DESC, id DESC LIMIT ?");
        args.add(limit + 1);
        List<DbRow> rows;
        try (var stream = db.execute().query(sql.toString(), args.toArray())) {
            rows = stream.toList();
        }
        List<SnapshotInfo> items = new ArrayList<>();
        for (int i = 0; i < Math.min(limit, rows.size()); i++) {
            items.add(info(rows.get(i)));
        }
        String next = null;
        if (rows.size() > limit) {
            DbRow last = rows.get(limit - 1);
            next = new Key(Db.lng(last, "time_ns"), Db.str(last, "id")).encode();
        }
        return new Page<>(items, next);
    }

    /**
     * The snapshot of {@code repoId} taken on {@code hostname} whose id is {@code id} or starts with it
     * (restic's short ids are prefixes). Empty when unknown or when the prefix is ambiguous.
     */
    Optional<SnapshotInfo> find(String repoId, String hostname, String id) {
        List<DbRow> rows;
        try (var stream = db.execute().query("SELECT id, short_id, time_ns, time, hostname, username, paths, tags, tree, "
                                                     + "parent, summary FROM snapshots WHERE repo_id = ? AND hostname = ? "
                                                     + "AND id >= ? AND id < ? LIMIT 2",
                                             repoId, hostname, id, id + "\uffff")) {
            rows = stream.toList();
        }
        return rows.size() == 1 ? Optional.of(info(rows.getFirst())) : Optional.empty();
    }

    private static SnapshotInfo info(DbRow r) {
        return new SnapshotInfo(Db.str(r, "id"), Db.str(r, "short_id"), Instant.parse(Db.str(r, "time")),
                                Db.strings(Db.str(r, "paths")), Db.strings(Db.str(r, "tags")), Db.str(r, "hostname"),
                                Db.str(r, "username"), Db.str(r, "tree"), Db.str(r, "parent"),
                                Db.object(Db.str(r, "summary")));
    }

    static long nanos(Instant time) {
        return Math.addExact(Math.multiplyExact(time.getEpochSecond(), 1_000_000_000L), time.getNano());
    }

    static Instant fromNanos(long nanos) {
        return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
    }

    /** The keyset position after the last item of a page; opaque to clients. */
    record Key(long timeNs, String id) {
        String encode() {
            return Base64.getUrlEncoder().withoutPadding()
                    .encodeToString((timeNs + ":" + id).getBytes(StandardCharsets.UTF_8));
        }

        static Key decode(String cursor) {
            try {
                String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
                int colon = text.indexOf(':');
                return new Key(Long.parseLong(text.substring(0, colon)), text.substring(colon + 1));
            } catch (RuntimeException e) {
                throw Problem.badRequest("invalid cursor");
            }
        }
    }
}
