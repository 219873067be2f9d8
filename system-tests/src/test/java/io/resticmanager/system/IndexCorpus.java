package io.resticmanager.system;

import io.resticmanager.proto.Json;
import io.resticmanager.proto.Message;
import io.resticmanager.proto.TreeIndex;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * The search benchmark's data set, seeded through inventory-service's own index routes (the ones agent-hub relays an
 * agent's frames to, so the same checks and statements store it): one host with {@code snapshots} snapshots of
 * {@code files} files each under {@code /srv/data/d-T/s-S/file-N.txt} (100 files a directory, 10 directories under
 * each {@code d-T}) and a directory {@code /srv/wide} of {@value #WIDE} files, {@code changes} files changed from one
 * snapshot to the next. Each snapshot's trees are built and content-addressed exactly as the agent's indexer would
 * ({@link TreeIndex#contentId}), so an unchanged directory is shared with the snapshot before, and only the changed
 * directories' trees are uploaded (a large directory in pieces, children before parents).
 */
final class IndexCorpus {
    static final String HOSTNAME = "index-search.bench.example";
    private static final int LEAF = 100;
    private static final int FANOUT = 10;
    /** Entries of {@code /srv/wide}, the same in every snapshot: the directory browsing is timed on. */
    static final int WIDE = 10_000;
    private static final long BASE_MTIME = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();

    private final int files;
    private final int[] version;
    private final String[] leafIds;
    private final String[] midIds;
    private final Set<String> known = new HashSet<>();
    private String wideId;
    /** Leaves with a changed file since their tree was built. */
    private final Set<Integer> dirty = new HashSet<>();
    /** Trees finished but not sent yet, children first. */
    private final List<Message.IndexTree> pending = new ArrayList<>();
    long uploadedNodes;
    int uploadedTrees;

    private IndexCorpus(int files) {
        this.files = files;
        this.version = new int[files];
        this.leafIds = new String[(files + LEAF - 1) / LEAF];
        this.midIds = new String[(leafIds.length + FANOUT - 1) / FANOUT];
    }

    /** Seeds the host and its snapshots; returns the host id. */
    static String seed(Api admin, Api inventory, String repoPath, int snapshots, int files, int changes, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        String hostId = UUID.randomUUID().toString();
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        inventory.post("/internal/events", Map.of("events", List.of(BenchSetup.hostEvent(hostId, "host.enrolled", now, Map.of(
                "hostname", HOSTNAME, "os", "linux", "arch", "amd64", "agent_version", "bench"))))).expect(200);
        String repoId = BenchSetup.createRepo(admin, "index-search-repo", repoPath, "index-search-pw");
        BenchSetup.assignRepo(admin, hostId, repoId);

        List<String> ids = new ArrayList<>(snapshots);
        List<Map<String, Object>> listed = new ArrayList<>(snapshots);
        for (int i = 0; i < snapshots; i++) {
            String id = hex(random, 32);
            ids.add(id);
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("id", id);
            s.put("short_id", id.substring(0, 8));
            s.put("time", now.minus(snapshots - i, ChronoUnit.HOURS).toString());
            s.put("paths", List.of("/srv/data"));
            s.put("tags", List.of("bench"));
            s.put("hostname", HOSTNAME);
            s.put("username", "root");
            s.put("tree", hex(random, 32));
            listed.add(s);
        }
        inventory.post("/internal/events", Map.of("events", List.of(BenchSetup.hostEvent(hostId, "snapshots.report", now, Map.of(
                "job_id", UUID.randomUUID().toString(), "repo_id", repoId, "snapshots", listed))))).expect(200);

        IndexCorpus corpus = new IndexCorpus(files);
        for (int i = 0; i < snapshots; i++) {
            if (i > 0) {
                for (int c = 0; c < changes; c++) {
                    int n = random.nextInt(files);
                    corpus.version[n]++;
                    corpus.dirty.add(n / LEAF);
                }
            }
            String root = corpus.build(i == 0);
            corpus.flush(inventory, hostId);
            inventory.post("/internal/hosts/" + hostId + "/index/root",
                           new Message.IndexRoot(repoId, ids.get(i), root, files + WIDE, corpus.leafIds.length
                                   + corpus.midIds.length + 4L)).expect(200);
        }
        System.out.printf(java.util.Locale.ROOT, "index: seeded %d snapshots × %d files: %d trees, %d entries "
                                  + "uploaded%n", snapshots, files, corpus.uploadedTrees, corpus.uploadedNodes);
        return hostId;
    }

    /** Rebuilds the trees (all of them the first time, else those on a changed file's path); returns the root id. */
    private String build(boolean all) {
        if (all) {
            for (int l = 0; l < leafIds.length; l++) {
                dirty.add(l);
            }
        }
        Set<Integer> dirtyMids = new HashSet<>();
        for (int l : dirty.stream().sorted().toList()) {
            List<Message.IndexNode> nodes = new ArrayList<>(LEAF);
            for (int n = l * LEAF; n < Math.min(files, (l + 1) * LEAF); n++) {
                nodes.add(new Message.IndexNode("file-" + n + ".txt", "file", 1000L + n + 17L * version[n],
                                                BASE_MTIME + version[n] * 3_600_000L + n, null));
            }
            leafIds[l] = tree(nodes);
            dirtyMids.add(l / FANOUT);
        }
        dirty.clear();
        for (int m : dirtyMids.stream().sorted().toList()) {
            List<Message.IndexNode> nodes = new ArrayList<>(FANOUT);
            for (int l = m * FANOUT; l < Math.min(leafIds.length, (m + 1) * FANOUT); l++) {
                nodes.add(dir("s-" + (l % FANOUT), leafIds[l]));
            }
            midIds[m] = tree(nodes);
        }
        List<Message.IndexNode> data = new ArrayList<>(midIds.length);
        for (int m = 0; m < midIds.length; m++) {
            data.add(dir("d-" + m, midIds[m]));
        }
        if (wideId == null) {
            List<Message.IndexNode> wide = new ArrayList<>(WIDE);
            for (int n = 0; n < WIDE; n++) {
                wide.add(new Message.IndexNode("wide-" + n + ".dat", "file", n, BASE_MTIME + n, null));
            }
            wideId = tree(wide);
        }
        String srv = tree(List.of(dir("data", tree(data)), dir("wide", wideId)));
        return tree(List.of(dir("srv", srv)));
    }

    private static Message.IndexNode dir(String name, String subtree) {
        return new Message.IndexNode(name, "dir", 0, BASE_MTIME, subtree);
    }

    /** A finished tree: its id, queued for upload unless the server has it already. */
    private String tree(List<Message.IndexNode> nodes) {
        String id = TreeIndex.contentId(nodes);
        if (known.add(id)) {
            pending.add(new Message.IndexTree(id, 1, 1, TreeIndex.sorted(nodes)));
            uploadedTrees++;
            uploadedNodes += nodes.size();
        }
        return id;
    }

    /** Sends the pending trees in frames of at most {@link Message.IndexUpload#MAX_NODES} entries. */
    private void flush(Api inventory, String hostId) {
        List<Message.IndexTree> frame = new ArrayList<>();
        int nodes = 0;
        for (Message.IndexTree whole : pending) {
            List<Message.IndexNode> all = whole.nodes();
            int parts = (all.size() + Message.IndexUpload.MAX_NODES - 1) / Message.IndexUpload.MAX_NODES;
            for (int p = 0; p < Math.max(1, parts); p++) { // a large directory goes in pieces, as the agent sends it
                int max = Message.IndexUpload.MAX_NODES;
                Message.IndexTree t = new Message.IndexTree(whole.id(), p + 1, Math.max(1, parts),
                                                            all.subList(p * max, Math.min(all.size(), (p + 1) * max)));
                if (!frame.isEmpty() && nodes + t.nodes().size() > Message.IndexUpload.MAX_NODES) {
                    send(inventory, hostId, frame);
                    frame = new ArrayList<>();
                    nodes = 0;
                }
                frame.add(t);
                nodes += t.nodes().size();
            }
        }
        if (!frame.isEmpty()) {
            send(inventory, hostId, frame);
        }
        pending.clear();
    }

    private static void send(Api inventory, String hostId, List<Message.IndexTree> frame) {
        inventory.post("/internal/hosts/" + hostId + "/index/upload", Json.write(new Message.IndexUpload(frame)))
                .expect(200);
    }

    private static String hex(SplittableRandom random, int bytes) {
        byte[] b = new byte[bytes];
        random.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
