package io.resticmanager.proto;

import com.fasterxml.jackson.core.type.TypeReference;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a restore drill proved, as the agent reports it in {@code job.finished}'s summary and every service reads it
 * back. A drill restores a sample of the latest snapshot ({@code snapshotId} of {@code host}, taken at
 * {@code snapshotTime}) into a scratch directory with restic's own verification ({@code resticVerify}: whether
 * {@code restore --verify} was used), then compares each restored file's SHA-256 with the live file when that is
 * unchanged since the snapshot (same size and mtime; only on the snapshot's own host, {@code liveCompared}).
 *
 * @param filesSampled     files chosen from the snapshot
 * @param filesRestored    files that came back complete (the size the snapshot records)
 * @param bytesRestored    their bytes
 * @param verified         files whose SHA-256 equals the unchanged live file's
 * @param notCompared      files restored but not compared: the live file changed since the snapshot, is gone, or
 *                         lives on another host
 * @param mismatched       paths that did not come back intact (restic error, missing, wrong size, or a SHA-256 that
 *                         differs from the unchanged live file); at most {@link #MAX_PATHS}
 * @param mismatchedCount  how many paths did not come back intact (the list may be shorter)
 * @param durationMs       time the drill took, end to end
 * @param bytesPerSecond   restore throughput (bytes restored / time restic's restore took)
 * @param scratchRemoved   the scratch directory is gone again
 */
public record DrillSummary(String snapshotId, Instant snapshotTime, String host, int filesSampled,
                           long filesRestored, long bytesRestored, long verified, long notCompared,
                           List<String> mismatched, int mismatchedCount, boolean resticVerify, boolean liveCompared,
                           long durationMs, long bytesPerSecond, boolean scratchRemoved) {
    /** Most mismatched paths one summary names. */
    public static final int MAX_PATHS = 100;
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };

    public DrillSummary {
        Require.time(snapshotTime, "snapshot_time");
        mismatched = Require.list(mismatched);
        if (mismatched.size() > MAX_PATHS) {
            mismatched = List.copyOf(mismatched.subList(0, MAX_PATHS));
        }
        mismatchedCount = Math.max(mismatchedCount, mismatched.size());
    }

    /** Whether every sampled file came back intact and the scratch directory is gone. */
    public boolean passed() {
        return mismatchedCount == 0 && filesSampled > 0 && filesRestored == filesSampled && scratchRemoved;
    }

    /** As a job summary (snake_case, the shape {@code GET /api/jobs/{id}} shows). */
    public Map<String, Object> toMap() {
        return Json.MAPPER.convertValue(this, MAP);
    }

    /** A stored or received job summary read back; empty when it is not a drill's (no snapshot, unreadable). */
    public static Optional<DrillSummary> from(Map<String, Object> summary) {
        if (summary == null || !(summary.get("snapshot_id") instanceof String) || !summary.containsKey("files_sampled")) {
            return Optional.empty();
        }
        try {
            return Optional.of(Json.MAPPER.convertValue(summary, DrillSummary.class));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
