package io.resticmanager.inventory;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.Instant;
import java.util.List;

/**
 * One enrolled host as {@code GET /api/hosts} shows it. {@code name} defaults to the hostname;
 * {@code status} is disabled, online or offline. Fields that may be unknown are written as null.
 */
public record Host(String id,
                   String name,
                   String hostname,
                   String status,
                   @JsonInclude(JsonInclude.Include.ALWAYS) Instant lastSeenAt,
                   @JsonInclude(JsonInclude.Include.ALWAYS) String os,
                   @JsonInclude(JsonInclude.Include.ALWAYS) String arch,
                   @JsonInclude(JsonInclude.Include.ALWAYS) String agentVersion,
                   @JsonInclude(JsonInclude.Include.ALWAYS) String resticVersion,
                   Boolean runsAsRoot,
                   List<String> tags,
                   @JsonInclude(JsonInclude.Include.ALWAYS) String repoId,
                   @JsonInclude(JsonInclude.Include.ALWAYS) String repoName,
                   @JsonInclude(JsonInclude.Include.ALWAYS) LastBackup lastBackup,
                   @JsonInclude(JsonInclude.Include.ALWAYS) Instant lastSnapshotAt,
                   Instant createdAt,
                   List<HostRepo> repos,
                   int repoCount,
                   @JsonInclude(JsonInclude.Include.ALWAYS) Instant secondarySnapshotAt,
                   @JsonInclude(JsonInclude.Include.ALWAYS) LastDrill lastDrill) {
    static final String ONLINE = "online";
    static final String OFFLINE = "offline";
    static final String DISABLED = "disabled";

    /** The same host with its repositories (the single-host view shows them; lists leave them out). */
    Host withRepos(List<HostRepo> links) {
        return new Host(id, name, hostname, status, lastSeenAt, os, arch, agentVersion, resticVersion, runsAsRoot, tags,
                        repoId, repoName, lastBackup, lastSnapshotAt, createdAt, List.copyOf(links), repoCount,
                        secondarySnapshotAt, lastDrill);
    }

    @JsonIgnore
    boolean disabled() {
        return DISABLED.equals(status);
    }

    /** The result of the host's latest restore drill (from jobs-service): which snapshot it restored, and how. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record LastDrill(String jobId, String status, Instant finishedAt, String snapshotId) {
    }

    /** The result of the host's latest backup job (from jobs-service). */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record LastBackup(String jobId, String status, Instant finishedAt, Long dataAdded, String snapshotId) {
    }
}
