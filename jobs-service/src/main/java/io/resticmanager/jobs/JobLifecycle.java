package io.resticmanager.jobs;

import io.resticmanager.kit.Problem;
import io.resticmanager.proto.JobKind;
import io.resticmanager.proto.JobParams;
import io.resticmanager.proto.JobStatus;
import io.resticmanager.proto.Principal;
import io.resticmanager.proto.RepoAccess;

import java.time.Instant;
import java.util.UUID;

/** Creating and cancelling jobs on behalf of users, and creating the jobs schedules fire. */
final class JobLifecycle {
    private final JobStore store;
    private final HostPresenceStore presence;
    private final InventoryClient inventory;
    private final AgentHubClient hub;
    private final Dispatcher dispatcher;
    private final Signals signals;
    private final ScheduleHooks hooks;

    JobLifecycle(JobStore store, HostPresenceStore presence, InventoryClient inventory, AgentHubClient hub,
                 Dispatcher dispatcher, Signals signals, ScheduleHooks hooks) {
        this.hooks = hooks;
        this.store = store;
        this.presence = presence;
        this.inventory = inventory;
        this.hub = hub;
        this.dispatcher = dispatcher;
        this.signals = signals;
    }

    /**
     * Queues a job. The host's repository is looked up now (unknown host → 404, no repository → 409) to
     * learn its id for per-repository ordering. A backup's access and the host's hooks (asked at the same time)
     * go straight to its dispatch, which follows at once unless the repository is busy; other jobs' secrets are
     * dropped here and fetched again at dispatch.
     */
    Job create(String hostId, JobRequest request, Principal principal) {
        java.util.concurrent.CompletableFuture<io.resticmanager.proto.Hooks> hostHooks = request.kind() != JobKind.BACKUP
                ? null : java.util.concurrent.CompletableFuture.supplyAsync(
                        // a run-now backup runs the host's default hooks
                        () -> ScheduleHooks.effective(ScheduleHooks.Own.NONE, inventory.hooks(hostId)),
                        task -> Thread.ofVirtual().name("jobs-create-hooks").start(task));
        RepoAccess access = inventory.repoAccess(hostId, request.kind(), request.repoId());
        JobParams params = withCopySource(hostId, request.kind(), request.params(), access.repoId());
        String drillHost = drillRunner(hostId, request.kind(), params);
        if (drillHost != null && !inventory.hostExists(drillHost, principal)) {
            throw Problem.unprocessable("target host " + drillHost + " does not exist");
        }
        String runner = drillHost != null ? drillHost : access.maintenanceHostId();
        String id = UUID.randomUUID().toString();
        String runsOn = runner != null ? runner : hostId;
        String reason = presence.online(runsOn).orElse(true) ? null : Dispatcher.HOST_OFFLINE;
        if (hostHooks != null) {
            try {
                dispatcher.offer(id, access, hostHooks.join());
            } catch (java.util.concurrent.CompletionException e) {
                // inventory did not answer for the hooks: the dispatch asks for everything itself
            }
        }
        store.write(tx -> {
            tx.insertJob(id, hostId, access.repoId(), request.kind(), params, principal.userId(),
                         principal.username(), Instant.now(), reason);
            tx.setRunner(id, runner);
            return null;
        });
        signals.dispatch();
        return store.find(id).orElseThrow();
    }

    /**
     * The host that runs a drill of {@code hostId}'s snapshots when that is another host (its {@code target_host_id});
     * null for every other job and for a drill on the host itself. The job stays {@code hostId}'s (its result, alert
     * and "restorable as of" are that host's); the other host only lends its disk and its agent.
     */
    static String drillRunner(String hostId, JobKind kind, JobParams params) {
        return kind == JobKind.DRILL && params.targetHostId() != null && !params.targetHostId().equals(hostId)
                ? params.targetHostId() : null;
    }

    /**
     * A copy's source: as asked, or the host's primary repository; checked now (the host must back up to it, and it
     * must not be the destination), so a bad request is a clear 409/422 instead of a failed job later.
     */
    private JobParams withCopySource(String hostId, JobKind kind, JobParams params, String destination) {
        if (kind != JobKind.COPY) {
            return params;
        }
        String from = inventory.repoAccess(hostId, JobKind.COPY, java.util.Optional.ofNullable(params.fromRepoId()))
                .repoId();
        if (from.equals(destination)) {
            throw Problem.unprocessable("a copy needs two different repositories: repository " + destination
                                                + " would be copied onto itself");
        }
        return new JobParams(null, null, params.tags(), null, null, null, null, null, null, null, null, null, from);
    }

    /**
     * The {@code schedules.sync} for a host: its enabled schedules, each naming the repository it resolves to, and a
     * credential lease per repository that the kinds able to run offline need (none for a repository whose lease is
     * 0 days). A schedule whose repository cannot be resolved (none assigned) goes without. Throws inventory's 503
     * when it is down, so the sync is retried rather than sent without leases.
     */
    io.resticmanager.proto.Message.SchedulesSync syncFor(String hostId, java.util.List<Schedule> schedules,
                                                        Instant now) {
        java.util.List<io.resticmanager.proto.ScheduleSpec> specs = new java.util.ArrayList<>();
        java.util.Map<String, io.resticmanager.proto.CredentialLease> leases = new java.util.LinkedHashMap<>();
        // a backup's hooks go with the leases (memory only at the agent), so an offline run runs them too
        java.util.Map<String, io.resticmanager.proto.Hooks> scheduleHooks = new java.util.LinkedHashMap<>();
        io.resticmanager.proto.Hooks hostHooks = null;
        for (Schedule s : schedules) {
            if (s.kind() == JobKind.BACKUP) {
                hostHooks = hostHooks != null ? hostHooks : inventory.hooks(hostId);
                io.resticmanager.proto.Hooks effective = ScheduleHooks.effective(hooks.of(s.id()), hostHooks);
                if (effective != null) {
                    scheduleHooks.put(s.id(), effective);
                }
            }
            String repoId = s.repoId();
            if (s.kind().runsOffline()) {
                try {
                    RepoAccess access = inventory.repoAccess(hostId, s.kind(), java.util.Optional.ofNullable(repoId));
                    repoId = access.repoId();
                    if (access.leaseSeconds() > 0) {
                        leases.putIfAbsent(access.repoId(), new io.resticmanager.proto.CredentialLease(
                                access, now.plusSeconds(access.leaseSeconds())));
                    }
                } catch (Problem p) {
                    if (p.status() != 404 && p.status() != 409) {
                        throw p;
                    }
                }
            }
            specs.add(new io.resticmanager.proto.ScheduleSpec(s.id(), s.cron(), s.timezone(), s.kind(), s.params(),
                                                              repoId, s.enabled()));
        }
        return new io.resticmanager.proto.Message.SchedulesSync(specs, java.util.List.copyOf(leases.values()),
                                                                scheduleHooks);
    }

    /**
     * Creates the job an agent's {@code schedule.fire} stands for, under the agent's job id, resolving the
     * repository exactly like run-now and queueing it the same way. A host without a repository (or unknown
     * to inventory) gets the job as {@code failed} with the reason, so a missed scheduled run is visible.
     * An unreachable inventory throws its 503 problem and nothing is written (the fire is retried).
     */
    Job createScheduled(String jobId, Schedule schedule, Instant scheduledFor) {
        RepoAccess access = null;
        JobParams params = schedule.params();
        String error = null;
        try {
            access = inventory.repoAccess(schedule.hostId(), schedule.kind(),
                                          java.util.Optional.ofNullable(schedule.repoId()));
            params = withCopySource(schedule.hostId(), schedule.kind(), params, access.repoId());
        } catch (Problem p) {
            if (p.status() != 404 && p.status() != 409 && p.status() != 422) {
                throw p;
            }
            error = "cannot start scheduled " + schedule.kind().wire() + ": " + p.detail();
        }
        JobParams jobParams = params;
        String repoId = access == null ? null : access.repoId();
        String failure = error;
        String drillHost = drillRunner(schedule.hostId(), schedule.kind(), params);
        String runner = drillHost != null ? drillHost : access == null ? null : access.maintenanceHostId();
        String reason = presence.online(runner != null ? runner : schedule.hostId()).orElse(true) ? null
                : Dispatcher.HOST_OFFLINE;
        Instant now = Instant.now();
        store.write(tx -> {
            tx.insertJob(jobId, schedule.hostId(), repoId, schedule.kind(), jobParams, null,
                         "schedule:" + schedule.name(), now, reason);
            tx.setRunner(jobId, runner);
            ScheduleStore.markScheduled(tx, jobId, schedule.id(), scheduledFor);
            if (failure != null) {
                tx.toTerminal(jobId, JobStatus.FAILED, null, null, failure, now);
            }
            ScheduleStore.fireDone(tx, jobId);
            return null;
        });
        if (failure != null) {
            signals.jobFinished(jobId);
        } else {
            signals.dispatch();
        }
        return store.find(jobId).orElseThrow();
    }

    /**
     * A job that never reached an agent ends {@code cancelled} at once; one that did gets {@code job.cancel}
     * through the hub and ends when the agent reports it (re-sent when the host reconnects).
     */
    Job cancel(String jobId) {
        store.find(jobId).orElseThrow(() -> Problem.notFound("no job " + jobId));
        record Decision(Job job, boolean cancelledNow) {
        }
        Decision decided = dispatcher.betweenHandovers(() -> {
            Job job = store.find(jobId).orElseThrow();
            if (job.status().terminal()) {
                throw Problem.conflict("job " + jobId + " already finished (" + job.status().wire() + ")");
            }
            return new Decision(job, store.write(tx -> {
                if (tx.cancelWaiting(jobId, Instant.now())) {
                    return true;
                }
                tx.requestCancel(jobId);
                return false;
            }));
        });
        if (decided.cancelledNow()) {
            signals.jobFinished(jobId);
        } else {
            // Offline or hub down: the request stays recorded and is re-sent on host.online.
            hub.cancelJob(decided.job().runsOn(), jobId);
            signals.jobChanged(jobId);
        }
        return store.find(jobId).orElseThrow();
    }

    /** Re-sends cancels that may not have reached the agent (it was offline, or the cancel raced the start). */
    void resendCancels(String hostId) {
        for (String jobId : store.cancelsPending(hostId)) {
            hub.cancelJob(hostId, jobId);
        }
    }
}
