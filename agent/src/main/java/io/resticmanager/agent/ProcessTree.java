package io.resticmanager.agent;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Stops a process and everything it started: SIGTERM to all of them, a grace period, then SIGKILL to the rest. */
final class ProcessTree {
    private ProcessTree() {
    }

    /** Blocks until every process of the tree is gone or was killed (at most about {@code grace}). */
    static void stop(Process process, Duration grace) {
        // collected before the parent dies: an orphan is re-parented and no longer counts as its descendant
        Set<ProcessHandle> tree = new LinkedHashSet<>(process.descendants().toList());
        process.destroy();
        tree.addAll(process.descendants().toList());
        tree.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + grace.toNanos();
        boolean interrupted = !awaitExit(process.toHandle(), deadline);
        for (ProcessHandle p : tree) {
            interrupted |= !awaitExit(p, interrupted ? System.nanoTime() : deadline);
        }
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits for {@code p} to exit until {@code deadline} (System.nanoTime); false when interrupted. */
    private static boolean awaitExit(ProcessHandle p, long deadline) {
        try {
            p.onExit().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // still alive: killed below
        } catch (InterruptedException e) {
            return false;
        }
        return true;
    }
}
