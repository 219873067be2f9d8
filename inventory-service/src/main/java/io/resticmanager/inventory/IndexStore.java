package io.resticmanager.inventory;

import io.helidon.dbclient.DbRow;
import io.resticmanager.kit.Problem;
import io.resticmanager.kit.SqliteStore;
import io.resticmanager.proto.Json;
import io.resticmanager.proto.Message;
import io.resticmanager.proto.TreeIndex;

import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The tree index's tables ({@code index_*}, statements {@code index.*}): trees by content id per host, their entries,
 * and which tree is each indexed snapshot's root. Invariant: a complete tree's subtrees are all complete (an entry
 * can only name a subtree already stored), so a snapshot whose root is complete is fully browsable.
 */
final class IndexStore {
    private final SqliteStore store;

    IndexStore(SqliteStore store) {
        this.store = store;
    }

    /** The ids of {@code ids} this host's index lacks, in the order asked. */
    List<String> missing(String hostId, List<String> ids) {
        Set<String> have = new HashSet<>();
        try (var rows = store.db().execute().namedQuery("index.have", hostId, Json.write(ids))) {
            rows.forEach(r -> have.add(Rows.str(r, "tree_id")));
        }
        return ids.stream().filter(id -> !have.contains(id)).distinct().toList();
    }

    /**
     * Stores one upload frame in one transaction: every tree (or piece) is checked — subtrees must be stored, names
     * unique, the host under its quota, a finished tree's content id right — or nothing of the frame is kept (422).
     * Returns how many trees were completed.
     */
    int upload(String hostId, Message.IndexUpload upload, long maxEntries, Instant now) {
        return store.write(tx -> {
            long held = tx.number("index.host-entries", hostId);
            long adding = upload.trees().stream().mapToLong(t -> t.nodes().size()).sum();
            if (held + adding > maxEntries) {
                throw Problem.unprocessable("the index of this host is full (" + held + " of " + maxEntries
                                                    + " entries); nothing stored");
            }
            int completed = 0;
            for (Message.IndexTree tree : upload.trees()) {
                if (store(tx, hostId, tree, now)) {
                    completed++;
                }
            }
            return completed;
        });
    }

    private static boolean store(SqliteStore.Tx tx, String hostId, Message.IndexTree tree, Instant now)
            throws SQLException {
        Optional<long[]> existing = tx.one("index.tree", rs -> new long[] {rs.getLong("tid"), rs.getLong("parts"),
                rs.getLong("received"), rs.getLong("complete")}, hostId, tree.id());
        long tid;
        if (existing.isPresent() && existing.get()[3] == 1) {
            return false; // already known (another upload raced this one): nothing to do
        }
        if (existing.isPresent() && tree.part() > 1) {
            long[] e = existing.get();
            if (e[1] != tree.parts() || e[2] + 1 != tree.part()) {
                throw Problem.unprocessable("tree " + tree.id() + ": piece " + tree.part() + " of " + tree.parts()
                                                    + " does not follow piece " + e[2] + " of " + e[1]);
            }
            tid = e[0];
        } else {
            if (tree.part() != 1) {
                throw Problem.unprocessable("tree " + tree.id() + ": piece " + tree.part() + " arrived before piece 1");
            }
            if (existing.isPresent()) {
                tx.update("index.tree-delete", existing.get()[0]); // an earlier attempt that never finished
            }
            tid = tx.one("index.tree-insert", rs -> rs.getLong(1), hostId, tree.id(), tree.parts(), now).orElseThrow();
        }
        List<Object[]> rows = new ArrayList<>(tree.nodes().size());
        Set<String> names = new HashSet<>();
        for (Message.IndexNode n : tree.nodes()) {
            if (!names.add(n.name())) {
                throw Problem.unprocessable("tree " + tree.id() + " names " + n.name() + " twice");
            }
            Long sub = null;
            if (n.subtree() != null) {
                sub = tx.one("index.complete-tid", rs -> rs.getLong(1), hostId, n.subtree()).orElseThrow(
                        () -> Problem.unprocessable("tree " + tree.id() + ": subtree " + n.subtree() + " of "
                                                            + n.name() + " is not stored; send subtrees first"));
            }
            rows.add(new Object[] {tid, n.name(), n.type(), n.size(), n.mtimeMs(), sub});
        }
        try {
            tx.batch("index.node-insert", rows);
        } catch (SQLException e) {
            if (e.getMessage() != null && e.getMessage().contains("UNIQUE")) {
                throw Problem.unprocessable("tree " + tree.id() + " names an entry twice across its pieces");
            }
            throw e;
        }
        tx.update("index.tree-received", tree.nodes().size(), tid);
        if (tree.part() < tree.parts()) {
            return false;
        }
        List<Message.IndexNode> stored = tx.query("index.nodes-for-id", rs -> new Message.IndexNode(
                rs.getString("name"), rs.getString("type"), rs.getLong("size"),
                rs.getObject("mtime") == null ? null : rs.getLong("mtime"), rs.getString("subtree")), tid);
        String id = TreeIndex.contentId(stored);
        if (!id.equals(tree.id())) {
            throw Problem.unprocessable("tree " + tree.id() + ": its entries have content id " + id
                                                + "; nothing of this frame was stored");
        }
        tx.update("index.tree-complete", tid);
        return true;
    }

    /** The tid of the host's complete tree with this content id. */
    Optional<Long> completeTid(String hostId, String treeId) {
        try (var rows = store.db().execute().namedQuery("index.complete-tid", hostId, treeId)) {
            return rows.findFirst().map(r -> Rows.lng(r, "tid"));
        }
    }

    void putSnapshot(String repoId, String snapshotId, String hostId, long root, long files, long dirs, Instant now) {
        store.write(tx -> tx.update("index.snapshot-put", repoId, snapshotId, hostId, root, files, dirs, now));
    }

    /** An entry of a tree: {@code sub} is a directory's tid. */
    record Node(String name, String type, long size, Long mtimeMs, Long sub) {
    }

    /** A search hit: an entry {@code name} of tree {@code tid}. */
    record Hit(long tid, String name, String type, long size, Long mtimeMs) {
    }

    /** An entry {@code name} of tree {@code parent} whose directory is tree {@code child}. */
    record Edge(long parent, String name, long child) {
    }

    /** An indexed snapshot of a host, as search shows it. */
    record IndexedSnapshot(long root, String repoId, String snapshotId, String shortId, String time) {
    }

    /** Runs {@code work} on one read snapshot of the index (browsing and search ask many small questions). */
    <T> T read(java.util.function.Function<View, T> work) {
        return store.read(tx -> work.apply(new View(tx)));
    }

    /** The index's read statements, on one read transaction. */
    static final class View {
        private final SqliteStore.Tx tx;

        private View(SqliteStore.Tx tx) {
            this.tx = tx;
        }

        /** Which of these snapshots of the repository are indexed (any host's: ids are unique in a repository). */
        Set<String> indexed(String repoId, List<String> snapshotIds) {
            return new HashSet<>(query("index.indexed-of", rs -> rs.getString(1), repoId, Json.write(snapshotIds)));
        }

        /** An indexed snapshot's root tid. */
        Optional<Long> root(String repoId, String snapshotId, String hostId) {
            return one("index.snapshot", rs -> rs.getLong("root"), repoId, snapshotId, hostId);
        }

        Optional<Node> child(long tid, String name) {
            return one("index.child", rs -> new Node(name, rs.getString("type"), rs.getLong("size"),
                                                     nullable(rs, "mtime"),
                                                     nullable(rs, "sub")), tid, name);
        }

        /** {files, dirs, bytes} below a directory's tree. */
        long[] totals(long tid) {
            return one("index.subtree-totals", rs -> new long[] {rs.getLong("files"), rs.getLong("dirs"),
                    rs.getLong("bytes")}, tid).orElse(new long[3]);
        }

        /** Up to {@code limit} directories ({@code dirs}) or other entries of a tree, by name after {@code after}. */
        List<Node> list(long tid, boolean dirs, String after, int limit) {
            // columns by position (name, type, size, mtime): a listing decodes up to 20,000 rows
            return query(dirs ? "index.list-dirs" : "index.list-files", rs -> {
                long mtime = rs.getLong(4);
                return new Node(rs.getString(1), rs.getString(2), rs.getLong(3), rs.wasNull() ? null : mtime, null);
            }, tid, after, limit);
        }

        /** {@code how}: exact, glob or like (see statements). */
        List<Hit> search(String how, String pattern, String hostId, int limit) {
            return query("index.search-" + how, rs -> new Hit(rs.getLong("tid"), rs.getString("name"),
                                                              rs.getString("type"), rs.getLong("size"),
                                                              nullable(rs, "mtime")),
                         pattern, hostId, limit);
        }

        /** The entries naming any of these trees as their directory (at most {@code limit}). */
        List<Edge> parents(java.util.Collection<Long> tids, int limit) {
            return query("index.parents", rs -> new Edge(rs.getLong("tid"), rs.getString("name"), rs.getLong("sub")),
                         Json.write(tids), limit);
        }

        /** The host's indexed snapshots, newest first. */
        List<IndexedSnapshot> snapshots(String hostId) {
            return query("index.host-snapshots", rs -> new IndexedSnapshot(
                    rs.getLong("root"), rs.getString("repo_id"), rs.getString("snapshot_id"),
                    rs.getString("short_id"), rs.getString("time")), hostId);
        }

        /** A nullable integer column (getObject(…, Long.class) refuses SQL NULL in sqlite-jdbc). */
        private static Long nullable(java.sql.ResultSet rs, String column) throws SQLException {
            long v = rs.getLong(column);
            return rs.wasNull() ? null : v;
        }

        private <T> List<T> query(String name, SqliteStore.Row<T> row, Object... args) {
            try {
                return tx.query(name, row, args);
            } catch (SQLException e) {
                throw new IllegalStateException(name + ": " + e.getMessage(), e);
            }
        }

        private <T> Optional<T> one(String name, SqliteStore.Row<T> row, Object... args) {
            try {
                return tx.one(name, row, args);
            } catch (SQLException e) {
                throw new IllegalStateException(name + ": " + e.getMessage(), e);
            }
        }
    }

    /**
     * Drops index rows of forgotten snapshots, then — only when some were dropped — every tree no indexed snapshot
     * reaches that is older than {@code before} (younger ones may belong to an upload still in flight).
     * Returns the trees dropped.
     */
    int sweep(Instant before, boolean always) {
        return store.write(tx -> {
            int forgotten = tx.update("index.snapshots-forgotten");
            return forgotten > 0 || always ? tx.update("index.sweep", before) : 0;
        });
    }

    /** Trees and entries held (all hosts). */
    long[] counts() {
        try (var rows = store.db().execute().namedQuery("index.counts")) {
            DbRow r = rows.findFirst().orElseThrow();
            return new long[] {Rows.lng(r, "trees"), Rows.lng(r, "nodes")};
        }
    }

    // ---- background indexing (IndexBackfill) ----

    /** A snapshot of a repository the index lacks. */
    record Wanted(String repoId, String snapshotId) {
    }

    /** Online, enabled hosts with own snapshots the index lacks. */
    List<String> backfillHosts() {
        return store.read(tx -> tx.query("index.backfill-hosts", rs -> rs.getString(1)));
    }

    /** The host's requests asked since {@code since} whose snapshot is not indexed yet. */
    long inFlight(String hostId, Instant since) {
        return store.read(tx -> tx.number("index.backfill-in-flight", hostId, since.toEpochMilli()));
    }

    /** The host's own snapshots the index lacks that are due to be asked for, newest first. */
    List<Wanted> due(String hostId, Instant now, int limit) {
        return store.read(tx -> tx.query("index.backfill-due", rs -> new Wanted(rs.getString(1), rs.getString(2)),
                                         hostId, now.toEpochMilli(), limit));
    }

    /**
     * Notes one more request for the snapshot; the next may come {@code retry} × 2^(attempts − 1) later, at most
     * {@code maxRetry}. Returns the attempts so far.
     */
    int asked(Wanted w, String hostId, Instant now, java.time.Duration retry, java.time.Duration maxRetry) {
        return store.write(tx -> {
            int attempts = tx.one("index.backfill-attempts", rs -> rs.getInt(1), w.repoId(), w.snapshotId())
                    .orElse(0) + 1;
            long wait = Math.min(maxRetry.toMillis(), retry.toMillis() << Math.min(attempts - 1, 20));
            tx.update("index.backfill-asked", w.repoId(), w.snapshotId(), hostId, attempts, now.toEpochMilli(),
                      now.toEpochMilli() + wait, "asked");
            return attempts;
        });
    }

    /** What came of the latest request for the snapshot (shown in the log, kept for a look at the database). */
    void answered(Wanted w, String result) {
        store.write(tx -> tx.update("index.backfill-result", result, w.repoId(), w.snapshotId()));
    }

    /** Forgets the requests whose snapshot is indexed or gone. */
    int backfillDone() {
        return store.write(tx -> tx.update("index.backfill-done"));
    }

    /** How many of the host's snapshots in the repository the index lacks. */
    long pending(String repoId, String hostname) {
        return store.read(tx -> tx.number("index.pending", repoId, hostname));
    }
}
