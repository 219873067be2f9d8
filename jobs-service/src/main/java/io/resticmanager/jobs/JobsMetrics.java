package io.resticmanager.jobs;

import io.helidon.dbclient.DbClient;
import io.helidon.dbclient.DbRow;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.resticmanager.kit.Times;
import io.resticmanager.proto.JobKind;
import io.resticmanager.proto.JobStatus;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.resticmanager.kit.PromMetrics.name;

/**
 * jobs-service's part of the gateway's {@code /metrics} ({@code GET /internal/metrics}): jobs by status, a
 * duration histogram per kind and each host's latest backup. Read from jobs.db at scrape time with aggregate
 * queries, so the numbers survive restarts and cost a few indexed scans, not a row per job.
 */
final class JobsMetrics {
    /** Histogram bounds in seconds; the statement {@code metrics.durations} computes exactly these buckets. */
    static final double[] BUCKETS = {1, 5, 15, 60, 300, 900, 3600};

    private static final String DURATION = name("job_duration_seconds");
    private static final String LAST_BACKUP_AT = name("last_backup_timestamp_seconds");
    private static final String LAST_BACKUP_OK = name("last_backup_success");

    private JobsMetrics() {
    }

    static void register(PrometheusRegistry registry, DbClient db, EventIngest ingest) {
        GaugeWithCallback.builder().name(name("jobs"))
                .help("Jobs by status (all jobs kept in the store).")
                .labelNames("status")
                .callback(cb -> jobsByStatus(db).forEach((status, n) -> cb.call(n, status)))
                .register(registry);
        registry.register(durations(db));
        registry.register(lastBackups(db));
        CounterWithCallback.builder().name(name("job_events_dropped_total"))
                .help("Job events dropped at ingestion: from a host that does not run the job (foreign_host) or "
                        + "for a job that does not exist (unknown_job). Non-zero means a misbehaving or hostile agent.")
                .labelNames("reason")
                .callback(cb -> ingest.droppedEvents().forEach((reason, n) -> cb.call(n, reason)))
                .register(registry);
        CounterWithCallback.builder().name(name("job_log_lines_over_limit_total"))
                .help("Log lines not stored because their job's log reached rm.jobs.log-max-lines or log-max-bytes.")
                .callback(cb -> cb.call(ingest.linesOverBudget()))
                .register(registry);
    }

    /** Every status, 0 when no job has it, so a rule on one never sees a missing series. */
    private static Map<String, Long> jobsByStatus(DbClient db) {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (JobStatus s : JobStatus.values()) {
            counts.put(s.wire(), 0L);
        }
        try (var rows = db.execute().namedQuery("metrics.jobs-by-status")) {
            rows.forEach(r -> counts.put(r.column("status").getString(), r.column("n").get(Number.class).longValue()));
        }
        return counts;
    }

    /** The histogram SQL counted: no client-side histogram keeps observations, so it survives restarts. */
    private static Collector durations(DbClient db) {
        double[] bounds = new double[BUCKETS.length + 1];
        System.arraycopy(BUCKETS, 0, bounds, 0, BUCKETS.length);
        bounds[BUCKETS.length] = Double.POSITIVE_INFINITY;
        return new Collector() {
            @Override
            public MetricSnapshot collect() {
                List<DbRow> rows;
                try (var stream = db.execute().namedQuery("metrics.durations")) {
                    rows = stream.toList();
                }
                HistogramSnapshot.Builder out = HistogramSnapshot.builder().name(DURATION)
                        .help("Run time of finished jobs (start to finish) by kind.");
                for (DbRow r : rows) {
                    long n = r.column("n").get(Number.class).longValue();
                    long[] counts = new long[bounds.length]; // per bucket, not cumulative
                    long previous = 0;
                    for (int i = 0; i < BUCKETS.length; i++) {
                        long cumulative = r.column("b" + i).get(Number.class).longValue();
                        counts[i] = cumulative - previous;
                        previous = cumulative;
                    }
                    counts[BUCKETS.length] = n - previous;
                    String kind = JobKind.parse(r.column("kind").getString()).map(JobKind::wire).orElse("other");
                    out.dataPoint(HistogramDataPointSnapshot.builder()
                                          .labels(Labels.of("kind", kind))
                                          .classicHistogramBuckets(ClassicHistogramBuckets.of(bounds, counts))
                                          .sum(r.column("total").get(Number.class).doubleValue())
                                          .build());
                }
                return out.build();
            }

            @Override
            public String getPrometheusName() {
                return DURATION;
            }
        };
    }

    /** Per host, its most recently finished backup job: both families from one query, so they agree. */
    private static MultiCollector lastBackups(DbClient db) {
        return new MultiCollector() {
            @Override
            public MetricSnapshots collect() {
                List<DbRow> rows;
                try (var stream = db.execute().namedQuery("metrics.last-backups")) {
                    rows = stream.toList();
                }
                GaugeSnapshot.Builder at = GaugeSnapshot.builder().name(LAST_BACKUP_AT)
                        .help("When the host's latest finished backup job ended (Unix time).");
                GaugeSnapshot.Builder ok = GaugeSnapshot.builder().name(LAST_BACKUP_OK)
                        .help("1 when the host's latest finished backup job succeeded (warnings included).");
                for (DbRow r : rows) {
                    Labels host = Labels.of("host_id", r.column("host_id").getString());
                    String status = r.column("status").getString();
                    boolean succeeded = JobStatus.SUCCEEDED.wire().equals(status)
                            || JobStatus.SUCCEEDED_WITH_WARNINGS.wire().equals(status);
                    at.dataPoint(GaugeDataPointSnapshot.builder().labels(host)
                                         .value(Times.parse(r.column("finished_at").getString()).toEpochMilli()
                                                        / 1000.0)
                                         .build());
                    ok.dataPoint(GaugeDataPointSnapshot.builder().labels(host).value(succeeded ? 1 : 0).build());
                }
                return MetricSnapshots.of(at.build(), ok.build());
            }

            @Override
            public List<String> getPrometheusNames() {
                return List.of(LAST_BACKUP_AT, LAST_BACKUP_OK);
            }
        };
    }
}
