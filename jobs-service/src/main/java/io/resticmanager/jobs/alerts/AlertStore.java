package io.resticmanager.jobs.alerts;

import io.helidon.dbclient.DbRow;
import io.resticmanager.kit.SqliteStore;
import io.resticmanager.kit.Times;
import io.resticmanager.proto.Json;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The alert tables of {@code jobs.db} (rules, overrides, alerts and their history, silences, channels, the delivery
 * outbox) and the few job/presence/schedule facts the periodic rules read. Reads go through the DbClient, writes
 * through the store's one writer, like every store of the service.
 */
public final class AlertStore {
    private final SqliteStore store;

    public AlertStore(SqliteStore store) {
        this.store = store;
    }

    SqliteStore sqlite() {
        return store;
    }

    /** A rule's settings. {@code thresholdS}: host_offline's grace, rpo_breached's target (null = 2× the interval). */
    public record Rule(String rule, boolean enabled, String severity, Long thresholdS, long renotifyS) {
    }

    /** A per-host ({@code host:<id>}) or per-schedule ({@code schedule:<id>}) override of a rule. */
    public record Override(String rule, String subject, Boolean enabled, Long thresholdS) {
    }

    /** One alert as stored and as the API shows it. */
    public record Alert(String id, String rule, String subject, String severity, String state, String hostId,
                        String scheduleId, String repoId, String jobId, String summary, Instant firedAt,
                        Instant ackedAt, String ackedBy, Instant resolvedAt, String resolvedBy,
                        Instant lastNotifiedAt) {
        boolean open() {
            return !state.equals("resolved");
        }
    }

    public record HistoryEntry(Instant at, String state, String by, String note) {
    }

    public record Silence(String id, String rule, String hostId, Instant until, String reason, String createdBy,
                          Instant createdAt) {
    }

    /** A channel row; the settings stay sealed until the outbox opens them to send. */
    record ChannelRow(String id, String name, ChannelKind kind, String settingsSealed, String settingsRedacted,
                      List<String> rules, String minSeverity, boolean enabled, Instant createdAt) {
    }

    public record Delivery(long id, String alertId, String channelId, String state, String status, int attempts,
                           Instant nextAt, String lastError, Instant createdAt, Instant sentAt) {
    }

    record DueDelivery(long id, String alertId, String channelId, String state, String bodyJson, int attempts,
                       Instant createdAt) {
    }

    /** What an alert is about: the rule's subject key and the ids shown with it. */
    record Subject(String key, String hostId, String scheduleId, String repoId) {
    }

    // ---- rules ----

    List<Rule> rules() {
        try (var rows = store.db().execute().namedQuery("alert-rules.list")) {
            return rows.map(AlertStore::rule).toList();
        }
    }

    Optional<Rule> rule(String name) {
        return rules().stream().filter(r -> r.rule().equals(name)).findFirst();
    }

    void updateRule(Rule r) {
        store.write(tx -> tx.update("alert-rules.update", r.enabled() ? 1 : 0, r.severity(), r.thresholdS(),
                                    r.renotifyS(), r.rule()));
    }

    List<Override> overrides() {
        try (var rows = store.db().execute().namedQuery("alert-overrides.list")) {
            return rows.map(r -> new Override(text(r, "rule"), text(r, "subject"), bool(r, "enabled"),
                                              number(r, "threshold_s"))).toList();
        }
    }

    void putOverride(Override o) {
        store.write(tx -> tx.update("alert-overrides.put", o.rule(), o.subject(),
                                    o.enabled() == null ? null : o.enabled() ? 1 : 0, o.thresholdS()));
    }

    boolean deleteOverride(String rule, String subject) {
        return store.write(tx -> tx.update("alert-overrides.delete", rule, subject)) == 1;
    }

    // ---- alerts ----

    Optional<Alert> find(String id) {
        return store.db().execute().namedGet("alerts.find", id).map(AlertStore::alert);
    }

    List<Alert> open() {
        try (var rows = store.db().execute().namedQuery("alerts.open")) {
            return rows.map(AlertStore::alert).toList();
        }
    }

    List<Alert> list(String state, String hostId, int limit) {
        try (var rows = store.db().execute().namedQuery("alerts.list", state, state, hostId, hostId, limit)) {
            return rows.map(AlertStore::alert).toList();
        }
    }

    /** Firing alerts (of one host, or of the fleet when null), whatever page of them a list shows. */
    long firingCount(String hostId) {
        return store.db().execute().namedGet("alerts.firing-count", hostId, hostId).map(r -> number(r, "n"))
                .orElse(0L);
    }

    List<HistoryEntry> history(String alertId) {
        try (var rows = store.db().execute().namedQuery("alert-history.of", alertId)) {
            return rows.map(r -> new HistoryEntry(Times.parse(text(r, "at")), text(r, "state"), text(r, "by"),
                                                  text(r, "note"))).toList();
        }
    }

    /**
     * Fires the rule for the subject: a new alert when none is open (returned), else the open one only gets the
     * fresh summary (empty: nothing to notify — one alert per rule and subject, never a storm).
     */
    Optional<Alert> fire(String rule, String severity, Subject subject, String jobId, String summary, Instant at) {
        return store.write(tx -> {
            Optional<Alert> open = tx.one("alerts.open-for", AlertStore::alert, rule, subject.key());
            if (open.isPresent()) {
                tx.update("alerts.refresh", summary, jobId, at, open.get().id());
                return Optional.empty();
            }
            String id = UUID.randomUUID().toString();
            tx.update("alerts.insert", id, rule, subject.key(), severity, subject.hostId(), subject.scheduleId(),
                      subject.repoId(), jobId, summary, at, at);
            tx.update("alert-history.add", id, at, "firing", "system", summary);
            return tx.one("alerts.find", AlertStore::alert, id);
        });
    }

    /**
     * Resolves the open alert of the rule and subject, if any (returned, resolved). Every finished job asks this for
     * several rules and almost never finds one: a read answers that without taking the single writer.
     */
    Optional<Alert> resolve(String rule, String subjectKey, String by, String note, Instant at) {
        if (store.db().execute().namedGet("alerts.open-for", rule, subjectKey).isEmpty()) {
            return Optional.empty();
        }
        return store.write(tx -> {
            Optional<Alert> open = tx.one("alerts.open-for", AlertStore::alert, rule, subjectKey);
            if (open.isEmpty()) {
                return Optional.empty();
            }
            tx.update("alerts.resolve", at, by, at, open.get().id());
            tx.update("alert-history.add", open.get().id(), at, "resolved", by, note);
            return tx.one("alerts.find", AlertStore::alert, open.get().id());
        });
    }

    /** firing → acknowledged; empty when the alert is not firing (unknown, already acknowledged or resolved). */
    Optional<Alert> acknowledge(String id, String by, Instant at) {
        return store.write(tx -> {
            if (tx.update("alerts.ack", at, by, at, id) == 0) {
                return Optional.empty();
            }
            tx.update("alert-history.add", id, at, "acknowledged", by, null);
            return tx.one("alerts.find", AlertStore::alert, id);
        });
    }

    /** Resolves one alert by id (by a person); empty when it is unknown or resolved already. */
    Optional<Alert> resolveById(String id, String by, Instant at) {
        return store.write(tx -> {
            if (tx.update("alerts.resolve", at, by, at, id) == 0) {
                return Optional.empty();
            }
            tx.update("alert-history.add", id, at, "resolved", by, null);
            return tx.one("alerts.find", AlertStore::alert, id);
        });
    }

    void notified(String id, Instant at) {
        store.write(tx -> tx.update("alerts.notified", at, id));
    }

    /** Firing alerts by rule and severity, for {@code rm_alerts_firing}. */
    List<Object[]> firingCounts() {
        try (var rows = store.db().execute().namedQuery("alerts.firing-counts")) {
            return rows.map(r -> new Object[] {text(r, "rule"), text(r, "severity"), number(r, "n")}).toList();
        }
    }

    // ---- silences ----

    List<Silence> silences(Instant now) {
        try (var rows = store.db().execute().namedQuery("alert-silences.list", Times.format(now))) {
            return rows.map(r -> new Silence(text(r, "id"), text(r, "rule"), text(r, "host_id"),
                                             Times.parse(text(r, "until")), text(r, "reason"), text(r, "created_by"),
                                             Times.parse(text(r, "created_at")))).toList();
        }
    }

    Silence addSilence(String rule, String hostId, Instant until, String reason, String by, Instant now) {
        Silence s = new Silence(UUID.randomUUID().toString(), rule, hostId, until, reason, by, now);
        store.write(tx -> tx.update("alert-silences.insert", s.id(), rule, hostId, until, reason, by, now));
        return s;
    }

    boolean deleteSilence(String id) {
        return store.write(tx -> tx.update("alert-silences.delete", id)) == 1;
    }

    boolean silenced(String rule, String hostId, Instant now) {
        return store.db().execute().namedGet("alert-silences.matching", Times.format(now), rule, hostId).isPresent();
    }

    // ---- channels ----

    List<ChannelRow> channels() {
        try (var rows = store.db().execute().namedQuery("alert-channels.list")) {
            return rows.map(AlertStore::channel).toList();
        }
    }

    Optional<ChannelRow> channel(String id) {
        return store.db().execute().namedGet("alert-channels.find", id).map(AlertStore::channel);
    }

    boolean channelNameTaken(String name, String exceptId) {
        return store.db().execute().namedGet("alert-channels.name-taken", name, exceptId).isPresent();
    }

    void insertChannel(ChannelRow c) {
        store.write(tx -> tx.update("alert-channels.insert", c.id(), c.name(), c.kind().wire(), c.settingsSealed(),
                                    c.settingsRedacted(), Json.write(c.rules()), c.minSeverity(),
                                    c.enabled() ? 1 : 0, c.createdAt()));
    }

    void updateChannel(ChannelRow c) {
        store.write(tx -> tx.update("alert-channels.update", c.name(), c.settingsSealed(), c.settingsRedacted(),
                                    Json.write(c.rules()), c.minSeverity(), c.enabled() ? 1 : 0, c.id()));
    }

    /** Deletes the channel; its pending deliveries end failed ("channel deleted"), the log stays. */
    boolean deleteChannel(String id) {
        return store.write(tx -> {
            tx.update("alert-deliveries.drop-channel", id);
            return tx.update("alert-channels.delete", id) == 1;
        });
    }

    // ---- the delivery outbox ----

    void enqueue(String alertId, String channelId, String state, String bodyJson, Instant now) {
        store.write(tx -> tx.update("alert-deliveries.add", alertId, channelId, state, bodyJson, now, now));
    }

    /** Reads, like every read here: the outbox polls them, and must not take the single writer for it. */
    List<DueDelivery> due(Instant now, int limit) {
        try (var rows = store.db().execute().namedQuery("alert-deliveries.due", Times.format(now), limit)) {
            return rows.map(r -> new DueDelivery(number(r, "id"), text(r, "alert_id"), text(r, "channel_id"),
                                                 text(r, "state"), text(r, "body_json"),
                                                 number(r, "attempts").intValue(), Times.parse(text(r, "created_at"))))
                    .toList();
        }
    }

    boolean stillDue(DueDelivery d) {
        return store.db().execute().namedGet("alert-deliveries.still-due", d.id(), d.attempts())
                .map(r -> number(r, "n")).orElse(0L) > 0;
    }

    Optional<Instant> nextDue() {
        return store.db().execute().namedGet("alert-deliveries.next-due").map(r -> Times.parse(text(r, "next_at")));
    }

    void sent(long id, Instant at) {
        store.write(tx -> tx.update("alert-deliveries.sent", at, id));
    }

    void retry(long id, Instant nextAt, String error) {
        store.write(tx -> tx.update("alert-deliveries.retry", nextAt, error, id));
    }

    void failed(long id, String error) {
        store.write(tx -> tx.update("alert-deliveries.failed", error, id));
    }

    long deliveryCount(String status) {
        return store.db().execute().namedGet("alert-deliveries.count", status).map(r -> number(r, "n")).orElse(0L);
    }

    List<Delivery> deliveries(String channelId, int limit) {
        try (var rows = store.db().execute().namedQuery("alert-deliveries.list", channelId, channelId, limit)) {
            return rows.map(r -> new Delivery(number(r, "id"), text(r, "alert_id"), text(r, "channel_id"),
                                              text(r, "state"), text(r, "status"), number(r, "attempts").intValue(),
                                              Times.parse(text(r, "next_at")), text(r, "last_error"),
                                              Times.parse(text(r, "created_at")), Times.parse(text(r, "sent_at"))))
                    .toList();
        }
    }

    // ---- facts for the periodic rules ----

    /** Offline hosts and since when. */
    List<Object[]> offlineHosts() {
        try (var rows = store.db().execute().namedQuery("alert-facts.offline-hosts")) {
            return rows.map(r -> new Object[] {text(r, "host_id"), Times.parse(text(r, "changed_at"))}).toList();
        }
    }

    List<String> onlineHosts() {
        try (var rows = store.db().execute().namedQuery("alert-facts.host-online")) {
            return rows.map(r -> text(r, "host_id")).toList();
        }
    }

    List<String> knownHosts() {
        try (var rows = store.db().execute().namedQuery("alert-facts.known-hosts")) {
            return rows.map(r -> text(r, "host_id")).toList();
        }
    }

    /** Enabled backup schedules: id, host, cron, zone, created_at. */
    List<String[]> backupSchedules() {
        try (var rows = store.db().execute().namedQuery("alert-facts.backup-schedules")) {
            return rows.map(r -> new String[] {text(r, "id"), text(r, "host_id"), text(r, "cron"), text(r, "timezone"),
                                               text(r, "created_at")}).toList();
        }
    }

    /** The agent and restic version each host last reported: host id, agent version, restic version. */
    List<String[]> versions() {
        try (var rows = store.db().execute().namedQuery("alert-facts.versions")) {
            return rows.map(r -> new String[] {text(r, "host_id"), text(r, "agent_version"),
                                               text(r, "restic_version")}).toList();
        }
    }

    /** Each host's last successful backup. */
    java.util.Map<String, Instant> lastGoodBackups() {
        java.util.Map<String, Instant> result = new java.util.HashMap<>();
        try (var rows = store.db().execute().namedQuery("alert-facts.last-good-backup")) {
            rows.forEach(r -> result.put(text(r, "host_id"), Times.parse(text(r, "finished_at"))));
        }
        return result;
    }

    /** A host's latest restore drill. */
    public record LastDrill(String jobId, String status, Instant finishedAt) {
    }

    /** Each host's newest snapshot a passing drill proved. */
    java.util.Map<String, Instant> restorable() {
        java.util.Map<String, Instant> result = new java.util.HashMap<>();
        try (var rows = store.db().execute().namedQuery("alert-facts.restorable")) {
            rows.forEach(r -> result.put(text(r, "host_id"), Times.parse(text(r, "snapshot_time"))));
        }
        return result;
    }

    /** Each host's latest drill. */
    java.util.Map<String, LastDrill> lastDrills() {
        java.util.Map<String, LastDrill> result = new java.util.HashMap<>();
        try (var rows = store.db().execute().namedQuery("alert-facts.last-drill")) {
            rows.forEach(r -> result.put(text(r, "host_id"), new LastDrill(text(r, "job_id"), text(r, "status"),
                                                                           Times.parse(text(r, "finished_at")))));
        }
        return result;
    }

    // ---- row mapping ----

    private static Rule rule(DbRow r) {
        return new Rule(text(r, "rule"), number(r, "enabled") == 1, text(r, "severity"), number(r, "threshold_s"),
                        number(r, "renotify_s"));
    }

    private static Alert alert(DbRow r) {
        return new Alert(text(r, "id"), text(r, "rule"), text(r, "subject"), text(r, "severity"), text(r, "state"),
                         text(r, "host_id"), text(r, "schedule_id"), text(r, "repo_id"), text(r, "job_id"),
                         text(r, "summary"), Times.parse(text(r, "fired_at")), Times.parse(text(r, "acked_at")),
                         text(r, "acked_by"), Times.parse(text(r, "resolved_at")), text(r, "resolved_by"),
                         Times.parse(text(r, "last_notified_at")));
    }

    private static Alert alert(ResultSet rs) throws SQLException {
        return new Alert(rs.getString("id"), rs.getString("rule"), rs.getString("subject"), rs.getString("severity"),
                         rs.getString("state"), rs.getString("host_id"), rs.getString("schedule_id"),
                         rs.getString("repo_id"), rs.getString("job_id"), rs.getString("summary"),
                         Times.parse(rs.getString("fired_at")), Times.parse(rs.getString("acked_at")),
                         rs.getString("acked_by"), Times.parse(rs.getString("resolved_at")),
                         rs.getString("resolved_by"), Times.parse(rs.getString("last_notified_at")));
    }

    private static ChannelRow channel(DbRow r) {
        return new ChannelRow(text(r, "id"), text(r, "name"), ChannelKind.parse(text(r, "kind")),
                              text(r, "settings_sealed"), text(r, "settings_redacted"),
                              List.of(Json.read(text(r, "rules_json"), String[].class)), text(r, "min_severity"),
                              number(r, "enabled") == 1, Times.parse(text(r, "created_at")));
    }

    private static String text(DbRow row, String column) {
        return row.column(column).asOptional().map(Object::toString).orElse(null);
    }

    private static Long number(DbRow row, String column) {
        return row.column(column).asOptional().map(v -> ((Number) v).longValue()).orElse(null);
    }

    private static Boolean bool(DbRow row, String column) {
        Long n = number(row, column);
        return n == null ? null : n == 1;
    }
}
