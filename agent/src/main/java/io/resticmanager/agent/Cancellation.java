package io.resticmanager.agent;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Cancels a job's running restic: SIGINT to restic (it then removes its lock and exits 130),
 * SIGTERM to its descendants (ssh, rclone …), a grace period, then a forced kill of all of them.
 */
final class Cancellation {
    private static final Logger LOG = Logger.getLogger(Cancellation.class.getName());

    private final Duration grace;
    private volatile boolean requested;
    private Process process;

    Cancellation(Duration grace) {
        this.grace = grace;
    }

    Cancellation() {
        this(Duration.ofSeconds(10));
    }

    boolean requested() {
        return requested;
    }

    /** Called by the runner once restic started; stops it at once when a cancel came first. */
    synchronized void attach(Process p) {
        this.process = p;
        if (requested) {
            stopAsync(p);
        }
    }

    synchronized void detach() {
        this.process = null;
    }

    void cancel() {
        Process p;
        synchronized (this) {
            if (requested) {
                return;
            }
            requested = true;
            p = process;
        }
        if (p != null) {
            stopAsync(p);
        }
    }

    private void stopAsync(Process p) {
        Thread.ofVirtual().name("cancel-" + p.pid()).start(() -> stop(p, grace));
    }

    static void stop(Process p, Duration grace) {
        List<ProcessHandle> descendants = p.descendants().toList();
        if (!interrupt(p.pid())) {
            p.destroy();
        }
        descendants.forEach(ProcessHandle::destroy);
        try {
            if (!p.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warning("restic (pid " + p.pid() + ") did not stop within " + grace.toSeconds()
                        + " s after SIGINT; killing it");
                descendants.forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
        }
        descendants.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }

    /** SIGINT is restic's graceful stop (SIGTERM would leave its lock behind); {@code kill} is POSIX. */
    private static boolean interrupt(long pid) {
        if (System.getProperty("os.name", "").toLowerCase().startsWith("windows")) {
            return false;
        }
        try {
            Process kill = new ProcessBuilder("kill", "-INT", Long.toString(pid)).redirectErrorStream(true).start();
            return kill.waitFor(5, TimeUnit.SECONDS) && kill.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "kill -INT failed", e);
            return false;
        }
    }
}
