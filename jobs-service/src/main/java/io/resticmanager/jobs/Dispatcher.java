package io.resticmanager.jobs;

import io.resticmanager.common.Loop;
import io.resticmanager.kit.Problem;
import io.resticmanager.proto.JobStatus;
import io.resticmanager.proto.Message;
import io.resticmanager.proto.RepoAccess;
import io.resticmanager.proto.internal.HubAgents;

import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Starts queued jobs, one per repository at a time, oldest first. A pass runs when woken (job created,
 * job finished, host online) and at least every {@code interval}; it hands the oldest waiting job of every
 * idle repository whose host is not known to be offline to agent-hub as {@code job.start}, with the
 * repository's secrets fetched from inventory-service just now and kept in memory only.
 */
final class Dispatcher implements AutoCloseable {
    static final String HOST_OFFLINE = "host is offline; starts when it reconnects";
    static final String REPO_BUSY = "waiting for another job on the same repository";
    private static final System.Logger LOG = System.getLogger(Dispatcher.class.getName());

    private final JobStore store;
    private final HostPresenceStore presence;
    private final ScheduleHooks hooks;
    private final InventoryClient inventory;
    private final AgentHubClient hub;
    private final Signals signals;
    private final Duration interval;
    private final Clock clock;
    /** How long what a run-now's request fetched may stand in for the dispatch's own fetch. */
    static final Duration FRESH_FOR = Duration.ofSeconds(2);
    /**
     * A run-now backup's repository access and hooks, fetched by its request a moment ago, by job id: its dispatch
     * right after uses them instead of asking inventory again. Taken once, dropped when older than
     * {@link #FRESH_FOR} (a job that waits fetches its secrets when it starts, as every other job does).
     */
    private final Map<String, Fresh> fresh = new java.util.concurrent.ConcurrentHashMap<>();

    private record Fresh(RepoAccess access, io.resticmanager.proto.Hooks hooks, long atNanos) {
        boolean young() {
            return System.nanoTime() - atNanos < FRESH_FOR.toNanos();
        }
    }

    /** Held while one job is being handed over, so a cancel never slips between "dispatched" and "sent". */
    private final ReentrantLock handover = new ReentrantLock();
    private boolean seeded;
    private Loop loop;

    Dispatcher(JobStore store, HostPresenceStore presence, InventoryClient inventory, AgentHubClient hub,
               Signals signals, Duration interval, ScheduleHooks hooks, Clock clock) {
        this.hooks = hooks;
        this.store = store;
        this.presence = presence;
        this.inventory = inventory;
        this.hub = hub;
        this.signals = signals;
        this.interval = interval;
        this.clock = clock;
    }

    void start() {
        loop = Loop.start("jobs-dispatcher", clock, signals.dispatcherWakeup(), interval, now -> {
            if (!seeded) {
                seedPresence(now);
                seeded = true;
            }
            pass();
            return interval;
        });
    }

    /**
     * Runs {@code action} while no job is being handed to an agent, so what it decides from a job's state (a cancel:
     * "never reached an agent" or "ask the agent") cannot fall between the dispatch's "dispatched" and "sent".
     */
    <T> T betweenHandovers(java.util.function.Supplier<T> action) {
        handover.lock();
        try {
            return action.get();
        } finally {
            handover.unlock();
        }
    }

    /** After a restart the hub knows presence better than our last events did. */
    private void seedPresence(Instant now) {
        hub.agents().ifPresent(agents -> {
            Map<String, Boolean> known = presence.all();
            store.write(tx -> {
                for (HubAgents.Presence p : agents) {
                    if (!Boolean.valueOf(p.online()).equals(known.get(p.hostId()))) {
                        HostPresenceStore.report(tx, p.hostId(), p.online(), now);
                    }
                }
                return null;
            });
        });
    }

    /** What the request creating backup {@code jobId} fetched for it just now (hooks null when there are none). */
    void offer(String jobId, RepoAccess access, io.resticmanager.proto.Hooks hooks) {
        fresh.put(jobId, new Fresh(access, hooks, System.nanoTime()));
    }

    void pass() {
        fresh.values().removeIf(f -> !f.young());
        var waiting = store.waiting();
        if (waiting.isEmpty()) {
            return;
        }
        Set<String> busy = store.busyRepos();
        Map<String, Boolean> presence = new HashMap<>(this.presence.all());
        Map<String, String> reasons = new LinkedHashMap<>();
        for (Job job : waiting) {
            if (Thread.currentThread().isInterrupted()) {
                break; // shutting down
            }
            String repo = job.repoId() == null ? "job:" + job.id() : job.repoId();
            if (busy.contains(repo)) {
                reasons.put(job.id(), REPO_BUSY);
                continue;
            }
            if (Boolean.FALSE.equals(presence.get(job.runsOn()))) {
                reasons.put(job.id(), HOST_OFFLINE);
                continue;
            }
            switch (handOver(job)) {
                case STARTED, GONE -> busy.add(repo);
                case HOST_OFFLINE -> presence.put(job.runsOn(), false);
                case RETRY -> {
                    // the reason was recorded; the next pass retries
                }
                case FAILED -> {
                    // the job is finished; the repository stays free for the next one
                }
            }
        }
        if (!reasons.isEmpty()) {
            store.write(tx -> {
                for (var e : reasons.entrySet()) {
                    if (tx.queuedReason(e.getKey(), e.getValue())) {
                        signals.jobChanged(e.getKey());
                    }
                }
                return null;
            });
        }
    }

    private enum Outcome {
        STARTED, HOST_OFFLINE, RETRY, FAILED, GONE
    }

    private Outcome handOver(Job job) {
        handover.lock();
        try {
            Fetched fetched;
            Fresh offered = fresh.remove(job.id());
            try {
                fetched = offered != null && offered.young() && job.kind() == io.resticmanager.proto.JobKind.BACKUP
                        ? new Fetched(offered.access(), null, offered.hooks()) : fetch(job);
            } catch (Problem p) {
                if (p.status() == 404 || p.status() == 409) {
                    fail(job, "cannot start: " + p.detail());
                    return Outcome.FAILED;
                }
                store.write(tx -> tx.queuedReason(job.id(), "inventory-service is unavailable; retrying"));
                signals.jobChanged(job.id());
                return Outcome.RETRY;
            }
            RepoAccess access = fetched.access();
            Instant now = clock.instant();
            // the repository's maintenance host runs forget/prune/check for the host, if it names one (now); a drill's
            // other host runs the drill
            String drillHost = JobLifecycle.drillRunner(job.hostId(), job.kind(), job.params());
            String maintainer = drillHost != null ? drillHost : access.maintenanceHostId();
            String runner = maintainer != null ? maintainer : job.hostId();
            if (!store.write(tx -> {
                tx.setRunner(job.id(), maintainer);
                return tx.markDispatched(job.id(), now);
            })) {
                return Outcome.GONE;
            }
            AgentHubClient.Delivery delivery = hub.startJob(runner,
                                                            new Message.JobStart(job.id(), job.kind(), access, job.params(),
                                                                                 fetched.from(), fetched.hooks()));
            switch (delivery) {
                case DELIVERED -> {
                    signals.jobChanged(job.id());
                    return Outcome.STARTED;
                }
                case OFFLINE -> {
                    store.write(tx -> {
                        tx.undispatch(job.id(), HOST_OFFLINE);
                        HostPresenceStore.report(tx, runner, false, now);
                        return null;
                    });
                    signals.jobChanged(job.id());
                    return Outcome.HOST_OFFLINE;
                }
                case UNKNOWN_HOST -> {
                    store.write(tx -> {
                        tx.undispatch(job.id(), null);
                        return null;
                    });
                    fail(job, "cannot start: agent-hub does not know host " + runner);
                    return Outcome.FAILED;
                }
                default -> {
                    store.write(tx -> {
                        tx.undispatch(job.id(), "agent-hub is unavailable; retrying");
                        return null;
                    });
                    signals.jobChanged(job.id());
                    return Outcome.RETRY;
                }
            }
        } finally {
            handover.unlock();
        }
    }

    /** What a job's start needs from inventory: its repository's access, a copy's source, a backup's hooks. */
    private record Fetched(RepoAccess access, RepoAccess from, io.resticmanager.proto.Hooks hooks) {
    }

    /** Asks inventory for what the job's start needs; a problem when inventory refuses or is down. */
    private Fetched fetch(Job job) {
        // a backup's hooks come from inventory too: asked at the same time as the repository, not after it
        CompletableFuture<io.resticmanager.proto.Hooks> hooksLater =
                job.kind() != io.resticmanager.proto.JobKind.BACKUP ? null : CompletableFuture.supplyAsync(
                        // the schedule's own hooks, else the host's defaults (a run-now backup runs the defaults)
                        () -> ScheduleHooks.effective(hooks.of(job.scheduleId()), inventory.hooks(job.hostId())),
                        task -> Thread.ofVirtual().name("jobs-dispatch-hooks").start(task));
        // the job's own repository (a host may back up to several)
        RepoAccess access = inventory.repoAccess(repoHost(job), job.kind(), java.util.Optional.ofNullable(job.repoId()));
        RepoAccess from = null;
        if (job.kind() == io.resticmanager.proto.JobKind.COPY) {
            from = inventory.repoAccess(job.hostId(), job.kind(), java.util.Optional.ofNullable(job.params().fromRepoId()));
        }
        if (job.kind() == io.resticmanager.proto.JobKind.DRILL) {
            // the agent restores the latest snapshot of the job's host: it is told whose (also on another host)
            access = access.forSnapshotsOf(inventory.hostname(job.hostId()));
        }
        return new Fetched(access, from, hooksLater == null ? null : joined(hooksLater));
    }

    /** The future's value, its failure thrown as itself (a {@link Problem} stays one). */
    private static <T> T joined(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }

    /**
     * Whose repository the job uses: its own host's, except a restore, which reads its source host's
     * repository (cross-host, the target agent gets that credential for this one job only).
     */
    private String repoHost(Job job) {
        if (job.kind() != io.resticmanager.proto.JobKind.RESTORE) {
            return job.hostId();
        }
        return new RestoreStore(store).find(job.id()).map(RestoreStore.Source::sourceHostId).orElse(job.hostId());
    }

    private void fail(Job job, String error) {
        if (store.write(tx -> tx.toTerminal(job.id(), JobStatus.FAILED, null, null, error, clock.instant()))) {
            signals.jobFinished(job.id());
        }
    }

    @Override
    public void close() {
        if (loop != null) {
            loop.close();
        }
    }
}
