package io.resticmanager.inventory;

import io.resticmanager.kit.Problem;
import io.resticmanager.proto.Message;
import io.resticmanager.proto.SnapshotInfo;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
        Host host = hosts.get(hostId);
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

    /** One directory level of an indexed snapshot; empty when the snapshot is not indexed. 404 for no such path. */
    Optional<SnapshotTree.Listing> list(String hostId, String repoId, String snapshotId, String path) {
        Optional<Long> root = index.root(repoId, snapshotId, hostId);
        if (root.isEmpty()) {
            return Optional.empty();
        }
        long tid = root.get();
        if (!path.equals("/")) {
            for (String part : path.substring(1).split("/")) {
                IndexStore.Node node = index.child(tid, part).orElseThrow(
                        () -> Problem.notFound("no such path " + path + " in snapshot " + snapshotId));
                if (node.sub() == null) {
                    throw Problem.notFound(path + " is not a directory in snapshot " + snapshotId);
                }
                tid = node.sub();
            }
        }
        List<IndexStore.Node> nodes = index.list(tid, MAX_LIST + 1);
        String prefix = path.equals("/") ? "/" : path + "/";
        List<Message.SnapshotEntry> items = new ArrayList<>(Math.min(nodes.size(), MAX_LIST));
        for (int i = 0; i < Math.min(nodes.size(), MAX_LIST); i++) {
            IndexStore.Node n = nodes.get(i);
            items.add(new Message.SnapshotEntry(n.name(), n.type(), prefix + n.name(), n.size(), time(n.mtimeMs())));
        }
        return Optional.of(new SnapshotTree.Listing(snapshotId, path, items, nodes.size() > MAX_LIST,
                                                    SnapshotTree.SOURCE_INDEX));
    }

    // ---- search ----

    /** What the search routes answer. */
    record Results(String query, List<FileMatch> items, boolean truncated) {
    }

    /** One path in the host's snapshots and its versions, newest first. */
    record FileMatch(String hostId, String hostname, String path, String type, List<Version> versions) {
    }

    /** One content of a path (size, mtime) and the snapshots that hold it, newest first. */
    record Version(long size, Instant mtime, List<SnapshotRef> snapshots) {
    }

    record SnapshotRef(String id, String shortId, String repoId, String time) {
    }

    Results search(List<Host> scope, String query) {
        String q = query == null ? "" : query.strip();
        if (q.isEmpty() || q.length() > 255 || q.indexOf('/') >= 0 || q.indexOf('\0') >= 0) {
            throw Problem.badRequest("q must be a file name or glob of 1 to 255 characters, without '/'");
        }
        List<FileMatch> items = new ArrayList<>();
        boolean truncated = false;
        for (Host host : scope) {
            truncated |= searchHost(host, q, items);
            if (items.size() >= MAX_RESULTS) {
                truncated = true;
                break;
            }
        }
        items.sort(Comparator.comparing(FileMatch::path).thenComparing(FileMatch::hostId));
        return new Results(q, items.size() > MAX_RESULTS ? items.subList(0, MAX_RESULTS) : items, truncated);
    }

    private boolean searchHost(Host host, String q, List<FileMatch> out) {
        Map<Long, List<IndexStore.IndexedSnapshot>> roots = new HashMap<>();
        for (IndexStore.IndexedSnapshot s : index.snapshots(host.id())) {
            roots.computeIfAbsent(s.root(), k -> new ArrayList<>()).add(s);
        }
        if (roots.isEmpty()) {
            return false;
        }
        boolean glob = q.chars().anyMatch(c -> c == '*' || c == '?' || c == '[');
        List<IndexStore.Hit> hits = glob ? index.search("glob", q, host.id(), MAX_HITS + 1)
                : index.search("like", "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%",
                               host.id(), MAX_HITS + 1);
        boolean truncated = hits.size() > MAX_HITS;
        Map<Long, List<Place>> memo = new HashMap<>();
        // path → (size, mtime) → snapshots
        Map<String, Map<List<Object>, Map<String, IndexStore.IndexedSnapshot>>> found = new LinkedHashMap<>();
        Map<String, String> types = new HashMap<>();
        for (IndexStore.Hit hit : hits.subList(0, Math.min(hits.size(), MAX_HITS))) {
            for (Place place : places(hit.tid(), roots, memo, 0)) {
                String path = place.dir() + "/" + hit.name();
                types.putIfAbsent(path, hit.type());
                var versions = found.computeIfAbsent(path, k -> new LinkedHashMap<>());
                var holders = versions.computeIfAbsent(java.util.Arrays.asList(hit.size(), hit.mtimeMs()),
                                                       k -> new LinkedHashMap<>());
                for (IndexStore.IndexedSnapshot s : roots.get(place.root())) {
                    holders.put(s.repoId() + "/" + s.snapshotId(), s);
                }
            }
        }
        for (var e : found.entrySet()) {
            List<Version> versions = new ArrayList<>();
            for (var v : e.getValue().entrySet()) {
                List<SnapshotRef> refs = v.getValue().values().stream()
                        .sorted(Comparator.comparing(IndexStore.IndexedSnapshot::time).reversed())
                        .map(s -> new SnapshotRef(s.snapshotId(), s.shortId(), s.repoId(), s.time())).toList();
                versions.add(new Version((Long) v.getKey().get(0), time((Long) v.getKey().get(1)), refs));
            }
            versions.sort(Comparator.comparing((Version v) -> v.snapshots().getFirst().time()).reversed());
            out.add(new FileMatch(host.id(), host.hostname(), e.getKey(), types.get(e.getKey()), versions));
        }
        return truncated;
    }

    /** Where a tree sits: under which indexed root, at which directory path ("" = the root). */
    private record Place(long root, String dir) {
    }

    private List<Place> places(long tid, Map<Long, List<IndexStore.IndexedSnapshot>> roots,
                               Map<Long, List<Place>> memo, int depth) {
        List<Place> known = memo.get(tid);
        if (known != null) {
            return known;
        }
        List<Place> out = new ArrayList<>();
        if (roots.containsKey(tid)) {
            out.add(new Place(tid, ""));
        }
        if (depth < 256) {
            for (IndexStore.Node parent : index.parents(tid, MAX_PATHS_PER_TREE)) {
                for (Place p : places(parent.sub(), roots, memo, depth + 1)) {
                    if (out.size() >= MAX_PATHS_PER_TREE) {
                        break;
                    }
                    out.add(new Place(p.root(), p.dir() + "/" + parent.name()));
                }
            }
        }
        memo.put(tid, out);
        return out;
    }

    private static Instant time(Long millis) {
        return millis == null ? null : Instant.ofEpochMilli(millis);
    }
}
