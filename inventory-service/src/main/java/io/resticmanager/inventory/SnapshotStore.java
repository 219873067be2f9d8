package io.resticmanager.inventory;

import io.helidon.dbclient.DbRow;
import io.resticmanager.kit.Problem;
import io.resticmanager.kit.SqliteStore;
import io.resticmanager.proto.SnapshotInfo;
import io.resticmanager.proto.view.Page;

import java.nio.charset.StandardCharsets;
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
 * Statements {@code snapshots.*} in {@code db/statements.sql}.
 */
final class SnapshotStore {
    /** Rows per JDBC batch when a projection is replaced. */
    private static final int BATCH = 1000;
    private final SqliteStore store;

    SnapshotStore(SqliteStore store) {
        this.store = store;
    }

    /** Replaces the repo's snapshots inside the caller's transaction (batched inserts). */
    static void replace(SqliteStore.Tx tx, String repoId, List<SnapshotInfo> snapshots) throws SQLException {
        tx.update("snapshots.delete-for-repo", repoId);
        List<Object[]> rows = new ArrayList<>(Math.min(BATCH, snapshots.size()));
        for (SnapshotInfo s : snapshots) {
            // time: restic's own RFC 3339 value, kept as reported (time_ns is the sort key), not a kit Times value
            rows.add(new Object[] {repoId, s.id(), s.shortId(), nanos(s.time()), s.time().toString(),
                                   s.hostname() == null ? "" : s.hostname(), s.username(), Rows.json(s.paths()),
                                   Rows.json(s.tags()), s.tree(), s.parent(),
                                   s.summary() == null || s.summary().isEmpty() ? null : Rows.json(s.summary())});
            if (rows.size() == BATCH) {
                tx.batch("snapshots.insert", rows);
                rows.clear();
            }
        }
        tx.batch("snapshots.insert", rows);
    }

    /**
     * One page, newest first. {@code hostname} empty = every snapshot of the repo.
     * {@code cursor} is the opaque {@code next_cursor} of the previous page.
     */
    Page<SnapshotInfo> page(String repoId, Optional<String> hostname, Optional<String> cursor, int limit) {
        Optional<Key> after = cursor.map(Key::decode);
        List<DbRow> rows;
        // one fixed statement per combination, so each is a range scan on its index however deep the page
        try (var stream = hostname.isPresent()
                ? after.isPresent()
                        ? store.db().execute().namedQuery("snapshots.page-of-host-after", repoId, hostname.get(),
                                                          after.get().timeNs(), after.get().id(), limit + 1)
                        : store.db().execute().namedQuery("snapshots.page-of-host", repoId, hostname.get(), limit + 1)
                : after.isPresent()
                        ? store.db().execute().namedQuery("snapshots.page-after", repoId, after.get().timeNs(),
                                                          after.get().id(), limit + 1)
                        : store.db().execute().namedQuery("snapshots.page", repoId, limit + 1)) {
            rows = stream.toList();
        }
        List<SnapshotInfo> items = new ArrayList<>();
        for (int i = 0; i < Math.min(limit, rows.size()); i++) {
            items.add(info(rows.get(i)));
        }
        String next = null;
        if (rows.size() > limit) {
            DbRow last = rows.get(limit - 1);
            next = new Key(Rows.lng(last, "time_ns"), Rows.str(last, "id")).encode();
        }
        return new Page<>(items, next);
    }

    /**
     * The snapshot of {@code repoId} taken on {@code hostname} whose id is {@code id} or starts with it
     * (restic's short ids are prefixes). Empty when unknown or when the prefix is ambiguous.
     */
    Optional<SnapshotInfo> find(String repoId, String hostname, String id) {
        List<DbRow> rows;
        try (var stream = store.db().execute().namedQuery("snapshots.by-prefix", repoId, hostname, id,
                                                          id + "\uffff")) {
            rows = stream.toList();
        }
        return rows.size() == 1 ? Optional.of(info(rows.getFirst())) : Optional.empty();
    }

    private static SnapshotInfo info(DbRow r) {
        return new SnapshotInfo(Rows.str(r, "id"), Rows.str(r, "short_id"), Instant.parse(Rows.str(r, "time")),
                                Rows.strings(Rows.str(r, "paths")), Rows.strings(Rows.str(r, "tags")),
                                Rows.str(r, "hostname"), Rows.str(r, "username"), Rows.str(r, "tree"),
                                Rows.str(r, "parent"), Rows.object(Rows.str(r, "summary")));
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
