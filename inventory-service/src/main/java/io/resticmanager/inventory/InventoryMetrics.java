package io.resticmanager.inventory;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.resticmanager.kit.SqliteStore;
import io.resticmanager.proto.view.HostView;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.resticmanager.kit.PromMetrics.label;
import static io.resticmanager.kit.PromMetrics.name;

/**
 * inventory-service's part of the gateway's {@code /metrics} ({@code GET /internal/metrics}): repository size and
 * snapshot count (the same numbers {@code GET /api/repos} shows), hosts by status and each host's newest snapshot,
 * and per host_repos link the repository's size and the host's snapshots in it (statement {@code metrics.host-repos}).
 * A collector: everything is read from inventory.db when scraped, each family from one pass over its rows.
 */
final class InventoryMetrics implements MultiCollector {
    private static final List<String> NAMES = List.of(
            name("repo_size_bytes"), name("repo_snapshots"), name("hosts"),
            name("host_last_snapshot_timestamp_seconds"), name("host_repo_size_bytes"), name("host_repo_snapshots"),
            name("host_repo_last_snapshot_timestamp_seconds"));

    private final HostStore hosts;
    private final RepoStore repos;
    private final SqliteStore store;

    InventoryMetrics(HostStore hosts, RepoStore repos, SqliteStore store) {
        this.hosts = hosts;
        this.repos = repos;
        this.store = store;
    }

    @Override
    public List<String> getPrometheusNames() {
        return NAMES;
    }

    @Override
    public MetricSnapshots collect() {
        MetricSnapshots.Builder out = MetricSnapshots.builder();
        repos(out);
        hosts(out);
        links(out);
        return out.build();
    }

    private void repos(MetricSnapshots.Builder out) {
        record Measured(RepoRow repo, Repo.Stats stats) {
        }
        List<Measured> measured = repos.list().stream().map(r -> new Measured(r, repos.stats(r)))
                .filter(m -> m.stats() != null).toList();
        GaugeSnapshot.Builder size = gauge("repo_size_bytes",
                "Bytes the repository stores (restic stats raw-data; restore size when unknown).");
        GaugeSnapshot.Builder snapshots = gauge("repo_snapshots",
                                                "Snapshots in the repository (last report or stats).");
        for (Measured m : measured) {
            Labels labels = Labels.of("repo_id", label(m.repo().id()), "repo", label(m.repo().name()));
            if (m.stats().totalSize() != null) {
                size.dataPoint(point(m.stats().totalSize(), labels));
            }
            if (m.stats().snapshotCount() != null) {
                snapshots.dataPoint(point(m.stats().snapshotCount(), labels));
            }
        }
        out.metricSnapshot(size.build()).metricSnapshot(snapshots.build());
    }

    private void hosts(MetricSnapshots.Builder out) {
        List<HostView> all = hosts.list(Optional.empty(), Optional.empty());
        Map<String, Long> byStatus = new LinkedHashMap<>();
        for (String s : List.of(HostView.ONLINE, HostView.OFFLINE, HostView.DISABLED)) {
            byStatus.put(s, 0L);
        }
        all.forEach(h -> byStatus.merge(h.status(), 1L, Long::sum));
        GaugeSnapshot.Builder status = gauge("hosts", "Enrolled hosts by status (online, offline, disabled).");
        byStatus.forEach((s, n) -> status.dataPoint(point(n, Labels.of("status", label(s)))));
        GaugeSnapshot.Builder newest = gauge("host_last_snapshot_timestamp_seconds",
                                             "Time of the host's newest snapshot in its repository (Unix time).");
        for (HostView h : all) {
            if (h.lastSnapshotAt() != null) {
                newest.dataPoint(point(h.lastSnapshotAt().toEpochMilli() / 1000.0, Labels.of("host_id", h.id())));
            }
        }
        out.metricSnapshot(status.build()).metricSnapshot(newest.build());
    }

    /** One row of {@code metrics.host-repos}; null columns are unknown (never measured, never listed). */
    private record Link(Labels labels, Long sizeBytes, Long snapshots, Double lastSnapshotSeconds) {
    }

    /**
     * Per link (one series per host and repository it backs up to, never per snapshot): the repository's size,
     * repeated for every host that uses it so a per-host panel needs no PromQL join, and the host's own snapshots.
     */
    private void links(MetricSnapshots.Builder out) {
        List<Link> links;
        try (var rows = store.db().execute().namedQuery("metrics.host-repos")) {
            links = rows.map(r -> {
                boolean listed = Rows.bool(r, "listed");
                Long lastNs = Rows.lng(r, "last_ns");
                Labels labels = Labels.of("host_id", label(Rows.str(r, "host_id")),
                                          "host", label(Rows.str(r, "host")),
                                          "repo_id", label(Rows.str(r, "repo_id")),
                                          "repo", label(Rows.str(r, "repo")));
                return new Link(labels, Rows.lng(r, "size_bytes"), listed ? Rows.lng(r, "snapshots") : null,
                                lastNs == null ? null : SnapshotStore.fromNanos(lastNs).toEpochMilli() / 1000.0);
            }).toList();
        }
        GaugeSnapshot.Builder size = gauge("host_repo_size_bytes", "Bytes the repository stores (as repo_size_bytes), "
                + "once per host that backs up to it: take max by (repo_id), never sum across hosts.");
        GaugeSnapshot.Builder snapshots = gauge("host_repo_snapshots", "The host's snapshots in the repository "
                + "(from its last snapshot listing).");
        GaugeSnapshot.Builder newest = gauge("host_repo_last_snapshot_timestamp_seconds",
                                             "Time of the host's newest snapshot in the repository (Unix time).");
        for (Link l : links) {
            if (l.sizeBytes() != null) {
                size.dataPoint(point(l.sizeBytes(), l.labels()));
            }
            if (l.snapshots() != null) {
                snapshots.dataPoint(point(l.snapshots(), l.labels()));
            }
            if (l.lastSnapshotSeconds() != null) {
                newest.dataPoint(point(l.lastSnapshotSeconds(), l.labels()));
            }
        }
        out.metricSnapshot(size.build()).metricSnapshot(snapshots.build()).metricSnapshot(newest.build());
    }

    private static GaugeSnapshot.Builder gauge(String name, String help) {
        return GaugeSnapshot.builder().name(name(name)).help(help);
    }

    private static GaugeDataPointSnapshot point(double value, Labels labels) {
        return GaugeDataPointSnapshot.builder().value(value).labels(labels).build();
    }
}
