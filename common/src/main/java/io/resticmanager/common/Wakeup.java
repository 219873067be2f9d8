package io.resticmanager.common;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/** A coalescing wake-up signal for one background loop: many wake() calls before a pass cause one pass. */
public final class Wakeup {
    private final Semaphore permits = new Semaphore(0);

    public void wake() {
        if (permits.availablePermits() == 0) {
            permits.release();
        }
    }

    /** Waits until woken or the timeout passes; then clears pending wake-ups. */
    public void await(Duration timeout) throws InterruptedException {
        permits.tryAcquire(Math.max(0, timeout.toMillis()), TimeUnit.MILLISECONDS);
        permits.drainPermits();
    }
}
