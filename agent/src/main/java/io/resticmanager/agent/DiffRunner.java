package io.resticmanager.agent;

import com.fasterxml.jackson.databind.JsonNode;
import io.resticmanager.proto.Checks;
import io.resticmanager.proto.DiffEntry;
import io.resticmanager.proto.JobParams;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code restic diff --json A B}: the paths added, removed and changed from snapshot A to B. restic's change messages
 * carry no sizes, so {@code restic ls --json} of A (for removed and changed paths) and of B (for added and changed
 * ones) fills them in, keeping only the paths of the diff. At most {@link #MAX_ENTRIES} entries are kept (the rest
 * are counted, {@code truncated: true}); each goes to the job log as one {@link DiffEntry#STREAM} line, which
 * jobs-service pages. restic's statistics become the summary.
 */
final class DiffRunner implements Runner {
    /** Entries one diff reports at most: the whole diff of a big tree would not fit a job's log. */
    static final int MAX_ENTRIES = 20_000;

    /** One path of the diff while its sizes are being read. */
    private static final class Pending {
        final DiffEntry.Change change;
        final boolean dir;
        String type;
        Long oldSize;
        Long newSize;

        Pending(DiffEntry.Change change, boolean dir) {
            this.change = change;
            this.dir = dir;
        }
    }

    @Override
    public List<String> args(JobParams params, ResticVersion version) {
        String from = params.snapshotId();
        String to = params.otherSnapshotId();
        if (from == null || to == null || !Checks.snapshotId(from) || !Checks.snapshotId(to)) {
            throw new IllegalArgumentException("a diff needs snapshot_id and other_snapshot_id (8 to 64 hex characters)");
        }
        return List.of("diff", "--json", from, to);
    }

    @Override
    public Outcome run(Restic restic, List<String> args, JobSink sink, Cancellation cancel) throws IOException {
        Map<String, Pending> entries = new LinkedHashMap<>();
        Map<String, Object> summary = new LinkedHashMap<>();
        long[] total = {0};
        Restic.Result result = restic.run(args, new TextOutput(sink) {
            @Override
            public void json(String stream, JsonNode node) {
                String type = node.path("message_type").asText("");
                if (type.equals("change")) {
                    total[0]++;
                    String path = node.path("path").asText("");
                    var change = DiffEntry.Change.ofModifier(node.path("modifier").asText(""));
                    if (change.isPresent() && !path.isEmpty() && entries.size() < MAX_ENTRIES) {
                        boolean dir = path.length() > 1 && path.endsWith("/");
                        entries.put(dir ? path.substring(0, path.length() - 1) : path, new Pending(change.get(), dir));
                    }
                } else if (type.equals("statistics")) {
                    statistics(node, summary);
                } else {
                    super.json(stream, node);
                }
            }
        }, cancel);
        Outcome outcome = ExitCodes.classify(result);
        if (!outcome.successful()) {
            return outcome.withSummary(summary);
        }
        List<String> from = List.of("ls", "--json", args.get(args.size() - 2));
        List<String> to = List.of("ls", "--json", args.getLast());
        boolean needOld = entries.values().stream().anyMatch(p -> p.change != DiffEntry.Change.ADDED);
        boolean needNew = entries.values().stream().anyMatch(p -> p.change != DiffEntry.Change.REMOVED);
        for (List<String> ls : needOld && needNew ? List.of(from, to) : needOld ? List.of(from)
                : needNew ? List.of(to) : List.<List<String>>of()) {
            boolean old = ls == from;
            sink.log("event", restic.commandLine(ls));
            Outcome listed = ExitCodes.classify(restic.run(ls, sizes(sink, entries, old), cancel));
            if (!listed.successful()) {
                return listed.withSummary(summary);
            }
        }
        for (Map.Entry<String, Pending> e : entries.entrySet()) {
            Pending p = e.getValue();
            String type = p.type != null ? p.type : p.dir ? "dir" : null;
            sink.log(DiffEntry.STREAM, new DiffEntry(e.getKey(), p.change, type, p.oldSize, p.newSize).line());
        }
        summary.put("entries", (long) entries.size());
        summary.put("entries_total", total[0]);
        summary.put("truncated", total[0] > entries.size());
        return outcome.withSummary(summary);
    }

    /** {@code ls --json}: the type and size of each node the diff names ({@code struct_type}, or {@code message_type} since 0.17). */
    private static Restic.Output sizes(JobSink sink, Map<String, Pending> entries, boolean old) {
        return new TextOutput(sink) {
            @Override
            public void json(String stream, JsonNode node) {
                String kind = node.has("struct_type") ? node.path("struct_type").asText()
                        : node.path("message_type").asText("");
                if (!kind.equals("node")) {
                    if (!kind.equals("snapshot")) {
                        super.json(stream, node);
                    }
                    return;
                }
                Pending p = entries.get(node.path("path").asText(""));
                if (p == null) {
                    return;
                }
                String type = node.path("type").asText(null);
                Long size = type != null && type.equals("file") && node.has("size") ? node.path("size").asLong() : null;
                if (old) {
                    p.oldSize = size;
                    if (p.type == null) {
                        p.type = type;
                    }
                } else {
                    p.newSize = size;
                    p.type = type;
                }
            }
        };
    }

    /** restic's statistics: files and dirs added and removed, their bytes, changed files. */
    private static void statistics(JsonNode node, Map<String, Object> summary) {
        summary.put("source_snapshot", node.path("source_snapshot").asText(""));
        summary.put("target_snapshot", node.path("target_snapshot").asText(""));
        summary.put("changed_files", node.path("changed_files").asLong(0));
        for (String side : List.of("added", "removed")) {
            JsonNode s = node.path(side);
            summary.put(side + "_files", s.path("files").asLong(0));
            summary.put(side + "_dirs", s.path("dirs").asLong(0));
            summary.put(side + "_bytes", s.path("bytes").asLong(0));
        }
    }
}
