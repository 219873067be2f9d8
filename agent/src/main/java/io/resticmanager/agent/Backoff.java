package io.resticmanager.agent;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/** Exponential backoff with full jitter: attempt n waits a random time in [0, min(max, base·2ⁿ)]. */
final class Backoff {
    private final Duration base;
    private final Duration max;
    private int attempt;

    Backoff(Duration base, Duration max) {
        this.base = base;
        this.max = max;
    }

    static Backoff standard() {
        return new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60));
    }

    synchronized Duration next() {
        long cap = Math.min(max.toMillis(), base.toMillis() << Math.min(attempt, 30));
        attempt++;
        return Duration.ofMillis(ThreadLocalRandom.current().nextLong(cap + 1));
    }

    synchronized void reset() {
        attempt = 0;
    }

    Duration max() {
        return max;
    }

    /** A connection that lasted this long was healthy: the next failure starts from the base delay again. */
    Duration healthyAfter() {
        return max;
    }
}
