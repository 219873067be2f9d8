package io.resticmanager.jobs.alerts;

import io.resticmanager.common.Cron;
import io.resticmanager.common.Loop;
import io.resticmanager.common.Wakeup;
import io.resticmanager.proto.JobStatus;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Evaluates the alert rules and moves alerts through firing → acknowledged → resolved. Job outcomes are evaluated
 * the moment a job finishes (a failed backup alerts at once, not at the next sweep); facts without an event (a host
 * offline longer than its grace, a host whose last good backup is older than its RPO target, alerts due for a
 * reminder) are swept periodically. Every transition that a person should hear about goes to the matching channels
 * through the {@link Outbox}; a silenced rule or host records its alerts without notifying.
 */
public final class AlertEngine implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(AlertEngine.class.getName());
    public static final String BACKUP_FAILED = "backup_failed";
    public static final String CHECK_FAILED = "check_failed";
    public static final String MAINTENANCE_FAILED = "maintenance_failed";
    public static final String HOST_OFFLINE = "host_offline";
    public static final String RPO_BREACHED = "rpo_breached";
    public static final String AGENT_OUTDATED = "agent_outdated";
    public static final String REPO_LOCKED = "repo_locked";
    public static final String DRILL_FAILED = "drill_failed";
    /** restic's lock refusal ("repository is already locked … lock was created at … (2h3m4s ago)"). */
    private static final java.util.regex.Pattern LOCKED = java.util.regex.Pattern.compile(
            "(?is)already locked.*?\\(((?:\\d+h)?(?:\\d+m)?(?:[\\d.]+s)?) ago\\)|(?i)already locked");
    private static final java.util.regex.Pattern GO_DURATION = java.util.regex.Pattern.compile(
            "(?:(\\d+)h)?(?:(\\d+)m)?(?:([\\d.]+)s)?");
    private static final List<String> SEVERITIES = List.of("info", "warning", "critical");

    private final AlertStore store;
    private final Outbox outbox;
    private final Function<String, String> hostNames;
    private final Versions versions;
    private final Clock clock;
    private final Duration sweepInterval;
    private final BlockingQueue<JobFacts> finished = new LinkedBlockingQueue<>(10_000);
    private final Wakeup wakeup = new Wakeup();
    private Instant nextSweep = Instant.MIN;
    private Loop loop;

    /**
     * What agent_outdated compares against: the agent version this server ships and the oldest restic it supports.
     */
    public record Versions(String agent, String minRestic) {
    }

    public AlertEngine(AlertStore store, Outbox outbox, Function<String, String> hostNames, Versions versions,
                       Clock clock, Duration sweepInterval) {
        this.store = store;
        this.outbox = outbox;
        this.hostNames = hostNames;
        this.versions = versions;
        this.clock = clock;
        this.sweepInterval = sweepInterval;
    }

    /** Severity names in rising order. */
    static List<String> severities() {
        return SEVERITIES;
    }

    static int rank(String severity) {
        return SEVERITIES.indexOf(severity);
    }

    public void start() {
        loop = Loop.start("jobs-alerts", clock, wakeup, sweepInterval, this::pass);
    }

    /** A job reached a terminal status: evaluated on the engine's thread right away (never blocks the caller). */
    public void jobFinished(JobFacts facts) {
        if (!finished.offer(facts)) {
            LOG.warning("alert queue full; job " + facts.jobId() + " is left to the periodic sweep");
        }
        wakeup.wake();
    }

    /** Evaluates the jobs finished since the last pass, then sweeps when due; returns the time to the next sweep. */
    private Duration pass(Instant now) {
        for (JobFacts facts = finished.poll(); facts != null; facts = finished.poll()) {
            try {
                evaluate(facts);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "alert evaluation of job " + facts.jobId() + " failed; the sweep covers it", e);
            }
        }
        if (!now.isBefore(nextSweep)) {
            // a sweep that fails is tried again at the next one, not in a tight loop
            nextSweep = now.plus(sweepInterval);
            sweep(now);
        }
        Duration wait = Duration.between(clock.instant(), nextSweep);
        return wait.isNegative() ? Duration.ZERO : wait;
    }

    /** The rules a finished job decides: its failure fires, its success resolves. */
    void evaluate(JobFacts f) {
        Instant now = clock.instant();
        boolean failed = f.status() == JobStatus.FAILED || f.status() == JobStatus.LOST;
        boolean good = f.status() == JobStatus.SUCCEEDED || f.status() == JobStatus.SUCCEEDED_WITH_WARNINGS;
        if (!failed && !good) {
            return; // cancelled: somebody chose it
        }
        String host = hostNames.apply(f.hostId());
        String why = f.error() == null || f.error().isBlank() ? "" : ": " + f.error();
        lockRule(f, failed, host, now);
        switch (f.kind()) {
            case BACKUP -> {
                AlertStore.Subject subject = new AlertStore.Subject("host:" + f.hostId() + "/repo:" + f.repoId(),
                                                                    f.hostId(), f.scheduleId(), f.repoId());
                if (failed) {
                    fire(BACKUP_FAILED, subject, f.jobId(), "backup of " + host + " " + f.status().wire() + why, now);
                } else {
                    resolve(BACKUP_FAILED, subject.key(), "the next backup succeeded (job " + f.jobId() + ")", now);
                    resolve(RPO_BREACHED, "host:" + f.hostId(), "a backup succeeded (job " + f.jobId() + ")", now);
                }
            }
            case CHECK -> {
                AlertStore.Subject subject = new AlertStore.Subject("repo:" + f.repoId(), f.hostId(), f.scheduleId(),
                                                                    f.repoId());
                if (failed) {
                    fire(CHECK_FAILED, subject, f.jobId(), "check of repository " + f.repoId() + " (from " + host
                            + ") " + f.status().wire() + why + " — the repository may be damaged", now);
                } else {
                    resolve(CHECK_FAILED, subject.key(), "a check passed (job " + f.jobId() + ")", now);
                }
            }
            case FORGET, PRUNE -> {
                if (f.preview()) {
                    return;
                }
                AlertStore.Subject subject = new AlertStore.Subject("host:" + f.hostId() + "/repo:" + f.repoId() + "/"
                        + f.kind().wire(), f.hostId(), f.scheduleId(), f.repoId());
                if (failed) {
                    fire(MAINTENANCE_FAILED, subject, f.jobId(), f.kind().wire() + " of " + host + " in repository "
                            + f.repoId() + " " + f.status().wire() + why, now);
                } else {
                    resolve(MAINTENANCE_FAILED, subject.key(), f.kind().wire() + " succeeded (job " + f.jobId() + ")",
                            now);
                }
            }
            case DRILL -> {
                // a drill proves that a host's backups in one repository restore: its subject is that pair
                AlertStore.Subject subject = new AlertStore.Subject("host:" + f.hostId() + "/repo:" + f.repoId()
                        + "/drill", f.hostId(), f.scheduleId(), f.repoId());
                if (failed) {
                    fire(DRILL_FAILED, subject, f.jobId(), "restore drill of " + host + " (repository " + f.repoId()
                            + ") " + f.status().wire() + why, now);
                } else {
                    resolve(DRILL_FAILED, subject.key(), "a drill passed (job " + f.jobId() + ")", now);
                }
            }
            default -> {
                // other kinds carry no alert rule
            }
        }
    }

    /**
     * A job that failed because restic found the repository locked by a lock older than the rule's threshold (a
     * crashed run left it; nothing backs up until someone unlocks) fires repo_locked for the repository; any job on
     * the repository that succeeds resolves it. A younger lock is another job at work, not an alert.
     */
    private void lockRule(JobFacts f, boolean failed, String host, Instant now) {
        if (f.repoId() == null) {
            return;
        }
        String subject = "repo:" + f.repoId();
        if (!failed) {
            resolve(REPO_LOCKED, subject, f.kind().wire() + " succeeded on the repository (job " + f.jobId() + ")",
                    now);
            return;
        }
        java.util.regex.Matcher m = f.error() == null ? null : LOCKED.matcher(f.error());
        if (m == null || !m.find()) {
            return;
        }
        AlertStore.Rule rule = rulesByName().get(REPO_LOCKED);
        long threshold = rule == null || rule.thresholdS() == null ? 3600 : rule.thresholdS();
        Optional<Duration> age = m.group(1) == null ? Optional.empty() : lockAge(m.group(1));
        if (age.isPresent() && age.get().getSeconds() < threshold) {
            return;
        }
        fire(REPO_LOCKED, new AlertStore.Subject(subject, f.hostId(), f.scheduleId(), f.repoId()), f.jobId(),
             "repository " + f.repoId() + " is locked" + age.map(a -> " by a lock " + a.toMinutes() + " min old")
                     .orElse("") + " (" + f.kind().wire() + " of " + host + " failed); run unlock once no restic "
                     + "process uses it", now);
    }

    /** restic's Go duration ("2h3m4.5s") as a Duration. */
    public static Optional<Duration> lockAge(String text) {
        java.util.regex.Matcher m = GO_DURATION.matcher(text);
        if (text.isEmpty() || !m.matches()) {
            return Optional.empty();
        }
        long seconds = (m.group(1) == null ? 0 : Long.parseLong(m.group(1)) * 3600)
                + (m.group(2) == null ? 0 : Long.parseLong(m.group(2)) * 60)
                + (m.group(3) == null ? 0 : (long) Double.parseDouble(m.group(3)));
        return Optional.of(Duration.ofSeconds(seconds));
    }

    /** The periodic rules: hosts offline too long, RPO targets, old agents, reminders nobody acknowledged. */
    void sweep(Instant now) {
        Map<String, AlertStore.Rule> rules = rulesByName();
        List<AlertStore.Override> overrides = store.overrides();
        sweepOffline(now, rules.get(HOST_OFFLINE), overrides);
        sweepRpo(now);
        sweepVersions(now);
        remind(now, rules);
    }

    /** An agent older than the one this server ships, or a restic older than the oldest supported one. */
    private void sweepVersions(Instant now) {
        for (String[] v : store.versions()) {
            String hostId = v[0];
            List<String> why = new ArrayList<>();
            if (v[1] != null && compareVersions(v[1], versions.agent()) < 0) {
                why.add("agent " + v[1] + " is older than the server's " + versions.agent());
            }
            if (v[2] != null && compareVersions(v[2], versions.minRestic()) < 0) {
                why.add("restic " + v[2] + " is older than the oldest supported " + versions.minRestic());
            }
            String subject = "host:" + hostId;
            if (why.isEmpty()) {
                resolve(AGENT_OUTDATED, subject, "up to date", now);
            } else {
                fire(AGENT_OUTDATED, new AlertStore.Subject(subject, hostId, null, null), null,
                     hostNames.apply(hostId) + ": " + String.join("; ", why), now);
            }
        }
    }

    /** Compares dotted versions numerically ("0.16.2" > "0.9.9"); see {@link io.resticmanager.proto.Versions}. */
    public static int compareVersions(String a, String b) {
        return io.resticmanager.proto.Versions.compare(a, b);
    }

    private void sweepOffline(Instant now, AlertStore.Rule rule, List<AlertStore.Override> overrides) {
        Set<String> offline = new HashSet<>();
        for (Object[] row : store.offlineHosts()) {
            String hostId = (String) row[0];
            Instant since = (Instant) row[1];
            offline.add(hostId);
            long grace = threshold(rule, overrides, "host:" + hostId, 900);
            if (Duration.between(since, now).getSeconds() >= grace) {
                fire(HOST_OFFLINE, new AlertStore.Subject("host:" + hostId, hostId, null, null), null,
                     hostNames.apply(hostId) + " has been offline since " + since + " (longer than "
                             + Duration.ofSeconds(grace).toMinutes() + " min)", now);
            }
        }
        for (AlertStore.Alert a : store.open()) {
            if (a.rule().equals(HOST_OFFLINE) && !offline.contains(a.hostId())) {
                resolve(HOST_OFFLINE, a.subject(), "the host is back (or was removed)", now);
            }
        }
    }

    /**
     * One RPO row per host that has a backup schedule (and those without one). {@code restorableAsOf}: the time of
     * the newest snapshot a restore drill proved restorable (null: none yet); {@code lastDrill}: the host's latest
     * drill, whatever its outcome.
     */
    public record RpoRow(String hostId, Instant lastGoodAt, Long targetS, Long ageS, String status,
                         @com.fasterxml.jackson.annotation.JsonInclude(
                                 com.fasterxml.jackson.annotation.JsonInclude.Include.ALWAYS) Instant restorableAsOf,
                         @com.fasterxml.jackson.annotation.JsonInclude(
                                 com.fasterxml.jackson.annotation.JsonInclude.Include.ALWAYS) AlertStore.LastDrill lastDrill) {
        RpoRow(String hostId, Instant lastGoodAt, Long targetS, Long ageS, String status) {
            this(hostId, lastGoodAt, targetS, ageS, status, null, null);
        }

        RpoRow withDrills(Instant restorable, AlertStore.LastDrill drill) {
            return new RpoRow(hostId, lastGoodAt, targetS, ageS, status, restorable, drill);
        }
    }

    /**
     * Every known host with the age of its last good backup against its target — the tightest of its backup
     * schedules' targets (a per-schedule or per-host override, else the rule's, else twice the schedule's
     * interval) — worst first: red (breached), hosts without a backup schedule, amber (past ¾ of the target),
     * green.
     */
    public List<RpoRow> rpo(Instant now) {
        AlertStore.Rule rule = rulesByName().get(RPO_BREACHED);
        List<AlertStore.Override> overrides = store.overrides();
        Map<String, Long> targets = new HashMap<>();
        Map<String, Instant> since = new HashMap<>();
        for (String[] s : store.backupSchedules()) {
            long target = scheduleTarget(rule, overrides, s, now);
            targets.merge(s[1], target, Math::min);
            since.merge(s[1], Instant.parse(s[4]), (a, b) -> a.isBefore(b) ? a : b);
        }
        Map<String, Instant> good = store.lastGoodBackups();
        Map<String, Instant> restorable = store.restorable();
        Map<String, AlertStore.LastDrill> drills = store.lastDrills();
        Set<String> hosts = new HashSet<>(store.knownHosts());
        hosts.addAll(targets.keySet());
        hosts.addAll(good.keySet());
        hosts.addAll(drills.keySet());
        List<RpoRow> rows = new ArrayList<>();
        for (String hostId : hosts) {
            Long target = targets.get(hostId);
            Instant last = good.get(hostId);
            if (target == null) {
                rows.add(new RpoRow(hostId, last, null, last == null ? null : Duration.between(last, now).getSeconds(),
                                    "no_schedule"));
                continue;
            }
            Instant reference = last != null ? last : since.get(hostId);
            long age = Math.max(0, Duration.between(reference, now).getSeconds());
            String status = age > target ? "red" : age * 4 > target * 3 ? "amber" : "green";
            rows.add(new RpoRow(hostId, last, target, last == null ? null : age, status));
        }
        rows.replaceAll(r -> r.withDrills(restorable.get(r.hostId()), drills.get(r.hostId())));
        List<String> order = List.of("red", "no_schedule", "amber", "green");
        rows.sort(Comparator.comparing((RpoRow r) -> order.indexOf(r.status()))
                          .thenComparing(r -> r.targetS() == null || r.ageS() == null ? 0.0
                                  : -(double) r.ageS() / r.targetS())
                          .thenComparing(RpoRow::hostId));
        return rows;
    }

    private void sweepRpo(Instant now) {
        Set<String> breached = new HashSet<>();
        for (RpoRow row : rpo(now)) {
            if (!row.status().equals("red")) {
                continue;
            }
            breached.add(row.hostId());
            String age = row.lastGoodAt() == null ? "no successful backup yet"
                    : "last good backup " + Duration.ofSeconds(row.ageS()).toMinutes() + " min ago";
            fire(RPO_BREACHED, new AlertStore.Subject("host:" + row.hostId(), row.hostId(), null, null), null,
                 hostNames.apply(row.hostId()) + " misses its recovery point objective: " + age + ", target "
                         + Duration.ofSeconds(row.targetS()).toMinutes() + " min", now);
        }
        for (AlertStore.Alert a : store.open()) {
            if (a.rule().equals(RPO_BREACHED) && !breached.contains(a.hostId())) {
                resolve(RPO_BREACHED, a.subject(), "within its RPO target again", now);
            }
        }
    }

    private long scheduleTarget(AlertStore.Rule rule, List<AlertStore.Override> overrides, String[] schedule,
                                Instant now) {
        Optional<Long> override = overrideThreshold(overrides, RPO_BREACHED, "schedule:" + schedule[0])
                .or(() -> overrideThreshold(overrides, RPO_BREACHED, "host:" + schedule[1]));
        if (override.isPresent()) {
            return override.get();
        }
        if (rule != null && rule.thresholdS() != null) {
            return rule.thresholdS();
        }
        return 2 * interval(schedule[2], schedule[3], now);
    }

    /** A cron schedule's interval around now (the gap between its next two fires); a day when it cannot tell. */
    static long interval(String cron, String zone, Instant now) {
        try {
            Cron c = Cron.parse(cron);
            ZoneId z = ZoneId.of(zone);
            Optional<Instant> first = c.next(now, z);
            Optional<Instant> second = first.flatMap(t -> c.next(t, z));
            if (second.isPresent()) {
                return Math.max(60, Duration.between(first.get(), second.get()).getSeconds());
            }
        } catch (RuntimeException e) {
            // an unparsable schedule never fires; fall back to a day
        }
        return 86_400;
    }

    /** Re-sends firing alerts nobody acknowledged once their rule's reminder interval passed. */
    private void remind(Instant now, Map<String, AlertStore.Rule> rules) {
        for (AlertStore.Alert a : store.open()) {
            AlertStore.Rule rule = rules.get(a.rule());
            if (!a.state().equals("firing") || rule == null || rule.renotifyS() <= 0) {
                continue;
            }
            Instant last = a.lastNotifiedAt() != null ? a.lastNotifiedAt() : a.firedAt();
            if (Duration.between(last, now).getSeconds() >= rule.renotifyS()) {
                notify(a, "firing", now);
            }
        }
    }

    private void fire(String ruleName, AlertStore.Subject subject, String jobId, String summary, Instant now) {
        AlertStore.Rule rule = rulesByName().get(ruleName);
        if (rule == null || !enabled(rule, store.overrides(), subject)) {
            return;
        }
        store.fire(ruleName, rule.severity(), subject, jobId, summary, now).ifPresent(alert -> {
            LOG.info("alert " + alert.id() + " firing: " + ruleName + " — " + summary);
            notify(alert, "firing", now);
        });
    }

    private void resolve(String rule, String subjectKey, String note, Instant now) {
        store.resolve(rule, subjectKey, "system", note, now).ifPresent(alert -> {
            LOG.info("alert " + alert.id() + " resolved: " + rule + " — " + note);
            notify(alert, "resolved", now);
        });
    }

    /** A person acknowledged or resolved an alert: a resolution is announced like an automatic one. */
    void changedByPerson(AlertStore.Alert alert) {
        if (alert.state().equals("resolved")) {
            notify(alert, "resolved", clock.instant());
        }
    }

    /** Queues the transition for every enabled channel that wants this rule and severity (unless silenced). */
    void notify(AlertStore.Alert alert, String state, Instant now) {
        if (store.silenced(alert.rule(), alert.hostId(), now)) {
            return;
        }
        Notification n = new Notification(alert.id(), alert.rule(), alert.severity(), state, alert.hostId(),
                                          alert.hostId() == null ? null : hostNames.apply(alert.hostId()),
                                          alert.scheduleId(), alert.repoId(), alert.summary(), alert.firedAt(),
                                          alert.resolvedAt(), now, false);
        boolean queued = false;
        for (AlertStore.ChannelRow c : store.channels()) {
            if (c.enabled() && (c.rules().isEmpty() || c.rules().contains(alert.rule()))
                    && rank(alert.severity()) >= rank(c.minSeverity())) {
                outbox.enqueue(alert.id(), c.id(), state, n, now);
                queued = true;
            }
        }
        if (queued || state.equals("firing")) {
            store.notified(alert.id(), now);
        }
    }

    private boolean enabled(AlertStore.Rule rule, List<AlertStore.Override> overrides, AlertStore.Subject subject) {
        Optional<Boolean> bySchedule = subject.scheduleId() == null ? Optional.empty()
                : overrides.stream().filter(o -> o.rule().equals(rule.rule())
                        && o.subject().equals("schedule:" + subject.scheduleId()) && o.enabled() != null)
                .map(AlertStore.Override::enabled).findFirst();
        Optional<Boolean> byHost = subject.hostId() == null ? Optional.empty()
                : overrides.stream().filter(o -> o.rule().equals(rule.rule())
                        && o.subject().equals("host:" + subject.hostId()) && o.enabled() != null)
                .map(AlertStore.Override::enabled).findFirst();
        return bySchedule.or(() -> byHost).orElse(rule.enabled());
    }

    private static long threshold(AlertStore.Rule rule, List<AlertStore.Override> overrides, String subject,
                                  long dflt) {
        return overrideThreshold(overrides, rule == null ? "" : rule.rule(), subject)
                .orElse(rule == null || rule.thresholdS() == null ? dflt : rule.thresholdS());
    }

    private static Optional<Long> overrideThreshold(List<AlertStore.Override> overrides, String rule, String subject) {
        return overrides.stream().filter(o -> o.rule().equals(rule) && o.subject().equals(subject)
                && o.thresholdS() != null).map(AlertStore.Override::thresholdS).findFirst();
    }

    private Map<String, AlertStore.Rule> rulesByName() {
        Map<String, AlertStore.Rule> byName = new HashMap<>();
        store.rules().forEach(r -> byName.put(r.rule(), r));
        return byName;
    }

    @Override
    public void close() {
        if (loop != null) {
            loop.close();
        }
    }
}
