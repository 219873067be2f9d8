package io.resticmanager.inventory;

import io.resticmanager.kit.Problem;
import io.resticmanager.proto.Message;
import io.resticmanager.proto.RepoAccess;

import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Background indexing: snapshots the tree index lacks — taken before the index existed, while the agent or the server
 * was offline, or with plain restic outside restic-manager — are asked of their own host's agent ({@code snapshot.index})
 * while it is online, a few at a time ({@link #IN_FLIGHT} per host). Each request is noted before it goes out, and a
 * snapshot is asked again only after a back-off that doubles per attempt (from {@code retry} up to {@code maxRetry}), so
 * a snapshot that cannot be indexed is never retried in a tight loop. Only a host's own snapshots (restic hostname =
 * the host's) in repositories it backs up to are asked of it; what it uploads is checked as after a backup.
 */
final class IndexBackfill {
    private static final System.Logger LOG = System.getLogger(IndexBackfill.class.getName());
    /** Snapshots one host is asked to index at once (its agent indexes one at a time). */
    static final int IN_FLIGHT = 2;
    static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(30);
    static final Duration DEFAULT_RETRY = Duration.ofMinutes(10);
    static final Duration MAX_RETRY = Duration.ofHours(24);

    private final IndexStore index;
    private final Repos repos;
    private final HubRequests hub;
    private final Clock clock;
    private final Duration retry;

    IndexBackfill(IndexStore index, Repos repos, HubRequests hub, Clock clock, Duration retry) {
        this.index = index;
        this.repos = repos;
        this.hub = hub;
        this.clock = clock;
        this.retry = retry;
    }

    /** Runs {@link #once} every {@code interval} on a daemon thread; a zero interval turns background indexing off. */
    void start(Duration interval) {
        if (interval.isZero() || interval.isNegative()) {
            return;
        }
        Thread.ofVirtual().name("index-backfill").start(() -> {
            while (true) {
                try {
                    Thread.sleep(interval); // a period, not a wait for a condition
                } catch (InterruptedException e) {
                    return;
                }
                try {
                    once();
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "background indexing round failed: " + e.getMessage());
                }
            }
        });
    }

    /** One round over the online hosts; returns how many snapshots were asked for. */
    int once() {
        index.backfillDone();
        int asked = 0;
        for (String hostId : index.backfillHosts()) {
            Instant now = clock.instant();
            long free = IN_FLIGHT - index.inFlight(hostId, now.minus(retry));
            if (free <= 0) {
                continue;
            }
            for (IndexStore.Wanted w : index.due(hostId, now, (int) free)) {
                ask(hostId, w);
                asked++;
            }
        }
        return asked;
    }

    private void ask(String hostId, IndexStore.Wanted w) {
        // noted first: whatever happens next, this snapshot waits out its back-off before the next request
        int attempts = index.asked(w, hostId, clock.instant(), retry, MAX_RETRY);
        String result;
        try {
            RepoAccess access = repos.access(hostId, "backup", Optional.of(w.repoId()));
            Message.SnapshotIndexResult answer = hub.snapshotIndex(hostId, access, w.snapshotId());
            result = !w.snapshotId().equals(answer.snapshotId()) ? "the agent answered for another snapshot"
                    : answer.accepted() ? "queued by the agent" : "refused by the agent: " + answer.reason();
        } catch (Problem e) {
            result = "not asked: " + e.getMessage();
        }
        index.answered(w, result);
        LOG.log(Level.INFO, "background indexing: snapshot " + w.snapshotId().substring(0, 8) + " of host " + hostId
                + " (attempt " + attempts + "): " + result);
    }
}
