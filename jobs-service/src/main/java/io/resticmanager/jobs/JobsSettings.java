package io.resticmanager.jobs;

import io.helidon.config.Config;

import java.time.Duration;

/**
 * Tunables under {@code rm.jobs}: how long a dispatched job may wait for {@code job.ack}, how long a
 * running job survives its host being offline, and how often the reaper and the result sender run.
 */
record JobsSettings(Duration ackTimeout, Duration lostAfter, Duration reaperInterval, Duration resultRetryMax) {
    static JobsSettings from(Config config) {
        Config jobs = config.get("rm.jobs");
        return new JobsSettings(
                Duration.ofMillis((long) (jobs.get("ack-timeout-s").asDouble().orElse(60.0) * 1000)),
                Duration.ofMillis((long) (jobs.get("lost-after-s").asDouble().orElse(600.0) * 1000)),
                Duration.ofMillis(jobs.get("reaper-interval-ms").asLong().orElse(5000L)),
                Duration.ofMillis((long) (jobs.get("result-retry-max-s").asDouble().orElse(300.0) * 1000)));
    }
}
