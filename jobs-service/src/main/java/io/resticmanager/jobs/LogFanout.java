package io.resticmanager.jobs;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who is tailing which job, and the newest progress of every running job. Ingestion only calls
 * {@link #changed}: it flips each subscriber's wake-up and returns at once, so a slow browser never
 * slows ingestion; every subscriber reads what it missed from the store on its own thread.
 */
final class LogFanout {
    private final Map<String, Set<Wakeup>> subscribers = new ConcurrentHashMap<>();
    private final Map<String, ObjectNode> progress = new ConcurrentHashMap<>();

    void subscribe(String jobId, Wakeup wakeup) {
        subscribers.computeIfAbsent(jobId, k -> ConcurrentHashMap.newKeySet()).add(wakeup);
    }

    void unsubscribe(String jobId, Wakeup wakeup) {
        subscribers.computeIfPresent(jobId, (k, set) -> {
            set.remove(wakeup);
            return set.isEmpty() ? null : set;
        });
    }

    int subscriberCount(String jobId) {
        Set<Wakeup> set = subscribers.get(jobId);
        return set == null ? 0 : set.size();
    }

    /** Something about the job changed (new lines, progress or status): wake its subscribers. */
    void changed(String jobId) {
        Set<Wakeup> set = subscribers.get(jobId);
        if (set != null) {
            set.forEach(Wakeup::wake);
        }
    }

    /** Keeps the newest progress (by seq) of a job in memory. */
    void progress(String jobId, ObjectNode value) {
        progress.merge(jobId, value, (old, neu) -> neu.path("seq").asLong() > old.path("seq").asLong() ? neu : old);
    }

    Optional<ObjectNode> progress(String jobId) {
        return Optional.ofNullable(progress.get(jobId));
    }

    /** A finished job has no live progress any more. */
    void finished(String jobId) {
        progress.remove(jobId);
    }
}
