package io.resticmanager.proto;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** One snapshot as restic's {@code snapshots --json} describes it (summary only since restic 0.17). */
public record SnapshotInfo(String id, String shortId, Instant time, List<String> paths, List<String> tags,
                           String hostname, String username, String tree, String parent,
                           Map<String, Object> summary) {
    public SnapshotInfo {
        Require.text(id, "id");
        Require.time(Require.present(time, "time"), "time");
        paths = Require.list(paths);
        tags = Require.list(tags);
        shortId = shortId == null || shortId.isBlank() ? id.substring(0, Math.min(8, id.length())) : shortId;
    }
}
