package io.resticmanager.jobs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.resticmanager.jobs.EventBatch.Parsed;
import io.resticmanager.proto.JobStatus;
import io.resticmanager.proto.Json;
import io.resticmanager.proto.Message;
import io.resticmanager.proto.internal.HostEvents;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Applies a batch of hub events in one transaction. Every job event is recorded by {@code (job_id, seq)}
 * first; a seq seen before is a duplicate and changes nothing. Status changes only move forward, so a
 * late or repeated event never resurrects a finished job. Subscribers, the dispatcher and the result
 * sender are poked only after the commit.
 */
final class EventIngest {
    static final String LOST_ON_RECONNECT = "the agent reconnected without this job (it restarted or lost it)";

    static final String DROP_FOREIGN_HOST = "foreign_host";
    static final String DROP_UNKNOWN_JOB = "unknown_job";
    private static final System.Logger LOG = System.getLogger(EventIngest.class.getName());

    private final JobStore store;
    private final Signals signals;
    private final JobLifecycle lifecycle;
    private final JobsSettings.LogLimits limits;
    private final Map<String, java.util.concurrent.atomic.AtomicLong> dropped = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong linesOverBudget = new java.util.concurrent.atomic.AtomicLong();

    EventIngest(JobStore store, Signals signals, JobLifecycle lifecycle, JobsSettings.LogLimits limits) {
        this.store = store;
        this.signals = signals;
        this.lifecycle = lifecycle;
        this.limits = limits;
        dropped.put(DROP_FOREIGN_HOST, new java.util.concurrent.atomic.AtomicLong());
        dropped.put(DROP_UNKNOWN_JOB, new java.util.concurrent.atomic.AtomicLong());
    }

    /** Job events dropped since start, by reason ({@link #DROP_FOREIGN_HOST}, {@link #DROP_UNKNOWN_JOB}). */
    Map<String, Long> droppedEvents() {
        Map<String, Long> out = new java.util.TreeMap<>();
        dropped.forEach((reason, n) -> out.put(reason, n.get()));
        return out;
    }

    /** Log lines not stored since start because their job's log reached its limit. */
    long linesOverBudget() {
        return linesOverBudget.get();
    }

    /** What the transaction changed, for the signals sent after commit. */
    private static final class Changes {
        final Set<String> touched = new LinkedHashSet<>();
        final Set<String> finished = new LinkedHashSet<>();
        final Set<String> acked = new LinkedHashSet<>();
        final Set<String> hostsOnline = new LinkedHashSet<>();
        final Map<String, ObjectNode> progress = new HashMap<>();
        final Set<String> truncated = new HashSet<>();
        final Map<String, long[]> budgetUse = new HashMap<>();
        final Map<String, Integer> dropped = new java.util.TreeMap<>();
        String droppedExample;
        long linesOverBudget;
        boolean dispatch;
        boolean schedules;

        void dropped(String reason, Parsed p) {
            dropped.merge(reason, 1, Integer::sum);
            if (droppedExample == null) {
                // names the event, never its payload (a hostile agent chooses the payload)
                droppedExample = p.event().type() + " for job " + ((Message.JobEvent) p.message()).jobId()
                        + " from host " + p.event().hostId();
            }
        }
    }

    /**
     * Stores a batch read off the wire; returns how many events it held. A malformed event rejects the batch (400)
     * before any write.
     */
    int ingest(EventBatch.Wire batch) {
        List<Parsed> parsed = EventBatch.parse(batch);
        if (parsed.isEmpty()) {
            return batch.events().size();
        }
        Changes changes = store.write(tx -> apply(tx, parsed));
        if (!changes.dropped.isEmpty()) {
            changes.dropped.forEach((reason, n) -> dropped.get(reason).addAndGet(n));
            LOG.log(System.Logger.Level.WARNING, "dropped job events " + changes.dropped + " (e.g. "
                    + changes.droppedExample + "): a job event must come from the host that runs the job");
        }
        linesOverBudget.addAndGet(changes.linesOverBudget);
        changes.progress.forEach((jobId, node) -> signals.fanout().progress(jobId, node));
        changes.touched.forEach(signals::jobChanged);
        changes.finished.forEach(signals::jobFinished);
        refreshAfterOfflineBackups(changes.finished);
        if (changes.dispatch) {
            signals.dispatch();
        }
        if (changes.schedules) {
            signals.schedules();
        }
        if (!changes.acked.isEmpty() || !changes.hostsOnline.isEmpty()) {
            // A cancel may have raced the start or the host was offline: re-send it, off the ingestion path.
            Set<String> acked = Set.copyOf(changes.acked);
            Set<String> hosts = Set.copyOf(changes.hostsOnline);
            Thread.ofVirtual().name("jobs-cancel-resend").start(() -> {
                hosts.forEach(lifecycle::resendCancels);
                for (String jobId : acked) {
                    store.find(jobId).filter(j -> j.cancelRequested() && !j.status().terminal())
                            .ifPresent(j -> lifecycle.resendCancels(j.runsOn()));
                }
            });
        }
        return batch.events().size();
    }

    /**
     * A backup the agent ran while the server was down could not report its repository's snapshot list then (the
     * report waited in the agent's memory, gone if it restarted): a {@code snapshots} job refreshes it now.
     */
    private void refreshAfterOfflineBackups(Set<String> finished) {
        for (String jobId : finished) {
            store.find(jobId).filter(j -> j.kind() == io.resticmanager.proto.JobKind.BACKUP
                            && j.offline()
                            && (j.status() == JobStatus.SUCCEEDED || j.status() == JobStatus.SUCCEEDED_WITH_WARNINGS))
                    .ifPresent(j -> Thread.ofVirtual().name("offline-refresh-" + jobId).start(() -> {
                        try {
                            lifecycle.create(j.hostId(), new JobRequest(io.resticmanager.proto.JobKind.SNAPSHOTS,
                                    io.resticmanager.proto.JobParams.empty(), java.util.Optional.ofNullable(j.repoId())),
                                    OFFLINE_REFRESH);
                        } catch (RuntimeException e) {
                            LOG.log(System.Logger.Level.WARNING, "cannot refresh the snapshot list after offline run "
                                    + jobId + ": " + e.getMessage());
                        }
                    }));
        }
    }

    /** Who queues the snapshot refresh after an offline run. */
    private static final io.resticmanager.proto.Principal OFFLINE_REFRESH = new io.resticmanager.proto.Principal(
            "system", "system (after offline run)", io.resticmanager.proto.Role.OPERATOR);

    private Changes apply(JobStore.Tx tx, List<Parsed> all) throws java.sql.SQLException {
        Changes changes = new Changes();
        Map<String, JobLogStore.Budget> budgets = new HashMap<>();
        // jobs an agent ran offline exist from their fire on, so their own events (later in this batch) count
        for (Parsed p : all) {
            if (p.message() instanceof Message.ScheduleFire fire && fire.ranOffline()
                    && tx.insertOfflineRun(fire.jobId(), p.event().hostId(), fire)) {
                changes.touched.add(fire.jobId());
            }
        }
        List<Parsed> events = admitted(tx, all, budgets, changes);
        Set<String> logged = new LinkedHashSet<>();
        for (Parsed p : events) {
            if (p.message() instanceof Message.JobLog log) {
                storeWithinBudget(tx, log, budgets.get(log.jobId()), changes);
                logged.add(log.jobId());
            }
        }
        for (String jobId : logged) {
            JobLogStore.Budget was = budgets.get(jobId);
            long[] used = changes.budgetUse.get(jobId);
            boolean truncated = changes.truncated.contains(jobId);
            if (used[0] != was.lines() || truncated != was.truncated()) {
                JobLogStore.saveBudget(tx, new JobLogStore.Budget(jobId, was.hostId(), used[0], used[1], truncated));
            }
            if (used[2] != 0) {
                // Lines mean the agent runs it, even if its ack is still on the way.
                tx.toRunning(jobId, Instant.ofEpochMilli(used[2]), null);
                changes.touched.add(jobId);
            }
        }
        Map<String, Message.JobProgress> latest = new HashMap<>();
        for (Parsed p : events) {
            Instant at = p.event().at() == null ? Instant.now() : p.event().at();
            switch (p.message()) {
                case Message.JobAck ack -> ack(tx, ack, at, changes);
                case Message.JobProgress progress -> {
                    if (JobLogStore.record(tx, progress.jobId(), progress.seq(), at, LogEntry.PROGRESS,
                                           Json.write(progress))) {
                        latest.merge(progress.jobId(), progress, (a, b) -> b.seq() > a.seq() ? b : a);
                        tx.toRunning(progress.jobId(), at, null);
                        changes.touched.add(progress.jobId());
                    }
                }
                case Message.JobFinished finished -> finished(tx, finished, at, changes);
                case HostEvents.Online online -> online(tx, p.event().hostId(), online, at, changes);
                case Message.ScheduleFire fire when fire.ranOffline() -> {
                    // created above, before the job's own events
                }
                case Message.ScheduleFire fire -> {
                    // turned into a job after commit (that needs inventory-service, not ingestion's time)
                    ScheduleStore.recordFire(tx, p.event().hostId(), fire, Instant.now());
                    changes.schedules = true;
                }
                case EventBatch.HostRemoved removed -> {
                    // the host's schedules go with it; jobs that never started will not start any more
                    ScheduleStore.deleteForHost(tx, p.event().hostId());
                    // no presence left to judge: its offline and RPO alerts resolve at the next sweep
                    HostPresenceStore.forget(tx, p.event().hostId());
                    for (String jobId : tx.waitingOfHost(p.event().hostId())) {
                        if (tx.toTerminal(jobId, JobStatus.CANCELLED, null, null, "the host was removed", at)) {
                            changes.finished.add(jobId);
                        }
                    }
                }
                case HostEvents.Offline offline -> {
                    Instant since = offline.lastSeenAt() == null ? at : offline.lastSeenAt();
                    HostPresenceStore.report(tx, p.event().hostId(), false, since);
                }
                default -> {
                    // job.log was stored above
                }
            }
        }
        for (Message.JobProgress progress : latest.values()) {
            String json = Json.write(progress);
            if (tx.progress(progress.jobId(), progress.seq(), json)) {
                changes.progress.put(progress.jobId(), Json.MAPPER.valueToTree(progress));
            }
        }
        return changes;
    }

    /**
     * The events this batch may apply: a job event counts only when its job exists and belongs to the host the
     * hub authenticated; anything else (another host's job, a job nobody created) is dropped and counted.
     */
    private static List<Parsed> admitted(JobStore.Tx tx, List<Parsed> events, Map<String, JobLogStore.Budget> owners,
                                         Changes changes) throws java.sql.SQLException {
        List<Parsed> admitted = new ArrayList<>(events.size());
        Set<String> unknown = new HashSet<>();
        for (Parsed p : events) {
            if (!(p.message() instanceof Message.JobEvent event)) {
                admitted.add(p);
                continue;
            }
            String jobId = event.jobId();
            JobLogStore.Budget owner = owners.get(jobId);
            if (owner == null && !unknown.contains(jobId)) {
                owner = JobLogStore.budget(tx, jobId).orElse(null);
                if (owner == null) {
                    unknown.add(jobId);
                } else {
                    owners.put(jobId, owner);
                }
            }
            if (owner == null) {
                changes.dropped(DROP_UNKNOWN_JOB, p);
            } else if (!owner.hostId().equals(p.event().hostId())) {
                changes.dropped(DROP_FOREIGN_HOST, p);
            } else {
                admitted.add(p);
            }
        }
        return admitted;
    }

    /**
     * Stores the part of a job.log its job's budget still allows. Far from the limit the lines go in as one
     * JDBC batch; near it they go one by one, so a re-delivered line (already stored) never counts twice. The first
     * new line past the limit becomes one "log truncated" line (keeping its seq, so de-duplication still holds),
     * later ones are dropped. {@code changes.budgetUse} holds per job: lines, characters, first stored line's time.
     */
    private void storeWithinBudget(JobStore.Tx tx, Message.JobLog log, JobLogStore.Budget budget, Changes changes)
            throws java.sql.SQLException {
        String jobId = log.jobId();
        long[] used = changes.budgetUse.computeIfAbsent(jobId, id -> new long[] {budget.lines(), budget.bytes(), 0});
        if (budget.truncated() || changes.truncated.contains(jobId)) {
            if (budget.truncated()) {
                changes.truncated.add(jobId);
            }
            changes.linesOverBudget += log.lines().size();
            return;
        }
        long chars = 0;
        for (Message.LogLine line : log.lines()) {
            chars += line.line().length();
        }
        if (used[0] + log.lines().size() <= limits.maxLines() && used[1] + chars <= limits.maxBytes()) {
            boolean[] stored = JobLogStore.addLines(tx, List.of(log));
            for (int i = 0; i < stored.length; i++) {
                if (stored[i]) {
                    counted(used, log.lines().get(i));
                }
            }
            return;
        }
        for (Message.LogLine line : log.lines()) {
            if (changes.truncated.contains(jobId)) {
                changes.linesOverBudget++;
            } else if (used[0] + 1 > limits.maxLines() || used[1] + line.line().length() > limits.maxBytes()) {
                // stored only if this seq is new: a re-delivered line does not end the log
                if (JobLogStore.record(tx, jobId, line.seq(), line.ts(), LogEntry.EVENT, "log truncated: this job's log "
                        + "reached its limit of " + limits.maxLines() + " lines or " + limits.maxBytes()
                        + " characters; later lines are not stored")) {
                    changes.truncated.add(jobId);
                    changes.linesOverBudget++;
                    if (used[2] == 0) {
                        used[2] = line.ts().toEpochMilli();
                    }
                }
            } else if (JobLogStore.record(tx, jobId, line.seq(), line.ts(), line.stream(), line.line())) {
                counted(used, line);
            }
        }
    }

    private static void counted(long[] used, Message.LogLine line) {
        used[0]++;
        used[1] += line.line().length();
        if (used[2] == 0) {
            used[2] = Math.max(1, line.ts().toEpochMilli());
        }
    }

    private static void ack(JobStore.Tx tx, Message.JobAck ack, Instant at, Changes changes) throws java.sql.SQLException {
        String line = ack.accepted()
                ? "job started" + (ack.commandLine() == null ? "" : ": " + ack.commandLine())
                : "agent refused the job" + (ack.reason() == null ? "" : ": " + ack.reason());
        if (!JobLogStore.record(tx, ack.jobId(), ack.seq(), at, LogEntry.EVENT, line)) {
            return;
        }
        Instant startedAt = ack.startedAt() == null ? at : ack.startedAt();
        changes.touched.add(ack.jobId());
        if (ack.accepted()) {
            if (!tx.toRunning(ack.jobId(), startedAt, ack.commandLine())) {
                tx.fillAck(ack.jobId(), startedAt, ack.commandLine());
            }
            changes.acked.add(ack.jobId());
        } else if (tx.toTerminal(ack.jobId(), JobStatus.FAILED, null, null, line, at)) {
            changes.finished.add(ack.jobId());
        }
    }

    private static void finished(JobStore.Tx tx, Message.JobFinished finished, Instant at, Changes changes)
            throws java.sql.SQLException {
        String line = "job finished: " + finished.status().wire() + " (exit code " + finished.exitCode() + ")"
                + (finished.error() == null || finished.error().isBlank() ? "" : ": " + finished.error());
        if (!JobLogStore.record(tx, finished.jobId(), finished.seq(), at, LogEntry.EVENT, line)) {
            return;
        }
        Instant finishedAt = finished.finishedAt() == null ? at : finished.finishedAt();
        // a restore's summary also names whose repository it read
        if (tx.toTerminal(finished.jobId(), finished.status(), finished.exitCode(),
                          RestoreStore.withSource(tx, finished.jobId(), finished.summary()), finished.error(),
                          finishedAt)) {
            changes.finished.add(finished.jobId());
        }
        changes.touched.add(finished.jobId());
    }

    /**
     * The agent (re)connected and listed the jobs it runs or finished while away. A job we handed to it
     * before this connection that it does not list is lost (running) or must be sent again (never acked).
     */
    private static void online(JobStore.Tx tx, String hostId, HostEvents.Online online, Instant at, Changes changes)
            throws java.sql.SQLException {
        // its agent gets its schedule list again (it may have missed a change, or lost its copy)
        ScheduleStore.hostOnline(tx, hostId);
        changes.schedules = true;
        boolean newer = HostPresenceStore.report(tx, hostId, true, at);
        // what it runs, for the agent_outdated rule
        HostPresenceStore.versions(tx, hostId, online.agentVersion(), online.resticVersion());
        if (!newer) {
            return;
        }
        changes.dispatch = true;
        changes.hostsOnline.add(hostId);
        Set<String> reported = new HashSet<>();
        online.jobs().forEach(j -> reported.add(j.jobId()));
        for (String[] job : tx.handedOverBefore(hostId, at)) {
            String jobId = job[0];
            if (reported.contains(jobId)) {
                continue;
            }
            if ("running".equals(job[1])) {
                if (tx.toTerminal(jobId, JobStatus.LOST, null, null, LOST_ON_RECONNECT, at)) {
                    changes.finished.add(jobId);
                }
            } else {
                tx.undispatch(jobId, null);
                changes.touched.add(jobId);
            }
        }
    }
}
