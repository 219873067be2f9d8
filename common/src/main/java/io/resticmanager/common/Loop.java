package io.resticmanager.common;

import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * A background loop: one named virtual thread that runs a pass, waits, and runs it again until closed. Each pass is
 * given the time from the loop's clock and answers how long to wait before the next; its {@link Wakeup} cuts a wait
 * short. A pass that throws is logged and run again after {@code retry}: a database or peer that fails slows the loop
 * down, it neither stops it nor makes it spin.
 */
public final class Loop implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Loop.class.getName());

    /** One round of a loop's work. */
    @FunctionalInterface
    public interface Pass {
        /** Does the work due at {@code now}; returns how long to wait before the next round. */
        Duration run(Instant now) throws InterruptedException;
    }

    private final String name;
    private final Clock clock;
    private final Wakeup wakeup;
    private final Duration retry;
    private final Pass pass;
    private final Thread thread;
    private volatile boolean running = true;

    private Loop(String name, Clock clock, Wakeup wakeup, Duration retry, Pass pass) {
        this.name = name;
        this.clock = clock;
        this.wakeup = wakeup;
        this.retry = retry;
        this.pass = pass;
        this.thread = Thread.ofVirtual().name(name).unstarted(this::run);
    }

    /** Starts a loop that only its own waits pace. */
    public static Loop start(String name, Clock clock, Duration retry, Pass pass) {
        return start(name, clock, new Wakeup(), retry, pass);
    }

    /** Starts a loop whose waits {@code wakeup} cuts short (others hold it to signal new work). */
    public static Loop start(String name, Clock clock, Wakeup wakeup, Duration retry, Pass pass) {
        Loop loop = new Loop(name, clock, wakeup, retry, pass);
        loop.thread.start();
        return loop;
    }

    /** New work: the next pass runs now, or as soon as the current one ends. */
    public void wake() {
        wakeup.wake();
    }

    private void run() {
        while (running) {
            Duration wait;
            try {
                wait = pass.run(clock.instant());
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, name + " pass failed: " + e.getMessage());
                wait = retry;
            }
            try {
                wakeup.await(wait);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /**
     * Stops the loop: a pass under way is interrupted, and waited for a little (what closes after the loop, such as
     * its database, should not close under it).
     */
    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
