package io.resticmanager.proto;

import java.util.List;

/**
 * Kind-specific job parameters; each kind reads only its own fields.
 * backup: paths, excludes, tags, limits. forget: policy. check: readDataSubset.
 * restore: snapshotId, include, target. diff: snapshotId, otherSnapshotId. ls: snapshotId, path.
 * copy: fromRepoId (the repository snapshots are copied from; the job's own repository receives them), tags.
 */
public record JobParams(List<String> paths, List<String> excludes, List<String> tags, Integer limitUploadKib,
                        Integer limitDownloadKib, RetentionPolicy policy, String readDataSubset, String snapshotId,
                        String otherSnapshotId, List<String> include, String target, String path, String fromRepoId) {
    public JobParams {
        paths = Require.list(paths);
        excludes = Require.list(excludes);
        tags = Require.list(tags);
        include = Require.list(include);
        if (limitUploadKib != null && limitUploadKib < 1 || limitDownloadKib != null && limitDownloadKib < 1) {
            throw new IllegalArgumentException("bandwidth limits must be ≥ 1 KiB/s");
        }
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
                             otherSnapshotId, include, target, path, fromRepoId);
    }

    public static JobParams empty() {
        return new JobParams(null, null, null, null, null, null, null, null, null, null, null, null, null);
    }
}
