package io.resticmanager.inventory;

import io.resticmanager.kit.PromText;
import io.resticmanager.kit.SqliteStore;

import io.resticmanager.proto.view.HostView;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * inventory-service's part of the gateway's {@code /metrics} ({@code GET /internal/metrics}): repository size and
 * snapshot count (the same numbers {@code GET /api/repos} shows), hosts by status and each host's newest snapshot,
 * and per host_repos link the repository's size and the host's snapshots in it (statement {@code metrics.host-repos}).
 */
final class InventoryMetrics {
    private static final String[] LINK_LABELS = {"host_id", "host", "repo_id", "repo"};

    private final HostStore hosts;
    private final RepoStore repos;
    private final SqliteStore store;

    InventoryMetrics(HostStore hosts, RepoStore repos, SqliteStore store) {
        this.hosts = hosts;
        this.repos = repos;
        this.store = store;
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

        List<HostView> all = hosts.list(Optional.empty(), Optional.empty());
        Map<String, Long> byStatus = new LinkedHashMap<>();
        for (String s : List.of(HostView.ONLINE, HostView.OFFLINE, HostView.DISABLED)) {
            byStatus.put(s, 0L);
        }
        all.forEach(h -> byStatus.merge(h.status(), 1L, Long::sum));
        out.gauge("hosts", "Enrolled hosts by status (online, offline, disabled).");
        byStatus.forEach((status, n) -> out.sample("hosts", n, "status", status));
        out.gauge("host_last_snapshot_timestamp_seconds", "Time of the host's newest snapshot in its repository (Unix time).");
        for (HostView h : all) {
            if (h.lastSnapshotAt() != null) {
                out.sample("host_last_snapshot_timestamp_seconds", h.lastSnapshotAt().toEpochMilli() / 1000.0,
                           "host_id", h.id());
            }
        }
        links(out);
        return out.text();
    }

    /** One row of {@code metrics.host-repos}; null columns are unknown (never measured, never listed). */
    private record Link(String[] labels, Long sizeBytes, Long snapshots, Double lastSnapshotSeconds) {
    }

    /**
     * Per link (one series per host and repository it backs up to, never per snapshot): the repository's size,
     * repeated for every host that uses it so a per-host panel needs no PromQL join, and the host's own snapshots.
     */
    private void links(PromText out) {
        List<Link> links;
        try (var rows = store.db().execute().namedQuery("metrics.host-repos")) {
            links = rows.map(r -> {
                boolean listed = Rows.bool(r, "listed");
                Long lastNs = Rows.lng(r, "last_ns");
                String[] labels = new String[LINK_LABELS.length * 2];
                for (int i = 0; i < LINK_LABELS.length; i++) {
                    labels[2 * i] = LINK_LABELS[i];
                    labels[2 * i + 1] = Rows.str(r, LINK_LABELS[i]);
                }
                return new Link(labels, Rows.lng(r, "size_bytes"), listed ? Rows.lng(r, "snapshots") : null,
                                lastNs == null ? null : SnapshotStore.fromNanos(lastNs).toEpochMilli() / 1000.0);
            }).toList();
        }
        out.gauge("host_repo_size_bytes", "Bytes the repository stores (as repo_size_bytes), once per host that backs "
                + "up to it: take max by (repo_id), never sum across hosts.");
        links.stream().filter(l -> l.sizeBytes() != null)
                .forEach(l -> out.sample("host_repo_size_bytes", l.sizeBytes(), l.labels()));
        out.gauge("host_repo_snapshots", "The host's snapshots in the repository (from its last snapshot listing).");
        links.stream().filter(l -> l.snapshots() != null)
                .forEach(l -> out.sample("host_repo_snapshots", l.snapshots(), l.labels()));
        out.gauge("host_repo_last_snapshot_timestamp_seconds", "Time of the host's newest snapshot in the repository "
                + "(Unix time).");
        links.stream().filter(l -> l.lastSnapshotSeconds() != null)
                .forEach(l -> out.sample("host_repo_last_snapshot_timestamp_seconds", l.lastSnapshotSeconds(),
                                         l.labels()));
    }
}
