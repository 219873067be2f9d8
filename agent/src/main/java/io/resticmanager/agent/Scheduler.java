package io.resticmanager.agent;

import io.resticmanager.common.Cron;
import io.resticmanager.common.Loop;
import io.resticmanager.common.SecretFiles;
import io.resticmanager.common.Wakeup;
import io.resticmanager.proto.Envelope;
import io.resticmanager.proto.Hooks;
import io.resticmanager.proto.JobKind;
import io.resticmanager.proto.Json;
import io.resticmanager.proto.Message;
import io.resticmanager.proto.ScheduleSpec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Logger;

/**
 * The agent's local scheduler: fires the schedules the server pushed ({@code schedules.json}) on time in
 * their time zones, also while the server is unreachable. While connected a fire makes up a job id and sends
 * {@code schedule.fire}; the server answers with an ordinary {@code job.start} for that id. While the server is
 * unreachable, a schedule whose kind may run offline ({@link io.resticmanager.proto.JobKind#runsOffline}) runs
 * right away with the credential lease the server granted at the last sync — kept in memory only, never on this
 * disk — and its fire (marked offline) goes to the server on reconnect ahead of the job's own events. Without a
 * valid lease (the agent restarted during the outage, or the repository allows no offline runs) the job fails
 * at once with a message that says so, and is reported the same way.
 *
 * <p>{@code <config dir>/schedule-state.json} (written atomically) holds every schedule's next fire time
 * and the fires not yet answered. A fire is recorded there — together with the advanced next time —
 * before it is sent, so a restart neither fires twice nor forgets a fire; while the server is down fires
 * wait there and go out after the next {@code hello.ok}. A fire time that passed while the agent was not
 * running fires once on start (a catch-up; the other missed times of that schedule are skipped), after a random
 * delay of up to {@code catchUpJitter} (recorded in the state file, so a restart keeps it), so a fleet powered on
 * together does not start every catch-up in the same second.
 *
 * <p>A backup schedule's hooks ({@code schedules.sync}'s {@code hooks}) are kept in memory only, like leases, and go
 * into its offline run's job.start. Only the ids of the schedules that have hooks are written (to the state file),
 * so an agent restarted during an outage fails such a schedule's offline run clearly instead of backing up without
 * its pre-hook (a repository lease kept on disk would otherwise let it run).
 *
 * <p>A repository whose admin allowed it ({@link io.resticmanager.proto.RepoAccess#keepLeaseOnDisk()}) has its lease
 * kept in {@code <config dir>/offline-leases.json} (0600) as well, so an agent restarted during an outage can still
 * run that repository's schedules until the lease expires; every other lease lives in memory only.
 */
final class Scheduler {
    private static final Logger LOG = Logger.getLogger(Scheduler.class.getName());
    /** A fire later than this (a suspended machine, a busy clock) is reported as a catch-up. */
    static final Duration LATE = Duration.ofMinutes(1);
    /** A fire the server got but never answered (schedule deleted, say) is dropped this long after sending. */
    static final Duration ANSWER_TIMEOUT = Duration.ofHours(1);
    /** Default longest random delay of a catch-up fire (RM_AGENT_CATCHUP_JITTER_S overrides it). */
    static final Duration DEFAULT_CATCH_UP_JITTER = Duration.ofMinutes(5);
    /** Longest sleep, so a wall-clock jump is noticed soon. */
    private static final Duration MAX_SLEEP = Duration.ofSeconds(30);

    /** Where fires go while connected, and where offline runs start. */
    interface Outlet {
        boolean connected();

        /** Queues a message for the current connection (or the next one). */
        void send(Message message);

        /** Runs a job now, without the server (its fire is already recorded). */
        default void runOffline(Message.JobStart start) {
        }

        /** Fails a job now, without the server, with this reason (its fire is already recorded). */
        default void refuseOffline(String jobId, String reason) {
        }
    }

    /**
     * One schedule's fire bookkeeping; cron and zone tell whether the schedule changed since. {@code catchUpAt}: a
     * missed fire waits for its random catch-up delay until then (null otherwise).
     */
    record Entry(String cron, String timezone, Instant next, Instant catchUpAt) {
        Entry(String cron, String timezone, Instant next) {
            this(cron, timezone, next, null);
        }

        /** When this schedule next needs the scheduler's attention. */
        Instant wake() {
            return catchUpAt != null ? catchUpAt : next;
        }
    }

    /** The leases kept on disk (only those of repositories that allow it). */
    record DiskLeases(List<io.resticmanager.proto.CredentialLease> leases) {
        DiskLeases {
            leases = leases == null ? List.of() : leases;
        }
    }

    /**
     * A fire the server has not answered with its job.start yet (or, {@code offline}, not yet stored with the job's
     * events); {@code sentAt} null until first sent.
     */
    record Pending(String scheduleId, String jobId, Instant firedAt, boolean catchUp, Instant sentAt, boolean offline,
                   String repoId, io.resticmanager.proto.JobKind kind) {
        Message.ScheduleFire message() {
            return new Message.ScheduleFire(scheduleId, jobId, firedAt, catchUp, offline, repoId, kind);
        }

        Pending sent(Instant at) {
            return new Pending(scheduleId, jobId, firedAt, catchUp, at, offline, repoId, kind);
        }
    }

    /** The state file. {@code hooked}: the schedules that had hooks at the last sync (ids only, never hook text). */
    record State(Map<String, Entry> schedules, List<Pending> pending, List<String> hooked) {
        State {
            schedules = schedules == null ? Map.of() : schedules;
            pending = pending == null ? List.of() : pending;
            hooked = hooked == null ? List.of() : hooked;
        }
    }

    private record Active(ScheduleSpec spec, Cron cron, ZoneId zone) {
    }

    private final Path schedulesFile;
    private final Path stateFile;
    private final Path leaseFile;
    private final Duration catchUpJitter;
    private final java.util.random.RandomGenerator random = new java.security.SecureRandom();
    private final Clock clock;
    private final Outlet outlet;
    private final Instant startedAt;
    private final ReentrantLock lock = new ReentrantLock();
    private final Wakeup wakeup = new Wakeup();
    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private final List<Pending> pending = new ArrayList<>();
    /** Credential leases by repository id: memory only, gone when the agent restarts. */
    private final Map<String, io.resticmanager.proto.CredentialLease> leases = new java.util.concurrent.ConcurrentHashMap<>();
    /** Backup hooks by schedule id: memory only (they may hold database credentials). */
    private final Map<String, Hooks> hooks = new java.util.concurrent.ConcurrentHashMap<>();
    /** The schedules that had hooks at the last sync; persisted, so a restart knows without the text. */
    private final java.util.SortedSet<String> hooked = new java.util.TreeSet<>();
    private List<Active> active = List.of();
    private Loop loop;

    Scheduler(Path schedulesFile, Clock clock, Outlet outlet) {
        this(schedulesFile, clock, outlet, Duration.ZERO);
    }

    Scheduler(Path schedulesFile, Clock clock, Outlet outlet, Duration catchUpJitter) {
        this.schedulesFile = schedulesFile;
        this.stateFile = schedulesFile.resolveSibling("schedule-state.json");
        this.leaseFile = schedulesFile.resolveSibling("offline-leases.json");
        this.catchUpJitter = catchUpJitter;
        this.clock = clock;
        this.outlet = outlet;
        this.startedAt = clock.instant();
        loadState();
        loadDiskLeases();
        active = activate(loadSchedules());
    }

    /** The catch-up jitter from RM_AGENT_CATCHUP_JITTER_S (seconds, 0 = none), else the default. */
    static Duration catchUpJitterFromEnv() {
        String value = System.getenv("RM_AGENT_CATCHUP_JITTER_S");
        if (value == null || value.isBlank()) {
            return DEFAULT_CATCH_UP_JITTER;
        }
        try {
            long seconds = Long.parseLong(value.strip());
            if (seconds >= 0 && seconds <= 86_400) {
                return Duration.ofSeconds(seconds);
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        LOG.warning("RM_AGENT_CATCHUP_JITTER_S must be 0..86400 seconds, got '" + value + "'; using "
                            + DEFAULT_CATCH_UP_JITTER.toSeconds());
        return DEFAULT_CATCH_UP_JITTER;
    }

    Path stateFile() {
        return stateFile;
    }

    /** Starts the firing loop on a virtual thread. */
    void start() {
        loop = Loop.start("agent-scheduler", clock, wakeup, MAX_SLEEP, now -> untilNext(tick()));
    }

    void stop() {
        if (loop != null) {
            loop.close();
        }
    }

    /** How long the loop sleeps before the fire due at {@code wake}: at most {@link #MAX_SLEEP}. */
    private Duration untilNext(Instant wake) {
        Duration sleep = Duration.between(clock.instant(), wake);
        sleep = sleep.compareTo(MAX_SLEEP) > 0 ? MAX_SLEEP : sleep;
        // a few ms past the fire time, so the next tick sees it due
        return sleep.isNegative() || sleep.isZero() ? Duration.ZERO : sleep.plusMillis(5);
    }

    private void poke() {
        wakeup.wake();
    }

    /**
     * Fires every schedule that is due, records it (with the next fire time) before sending it, drops
     * fires that were never answered, and returns when the next schedule is due.
     */
    Instant tick() {
        lock.lock();
        try {
            Instant now = clock.instant();
            boolean dirty = false;
            List<Pending> fired = new ArrayList<>();
            Map<String, ScheduleSpec> specs = new LinkedHashMap<>();
            Map<String, Entry> current = new LinkedHashMap<>();
            for (Active a : active) {
                Entry entry = entries.get(a.spec().id());
                if (entry == null || !entry.cron().equals(a.spec().cron()) || !entry.timezone().equals(a.spec().timezone())) {
                    // new or changed: counts from now, nothing is owed for the past
                    entry = new Entry(a.spec().cron(), a.spec().timezone(), a.cron().next(now, a.zone()).orElse(null));
                    dirty = true;
                } else if (entry.next() != null && !entry.next().isAfter(now) && !entry.wake().isAfter(now)) {
                    boolean catchUp = entry.next().isBefore(startedAt) || Duration.between(entry.next(), now)
                            .compareTo(LATE) > 0;
                    if (catchUp && entry.catchUpAt() == null && catchUpJitter.isPositive()) {
                        // spread a fleet's catch-ups: this one waits a random moment, kept across restarts
                        Instant at = now.plusMillis(random.nextLong(catchUpJitter.toMillis()));
                        LOG.info("schedule " + a.spec().id() + " missed its fire for " + entry.next()
                                         + "; catching up at " + at + " (random delay spreads a fleet's catch-ups)");
                        current.put(a.spec().id(), new Entry(entry.cron(), entry.timezone(), entry.next(), at));
                        dirty = true;
                        continue;
                    }
                    boolean offline = !outlet.connected() && a.spec().kind().runsOffline();
                    Pending fire = new Pending(a.spec().id(), UUID.randomUUID().toString(), entry.next(), catchUp, null,
                                               offline, offline ? repoOf(a.spec()) : null,
                                               offline ? a.spec().kind() : null);
                    fired.add(fire);
                    specs.put(fire.jobId(), a.spec());
                    LOG.info((catchUp ? "catch-up: " : "") + "schedule " + a.spec().id() + " (" + a.spec().kind().wire()
                                     + ", " + a.spec().cron() + " " + a.spec().timezone() + ") fires for " + entry.next()
                                     + (catchUp ? " (missed while the agent was not running or the host slept)" : "")
                                     + "; job " + fire.jobId());
                    // at most one fire per schedule, however many times were missed
                    entry = new Entry(entry.cron(), entry.timezone(), a.cron().next(now, a.zone()).orElse(null));
                    dirty = true;
                }
                current.put(a.spec().id(), entry);
            }
            if (!current.keySet().equals(entries.keySet())) {
                dirty = true;
            }
            entries.clear();
            entries.putAll(current);
            pending.addAll(fired);
            dirty |= pending.removeIf(p -> {
                // an offline fire stays until the server has stored its job's events (it never answers otherwise)
                boolean expired = !p.offline() && p.sentAt() != null
                        && Duration.between(p.sentAt(), now).compareTo(ANSWER_TIMEOUT) > 0;
                if (expired) {
                    LOG.warning("the server never answered the fire of schedule " + p.scheduleId() + " for "
                                        + p.firedAt() + " (job " + p.jobId() + "); giving up on it");
                }
                return expired;
            });
            if (dirty) {
                persist();
            }
            // recorded (above) before anything runs, so a restart never runs a fire twice
            for (Pending fire : fired) {
                if (fire.offline()) {
                    runOffline(fire, specs.get(fire.jobId()), now);
                }
            }
            if (!fired.isEmpty() && outlet.connected()) {
                for (Pending fire : fired) {
                    if (!fire.offline()) {
                        outlet.send(fire.message());
                        markSent(fire.jobId(), now);
                    }
                }
                persist();
            }
            return entries.values().stream().map(Entry::wake).filter(n -> n != null).min(Instant::compareTo)
                    .orElse(now.plus(MAX_SLEEP));
        } finally {
            lock.unlock();
        }
    }

    /** The server pushed a new list (already stored in schedules.json by the caller). */
    void sync(List<ScheduleSpec> schedules) {
        sync(schedules, List.of());
    }

    /** As above, with the credential leases for offline runs (they replace the previous ones). */
    void sync(List<ScheduleSpec> schedules, List<io.resticmanager.proto.CredentialLease> granted) {
        sync(schedules, granted, Map.of());
    }

    /** As above, with the backup hooks by schedule id (they replace the previous ones). */
    void sync(List<ScheduleSpec> schedules, List<io.resticmanager.proto.CredentialLease> granted,
              Map<String, Hooks> hooksById) {
        lock.lock();
        try {
            active = activate(schedules);
            leases.clear();
            granted.forEach(l -> leases.put(l.access().repoId(), l));
            saveDiskLeases(granted);
            hooks.clear();
            hooksById.forEach((id, h) -> {
                if (h != null && h.any()) {
                    hooks.put(id, h);
                }
            });
            if (!hooked.equals(hooks.keySet())) {
                hooked.clear();
                hooked.addAll(hooks.keySet());
                persist();
            }
        } finally {
            lock.unlock();
        }
        tick();
        poke();
    }

    /**
     * Keeps on disk exactly the granted leases whose repository allows it; the file goes when none does, so turning
     * the option off (or the server granting nothing) removes the credential from this disk at the next sync.
     */
    private void saveDiskLeases(List<io.resticmanager.proto.CredentialLease> granted) {
        List<io.resticmanager.proto.CredentialLease> kept = granted.stream().filter(l -> l.access().keepLeaseOnDisk())
                .toList();
        try {
            if (kept.isEmpty()) {
                Files.deleteIfExists(leaseFile);
            } else {
                SecretFiles.writeAtomically(leaseFile, Json.write(new DiskLeases(kept)) + "\n");
            }
        } catch (IOException | RuntimeException e) {
            LOG.warning("cannot update " + leaseFile + ": " + e.getClass().getSimpleName());
        }
    }

    /** Leases kept on disk by an earlier run that are still valid (expired ones are dropped with the file). */
    private void loadDiskLeases() {
        String text;
        try {
            text = Files.readString(leaseFile);
        } catch (NoSuchFileException e) {
            return;
        } catch (IOException e) {
            LOG.warning("cannot read " + leaseFile + "; offline runs need the server's next sync");
            return;
        }
        try {
            Instant now = clock.instant();
            List<io.resticmanager.proto.CredentialLease> valid = Json.MAPPER.readValue(text, DiskLeases.class).leases()
                    .stream().filter(l -> l.validAt(now) && l.access().keepLeaseOnDisk()).toList();
            valid.forEach(l -> leases.put(l.access().repoId(), l));
            if (valid.isEmpty()) {
                Files.deleteIfExists(leaseFile);
            } else {
                LOG.info(valid.size() + " offline lease(s) kept on disk are valid; scheduled runs of their "
                                 + "repositories work during an outage");
            }
        } catch (IOException | IllegalArgumentException e) {
            LOG.warning(leaseFile + " is unreadable; offline runs need the server's next sync");
        }
    }

    /** The repository an offline run of this schedule uses: the one the server resolved it to at sync. */
    private static String repoOf(ScheduleSpec spec) {
        return spec.repoId() == null || spec.repoId().isBlank() ? "unassigned" : spec.repoId();
    }

    /** Starts (or, without a valid lease, fails) a fire's job on this host now. */
    private void runOffline(Pending fire, ScheduleSpec spec, Instant now) {
        io.resticmanager.proto.CredentialLease lease = leases.get(fire.repoId());
        if (lease == null || !lease.validAt(now)) {
            String reason = "the server was unreachable and this agent holds no valid credential for repository "
                    + fire.repoId() + (lease == null ? " (the agent restarted during the outage, or the repository "
                    + "does not allow offline runs)" : " (its offline lease expired at " + lease.expiresAt() + ")")
                    + "; the scheduled " + fire.kind().wire() + " did not run";
            LOG.warning("schedule " + fire.scheduleId() + ": " + reason);
            outlet.refuseOffline(fire.jobId(), reason);
            return;
        }
        // only a backup runs hooks (a job.start of another kind refuses them)
        Hooks hooksOfRun = fire.kind() == JobKind.BACKUP ? hooks.get(fire.scheduleId()) : null;
        if (hooksOfRun == null && fire.kind() == JobKind.BACKUP && hooked.contains(fire.scheduleId())) {
            String reason = "the server was unreachable and this agent no longer holds the hooks of schedule "
                    + fire.scheduleId() + " (hooks live in memory only; the agent restarted during the outage); the "
                    + "scheduled backup did not run without its pre/post hooks";
            LOG.warning("schedule " + fire.scheduleId() + ": " + reason);
            outlet.refuseOffline(fire.jobId(), reason);
            return;
        }
        LOG.info("the server is unreachable: running schedule " + fire.scheduleId() + " (" + fire.kind().wire()
                         + ") here as job " + fire.jobId() + "; it is reported when the server is back");
        outlet.runOffline(new Message.JobStart(fire.jobId(), fire.kind(), lease.access(), spec.params(), null,
                                               hooksOfRun));
    }

    /** A connection reached hello.ok: every unanswered fire goes out (again). */
    void connected(HubConnection.Link link) {
        lock.lock();
        try {
            if (pending.isEmpty()) {
                return;
            }
            LOG.info("sending " + pending.size() + " schedule fire(s) that wait for the server's answer");
            Instant now = clock.instant();
            for (Pending p : List.copyOf(pending)) {
                if (!link.send(Envelope.of(p.message()))) {
                    break;
                }
                markSent(p.jobId(), now);
            }
            persist();
        } finally {
            lock.unlock();
        }
    }

    /** A job.start arrived; if it answers one of our fires, that fire is done. */
    void answered(String jobId) {
        lock.lock();
        try {
            if (pending.removeIf(p -> p.jobId().equals(jobId))) {
                persist();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Fires waiting for the server's answer (for hello-time logging and tests). */
    List<Pending> pending() {
        lock.lock();
        try {
            return List.copyOf(pending);
        } finally {
            lock.unlock();
        }
    }

    /** When a schedule fires next, if it is active. */
    Optional<Instant> next(String scheduleId) {
        lock.lock();
        try {
            return Optional.ofNullable(entries.get(scheduleId)).map(Entry::next);
        } finally {
            lock.unlock();
        }
    }

    private void markSent(String jobId, Instant now) {
        pending.replaceAll(p -> p.jobId().equals(jobId) && p.sentAt() == null ? p.sent(now) : p);
    }

    private void persist() {
        SecretFiles.writeAtomically(stateFile, Json.write(new State(new LinkedHashMap<>(entries),
                                                                    new ArrayList<>(pending),
                                                                    new ArrayList<>(hooked))) + "\n");
    }

    private void loadState() {
        String text;
        try {
            text = Files.readString(stateFile);
        } catch (NoSuchFileException e) {
            return;
        } catch (IOException e) {
            LOG.warning("cannot read " + stateFile + " (" + e.getMessage() + "); schedules start afresh");
            return;
        }
        try {
            State state = Json.MAPPER.readValue(text, State.class);
            entries.putAll(state.schedules());
            pending.addAll(state.pending());
            hooked.addAll(state.hooked());
        } catch (IOException | IllegalArgumentException e) {
            LOG.warning(stateFile + " is unreadable; schedules start afresh (missed fires are not caught up)");
        }
        if (!pending.isEmpty()) {
            LOG.info(pending.size() + " schedule fire(s) from before the restart wait for the server");
        }
    }

    private List<ScheduleSpec> loadSchedules() {
        try {
            return Json.MAPPER.readValue(Files.readString(schedulesFile), Message.SchedulesSync.class).schedules();
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException | IllegalArgumentException e) {
            LOG.warning("cannot read " + schedulesFile + " (" + e.getMessage() + "); no schedules until the server "
                                + "sends them again");
            return List.of();
        }
    }

    private static List<Active> activate(List<ScheduleSpec> schedules) {
        List<Active> result = new ArrayList<>();
        for (ScheduleSpec s : schedules) {
            if (!s.enabled()) {
                continue;
            }
            try {
                result.add(new Active(s, Cron.parse(s.cron()), ZoneId.of(s.timezone())));
            } catch (IllegalArgumentException | DateTimeException e) {
                LOG.warning("schedule " + s.id() + " is ignored: " + e.getMessage());
            }
        }
        return result;
    }
}
