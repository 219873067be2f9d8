package io.resticmanager.jobs;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.resticmanager.kit.PromMetrics;
import io.resticmanager.kit.SqliteStore;
import io.resticmanager.kit.Times;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.time.Instant;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;

/** jobs-service's metrics fragment, computed from what jobs.db holds. */
class JobsMetricsTest {
    private SqliteStore sqlite;
    private JobStore store;
    private PrometheusRegistry metrics;

    @BeforeEach
    void open() throws Exception {
        sqlite = SqliteStore.open(Files.createTempDirectory("jobs-metrics").resolve("jobs.db"));
        store = JobStore.create(sqlite, java.time.Clock.systemUTC());
    }

    @AfterEach
    void close() {
        sqlite.close();
    }

    @Test
    void countsStatusesBucketsDurationsAndKeepsEachHostsLatestBackup() {
        Instant t = Instant.parse("2026-11-20T10:00:00Z");
        job("j1", "h1", "backup", "succeeded", t, 5.0);          // le=5 exactly
        job("j2", "h1", "backup", "failed", t.plusSeconds(600), 120.5); // h1's latest: failed
        job("j3", "h2", "backup", "succeeded_with_warnings", t, 0.2);
        job("j4", "h2", "check", "succeeded", t, 4000);
        job("j5", "h3", "backup", "running", t, -1);
        job("j6", "h3", "backup", "queued", null, -1);

        String text = scrape();

        assertThat(text, containsString("# TYPE restic_manager_jobs gauge\n"));
        assertThat(text, containsString("restic_manager_jobs{status=\"succeeded\"} 2.0\n"));
        assertThat(text, containsString("restic_manager_jobs{status=\"queued\"} 1.0\n"));
        assertThat(text, containsString("restic_manager_jobs{status=\"lost\"} 0.0\n"));

        assertThat(text, containsString("# TYPE restic_manager_job_duration_seconds histogram\n"));
        assertThat(text, containsString("restic_manager_job_duration_seconds_bucket{kind=\"backup\",le=\"1.0\"} 1\n"));
        assertThat(text, containsString("restic_manager_job_duration_seconds_bucket{kind=\"backup\",le=\"5.0\"} 2\n"));
        assertThat(text, containsString("restic_manager_job_duration_seconds_bucket{kind=\"backup\",le=\"300.0\"} "
                + "3\n"));
        assertThat(text, containsString("restic_manager_job_duration_seconds_bucket{kind=\"backup\",le=\"+Inf\"} 3\n"));
        assertThat(text, containsString("restic_manager_job_duration_seconds_count{kind=\"backup\"} 3\n"));
        assertThat(text, containsString("restic_manager_job_duration_seconds_sum{kind=\"backup\"} 125.7\n"));
        assertThat(text, containsString("restic_manager_job_duration_seconds_bucket{kind=\"check\",le=\"3600.0\"} "
                + "0\n"));
        assertThat(text, containsString("restic_manager_job_duration_seconds_bucket{kind=\"check\",le=\"+Inf\"} 1\n"));

        long h1Finished = t.plusSeconds(600).toEpochMilli() + 120_500;
        assertThat(text, containsString("restic_manager_last_backup_timestamp_seconds{host_id=\"h1\"} "
                + h1Finished / 1000.0 + "\n"));
        assertThat(text, containsString("restic_manager_last_backup_success{host_id=\"h1\"} 0.0\n"));
        assertThat(text, containsString("restic_manager_last_backup_success{host_id=\"h2\"} 1.0\n"));
        assertThat(text, not(containsString("host_id=\"h3\"")));
    }

    @Test
    void anEmptyStoreStillCountsEveryStatusAndReadsEachScrapeAnew() {
        assertThat(scrape(), containsString("restic_manager_jobs{status=\"running\"} 0.0\n"));
        // families without a series (no finished job yet) are left out by the client, not written empty
        assertThat(scrape(), not(containsString("restic_manager_job_duration_seconds")));
        job("j1", "h1", "backup", "succeeded", Instant.parse("2026-11-20T10:00:00Z"), 2.0);
        assertThat(scrape(), containsString("restic_manager_job_duration_seconds_count{kind=\"backup\"} 1\n"));
        assertThat(scrape(), containsString("restic_manager_last_backup_success{host_id=\"h1\"} 1.0\n"));
    }

    private String scrape() {
        if (metrics == null) {
            metrics = new PrometheusRegistry();
            JobsMetrics.register(metrics, store.db(), new EventIngest(store, null, null,
                                                                     new JobsSettings.LogLimits(10, 1000)));
        }
        return PromMetrics.text(metrics);
    }

    /** Inserts a job row; a negative duration means not finished (started only when status is not queued). */
    private void job(String id, String host, String kind, String status, Instant started, double seconds) {
        String startedAt = started == null ? null : Times.format(started);
        String finishedAt = seconds < 0 ? null : Times.format(started.plusMillis(Math.round(seconds * 1000)));
        store.db().execute().insert("INSERT INTO jobs (id, host_id, kind, status, params_json, created_at, started_at, "
                                            + "finished_at) VALUES (?, ?, ?, ?, '{}', ?, ?, ?)",
                                    id, host, kind, status, Times.now(), startedAt, finishedAt);
    }
}
