package io.resticmanager.proto;

import java.util.List;

/**
 * Kind-specific job parameters; each kind reads only its own fields.
 * backup: paths, excludes, tags, limits. forget: policy. check: readDataSubset.
 * restore: snapshotId, include, target. diff: snapshotId, otherSnapshotId. ls: snapshotId, path.
 * copy: fromRepoId (the repository snapshots are copied from; the job's own repository receives them), tags.
 * stats: statsMode ({@link #STATS_RAW_DATA}: only {@code stats --mode raw-data}, the cheap refresh the server
 * schedules after backups; absent: restore size and raw data). An agent that predates statsMode runs both.
 * diff: snapshotId (from) and otherSnapshotId (to), each 8 to 64 hex characters.
 */
public record JobParams(List<String> paths, List<String> excludes, List<String> tags, Integer limitUploadKib,
                        Integer limitDownloadKib, RetentionPolicy policy, String readDataSubset, String snapshotId,
                        String otherSnapshotId, List<String> include, String target, String path, String fromRepoId,
                        String statsMode) {
    /** {@code stats --mode raw-data} only: what the repository stores, its blob and snapshot counts. */
    public static final String STATS_RAW_DATA = "raw-data";

    public JobParams {
        paths = Require.list(paths);
        excludes = Require.list(excludes);
        tags = Require.list(tags);
        include = Require.list(include);
        if (limitUploadKib != null && limitUploadKib < 1 || limitDownloadKib != null && limitDownloadKib < 1) {
            throw new IllegalArgumentException("bandwidth limits must be ≥ 1 KiB/s");
        }
        if (statsMode != null && !statsMode.equals(STATS_RAW_DATA)) {
            throw new IllegalArgumentException("stats_mode must be " + STATS_RAW_DATA + " or absent");
        }
    }

    /** Parameters of every kind but a raw-data-only stats. */
    public JobParams(List<String> paths, List<String> excludes, List<String> tags, Integer limitUploadKib,
                     Integer limitDownloadKib, RetentionPolicy policy, String readDataSubset, String snapshotId,
                     String otherSnapshotId, List<String> include, String target, String path, String fromRepoId) {
        this(paths, excludes, tags, limitUploadKib, limitDownloadKib, policy, readDataSubset, snapshotId, otherSnapshotId,
             include, target, path, fromRepoId, null);
    }

    /** Parameters of every kind but copy. */
    public JobParams(List<String> paths, List<String> excludes, List<String> tags, Integer limitUploadKib,
                     Integer limitDownloadKib, RetentionPolicy policy, String readDataSubset, String snapshotId,
                     String otherSnapshotId, List<String> include, String target, String path) {
        this(paths, excludes, tags, limitUploadKib, limitDownloadKib, policy, readDataSubset, snapshotId, otherSnapshotId,
             include, target, path, null);
    }

    /** The same parameters with these bandwidth limits (KiB/s; null = none). */
    public JobParams withLimits(Integer uploadKib, Integer downloadKib) {
        return new JobParams(paths, excludes, tags, uploadKib, downloadKib, policy, readDataSubset, snapshotId,
                             otherSnapshotId, include, target, path, fromRepoId, statsMode);
    }

    /** A stats job's parameters: {@code rawDataOnly} runs only {@code stats --mode raw-data}. */
    public static JobParams stats(boolean rawDataOnly) {
        return new JobParams(null, null, null, null, null, null, null, null, null, null, null, null, null,
                             rawDataOnly ? STATS_RAW_DATA : null);
    }

    /** A diff's parameters: what changed from snapshot {@code from} to snapshot {@code to}. */
    public static JobParams diff(String from, String to) {
        return new JobParams(null, null, null, null, null, null, null, Require.text(from, "snapshot_id"), Require.text(to,
                "other_snapshot_id"), null, null, null, null, null);
    }

    public static JobParams empty() {
        return new JobParams(null, null, null, null, null, null, null, null, null, null, null, null, null, null);
    }
}
