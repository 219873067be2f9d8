package io.resticmanager.jobs;

import io.resticmanager.common.Loop;
import io.resticmanager.kit.Problem;
import io.resticmanager.proto.JobKind;
import io.resticmanager.proto.JobParams;
import io.resticmanager.proto.JobStatus;
import io.resticmanager.proto.Principal;
import io.resticmanager.proto.Role;

import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Keeps every repository's size, snapshot count and locks current without anyone running stats: a job that changes
 * what a repository holds marks it ({@link #changesStats}, in the job's own end transaction), and once no such job
 * ended for {@code delay} (or {@code maxWait} after the first mark, however busy the repository) this loop queues one
 * {@code stats} job on it, run by the host whose job ended last. The job is {@code stats --mode raw-data} (cheap:
 * the stored size), and the full one (restore size too, for the dedup ratio) when the repository's last full
 * measurement is older than {@code fullEvery}. A repository with a stats job already waiting gets no second one.
 */
final class StatsRefresher implements AutoCloseable {
    /** Who queues the refresh. */
    static final Principal SYSTEM = new Principal("system", "system (stats refresh)", Role.OPERATOR);
    private static final System.Logger LOG = System.getLogger(StatsRefresher.class.getName());
    private static final Pattern LOCKED = Pattern.compile("(?i)already locked|unable to create lock");

    /** {@code rm.jobs.stats-refresh-*}: off, or the quiet time, the longest wait and how often the full stats run. */
    record Settings(boolean enabled, Duration delay, Duration maxWait, Duration fullEvery) {
    }

    private final JobStore store;
    private final StatsRefreshStore refreshes;
    private final JobLifecycle lifecycle;
    private final Settings settings;
    private final Clock clock;
    private Loop loop;

    StatsRefresher(JobStore store, StatsRefreshStore refreshes, JobLifecycle lifecycle, Settings settings,
                   Clock clock) {
        this.store = store;
        this.refreshes = refreshes;
        this.lifecycle = lifecycle;
        this.settings = settings;
        this.clock = clock;
    }

    /**
     * Whether a job that ended so leaves the repository's stats out of date: a successful backup, forget, prune, copy
     * or unlock, or any job but stats itself that failed on a lock (so the lock shows). Stats never mark (no loop).
     */
    static boolean changesStats(JobKind kind, JobStatus status, String error) {
        boolean ok = status == JobStatus.SUCCEEDED || status == JobStatus.SUCCEEDED_WITH_WARNINGS;
        return switch (kind) {
            case BACKUP, FORGET, PRUNE, COPY, UNLOCK -> ok || locked(status, error);
            case STATS -> false;
            default -> locked(status, error);
        };
    }

    private static boolean locked(JobStatus status, String error) {
        return status == JobStatus.FAILED && error != null && LOCKED.matcher(error).find();
    }

    void start() {
        if (!settings.enabled()) {
            return;
        }
        Duration tick = Duration.ofMillis(Math.max(200, Math.min(1000, settings.delay().toMillis() / 2)));
        loop = Loop.start("jobs-stats-refresh", clock, tick, now -> {
            pass(now);
            return tick;
        });
    }

    /** Queues the refreshes due at {@code now}; a row stays when inventory is down (retried next pass). */
    void pass(Instant now) {
        for (StatsRefreshStore.Due due : refreshes.due(now.minus(settings.delay()), now.minus(settings.maxWait()))) {
            try {
                if (!store.statsWaiting(due.repoId())) {
                    Optional<Instant> full = store.lastFullStats(due.repoId());
                    boolean rawOnly = full.isPresent() && full.get().isAfter(now.minus(settings.fullEvery()));
                    lifecycle.create(due.hostId(), new JobRequest(JobKind.STATS, JobParams.stats(rawOnly),
                                                                  Optional.of(due.repoId())), SYSTEM);
                }
            } catch (Problem p) {
                if (p.status() >= 500) {
                    continue; // inventory is down: keep the row
                }
                // the host is gone or no longer uses the repository: the next job on it marks it again
                LOG.log(Level.INFO, "no stats refresh of repository " + due.repoId() + " by host " + due.hostId()
                        + ": " + p.detail());
            }
            store.write(tx -> {
                StatsRefreshStore.done(tx, due);
                return null;
            });
        }
    }

    @Override
    public void close() {
        if (loop != null) {
            loop.close();
        }
    }
}
