package io.resticmanager.jobs;

import io.resticmanager.common.Loop;
import io.resticmanager.common.Wakeup;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Delivers finished jobs' results to inventory-service ({@code POST /internal/hosts/{id}/job-result})
 * from the {@code pending_results} table, with exponential backoff. Ingestion never waits for it, and a
 * restart resumes where it stopped.
 */
final class ResultSender implements AutoCloseable {
    private final JobStore store;
    private final ResultOutbox outbox;
    private final InventoryClient inventory;
    private final Wakeup wakeup;
    private final Duration retryMax;
    private final Clock clock;
    private Loop loop;

    ResultSender(JobStore store, ResultOutbox outbox, InventoryClient inventory, Wakeup wakeup, Duration retryMax,
                 Clock clock) {
        this.store = store;
        this.outbox = outbox;
        this.inventory = inventory;
        this.wakeup = wakeup;
        this.retryMax = retryMax;
        this.clock = clock;
    }

    void start() {
        loop = Loop.start("jobs-results", clock, wakeup, Duration.ofSeconds(1), now -> {
            pass(now);
            return Duration.ofSeconds(1);
        });
    }

    void pass(Instant now) {
        for (ResultOutbox.Pending pending : outbox.due(now, 50)) {
            if (inventory.jobResult(pending.hostId(), pending.bodyJson())) {
                store.write(tx -> {
                    ResultOutbox.delivered(tx, pending.jobId());
                    return null;
                });
            } else {
                int attempts = pending.attempts() + 1;
                long backoffMs = Math.min(retryMax.toMillis(), 1000L << Math.min(attempts, 20));
                store.write(tx -> {
                    ResultOutbox.retry(tx, pending.jobId(), attempts, clock.instant().plusMillis(backoffMs));
                    return null;
                });
            }
        }
    }

    @Override
    public void close() {
        if (loop != null) {
            loop.close();
        }
    }
}
