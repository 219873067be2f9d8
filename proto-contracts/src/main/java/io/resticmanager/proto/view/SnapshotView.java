package io.resticmanager.proto.view;

import io.resticmanager.proto.SnapshotInfo;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One snapshot as the public API lists it ({@code GET /api/hosts/{id}/snapshots}, {@code GET /api/repos/{id}/snapshots},
 * a {@link Page} of these): what restic's {@code snapshots --json} says ({@link SnapshotInfo}) and whether the server's
 * tree index holds it ({@code indexed}: browse, search and restore preview without the agent).
 */
public record SnapshotView(String id, String shortId, Instant time, List<String> paths, List<String> tags,
                           String hostname, String username, String tree, String parent, Map<String, Object> summary,
                           boolean indexed) {
    public SnapshotView {
        paths = paths == null ? List.of() : paths;
        tags = tags == null ? List.of() : tags;
    }

    public static SnapshotView of(SnapshotInfo s, boolean indexed) {
        return new SnapshotView(s.id(), s.shortId(), s.time(), s.paths(), s.tags(), s.hostname(), s.username(),
                                s.tree(), s.parent(), s.summary(), indexed);
    }
}
