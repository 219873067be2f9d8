package io.resticmanager.agent;

import io.resticmanager.proto.JobParams;
import io.resticmanager.proto.JobStatus;
import io.resticmanager.proto.Message;
import io.resticmanager.proto.TreeIndex;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;

/** Indexing real restic snapshots against a server that keeps trees by content id, as inventory does. */
class SnapshotIndexerTest {
    @TempDir
    Path dir;

    /** The server's side, in memory: checks what inventory checks (subtrees first, ids recomputed). */
    static final class Server implements SnapshotIndexer.Ask {
        final Map<String, List<Message.IndexNode>> trees = new HashMap<>();
        final Map<String, List<Message.IndexNode>> pieces = new HashMap<>();
        final List<String> uploaded = new ArrayList<>();
        final Map<String, String> roots = new HashMap<>();
        int frames;

        @Override
        public Message ask(Message q) {
            return switch (q) {
                case Message.IndexHave h -> new Message.IndexHaveResult(
                        h.treeIds().stream().filter(id -> !trees.containsKey(id)).toList());
                case Message.IndexUpload u -> {
                    frames++;
                    int stored = 0;
                    for (Message.IndexTree t : u.trees()) {
                        for (Message.IndexNode n : t.nodes()) {
                            if (n.subtree() != null && !trees.containsKey(n.subtree())) {
                                throw new AssertionError("a parent came before its subtree " + n.subtree());
                            }
                        }
                        List<Message.IndexNode> all = pieces.computeIfAbsent(t.id(), k -> new ArrayList<>());
                        all.addAll(t.nodes());
                        if (t.part() == t.parts()) {
                            assertThat(TreeIndex.contentId(all), is(t.id()));
                            trees.put(t.id(), pieces.remove(t.id()));
                            uploaded.add(t.id());
                            stored++;
                        }
                    }
                    yield new Message.IndexResult(stored);
                }
                case Message.IndexRoot r -> {
                    assertThat(trees.containsKey(r.rootTree()), is(true));
                    roots.put(r.snapshotId(), r.rootTree());
                    yield new Message.IndexResult(0);
                }
                default -> throw new AssertionError(q);
            };
        }

        /** The entries at a path of an indexed snapshot. */
        List<Message.IndexNode> list(String snapshot, String path) {
            List<Message.IndexNode> nodes = trees.get(roots.get(snapshot));
            for (String part : path.substring(1).split("/")) {
                String sub = nodes.stream().filter(n -> n.name().equals(part)).findFirst().orElseThrow().subtree();
                nodes = trees.get(sub);
            }
            return nodes;
        }
    }

    private String backup(Restic restic, Path src) throws Exception {
        BackupRunner backup = new BackupRunner();
        JobParams params = new JobParams(List.of(src.toString()), null, null, null, null, null, null, null, null, null,
                                         null, null);
        Outcome o = backup.run(restic, backup.args(params, restic.version()), new RecordingSink(), new Cancellation());
        assertThat(o.status(), is(JobStatus.SUCCEEDED));
        return (String) o.summary().get("snapshot_id");
    }

    @Test
    void theNextSnapshotUploadsOnlyTheTreesThatChanged() throws Exception {
        Path repo = TestRepo.create(dir.resolve("repo"));
        Path src = dir.resolve("src");
        for (int d = 0; d < 5; d++) {
            Path sub = Files.createDirectories(src.resolve("dir-" + d + "/inner"));
            for (int f = 0; f < 20; f++) {
                Files.writeString(sub.resolve("f-" + f + ".txt"), "content " + d + "/" + f);
            }
        }
        // one directory larger than a frame carries: sent in pieces
        Path big = Files.createDirectories(src.resolve("big"));
        for (int f = 0; f < 2500; f++) {
            Files.writeString(big.resolve("entry-" + f), "");
        }
        Restic restic = TestRepo.wrapper(repo);
        Server server = new Server();
        SnapshotIndexer indexer = new SnapshotIndexer(server);

        String first = backup(restic, src);
        SnapshotIndexer.Stats one = indexer.index(restic, "r-1", first);
        assertThat(one.files(), is(2600L));
        assertThat(server.list(first, src + "/big"), hasSize(2500));
        assertThat(server.list(first, src + "/dir-3/inner").stream().map(Message.IndexNode::name).limit(2).toList(),
                   containsInAnyOrder("f-0.txt", "f-1.txt"));

        Files.writeString(src.resolve("dir-2/inner/f-7.txt"), "changed content");
        String second = backup(restic, src);
        server.uploaded.clear();
        SnapshotIndexer.Stats two = indexer.index(restic, "r-1", second);
        // dir-2/inner, dir-2, src and every ancestor of src up to the root: nothing else
        int depth = src.getNameCount();
        assertThat(two.uploaded(), is(2 + depth + 1));
        assertThat(server.uploaded, hasSize(2 + depth + 1));
        assertThat(server.list(second, src + "/dir-2/inner").stream()
                           .filter(n -> n.name().equals("f-7.txt")).findFirst().orElseThrow().size(), is(15L));
        assertThat(server.list(first, src + "/dir-2/inner").stream()
                           .filter(n -> n.name().equals("f-7.txt")).findFirst().orElseThrow().size(), is(11L));
    }
}
