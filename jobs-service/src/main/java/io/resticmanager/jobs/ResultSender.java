package io.resticmanager.jobs;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;

/**
 * Delivers finished jobs' results to inventory-service ({@code POST /internal/hosts/{id}/job-result})
 * from the {@code pending_results} table, with exponential backoff. Ingestion never waits for it, and a
 * restart resumes where it stopped.
 */
final class ResultSender implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ResultSender.class.getName());
    private final JobStore store;
    private final InventoryClient inventory;
    private final Wakeup wakeup;
    private final Duration retryMax;
    private volatile boolean running;
    private Thread thread;

    ResultSender(JobStore store, InventoryClient inventory, Wakeup wakeup, Duration retryMax) {
        this.store = store;
        this.inventory = inventory;
        this.wakeup = wakeup;
        this.retryMax = retryMax;
    }

    void start() {
        running = true;
        thread = Thread.ofVirtual().name("jobs-results").start(this::loop);
    }

    private void loop() {
        while (running) {
            try {
                pass();
                wakeup.await(Duration.ofSeconds(1));
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "result delivery pass failed: " + e.getMessage());
            }
        }
    }

    void pass() {
        for (JobStore.PendingResult pending : store.pendingResults(Instant.now(), 50)) {
            if (inventory.jobResult(pending.hostId(), pending.bodyJson())) {
                store.write(tx -> {
                    tx.resultDelivered(pending.jobId());
                    return null;
                });
            } else {
                int attempts = pending.attempts() + 1;
                long backoffMs = Math.min(retryMax.toMillis(), 1000L << Math.min(attempts, 20));
                store.write(tx -> {
                    tx.resultRetry(pending.jobId(), attempts, Instant.now().plusMillis(backoffMs));
                    return null;
                });
            }
        }
    }

    @Override
    public void close() {
        running = false;
        if (thread != null) {
            thread.interrupt();
        }
    }
}
