package io.resticmanager.jobs;

import io.helidon.config.Config;

import java.time.Duration;

/**
 * Tunables under {@code rm.jobs}: how long a dispatched job may wait for {@code job.ack}, how long a
 * running job survives its host being offline, how often the reaper and the result sender run, how much
 * log one job may store, how long finished jobs keep their logs and how often the periodic alert rules run.
 */
record JobsSettings(Duration ackTimeout, Duration lostAfter, Duration reaperInterval, Duration resultRetryMax,
                    LogLimits logLimits, Duration logRetention, java.util.List<String> operatorRestoreRoots,
                    Duration alertSweepInterval, io.resticmanager.jobs.alerts.AlertEngine.Versions versions,
                    StatsRefresher.Settings statsRefresh) {

    /** The version of this build (the jar manifest's), which is also the agent version it ships. */
    static String buildVersion() {
        return io.resticmanager.proto.Versions.of(JobsSettings.class);
    }

    /** Per job: at most this many stored log lines and characters; a line past either ends the log. */
    record LogLimits(long maxLines, long maxBytes) {
        LogLimits {
            if (maxLines < 1 || maxBytes < 1) {
                throw new IllegalArgumentException("rm.jobs.log-max-lines and log-max-bytes must be ≥ 1");
            }
        }
    }

    static JobsSettings from(Config config) {
        Config jobs = config.get("rm.jobs");
        return new JobsSettings(
                Duration.ofMillis((long) (jobs.get("ack-timeout-s").asDouble().orElse(60.0) * 1000)),
                Duration.ofMillis((long) (jobs.get("lost-after-s").asDouble().orElse(600.0) * 1000)),
                Duration.ofMillis(jobs.get("reaper-interval-ms").asLong().orElse(5000L)),
                Duration.ofMillis((long) (jobs.get("result-retry-max-s").asDouble().orElse(300.0) * 1000)),
                new LogLimits(jobs.get("log-max-lines").asLong().orElse(200_000L),
                              jobs.get("log-max-bytes").asLong().orElse(64L * 1024 * 1024)),
                Duration.ofMillis((long) (jobs.get("log-retention-days").asDouble().orElse(90.0) * 86_400_000)),
                java.util.Arrays.stream(jobs.get("operator-restore-roots").asString()
                                .orElse("/var/lib/restic-manager-agent/restores").split(","))
                        .map(String::strip).filter(s -> s.startsWith("/") && !s.contains(".."))
                        .map(s -> s.length() > 1 && s.endsWith("/") ? s.substring(0, s.length() - 1) : s).toList(),
                Duration.ofMillis((long) (jobs.get("alert-sweep-interval-s").asDouble().orElse(15.0) * 1000)),
                new io.resticmanager.jobs.alerts.AlertEngine.Versions(
                        jobs.get("alerts.agent-version").asString().orElse(buildVersion()),
                        // the oldest restic whose JSON output the agent reads (restic 0.14 wire shapes)
                        jobs.get("alerts.min-restic-version").asString()
                                .orElse(io.resticmanager.proto.Versions.MIN_RESTIC)),
                new StatsRefresher.Settings(
                        jobs.get("stats-refresh").asBoolean().orElse(true),
                        Duration.ofMillis((long) (jobs.get("stats-refresh-delay-s").asDouble().orElse(5.0) * 1000)),
                        Duration.ofMillis((long) (jobs.get("stats-refresh-max-wait-s").asDouble().orElse(300.0) * 1000)),
                        Duration.ofMillis((long) (jobs.get("stats-full-every-h").asDouble().orElse(24.0) * 3_600_000))));
    }
}
