package io.resticmanager.jobs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.resticmanager.common.Wakeup;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Who is tailing which job, and the newest progress of every running job. Ingestion only calls
 * {@link #changed}: it flips each subscriber's wake-up and returns at once, so a slow browser never
 * slows ingestion; every subscriber reads what it missed from the store on its own thread.
 */
final class LogFanout {
    private final Map<String, Set<Wakeup>> subscribers = new ConcurrentHashMap<>();
    private final Map<String, ObjectNode> progress = new ConcurrentHashMap<>();
    private final Map<String, Shared> shared = new ConcurrentHashMap<>();

    /** An encoded {@code log} message of the lines after {@code afterSeq}: {@code size} lines up to {@code lastSeq}. */
    record Chunk(String message, long lastSeq, int size) {
    }

    /**
     * Chunks read since the job's last change. Browsers tailing one job wake together and ask for the same
     * lines: the first of them reads and encodes, the others wait for that read and reuse it (without the wait
     * all of them would miss at once and each read the store). A change starts a new (empty) generation, so a
     * chunk is never older than the newest change notification.
     */
    static final class Shared {
        private static final int MAX_CHUNKS = 8;
        private final Map<Long, CompletableFuture<Chunk>> byAfterSeq = new ConcurrentHashMap<>();

        /** The chunk after {@code afterSeq}: another stream's read of this generation, or {@code reader}'s. */
        Chunk read(long afterSeq, Supplier<Chunk> reader) {
            CompletableFuture<Chunk> mine = new CompletableFuture<>();
            CompletableFuture<Chunk> first = byAfterSeq.get(afterSeq);
            if (first == null) {
                if (byAfterSeq.size() >= MAX_CHUNKS) {
                    return reader.get(); // a browser far behind reads on its own, unshared
                }
                first = byAfterSeq.putIfAbsent(afterSeq, mine);
            }
            if (first != null) {
                try {
                    return first.join();
                } catch (CompletionException | CancellationException e) {
                    return reader.get(); // that read failed: try on our own
                }
            }
            try {
                Chunk chunk = reader.get();
                mine.complete(chunk);
                return chunk;
            } catch (RuntimeException e) {
                byAfterSeq.remove(afterSeq, mine);
                mine.completeExceptionally(e);
                throw e;
            }
        }
    }

    /** The current generation of shared chunks of a job; take it before reading the store. */
    Shared shared(String jobId) {
        Shared current = shared.get(jobId);
        if (current == null) {
            current = new Shared();
            if (subscribers.containsKey(jobId)) { // kept only while someone tails the job
                Shared raced = shared.putIfAbsent(jobId, current);
                current = raced == null ? current : raced;
            }
        }
        return current;
    }

    void subscribe(String jobId, Wakeup wakeup) {
        subscribers.computeIfAbsent(jobId, k -> ConcurrentHashMap.newKeySet()).add(wakeup);
    }

    void unsubscribe(String jobId, Wakeup wakeup) {
        subscribers.computeIfPresent(jobId, (k, set) -> {
            set.remove(wakeup);
            return set.isEmpty() ? null : set;
        });
        if (!subscribers.containsKey(jobId)) {
            shared.remove(jobId);
        }
    }

    int subscriberCount(String jobId) {
        Set<Wakeup> set = subscribers.get(jobId);
        return set == null ? 0 : set.size();
    }

    /** Something about the job changed (new lines, progress or status): wake its subscribers. */
    void changed(String jobId) {
        Set<Wakeup> set = subscribers.get(jobId);
        if (set != null) {
            shared.replace(jobId, new Shared()); // before the wake-ups: woken readers must not reuse older reads
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
