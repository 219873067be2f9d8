package io.resticmanager.agent;

import com.fasterxml.jackson.databind.JsonNode;
import io.resticmanager.proto.Message;
import io.resticmanager.proto.TreeIndex;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.logging.Logger;

/**
 * Indexes a new snapshot for the server's tree index (restore browsing and file search without this host): reads the
 * snapshot with {@code restic ls --json --no-lock} (restic 0.14 prints no tree ids, so each directory's id is the
 * {@link TreeIndex#contentId} of its listing, computed bottom-up as the pre-order listing streams by), asks the server
 * which ids it lacks and uploads only those, children before parents, then names the snapshot's root. Unchanged
 * directories keep their ids, so the next snapshot uploads only the changed ones. Runs after the backup's
 * {@code job.finished}; a failure only leaves the snapshot unindexed (browsing then asks this agent live).
 */
final class SnapshotIndexer {
    private static final Logger LOG = Logger.getLogger(SnapshotIndexer.class.getName());
    /** Finished trees held before asking the server about them. */
    private static final int ASK_EVERY_TREES = Message.IndexHave.MAX_IDS;
    private static final int ASK_EVERY_NODES = 50_000;
    /** Characters of entries per upload frame: well under the 1 MiB frame limit. */
    private static final int FRAME_CHARS = 700_000;
    private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(60);
    /** How long the root may wait for the snapshot to reach the server's snapshot list. */
    private static final Duration ROOT_PATIENCE = Duration.ofSeconds(60);

    /** One question to the server and its answer ({@link HubAsk#ask} in the agent). */
    interface Ask {
        Message ask(Message question) throws IOException;
    }

    /** What one indexing did. */
    record Stats(String rootTree, long files, long dirs, int trees, int uploaded, long uploadedNodes, int frames) {
    }

    private final Ask ask;

    SnapshotIndexer(Ask ask) {
        this.ask = ask;
    }

    /** An indexer on the agent's connection. */
    static SnapshotIndexer over(HubAsk hub) {
        return new SnapshotIndexer(q -> hub.ask(q, ANSWER_TIMEOUT));
    }

    Stats index(Restic restic, String repoId, String snapshotId) throws IOException {
        return index(restic, repoId, snapshotId, new Cancellation(Duration.ofSeconds(2)));
    }

    /** {@code stop}: cancelling it stops restic (the snapshot stays unindexed; an IOException says so). */
    Stats index(Restic restic, String repoId, String snapshotId, Cancellation stop) throws IOException {
        long started = System.nanoTime();
        Walk walk = new Walk();
        IOException[] failure = new IOException[1];
        Restic.Result result = restic.run(List.of("ls", "--json", "--no-lock", "--", snapshotId), new Restic.Output() {
            @Override
            public void json(String stream, JsonNode node) {
                if (failure[0] != null || !"node".equals(node.path("struct_type").asText(""))) {
                    return;
                }
                try {
                    walk.node(node);
                } catch (IOException | IllegalArgumentException e) {
                    failure[0] = e instanceof IOException io ? io : new IOException(e.getMessage(), e);
                    stop.cancel();
                }
            }

            @Override
            public void text(String stream, String line) {
                // errors are in the result's tail
            }
        }, stop);
        if (failure[0] != null) {
            throw failure[0];
        }
        if (stop.requested()) {
            throw new IOException("stopped");
        }
        if (result.exitCode() != 0) {
            throw new IOException(ExitCodes.classify(result).error().orElse("restic ls failed"));
        }
        String root = walk.finish();
        root(new Message.IndexRoot(repoId, snapshotId, root, walk.files, walk.dirs));
        Stats stats = new Stats(root, walk.files, walk.dirs, walk.trees, walk.uploaded, walk.uploadedNodes, walk.frames);
        LOG.info("indexed snapshot " + snapshotId.substring(0, 8) + ": " + stats.files() + " files, " + stats.dirs()
                         + " dirs; " + stats.uploaded() + " of " + stats.trees() + " trees were new to the server ("
                         + stats.uploadedNodes() + " entries in " + stats.frames() + " frames) in "
                         + Duration.ofNanos(System.nanoTime() - started).toMillis() + " ms");
        return stats;
    }

    /** The snapshot may not be in the server's list yet (its report travels separately): retry for a while. */
    private void root(Message.IndexRoot root) throws IOException {
        long deadline = System.nanoTime() + ROOT_PATIENCE.toNanos();
        long wait = 250;
        while (true) {
            try {
                ask.ask(root);
                return;
            } catch (HubAsk.Refused e) {
                if (!e.getMessage().contains("not in the snapshot list") || System.nanoTime() > deadline) {
                    throw e;
                }
            }
            try {
                Thread.sleep(wait); // backoff between retries of a remote condition this agent cannot watch
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted");
            }
            wait = Math.min(wait * 2, 5_000);
        }
    }

    /** A directory still being read: its entries so far and what its parent needs to name it. */
    private record Open(String path, String name, Long mtimeMs, List<Message.IndexNode> entries) {
    }

    /** A finished directory listing waiting to be asked about. */
    private record Tree(String id, List<Message.IndexNode> nodes) {
    }

    /** The pre-order walk: a stack of open directories; a directory closes when the listing leaves it. */
    private final class Walk {
        final Deque<Open> stack = new ArrayDeque<>();
        final List<Tree> finished = new ArrayList<>();
        final Set<String> seen = new HashSet<>();
        int finishedNodes;
        long files;
        long dirs;
        int trees;
        int uploaded;
        long uploadedNodes;
        int frames;

        Walk() {
            stack.push(new Open("/", "", null, new ArrayList<>()));
        }

        void node(JsonNode n) throws IOException {
            String path = n.path("path").asText("");
            String name = n.path("name").asText("");
            String type = n.path("type").asText("file");
            if (!path.startsWith("/") || name.isEmpty()) {
                throw new IOException("restic ls printed a node without path or name");
            }
            String parent = SnapshotBrowser.parent(path);
            while (!stack.peek().path().equals(parent)) {
                if (stack.size() == 1) {
                    throw new IOException("restic ls printed " + path + " outside the directory being read");
                }
                close();
            }
            Instant mtime = ResticJson.time(n.path("mtime").asText(""));
            Long mtimeMs = mtime == null ? null : mtime.toEpochMilli();
            if (type.equals("dir")) {
                dirs++;
                stack.push(new Open(path, name, mtimeMs, new ArrayList<>()));
            } else {
                files++;
                stack.peek().entries().add(new Message.IndexNode(name, type, Math.max(0, n.path("size").asLong(0)),
                                                                 mtimeMs, null));
            }
        }

        /** Closes the innermost open directory: its id is known now, its parent gets its entry. */
        private String close() throws IOException {
            Open dir = stack.pop();
            String id = TreeIndex.contentId(dir.entries());
            if (seen.add(id)) {
                finished.add(new Tree(id, TreeIndex.sorted(dir.entries())));
                finishedNodes += dir.entries().size();
                trees++;
            }
            if (!stack.isEmpty()) {
                stack.peek().entries().add(new Message.IndexNode(dir.name(), "dir", 0, dir.mtimeMs(), id));
            }
            if (finished.size() >= ASK_EVERY_TREES || finishedNodes >= ASK_EVERY_NODES) {
                flush();
            }
            return id;
        }

        String finish() throws IOException {
            while (stack.size() > 1) {
                close();
            }
            String root = close();
            flush();
            return root;
        }

        /** Asks which finished trees the server lacks and uploads those, in the order they finished. */
        private void flush() throws IOException {
            if (finished.isEmpty()) {
                return;
            }
            List<String> ids = finished.stream().map(Tree::id).toList();
            Message answer = ask.ask(new Message.IndexHave(ids));
            if (!(answer instanceof Message.IndexHaveResult have)) {
                throw new IOException("the server answered index.have with " + answer.getClass().getSimpleName());
            }
            Set<String> missing = new HashSet<>(have.missing());
            List<Message.IndexTree> frame = new ArrayList<>();
            int frameNodes = 0;
            int frameChars = 0;
            for (Tree t : finished) {
                if (!missing.contains(t.id())) {
                    continue;
                }
                uploaded++;
                uploadedNodes += t.nodes().size();
                List<List<Message.IndexNode>> pieces = pieces(t.nodes());
                for (int p = 0; p < pieces.size(); p++) {
                    List<Message.IndexNode> piece = pieces.get(p);
                    int chars = chars(piece);
                    if (!frame.isEmpty() && (frameNodes + piece.size() > Message.IndexUpload.MAX_NODES
                            || frameChars + chars > FRAME_CHARS)) {
                        send(frame);
                        frame = new ArrayList<>();
                        frameNodes = 0;
                        frameChars = 0;
                    }
                    frame.add(new Message.IndexTree(t.id(), p + 1, pieces.size(), piece));
                    frameNodes += piece.size();
                    frameChars += chars;
                }
            }
            if (!frame.isEmpty()) {
                send(frame);
            }
            finished.clear();
            finishedNodes = 0;
        }

        private void send(List<Message.IndexTree> frame) throws IOException {
            frames++;
            Message answer = ask.ask(new Message.IndexUpload(frame));
            if (!(answer instanceof Message.IndexResult)) {
                throw new IOException("the server answered index.upload with " + answer.getClass().getSimpleName());
            }
        }
    }

    /** A listing cut into pieces that each fit one frame. */
    private static List<List<Message.IndexNode>> pieces(List<Message.IndexNode> nodes) {
        List<List<Message.IndexNode>> out = new ArrayList<>();
        List<Message.IndexNode> piece = new ArrayList<>();
        int chars = 0;
        for (Message.IndexNode n : nodes) {
            int c = chars(n);
            if (!piece.isEmpty() && (piece.size() == Message.IndexUpload.MAX_NODES || chars + c > FRAME_CHARS)) {
                out.add(piece);
                piece = new ArrayList<>();
                chars = 0;
            }
            piece.add(n);
            chars += c;
        }
        out.add(piece); // an empty directory is one empty piece
        return out;
    }

    private static int chars(List<Message.IndexNode> nodes) {
        int sum = 0;
        for (Message.IndexNode n : nodes) {
            sum += chars(n);
        }
        return sum;
    }

    /** An entry's JSON length, plus room for its separator. */
    private static int chars(Message.IndexNode n) {
        return io.resticmanager.proto.Json.write(n).length() + 1;
    }
}
