package io.resticmanager.jobs;

import io.resticmanager.common.Loop;
import io.resticmanager.kit.Problem;
import io.resticmanager.proto.Message;

import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * The background side of schedules. Turns received {@code schedule.fire} events into jobs (with the
 * agent's job id, so the agent's answer is the ordinary {@code job.start}), retrying with backoff while
 * inventory-service is down; and pushes {@code schedules.sync} — the host's full enabled list — to every
 * agent whose list changed, or that came online, as soon as the hub can reach it. Runs when woken and
 * at least every {@code interval}.
 */
final class ScheduleWorker implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ScheduleWorker.class.getName());
    private static final Duration MAX_FIRE_RETRY = Duration.ofMinutes(5);

    private final ScheduleStore schedules;
    private final JobStore store;
    private final HostPresenceStore presence;
    private final JobLifecycle lifecycle;
    private final AgentHubClient hub;
    private final Signals signals;
    private final Duration interval;
    private final Clock clock;
    private Loop loop;

    ScheduleWorker(ScheduleStore schedules, JobStore store, HostPresenceStore presence, JobLifecycle lifecycle,
                   AgentHubClient hub, Signals signals, Duration interval, Clock clock) {
        this.schedules = schedules;
        this.store = store;
        this.presence = presence;
        this.lifecycle = lifecycle;
        this.hub = hub;
        this.signals = signals;
        this.interval = interval;
        this.clock = clock;
    }

    void start() {
        loop = Loop.start("jobs-schedules", clock, signals.schedulesWakeup(), interval, now -> {
            pass();
            return interval;
        });
    }

    void pass() {
        fires();
        syncs();
    }

    private void fires() {
        Instant now = clock.instant();
        for (ScheduleStore.Fire fire : schedules.dueFires(now, 100)) {
            if (Thread.currentThread().isInterrupted()) {
                return; // shutting down
            }
            fire(fire, now);
        }
    }

    private void fire(ScheduleStore.Fire fire, Instant now) {
        if (!io.resticmanager.proto.Checks.id(fire.jobId())) {
            drop(fire, "its job id is not a valid id");
            return;
        }
        if (store.find(fire.jobId()).isPresent()) {
            drop(fire, null); // the agent re-sent a fire we already turned into a job
            return;
        }
        Optional<Schedule> schedule = schedules.find(fire.scheduleId()).filter(s -> s.hostId().equals(fire.hostId()));
        if (schedule.isEmpty()) {
            drop(fire, "the host has no such schedule (deleted?)");
            return;
        }
        if (!schedule.get().enabled()) {
            drop(fire, "the schedule is disabled");
            return;
        }
        if (schedules.firedFor(fire.scheduleId(), fire.firedAt())) {
            drop(fire, "a job for that time exists already");
            return;
        }
        try {
            Job job = lifecycle.createScheduled(fire.jobId(), schedule.get(), fire.firedAt());
            LOG.log(Level.INFO, "schedule " + fire.scheduleId() + " (" + schedule.get().name() + ") on host "
                    + fire.hostId() + " fired job " + job.id() + " for " + fire.firedAt()
                    + (fire.catchUp() ? " (catch-up: the agent was down at that time)" : "")
                    + (job.status().terminal() ? ": " + job.error() : ""));
        } catch (Problem p) {
            int attempts = fire.attempts() + 1;
            long backoff = Math.min(MAX_FIRE_RETRY.toMillis(), 1000L << Math.min(attempts, 20));
            store.write(tx -> {
                ScheduleStore.fireRetry(tx, fire.jobId(), attempts, now.plusMillis(backoff));
                return null;
            });
            LOG.log(Level.WARNING, "cannot create the job of a schedule fire yet (" + p.detail() + "); retrying");
        }
    }

    private void drop(ScheduleStore.Fire fire, String why) {
        store.write(tx -> {
            ScheduleStore.fireDone(tx, fire.jobId());
            return null;
        });
        if (why != null) {
            LOG.log(Level.WARNING, "ignored schedule.fire of schedule " + fire.scheduleId() + " from host "
                    + fire.hostId() + " (job " + fire.jobId() + "): " + why);
        }
    }

    private void syncs() {
        Map<String, Boolean> presence = this.presence.all();
        for (ScheduleStore.SyncDue due : schedules.syncsDue()) {
            if (Thread.currentThread().isInterrupted()) {
                return; // shutting down
            }
            if (Boolean.FALSE.equals(presence.get(due.hostId()))) {
                continue; // pushed on host.online
            }
            Instant now = clock.instant();
            Message.SchedulesSync sync;
            try {
                sync = lifecycle.syncFor(due.hostId(), schedules.enabledFor(due.hostId()), now);
            } catch (io.resticmanager.kit.Problem p) {
                continue; // inventory is down: retried on the next pass, never sent without the leases
            }
            switch (hub.syncSchedules(due.hostId(), sync)) {
                case DELIVERED -> store.write(tx -> {
                    ScheduleStore.synced(tx, due.hostId(), due.version(), now);
                    return null;
                });
                case OFFLINE -> store.write(tx -> HostPresenceStore.report(tx, due.hostId(), false, now));
                case UNKNOWN_HOST -> {
                    LOG.log(Level.WARNING, "agent-hub does not know host " + due.hostId() + "; its schedules are "
                            + "not pushed");
                    store.write(tx -> {
                        ScheduleStore.synced(tx, due.hostId(), due.version(), now);
                        return null;
                    });
                }
                case UNAVAILABLE -> {
                    // retried on the next pass
                }
            }
        }
    }

    @Override
    public void close() {
        if (loop != null) {
            loop.close();
        }
    }
}
