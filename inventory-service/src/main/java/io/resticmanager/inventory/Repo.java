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
                   @JsonInclude(JsonInclude.Include.ALWAYS) String maintenanceHostId,
                   @JsonInclude(JsonInclude.Include.ALWAYS) Locks locks,
                   List<HostLink> hosts,
                   List<TrendPoint> trend) {

    /** The same repository with the hosts that use it ({@code GET /api/repos/{id}}). */
    Repo withHosts(List<HostLink> links) {
        return new Repo(id, name, url, envKeys, hasPruneCredential, hostCount, stats, createdAt, updatedAt,
                        offlineLeaseDays, offlineLeaseOnDisk, maintenanceHostId, locks, links, trend);
    }

    /** The same repository with its size trend ({@code GET /api/repos?trend_points=}). */
    Repo withTrend(List<TrendPoint> points) {
        return new Repo(id, name, url, envKeys, hasPruneCredential, hostCount, stats, createdAt, updatedAt,
                        offlineLeaseDays, offlineLeaseOnDisk, maintenanceHostId, locks, hosts, points);
    }

    /**
     * The locks the newest stats job found ({@code checked_at}); {@code stale} counts those restic's own unlock
     * removes (older than 30 minutes, or left by a process that is gone). At most 20 are described.
     */
    public record Locks(Instant checkedAt, long count, long stale, List<Lock> items) {
    }

    /** One lock as restic wrote it. */
    public record Lock(String id, Instant time, boolean exclusive, String hostname, String username, Long pid,
                       boolean stale) {
    }

    /** A host that backs up to the repository, with its role label there. */
    public record HostLink(String id, String name, String hostname, String role, boolean primary, boolean online,
                           boolean disabled) {
    }

    /** One point of the size trend: the stored size and the snapshot count a stats job measured. */
    public record TrendPoint(Instant at, Long totalSize, Long snapshotCount) {
    }

    /** A repository in a brief list ({@code GET /api/repos?brief=true}): what a card names and draws. */
    public record Brief(String id, String name, List<TrendPoint> trend) {
    }

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
