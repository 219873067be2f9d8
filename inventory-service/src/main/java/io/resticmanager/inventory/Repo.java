package io.resticmanager.inventory;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.Instant;
import java.util.List;

/**
 * A repository as every public endpoint shows it: the URL redacted, secrets absent (only which
 * environment variable names are set and whether a prune credential exists).
 */
public record Repo(String id,
                   String name,
                   String url,
                   List<String> envKeys,
                   boolean hasPruneCredential,
                   int hostCount,
                   @JsonInclude(JsonInclude.Include.ALWAYS) Stats stats,
                   Instant createdAt,
                   Instant updatedAt,
                   long offlineLeaseDays,
                   boolean offlineLeaseOnDisk,
                   @JsonInclude(JsonInclude.Include.ALWAYS) String maintenanceHostId) {

    /**
     * Current health numbers. {@code total_size} is what the repository stores (restic
     * {@code stats --mode raw-data}) when known, else the restore size of all snapshots;
     * {@code snapshot_count}/{@code last_snapshot_at} come from the snapshot projection when a
     * snapshot list has been reported.
     */
    public record Stats(Long totalSize,
                        Long totalFileCount,
                        Long snapshotCount,
                        Long rawSize,
                        Long restoreSize,
                        Double compressionRatio,
                        Double dedupRatio,
                        Instant lastSnapshotAt,
                        Instant lastCheckAt,
                        String lastCheckStatus,
                        Instant updatedAt) {
    }

    /** One point of the size trend (one stats job). */
    public record StatsPoint(Instant at,
                             String jobId,
                             String mode,
                             Long totalSize,
                             Long totalFileCount,
                             Long snapshotCount,
                             Long totalBlobCount,
                             Long totalUncompressedSize,
                             Double compressionRatio) {
    }

    /** Answer to {@code POST /api/repos}. */
    public record Created(String id, String name, String url) {
    }
}
