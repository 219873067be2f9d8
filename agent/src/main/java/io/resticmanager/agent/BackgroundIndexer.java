package io.resticmanager.agent;

import io.resticmanager.proto.Message;
import io.resticmanager.proto.RepoPolicy;

import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Logger;

/**
 * Answers {@code snapshot.index}: the server asks for a snapshot its tree index lacks (taken before the index existed,
 * while this agent was offline, or outside restic-manager). The request is queued (at most {@link #MAX_QUEUED}) and
 * answered at once; one low-priority thread indexes the queue one snapshot at a time with {@link SnapshotIndexer},
 * never while a job of the same repository runs: it waits for the job, and stops an indexing a starting job would run
 * beside (the server asks again later). A failure only leaves the snapshot unindexed.
 */
final class BackgroundIndexer {
    private static final Logger LOG = Logger.getLogger(BackgroundIndexer.class.getName());
    /** Snapshots waiting at once: the server asks a few at a time, so more means a confused or hostile caller. */
    static final int MAX_QUEUED = 16;

    private final Jobs.ResticSetup setup;
    /** Whether a job of a repository runs (its worker, with the post-backup indexing, included). */
    private final java.util.function.Predicate<String> busy;
    private final SnapshotIndexer indexer;
    /** By repository and snapshot: a request for a queued snapshot changes nothing. */
    private final Map<String, Message.SnapshotIndex> queue = new LinkedHashMap<>();
    private String currentKey;
    private String currentRepo;
    private Cancellation current;
    private Thread worker;

    /** {@link #jobStarting} and {@link #jobEnded} must be called as jobs start and end ({@link Jobs#watch}). */
    BackgroundIndexer(Jobs.ResticSetup setup, java.util.function.Predicate<String> busy, SnapshotIndexer indexer) {
        this.setup = setup;
        this.busy = busy;
        this.indexer = indexer;
    }

    /** Queues the snapshot (the answer to {@code snapshot.index}); the worker starts with the first request. */
    synchronized Message.SnapshotIndexResult offer(Message.SnapshotIndex request) {
        String snapshot = request.snapshotId();
        if (setup.binary().isEmpty() || setup.version().isEmpty()) {
            return refused(snapshot, setup.problem().orElse("restic is not available"));
        }
        String key = request.repo().repoId() + "/" + snapshot;
        if (key.equals(currentKey) || queue.containsKey(key)) {
            return new Message.SnapshotIndexResult(snapshot, true, null);
        }
        if (queue.size() >= MAX_QUEUED) {
            return refused(snapshot, "busy: " + queue.size() + " snapshots are waiting to be indexed");
        }
        queue.put(key, request);
        if (worker == null) {
            worker = Thread.ofPlatform().name("background-indexer").daemon().priority(Thread.MIN_PRIORITY)
                    .start(this::work);
        }
        notifyAll();
        return new Message.SnapshotIndexResult(snapshot, true, null);
    }

    private static Message.SnapshotIndexResult refused(String snapshot, String reason) {
        LOG.info("not indexing snapshot " + snapshot.substring(0, 8) + ": " + reason);
        return new Message.SnapshotIndexResult(snapshot, false, reason);
    }

    /** A job of {@code repoId} starts: an indexing of that repository stops (it is asked for again later). */
    synchronized void jobStarting(String repoId) {
        if (current != null && repoId.equals(currentRepo)) {
            LOG.info("a job of repository " + repoId + " starts: background indexing of it stops");
            current.cancel();
        }
    }

    synchronized void jobEnded() {
        notifyAll();
    }

    private void work() {
        while (true) {
            Message.SnapshotIndex next;
            Cancellation stop;
            synchronized (this) {
                next = null;
                while (next == null) {
                    next = firstIdle();
                    if (next == null) {
                        try {
                            wait(); // a request or a job's end wakes this thread
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }
                currentRepo = next.repo().repoId();
                currentKey = currentRepo + "/" + next.snapshotId();
                queue.remove(currentKey);
                current = new Cancellation(Duration.ofSeconds(2));
                stop = current;
            }
            try {
                index(next, stop);
            } finally {
                synchronized (this) {
                    current = null;
                    currentKey = null;
                    currentRepo = null;
                }
            }
        }
    }

    /** The oldest request whose repository no job is using. */
    private Message.SnapshotIndex firstIdle() {
        for (Message.SnapshotIndex r : queue.values()) {
            if (!busy.test(r.repo().repoId())) {
                return r;
            }
        }
        return null;
    }

    private void index(Message.SnapshotIndex request, Cancellation stop) {
        String shortId = request.snapshotId().substring(0, 8);
        Restic restic;
        try {
            restic = new Restic(setup.binary().orElseThrow(), setup.version().orElseThrow(), request.repo().url(),
                                request.repo().password(), request.repo().env());
        } catch (RepoPolicy.Violation e) {
            LOG.warning("snapshot " + shortId + " was not indexed: repository refused by this agent: "
                                + e.getMessage());
            return;
        }
        try {
            LOG.info("indexing snapshot " + shortId + " of repository " + request.repo().repoId()
                             + " in the background");
            indexer.index(restic, request.repo().repoId(), request.snapshotId(), stop);
        } catch (IOException | RuntimeException e) {
            LOG.warning("snapshot " + shortId + " was not indexed in the background: "
                                + restic.redactor().apply(String.valueOf(e.getMessage())));
        }
    }
}
