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
 * Whatever else runs for the job (a backup hook) attaches its own way of stopping instead.
 */
final class Cancellation {
    private static final Logger LOG = Logger.getLogger(Cancellation.class.getName());

    private final Duration grace;
    private volatile boolean requested;
    private Runnable stopper;

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
    void attach(Process p) {
        attach(() -> stop(p, grace));
    }

    /** Called once something else of the job started, with how to stop it; runs at once when a cancel came first. */
    synchronized void attach(Runnable stop) {
        this.stopper = stop;
        if (requested) {
            stopAsync(stop);
        }
    }

    synchronized void detach() {
        this.stopper = null;
    }

    void cancel() {
        Runnable s;
        synchronized (this) {
            if (requested) {
                return;
            }
            requested = true;
            s = stopper;
        }
        if (s != null) {
            stopAsync(s);
        }
    }

    private static void stopAsync(Runnable stop) {
        Thread.ofVirtual().name("job-cancel").start(stop);
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
        if (Platform.current().windows()) {
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
