package io.resticmanager.jobs;

import io.helidon.dbclient.DbClient;
import io.helidon.dbclient.DbRow;
import io.resticmanager.kit.PromText;
import io.resticmanager.kit.Times;
import io.resticmanager.proto.JobKind;
import io.resticmanager.proto.JobStatus;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * jobs-service's part of the gateway's {@code /metrics} ({@code GET /internal/metrics}): jobs by status, a
 * duration histogram per kind and each host's latest backup. Computed from jobs.db at scrape time with aggregate
 * queries, so the numbers survive restarts and cost a few indexed scans, not a row per job.
 */
final class JobsMetrics {
    /** Histogram bounds in seconds; the statement {@code metrics.durations} computes exactly these buckets. */
    static final double[] BUCKETS = {1, 5, 15, 60, 300, 900, 3600};

    private final DbClient db;
    private final EventIngest ingest;

    JobsMetrics(DbClient db, EventIngest ingest) {
        this.db = db;
        this.ingest = ingest;
    }

    String fragment() {
        PromText out = PromText.create();
        jobsByStatus(out);
        durations(out);
        lastBackups(out);
        out.counter("job_events_dropped_total", "Job events dropped at ingestion: from a host that does not run the "
                + "job (foreign_host) or for a job that does not exist (unknown_job). Non-zero means a misbehaving "
                + "or hostile agent.");
        ingest.droppedEvents().forEach((reason, n) -> out.sample("job_events_dropped_total", n, "reason", reason));
        out.counter("job_log_lines_over_limit_total", "Log lines not stored because their job's log reached "
                + "rm.jobs.log-max-lines or log-max-bytes.");
        out.sample("job_log_lines_over_limit_total", ingest.linesOverBudget());
        return out.text();
    }

    private void jobsByStatus(PromText out) {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (JobStatus s : JobStatus.values()) {
            counts.put(s.wire(), 0L);
        }
        try (var rows = db.execute().namedQuery("metrics.jobs-by-status")) {
            rows.forEach(r -> counts.put(r.column("status").getString(), r.column("n").get(Number.class).longValue()));
        }
        out.gauge("jobs", "Jobs by status (all jobs kept in the store).");
        counts.forEach((status, n) -> out.sample("jobs", n, "status", status));
    }

    private void durations(PromText out) {
        List<DbRow> rows;
        try (var stream = db.execute().namedQuery("metrics.durations")) {
            rows = stream.toList();
        }
        out.histogramFamily("job_duration_seconds", "Run time of finished jobs (start to finish) by kind.");
        for (DbRow r : rows) {
            long[] cumulative = new long[BUCKETS.length];
            for (int i = 0; i < BUCKETS.length; i++) {
                cumulative[i] = r.column("b" + i).get(Number.class).longValue();
            }
            long n = r.column("n").get(Number.class).longValue();
            double total = r.column("total").get(Number.class).doubleValue();
            String kind = JobKind.parse(r.column("kind").getString()).map(JobKind::wire).orElse("other");
            out.histogram("job_duration_seconds", PromText.Histogram.fromCumulative(BUCKETS, cumulative, n, total),
                          "kind", kind);
        }
    }

    /** Per host, its most recently finished backup job. */
    private void lastBackups(PromText out) {
        List<DbRow> rows;
        try (var stream = db.execute().namedQuery("metrics.last-backups")) {
            rows = stream.toList();
        }
        out.gauge("last_backup_timestamp_seconds", "When the host's latest finished backup job ended (Unix time).");
        for (DbRow r : rows) {
            out.sample("last_backup_timestamp_seconds",
                       Times.parse(r.column("finished_at").getString()).toEpochMilli() / 1000.0,
                       "host_id", r.column("host_id").getString());
        }
        out.gauge("last_backup_success", "1 when the host's latest finished backup job succeeded (warnings included).");
        for (DbRow r : rows) {
            String status = r.column("status").getString();
            boolean ok = JobStatus.SUCCEEDED.wire().equals(status)
                    || JobStatus.SUCCEEDED_WITH_WARNINGS.wire().equals(status);
            out.sample("last_backup_success", ok ? 1 : 0, "host_id", r.column("host_id").getString());
        }
    }
}
