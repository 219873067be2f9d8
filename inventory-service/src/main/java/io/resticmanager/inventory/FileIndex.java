package io.resticmanager.inventory;

import io.resticmanager.kit.Problem;
import io.resticmanager.proto.Message;
import io.resticmanager.proto.SnapshotInfo;

import io.resticmanager.proto.view.HostView;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The tree index (issue 25): takes what a host's agent uploads after a backup — only for that host, within its quota —
 * and answers restore browsing and file search from it, with the host online or not.
 */
final class FileIndex {
    /** Entries one host's index may hold (about 80 bytes each on disk, docs/TREE-INDEX.md). */
    static final long DEFAULT_MAX_ENTRIES_PER_HOST = 20_000_000;
    /** Trees younger than this survive a sweep even when unreferenced: their snapshot's upload may be in flight. */
    static final Duration DEFAULT_SWEEP_GRACE = Duration.ofHours(1);
    /** Entries one listing answers. */
    static final int MAX_LIST = 20_000;
    /** Matching entries one search looks at, and paths it answers. */
    static final int MAX_HITS = 5_000;
    static final int MAX_RESULTS = 500;
    /** Paths one directory tree is followed to (identical directories share a tree). */
    private static final int MAX_PATHS_PER_TREE = 200;

    private final IndexStore index;
    private final Hosts hosts;
    private final SnapshotStore snapshots;
    private final Clock clock;
    private final long maxEntries;
    private final Duration sweepGrace;

    FileIndex(IndexStore index, Hosts hosts, SnapshotStore snapshots, Clock clock, long maxEntries,
              Duration sweepGrace) {
        this.index = index;
        this.hosts = hosts;
        this.snapshots = snapshots;
        this.clock = clock;
        this.maxEntries = maxEntries;
        this.sweepGrace = sweepGrace;
    }

    // ---- from the agent (through agent-hub) ----

    Message.IndexHaveResult have(String hostId, Message.IndexHave have) {
        hosts.get(hostId);
        return new Message.IndexHaveResult(index.missing(hostId, have.treeIds()));
    }

    Message.IndexResult upload(String hostId, Message.IndexUpload upload) {
        hosts.get(hostId);
        return new Message.IndexResult(index.upload(hostId, upload, maxEntries, clock.instant()));
    }

    /** The snapshot must be this host's, in a repository it backs up to, and its root tree stored. */
    Message.IndexResult root(String hostId, Message.IndexRoot root) {
        HostView host = hosts.get(hostId);
        if (host.repos().stream().noneMatch(r -> r.repoId().equals(root.repoId()))) {
            throw Problem.unprocessable("host " + hostId + " does not back up to repository " + root.repoId());
        }
        // restic 0.14's backup summary names the snapshot by its short id: a unique prefix of this host's snapshot
        SnapshotInfo snapshot = snapshots.find(root.repoId(), host.hostname(), root.snapshotId())
                .orElseThrow(() -> Problem.conflict("snapshot " + root.snapshotId() + " of host " + hostId
                                                            + " is not in the snapshot list (yet)"));
        long tid = index.completeTid(hostId, root.rootTree()).orElseThrow(() -> Problem.unprocessable(
                "root tree " + root.rootTree() + " is not stored; upload it first"));
        index.putSnapshot(root.repoId(), snapshot.id(), hostId, tid, Math.max(0, root.files()),
                          Math.max(0, root.dirs()), clock.instant());
        return new Message.IndexResult(0);
    }

    /** After a snapshot list changed: drop the index of forgotten snapshots and the trees only they used. */
    int sweep() {
        return index.sweep(clock.instant().minus(sweepGrace), false);
    }

    // ---- browsing ----

    /** How many of the host's snapshots in the repository are not indexed (yet): background indexing's progress. */
    long pending(String repoId, String hostname) {
        return index.pending(repoId, hostname);
    }

    /** Which of these snapshots of a repository are indexed (browsed and searched without the agent). */
    java.util.Set<String> indexed(String repoId, List<String> snapshotIds) {
        return snapshotIds.isEmpty() ? java.util.Set.of() : index.read(view -> view.indexed(repoId, snapshotIds));
    }

    /**
     * One page of a directory level of an indexed snapshot (directories first, then by name), {@code limit} entries
     * after {@code cursor}; empty when the snapshot is not indexed. 404 for no such path.
     */
    Optional<SnapshotTree.Listing> list(String hostId, String repoId, String snapshotId, String path,
                                        Optional<String> cursor, int limit) {
        ListCursor after = cursor.map(ListCursor::parse).orElse(ListCursor.START);
        return index.read(view -> {
            Optional<Long> root = view.root(repoId, snapshotId, hostId);
            if (root.isEmpty()) {
                return Optional.empty();
            }
            long tid = root.get();
            if (!path.equals("/")) {
                for (String part : path.substring(1).split("/")) {
                    IndexStore.Node node = view.child(tid, part).orElseThrow(
                            () -> Problem.notFound("no such path " + path + " in snapshot " + snapshotId));
                    if (node.sub() == null) {
                        throw Problem.notFound(path + " is not a directory in snapshot " + snapshotId);
                    }
                    tid = node.sub();
                }
            }
            // one more than asked tells whether another page follows
            List<IndexStore.Node> dirs = after.dirs() ? view.list(tid, true, after.name(), limit + 1) : List.of();
            List<IndexStore.Node> others = dirs.size() > limit ? List.of()
                    : view.list(tid, false, after.dirs() ? "" : after.name(), limit + 1 - dirs.size());
            List<IndexStore.Node> nodes = new ArrayList<>(dirs);
            nodes.addAll(others);
            boolean more = nodes.size() > limit;
            List<IndexStore.Node> page = more ? nodes.subList(0, limit) : nodes;
            String prefix = path.equals("/") ? "/" : path + "/";
            List<Message.SnapshotEntry> items = new ArrayList<>(page.size());
            for (IndexStore.Node n : page) {
                items.add(new Message.SnapshotEntry(n.name(), n.type(), prefix + n.name(), n.size(),
                                                   time(n.mtimeMs())));
            }
            String next = more ? new ListCursor(page.size() <= dirs.size(), page.getLast().name()).text() : null;
            return Optional.of(new SnapshotTree.Listing(snapshotId, path, items, more, SnapshotTree.SOURCE_INDEX,
                                                        next));
        });
    }

    /** What restoring a selection brings back, per selected path and in all. */
    record Preview(String snapshotId, String source, long files, long dirs, long bytes, List<Selected> paths) {
    }

    /** One selected path: a file (files 1) or a directory with everything below it (dirs counts itself). */
    record Selected(String path, String type, long files, long dirs, long bytes) {
    }

    /**
     * Files and bytes a restore of {@code paths} (absolute, normalized) would bring back, from the index; a path
     * under another selected one is counted once, with the outer one. Empty when the snapshot is not indexed; 404
     * for a path the snapshot does not hold.
     */
    Optional<Preview> preview(String hostId, String repoId, String snapshotId, List<String> paths) {
        List<String> outer = paths.stream().distinct()
                .filter(p -> paths.stream().noneMatch(o -> !o.equals(p) && (o.equals("/") || p.startsWith(o + "/"))))
                .sorted().toList();
        return index.read(view -> {
            Optional<Long> root = view.root(repoId, snapshotId, hostId);
            if (root.isEmpty()) {
                return Optional.empty();
            }
            List<Selected> selected = new ArrayList<>();
            long files = 0;
            long dirs = 0;
            long bytes = 0;
            for (String path : outer) {
                IndexStore.Node node = new IndexStore.Node("/", "dir", 0, null, root.get());
                if (!path.equals("/")) {
                    for (String part : path.substring(1).split("/")) {
                        if (node.sub() == null) {
                            throw Problem.notFound("no such path " + path + " in snapshot " + snapshotId);
                        }
                        node = view.child(node.sub(), part).orElseThrow(
                                () -> Problem.notFound("no such path " + path + " in snapshot " + snapshotId));
                    }
                }
                Selected one;
                if (node.sub() == null) {
                    one = new Selected(path, node.type(), 1, 0, node.size());
                } else {
                    long[] t = view.totals(node.sub());
                    one = new Selected(path, "dir", t[0], t[1] + 1, t[2]);
                }
                selected.add(one);
                files += one.files();
                dirs += one.dirs();
                bytes += one.bytes();
            }
            return Optional.of(new Preview(snapshotId, SnapshotTree.SOURCE_INDEX, files, dirs, bytes, selected));
        });
    }

    // ---- search ----

    /** What the search routes answer. */
    record Results(String query, List<FileMatch> items, boolean truncated) {
    }

    /** One path in the host's snapshots and its versions, newest first. */
    record FileMatch(String hostId, String hostname, String path, String type, List<Version> versions) {
    }

    /**
     * One content of a path (size, mtime): how many snapshots hold it and the newest {@link #MAX_REFS} of them,
     * newest first.
     */
    record Version(long size, Instant mtime, int snapshotCount, List<SnapshotRef> snapshots) {
    }

    record SnapshotRef(String id, String shortId, String repoId, String time) {
    }

    /** Snapshots one version lists by name (its count says how many hold it). */
    static final int MAX_REFS = 10;
    /** Versions one path lists (newest first). */
    static final int MAX_VERSIONS = 100;
    /** Directory entries one search follows up from its hits to the snapshots' roots. */
    static final int MAX_EDGES = 200_000;

    Results search(List<HostView> scope, String query) {
        String q = query == null ? "" : query.strip();
        if (q.isEmpty() || q.length() > 255 || q.indexOf('/') >= 0 || q.indexOf('\0') >= 0) {
            throw Problem.badRequest("q must be a file name or glob of 1 to 255 characters, without '/'");
        }
        List<FileMatch> items = new ArrayList<>();
        boolean truncated = false;
        for (HostView host : scope) {
            truncated |= index.read(view -> searchHost(view, host, q, items));
            if (items.size() >= MAX_RESULTS) {
                truncated = true;
                break;
            }
        }
        items.sort(Comparator.comparing(FileMatch::path).thenComparing(FileMatch::hostId));
        return new Results(q, items.size() > MAX_RESULTS ? items.subList(0, MAX_RESULTS) : items, truncated);
    }

    /**
     * Finds the matching entries, then walks up from their trees to the snapshots' roots, one query per level for
     * all trees of that level, and puts each entry at its paths with the set of roots (snapshots) reaching it.
     */
    private boolean searchHost(IndexStore.View view, HostView host, String q, List<FileMatch> out) {
        List<IndexStore.IndexedSnapshot> snaps = view.snapshots(host.id());
        if (snaps.isEmpty()) {
            return false;
        }
        // roots numbered newest first; several snapshots may share one root (nothing changed between them)
        Map<Long, Integer> rootIndex = new HashMap<>();
        List<List<IndexStore.IndexedSnapshot>> rootSnaps = new ArrayList<>();
        for (IndexStore.IndexedSnapshot s : snaps) {
            int r = rootIndex.computeIfAbsent(s.root(), k -> {
                rootSnaps.add(new ArrayList<>());
                return rootSnaps.size() - 1;
            });
            rootSnaps.get(r).add(s);
        }
        boolean glob = q.chars().anyMatch(c -> c == '*' || c == '?' || c == '[');
        List<IndexStore.Hit> hits = glob ? view.search("glob", q, host.id(), MAX_HITS + 1)
                : view.search("like", "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%",
                              host.id(), MAX_HITS + 1);
        boolean truncated = hits.size() > MAX_HITS;
        hits = hits.subList(0, Math.min(hits.size(), MAX_HITS));

        // up from the hits' trees, level by level: child tid → the entries naming it
        Map<Long, List<IndexStore.Edge>> up = new HashMap<>();
        java.util.Set<Long> seen = new java.util.HashSet<>();
        List<Long> level = new ArrayList<>();
        for (IndexStore.Hit h : hits) {
            if (seen.add(h.tid())) {
                level.add(h.tid());
            }
        }
        int edges = 0;
        while (!level.isEmpty() && edges < MAX_EDGES) {
            List<Long> next = new ArrayList<>();
            for (int i = 0; i < level.size() && edges < MAX_EDGES; i += 1000) {
                for (IndexStore.Edge e : view.parents(level.subList(i, Math.min(level.size(), i + 1000)),
                                                      MAX_EDGES - edges + 1)) {
                    up.computeIfAbsent(e.child(), k -> new ArrayList<>()).add(e);
                    edges++;
                    if (seen.add(e.parent())) {
                        next.add(e.parent());
                    }
                }
            }
            level = next;
        }
        truncated |= edges >= MAX_EDGES;

        Map<Long, Map<String, BitSet>> memo = new HashMap<>();
        // path → (size, mtime) → roots holding that version there
        Map<String, Map<List<Object>, BitSet>> found = new LinkedHashMap<>();
        Map<String, String> types = new HashMap<>();
        for (IndexStore.Hit hit : hits) {
            for (var place : places(hit.tid(), rootIndex, up, memo).entrySet()) {
                String path = place.getKey() + "/" + hit.name();
                types.putIfAbsent(path, hit.type());
                found.computeIfAbsent(path, k -> new LinkedHashMap<>())
                        .computeIfAbsent(java.util.Arrays.asList(hit.size(), hit.mtimeMs()), k -> new BitSet())
                        .or(place.getValue());
            }
        }
        for (var e : found.entrySet()) {
            List<Version> versions = new ArrayList<>();
            for (var v : e.getValue().entrySet()) {
                List<IndexStore.IndexedSnapshot> holders = new ArrayList<>();
                for (int r = v.getValue().nextSetBit(0); r >= 0; r = v.getValue().nextSetBit(r + 1)) {
                    holders.addAll(rootSnaps.get(r));
                }
                holders.sort(Comparator.comparing(IndexStore.IndexedSnapshot::time).reversed());
                List<SnapshotRef> refs = holders.subList(0, Math.min(holders.size(), MAX_REFS)).stream()
                        .map(s -> new SnapshotRef(s.snapshotId(), s.shortId(), s.repoId(), s.time())).toList();
                versions.add(new Version((Long) v.getKey().get(0), time((Long) v.getKey().get(1)), holders.size(),
                                         refs));
            }
            versions.sort(Comparator.comparing((Version v) -> v.snapshots().getFirst().time()).reversed());
            if (versions.size() > MAX_VERSIONS) {
                versions = versions.subList(0, MAX_VERSIONS);
                truncated = true;
            }
            out.add(new FileMatch(host.id(), host.hostname(), e.getKey(), types.get(e.getKey()), versions));
        }
        return truncated;
    }

    /**
     * Where tree {@code tid} sits: each directory path ("" = a root) with the roots it sits there under. Identical
     * directories share a tree, so one tree may sit at several paths (at most {@link #MAX_PATHS_PER_TREE}).
     */
    private static Map<String, BitSet> places(long tid, Map<Long, Integer> rootIndex,
                                              Map<Long, List<IndexStore.Edge>> up,
                                              Map<Long, Map<String, BitSet>> memo) {
        Map<String, BitSet> known = memo.get(tid);
        if (known != null) {
            return known;
        }
        Map<String, BitSet> out = new LinkedHashMap<>();
        memo.put(tid, out); // the index is acyclic (a tree names only trees stored before it); this guards anyway
        Integer r = rootIndex.get(tid);
        if (r != null) {
            BitSet self = new BitSet();
            self.set(r);
            out.put("", self);
        }
        for (IndexStore.Edge parent : up.getOrDefault(tid, List.of())) {
            for (var p : places(parent.parent(), rootIndex, up, memo).entrySet()) {
                String dir = p.getKey() + "/" + parent.name();
                BitSet bits = out.get(dir);
                if (bits == null) {
                    if (out.size() >= MAX_PATHS_PER_TREE) {
                        continue;
                    }
                    out.put(dir, bits = new BitSet());
                }
                bits.or(p.getValue());
            }
        }
        return out;
    }

    private static Instant time(Long millis) {
        return millis == null ? null : Instant.ofEpochMilli(millis);
    }
}
