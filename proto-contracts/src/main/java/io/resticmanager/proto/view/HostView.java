package io.resticmanager.proto.view;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.Instant;
import java.util.List;

/**
 * One enrolled host as the public API shows it ({@code GET /api/hosts/{id}}, and the items of {@code GET /api/hosts}).
 * {@code name} defaults to the hostname; {@code status} is disabled, online or offline. Fields that may be unknown are
 * written as null; {@code repos} only in the single-host view (lists leave them out). {@code runs_as_root} is left out
 * until the agent has said; {@code repo_count} is a boxed number so a client reading an older answer without it binds.
 */
public record HostView(String id,
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
                       List<HostRepoView> repos,
                       Integer repoCount,
                       @JsonInclude(JsonInclude.Include.ALWAYS) Instant secondarySnapshotAt,
                       @JsonInclude(JsonInclude.Include.ALWAYS) LastDrill lastDrill) {
    public static final String ONLINE = "online";
    public static final String OFFLINE = "offline";
    public static final String DISABLED = "disabled";

    public HostView {
        tags = tags == null ? List.of() : tags;
    }

    /** The same host with its repositories (the single-host view shows them; lists leave them out). */
    public HostView withRepos(List<HostRepoView> links) {
        return new HostView(id, name, hostname, status, lastSeenAt, os, arch, agentVersion, resticVersion, runsAsRoot,
                            tags, repoId, repoName, lastBackup, lastSnapshotAt, createdAt, List.copyOf(links),
                            repoCount, secondarySnapshotAt, lastDrill);
    }

    @JsonIgnore
    public boolean disabled() {
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
