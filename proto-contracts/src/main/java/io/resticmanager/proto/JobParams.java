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
 * drill: sampleFiles (how many files of the latest snapshot to restore), maxBytes (their total size at most),
 * targetHostId (the host that runs the drill when it is not the job's own host; the server decides, agents ignore it).
 * backup: useFsSnapshot (restic's {@code --use-fs-snapshot}: Windows VSS, so open and locked files are read from a
 * snapshot; agents on other systems fail such a job rather than back up without it; null = false).
 */
public record JobParams(List<String> paths, List<String> excludes, List<String> tags, Integer limitUploadKib,
                        Integer limitDownloadKib, RetentionPolicy policy, String readDataSubset, String snapshotId,
                        String otherSnapshotId, List<String> include, String target, String path, String fromRepoId,
                        String statsMode, Integer sampleFiles, Long maxBytes, String targetHostId,
                        Boolean useFsSnapshot) {
    /** {@code stats --mode raw-data} only: what the repository stores, its blob and snapshot counts. */
    public static final String STATS_RAW_DATA = "raw-data";
    /** A drill restores at most this many files. */
    public static final int MAX_SAMPLE_FILES = 1000;
    /** A drill restores at most this many bytes (64 GiB). */
    public static final long MAX_DRILL_BYTES = 64L << 30;
    public static final int DEFAULT_SAMPLE_FILES = 20;
    public static final long DEFAULT_DRILL_BYTES = 256L << 20;

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
        if (sampleFiles != null && (sampleFiles < 1 || sampleFiles > MAX_SAMPLE_FILES)) {
            throw new IllegalArgumentException("sample_files must be 1 to " + MAX_SAMPLE_FILES);
        }
        if (maxBytes != null && (maxBytes < 1 || maxBytes > MAX_DRILL_BYTES)) {
            throw new IllegalArgumentException("max_bytes must be 1 to " + MAX_DRILL_BYTES);
        }
    }

    /** Parameters of every kind but a VSS backup. */
    public JobParams(List<String> paths, List<String> excludes, List<String> tags, Integer limitUploadKib,
                     Integer limitDownloadKib, RetentionPolicy policy, String readDataSubset, String snapshotId,
                     String otherSnapshotId, List<String> include, String target, String path, String fromRepoId,
                     String statsMode, Integer sampleFiles, Long maxBytes, String targetHostId) {
        this(paths, excludes, tags, limitUploadKib, limitDownloadKib, policy, readDataSubset, snapshotId,
             otherSnapshotId, include, target, path, fromRepoId, statsMode, sampleFiles, maxBytes, targetHostId, null);
    }

    /** Parameters of every kind but a raw-data-only stats and a drill. */
    public JobParams(List<String> paths, List<String> excludes, List<String> tags, Integer limitUploadKib,
                     Integer limitDownloadKib, RetentionPolicy policy, String readDataSubset, String snapshotId,
                     String otherSnapshotId, List<String> include, String target, String path, String fromRepoId) {
        this(paths, excludes, tags, limitUploadKib, limitDownloadKib, policy, readDataSubset, snapshotId,
             otherSnapshotId, include, target, path, fromRepoId, null, null, null, null);
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
                             otherSnapshotId, include, target, path, fromRepoId, statsMode, sampleFiles, maxBytes,
                             targetHostId, useFsSnapshot);
    }

    /** A backup's parameters with restic's {@code --use-fs-snapshot} (Windows VSS) on or off. */
    public JobParams withFsSnapshot(boolean on) {
        return new JobParams(paths, excludes, tags, limitUploadKib, limitDownloadKib, policy, readDataSubset, snapshotId,
                             otherSnapshotId, include, target, path, fromRepoId, statsMode, sampleFiles, maxBytes,
                             targetHostId, on ? Boolean.TRUE : null);
    }

    /** Whether a backup reads from a file-system snapshot (Windows VSS). */
    public boolean fsSnapshot() {
        return Boolean.TRUE.equals(useFsSnapshot);
    }

    /** A stats job's parameters: {@code rawDataOnly} runs only {@code stats --mode raw-data}. */
    public static JobParams stats(boolean rawDataOnly) {
        return new JobParams(null, null, null, null, null, null, null, null, null, null, null, null, null,
                             rawDataOnly ? STATS_RAW_DATA : null, null, null, null);
    }

    /** A diff's parameters: what changed from snapshot {@code from} to snapshot {@code to}. */
    public static JobParams diff(String from, String to) {
        return new JobParams(null, null, null, null, null, null, null, Require.text(from, "snapshot_id"), Require.text(to,
                "other_snapshot_id"), null, null, null, null);
    }

    /** A drill's parameters (null = the default sample, the default byte cap, the job's own host). */
    public static JobParams drill(Integer sampleFiles, Long maxBytes, String targetHostId) {
        return new JobParams(null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                             sampleFiles, maxBytes, targetHostId);
    }

    /** How many files a drill restores. */
    public int drillFiles() {
        return sampleFiles == null ? DEFAULT_SAMPLE_FILES : sampleFiles;
    }

    /** How many bytes a drill restores at most. */
    public long drillBytes() {
        return maxBytes == null ? DEFAULT_DRILL_BYTES : maxBytes;
    }

    public static JobParams empty() {
        return new JobParams(null, null, null, null, null, null, null, null, null, null, null, null, null);
    }
}
