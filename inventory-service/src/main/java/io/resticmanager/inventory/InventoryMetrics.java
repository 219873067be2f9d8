package io.resticmanager.inventory;

import io.resticmanager.kit.PromText;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * inventory-service's part of the gateway's {@code /metrics} ({@code GET /internal/metrics}): repository size and
 * snapshot count (the same numbers {@code GET /api/repos} shows), hosts by status and each host's newest snapshot.
 */
final class InventoryMetrics {
    private final HostStore hosts;
    private final RepoStore repos;

    InventoryMetrics(HostStore hosts, RepoStore repos) {
        this.hosts = hosts;
        this.repos = repos;
    }


    String fragment() {
        PromText out = PromText.create();
        record Measured(RepoRow repo, Repo.Stats stats) {
        }
        List<Measured> measured = repos.list().stream().map(r -> new Measured(r, repos.stats(r)))
                .filter(m -> m.stats() != null).toList();
        out.gauge("repo_size_bytes", "Bytes the repository stores (restic stats raw-data; restore size when unknown).");
        for (Measured m : measured) {
            if (m.stats().totalSize() != null) {
                out.sample("repo_size_bytes", m.stats().totalSize(), "repo_id", m.repo().id(), "repo", m.repo().name());
            }
        }
        out.gauge("repo_snapshots", "Snapshots in the repository (last report or stats).");
        for (Measured m : measured) {
            if (m.stats().snapshotCount() != null) {
                out.sample("repo_snapshots", m.stats().snapshotCount(), "repo_id", m.repo().id(), "repo",
                           m.repo().name());
            }
        }

        List<Host> all = hosts.list(Optional.empty(), Optional.empty());
        Map<String, Long> byStatus = new LinkedHashMap<>();
        for (String s : List.of(Host.ONLINE, Host.OFFLINE, Host.DISABLED)) {
            byStatus.put(s, 0L);
        }
        all.forEach(h -> byStatus.merge(h.status(), 1L, Long::sum));
        out.gauge("hosts", "Enrolled hosts by status (online, offline, disabled).");
        byStatus.forEach((status, n) -> out.sample("hosts", n, "status", status));
        out.gauge("host_last_snapshot_timestamp_seconds", "Time of the host's newest snapshot in its repository (Unix time).");
        for (Host h : all) {
            if (h.lastSnapshotAt() != null) {
                out.sample("host_last_snapshot_timestamp_seconds", h.lastSnapshotAt().toEpochMilli() / 1000.0,
                           "host_id", h.id());
            }
        }
        return out.text();
    }
}
