package io.resticmanager.system;

import java.time.Duration;
import java.util.concurrent.Callable;

/** Polls a condition until it holds or the deadline passes (then fails with what was awaited). */
final class Await {
    private Await() {
    }

    static void until(Duration timeout, String what, Callable<Boolean> condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (Boolean.TRUE.equals(condition.call())) {
                    return;
                }
                last = null;
            } catch (IllegalStateException e) {
                throw e;
            } catch (Exception e) {
                last = e;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + what);
            }
        }
        throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what
                + (last == null ? "" : " (last error: " + last + ")"));
    }

    /**
     * Lets {@code window} pass so the assertion after it can show that nothing more happened (no snapshot, no second
     * message): there is no condition to await when the point is that none comes.
     */
    static void nothingMoreWithin(Duration window) {
        try {
            Thread.sleep(window);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted");
        }
    }
}
