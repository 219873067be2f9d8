package io.resticmanager.proto.view;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.Instant;

/**
 * One repository a host backs up to, as the public API shows it ({@code GET /api/hosts/{id}/repos}, and the
 * {@code repos} of {@link HostView}):
 * {@code role} is the admin's label (primary, off-site, local, …); {@code primary} marks the one jobs use when they
 * name none; the newest snapshot and the count are this host's own in that repository.
 */
public record HostRepoView(String repoId,
                           String name,
                           String url,
                           String role,
                           boolean primary,
                           @JsonInclude(JsonInclude.Include.ALWAYS) Instant lastSnapshotAt,
                           long snapshotCount,
                           Instant linkedAt,
                           @JsonInclude(JsonInclude.Include.ALWAYS) Result lastBackup,
                           @JsonInclude(JsonInclude.Include.ALWAYS) Result lastCopy) {

    /** The newest backup or copy job into this repository. */
    public record Result(String jobId, String status, Instant finishedAt) {
    }
}
