package io.resticmanager.jobs.alerts;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.resticmanager.kit.Http;
import io.resticmanager.kit.InternalAuth;
import io.resticmanager.kit.Problem;
import io.resticmanager.proto.Checks;
import io.resticmanager.proto.Principal;
import io.resticmanager.proto.Role;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code /api/alerts/**} and {@code /api/alert-channels/**}: alerts (list, one with its history, acknowledge,
 * resolve), rules and their per-host/per-schedule overrides, silences, the fleet RPO view, channels (secrets sealed,
 * never shown again, a test send) and the delivery log. Viewers read alerts; operators acknowledge, resolve and
 * silence; admins edit rules and channels.
 */
public final class AlertRoutes implements HttpService {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9-]{1,64}");
    private static final Pattern SUBJECT = Pattern.compile("(host|schedule):(.+)");
    private static final Set<String> STATES = Set.of("firing", "acknowledged", "resolved");
    private static final Set<String> CHANNEL_FIELDS = Set.of("name", "kind", "config", "rules", "min_severity",
                                                             "enabled");
    private static final Duration LONGEST_SILENCE = Duration.ofDays(90);
    private final AlertStore store;
    private final AlertEngine engine;
    private final Outbox outbox;
    private final Clock clock;

    public AlertRoutes(AlertStore store, AlertEngine engine, Outbox outbox, Clock clock) {
        this.store = store;
        this.engine = engine;
        this.outbox = outbox;
        this.clock = clock;
    }

    /** An alert with whether a silence covers it now. */
    record View(AlertStore.Alert alert, boolean silenced) {
        @com.fasterxml.jackson.annotation.JsonValue
        Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            AlertStore.Alert a = alert;
            m.put("id", a.id());
            m.put("rule", a.rule());
            m.put("severity", a.severity());
            m.put("state", a.state());
            m.put("host_id", a.hostId());
            m.put("schedule_id", a.scheduleId());
            m.put("repo_id", a.repoId());
            m.put("job_id", a.jobId());
            m.put("summary", a.summary());
            m.put("fired_at", a.firedAt());
            m.put("acked_at", a.ackedAt());
            m.put("acked_by", a.ackedBy());
            m.put("resolved_at", a.resolvedAt());
            m.put("resolved_by", a.resolvedBy());
            m.put("last_notified_at", a.lastNotifiedAt());
            m.put("silenced", silenced);
            return m;
        }
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/api/alerts", this::list)
                .get("/api/alerts/rules", this::rules)
                .patch("/api/alerts/rules/{rule}", this::patchRule)
                .put("/api/alerts/rules/{rule}/overrides", this::putOverride)
                .delete("/api/alerts/rules/{rule}/overrides", this::deleteOverride)
                .get("/api/alerts/silences", this::silences)
                .post("/api/alerts/silences", this::silence)
                .delete("/api/alerts/silences/{id}", this::unsilence)
                .get("/api/alerts/rpo", this::rpo)
                .get("/api/alerts/deliveries", this::deliveries)
                .get("/api/alerts/{id}", this::show)
                .post("/api/alerts/{id}/ack", this::ack)
                .post("/api/alerts/{id}/resolve", this::resolve)
                .get("/api/alert-channels", this::channels)
                .post("/api/alert-channels", this::createChannel)
                .get("/api/alert-channels/{id}", this::channel)
                .patch("/api/alert-channels/{id}", this::patchChannel)
                .delete("/api/alert-channels/{id}", this::deleteChannel)
                .post("/api/alert-channels/{id}/test", this::testChannel);
    }

    // ---- alerts ----

    private void list(ServerRequest req, ServerResponse res) {
        InternalAuth.require(req, Role.VIEWER);
        String state = Http.query(req, "state").filter(s -> !s.isBlank()).orElse(null);
        if (state != null && !STATES.contains(state)) {
            throw Problem.badRequest("state must be firing, acknowledged or resolved");
        }
        String hostId = Http.query(req, "host_id").filter(s -> !s.isBlank()).orElse(null);
        int limit = Http.intQuery(req, "limit", 100, 1, 500);
        Instant now = clock.instant();
        List<View> items = store.list(state, hostId, limit).stream().map(a -> view(a, now)).toList();
        Http.json(res, Map.of("items", items, "firing", store.firingCount(hostId)));
    }

    private void show(ServerRequest req, ServerResponse res) {
        InternalAuth.require(req, Role.VIEWER);
        AlertStore.Alert alert = alert(req);
        Map<String, Object> body = new LinkedHashMap<>(view(alert, clock.instant()).json());
        body.put("history", store.history(alert.id()));
        Http.json(res, body);
    }

    private void ack(ServerRequest req, ServerResponse res) {
        Principal p = InternalAuth.require(req, Role.OPERATOR);
        AlertStore.Alert alert = alert(req);
        AlertStore.Alert acked = store.acknowledge(alert.id(), p.username(), clock.instant())
                .orElseThrow(() -> Problem.conflict("alert " + alert.id() + " is " + alert.state()
                                                            + "; only a firing alert can be acknowledged"));
        Http.audit(res, "alert.ack", "alert=" + acked.id() + " rule=" + acked.rule());
        Http.json(res, view(acked, clock.instant()));
    }

    private void resolve(ServerRequest req, ServerResponse res) {
        Principal p = InternalAuth.require(req, Role.OPERATOR);
        AlertStore.Alert alert = alert(req);
        AlertStore.Alert resolved = store.resolveById(alert.id(), p.username(), clock.instant())
                .orElseThrow(() -> Problem.conflict("alert " + alert.id() + " is resolved already"));
        engine.changedByPerson(resolved);
        Http.audit(res, "alert.resolve", "alert=" + resolved.id() + " rule=" + resolved.rule());
        Http.json(res, view(resolved, clock.instant()));
    }

    private View view(AlertStore.Alert a, Instant now) {
        return new View(a, a.open() && store.silenced(a.rule(), a.hostId(), now));
    }

    private AlertStore.Alert alert(ServerRequest req) {
        String id = req.path().pathParameters().get("id");
        if (!ID.matcher(id).matches()) {
            throw Problem.notFound("no alert " + id);
        }
        return store.find(id).orElseThrow(() -> Problem.notFound("no alert " + id));
    }

    // ---- rules ----

    private void rules(ServerRequest req, ServerResponse res) {
        InternalAuth.require(req, Role.VIEWER);
        Http.json(res, Map.of("items", store.rules(), "overrides", store.overrides()));
    }

    private void patchRule(ServerRequest req, ServerResponse res) {
        InternalAuth.require(req, Role.ADMIN);
        AlertStore.Rule rule = rule(req);
        JsonNode body = object(req);
        allowOnly(body, Set.of("enabled", "severity", "threshold_s", "renotify_s"));
        boolean enabled = body.has("enabled") ? bool(body, "enabled") : rule.enabled();
        String severity = body.has("severity") ? severity(body, "severity") : rule.severity();
        Long threshold = body.has("threshold_s") ? seconds(body, "threshold_s", true) : rule.thresholdS();
        long renotify = body.has("renotify_s") ? seconds(body, "renotify_s", false) : rule.renotifyS();
        AlertStore.Rule changed = new AlertStore.Rule(rule.rule(), enabled, severity, threshold, renotify);
        store.updateRule(changed);
        Http.audit(res, "alert_rule.update", "rule=" + rule.rule());
        Http.json(res, changed);
    }

    private void putOverride(ServerRequest req, ServerResponse res) {
        InternalAuth.require(req, Role.ADMIN);
        AlertStore.Rule rule = rule(req);
        JsonNode body = object(req);
        allowOnly(body, Set.of("subject", "enabled", "threshold_s"));
        String subject = subject(body);
        Boolean enabled = body.has("enabled") && !body.get("enabled").isNull() ? bool(body, "enabled") : null;
        Long threshold = body.has("threshold_s") ? seconds(body, "threshold_s", true) : null;
        AlertStore.Override o = new AlertStore.Override(rule.rule(), subject, enabled, threshold);
        store.putOverride(o);
        Http.audit(res, "alert_rule.override", "rule=" + rule.rule() + " subject=" + subject);
        Http.json(res, o);
    }

    private void deleteOverride(ServerRequest req, ServerResponse res) {
        InternalAuth.require(req, Role.ADMIN);
        AlertStore.Rule rule = rule(req);
        String subject = Http.query(req, "subject").orElseThrow(() -> Problem.badRequest("subject is required"));
        if (!store.deleteOverride(rule.rule(), subject)) {
            throw Problem.notFound("no override of " + rule.rule() + " for " + subject);
        }
        Http.audit(res, "alert_rule.override_delete", "rule=" + rule.rule() + " subject=" + subject);
        res.status(204).send();
    }

    private AlertStore.Rule rule(ServerRequest req) {
        String name = req.path().pathParameters().get("rule");
        return store.rule(name).orElseThrow(() -> Problem.notFound("no alert rule " + name));
    }

    // ---- silences ----

    private void silences(ServerRequest req, ServerResponse res) {
        InternalAuth.require(req, Role.VIEWER);
        Http.json(res, Map.of("items", store.silences(clock.instant())));
    }

    private void silence(ServerRequest req, ServerResponse res) {
        Principal p = InternalAuth.require(req, Role.OPERATOR);
        JsonNode body = object(req);
        allowOnly(body, Set.of("rule", "host_id", "until", "duration_s", "reason"));
        String rule = optionalText(body, "rule", 64);
        if (rule != null && store.rule(rule).isEmpty()) {
            throw Problem.unprocessable("no alert rule " + rule);
        }
        String hostId = optionalText(body, "host_id", 128);
        if (hostId != null && !ID.matcher(hostId).matches()) {
            throw Problem.unprocessable("host_id is not a host id");
        }
        if (rule == null && hostId == null) {
            throw Problem.unprocessable("a silence needs a rule, a host_id or both");
        }
        Instant now = clock.instant();
        Instant until;
        if (body.has("duration_s")) {
            until = now.plusSeconds(seconds(body, "duration_s", false));
        } else {
            String text = optionalText(body, "until", 64);
            if (text == null) {
                throw Problem.unprocessable("a silence needs until (an ISO-8601 time) or duration_s");
            }
            try {
                until = Instant.parse(text);
            } catch (DateTimeParseException e) {
                throw Problem.unprocessable("until must be an ISO-8601 UTC time like 2026-12-24T18:00:00Z");
            }
        }
        if (!until.isAfter(now) || Duration.between(now, until).compareTo(LONGEST_SILENCE) > 0) {
            throw Problem.unprocessable("a silence ends in the future, at most 90 days from now");
        }
        AlertStore.Silence s = store.addSilence(rule, hostId, until, optionalText(body, "reason", 500), p.username(),
                                                now);
        Http.audit(res, "alert.silence", "silence=" + s.id() + (rule == null ? "" : " rule=" + rule)
                + (hostId == null ? "" : " host=" + hostId) + " until=" + until);
        Http.json(res, 201, s);
    }

    private void unsilence(ServerRequest req, ServerResponse res) {
        InternalAuth.require(req, Role.OPERATOR);
        String id = req.path().pathParameters().get("id");
        if (!ID.matcher(id).matches() || !store.deleteSilence(id)) {
            throw Problem.notFound("no silence " + id);
        }
        Http.audit(res, "alert.unsilence", "silence=" + id);
        res.status(204).send();
    }

    // ---- RPO view and deliveries ----

    private void rpo(ServerRequest req, ServerResponse res) {
        InternalAuth.require(req, Role.VIEWER);
        Http.json(res, Map.of("items", engine.rpo(clock.instant()), "at", clock.instant()));
    }

    private void deliveries(ServerRequest req, ServerResponse res) {
        InternalAuth.require(req, Role.ADMIN);
        String channel = Http.query(req, "channel_id").filter(s -> !s.isBlank()).orElse(null);
        Http.json(res, Map.of("items", store.deliveries(channel, Http.intQuery(req, "limit", 100, 1, 500))));
    }

    // ---- channels ----

    /** A channel as the API shows it: settings with every secret replaced. */
    record ChannelView(String id, String name, String kind, JsonNode config, List<String> rules, String minSeverity,
                       boolean enabled, Instant createdAt) {
        static ChannelView of(AlertStore.ChannelRow c) {
            return new ChannelView(c.id(), c.name(), c.kind().wire(), io.resticmanager.proto.Json.read(
                    c.settingsRedacted(), JsonNode.class), c.rules(), c.minSeverity(), c.enabled(), c.createdAt());
        }
    }

    private void channels(ServerRequest req, ServerResponse res) {
        InternalAuth.require(req, Role.ADMIN);
        Http.json(res, Map.of("items", store.channels().stream().map(ChannelView::of).toList()));
    }

    private void channel(ServerRequest req, ServerResponse res) {
        InternalAuth.require(req, Role.ADMIN);
        Http.json(res, ChannelView.of(channelRow(req)));
    }

    private void createChannel(ServerRequest req, ServerResponse res) {
        InternalAuth.require(req, Role.ADMIN);
        JsonNode body = object(req);
        allowOnly(body, CHANNEL_FIELDS);
        String name = name(body);
        ChannelKind kind;
        try {
            kind = ChannelKind.parse(text(body, "kind", 16));
        } catch (IllegalArgumentException e) {
            throw Problem.unprocessable(e.getMessage());
        }
        ChannelConfig config = config(kind, body.get("config"));
        String id = UUID.randomUUID().toString();
        if (store.channelNameTaken(name, id)) {
            throw Problem.conflict("a channel named \"" + name + "\" exists already");
        }
        AlertStore.ChannelRow row = new AlertStore.ChannelRow(
                id, name, kind, outbox.seal(id, config), io.resticmanager.proto.Json.write(config.redacted()),
                rules(body), body.has("min_severity") ? severity(body, "min_severity") : "info",
                !body.has("enabled") || bool(body, "enabled"), clock.instant());
        store.insertChannel(row);
        Http.audit(res, "alert_channel.create", "channel=" + id + " kind=" + kind.wire());
        res.header("Location", "/api/alert-channels/" + id);
        Http.json(res, 201, ChannelView.of(row));
    }

    private void patchChannel(ServerRequest req, ServerResponse res) {
        InternalAuth.require(req, Role.ADMIN);
        AlertStore.ChannelRow c = channelRow(req);
        JsonNode body = object(req);
        allowOnly(body, Set.of("name", "config", "rules", "min_severity", "enabled"));
        String name = body.has("name") ? name(body) : c.name();
        if (store.channelNameTaken(name, c.id())) {
            throw Problem.conflict("a channel named \"" + name + "\" exists already");
        }
        String sealed = c.settingsSealed();
        String redacted = c.settingsRedacted();
        if (body.has("config")) {
            ChannelConfig config = config(c.kind(), keepSecrets(body.get("config"), outbox.open(c)));
            sealed = outbox.seal(c.id(), config);
            redacted = io.resticmanager.proto.Json.write(config.redacted());
        }
        AlertStore.ChannelRow changed = new AlertStore.ChannelRow(
                c.id(), name, c.kind(), sealed, redacted, body.has("rules") ? rules(body) : c.rules(),
                body.has("min_severity") ? severity(body, "min_severity") : c.minSeverity(),
                body.has("enabled") ? bool(body, "enabled") : c.enabled(), c.createdAt());
        store.updateChannel(changed);
        List<String> fields = new ArrayList<>();
        body.fieldNames().forEachRemaining(fields::add);
        Http.audit(res, "alert_channel.update", "channel=" + c.id() + " fields=" + String.join(",",
                fields.stream().sorted().toList()));
        Http.json(res, ChannelView.of(changed));
    }

    private void deleteChannel(ServerRequest req, ServerResponse res) {
        InternalAuth.require(req, Role.ADMIN);
        AlertStore.ChannelRow c = channelRow(req);
        store.deleteChannel(c.id());
        Http.audit(res, "alert_channel.delete", "channel=" + c.id());
        res.status(204).send();
    }

    private void testChannel(ServerRequest req, ServerResponse res) {
        InternalAuth.require(req, Role.ADMIN);
        AlertStore.ChannelRow c = channelRow(req);
        Optional<String> error = outbox.test(c);
        Http.audit(res, "alert_channel.test", "channel=" + c.id() + " delivered=" + error.isEmpty());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("delivered", error.isEmpty());
        error.ifPresent(e -> body.put("error", e));
        Http.json(res, body);
    }

    private AlertStore.ChannelRow channelRow(ServerRequest req) {
        String id = req.path().pathParameters().get("id");
        if (!ID.matcher(id).matches()) {
            throw Problem.notFound("no alert channel " + id);
        }
        return store.channel(id).orElseThrow(() -> Problem.notFound("no alert channel " + id));
    }

    /**
     * A form sends back the redacted "***" for a secret it did not change: that keeps the stored secret instead of
     * replacing it with three stars.
     */
    private static JsonNode keepSecrets(JsonNode sent, ChannelConfig stored) {
        if (sent == null || !sent.isObject()) {
            return sent;
        }
        JsonNode old = io.resticmanager.proto.Json.read(stored.toJson(), JsonNode.class);
        com.fasterxml.jackson.databind.node.ObjectNode merged = sent.deepCopy();
        sent.fields().forEachRemaining(e -> {
            if (e.getValue().isTextual() && e.getValue().asText().equals("***") && old.has(e.getKey())) {
                merged.set(e.getKey(), old.get(e.getKey()));
            }
        });
        return merged;
    }

    private static ChannelConfig config(ChannelKind kind, JsonNode config) {
        if (config == null || !config.isObject()) {
            throw Problem.unprocessable("config must be an object with the " + kind.wire() + " settings");
        }
        try {
            return ChannelConfig.parse(kind, config);
        } catch (IllegalArgumentException e) {
            throw Problem.unprocessable(e.getMessage());
        }
    }

    private List<String> rules(JsonNode body) {
        JsonNode node = body.get("rules");
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray() || node.size() > 20) {
            throw Problem.unprocessable("rules must be a list of rule names (empty = every rule)");
        }
        List<String> result = new ArrayList<>();
        for (Iterator<JsonNode> it = node.elements(); it.hasNext(); ) {
            JsonNode n = it.next();
            if (!n.isTextual() || store.rule(n.asText()).isEmpty()) {
                throw Problem.unprocessable("rules: unknown alert rule " + n);
            }
            result.add(n.asText());
        }
        return List.copyOf(new java.util.LinkedHashSet<>(result));
    }

    // ---- body helpers ----

    private static JsonNode object(ServerRequest req) {
        JsonNode body = Http.bodyTree(req);
        if (!body.isObject()) {
            throw Problem.badRequest("request body must be a JSON object");
        }
        return body;
    }

    private static void allowOnly(JsonNode body, Set<String> fields) {
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!fields.contains(f)) {
                throw Problem.unprocessable("unknown field " + f + " (allowed: " + String.join(", ",
                        new java.util.TreeSet<>(fields)) + ")");
            }
        }
    }

    private static String name(JsonNode body) {
        String name = text(body, "name", 64).strip();
        if (name.isEmpty()) {
            throw Problem.unprocessable("name must not be blank");
        }
        return name;
    }

    private static String text(JsonNode body, String field, int max) {
        JsonNode n = body.get(field);
        if (n == null || !n.isTextual()) {
            throw Problem.unprocessable(field + " is required and must be a string");
        }
        if (n.asText().length() > max) {
            throw Problem.unprocessable(field + " is longer than " + max + " characters");
        }
        return n.asText();
    }

    private static String optionalText(JsonNode body, String field, int max) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        String value = text(body, field, max).strip();
        return value.isEmpty() ? null : value;
    }

    private static boolean bool(JsonNode body, String field) {
        JsonNode n = body.get(field);
        if (!n.isBoolean()) {
            throw Problem.unprocessable(field + " must be true or false");
        }
        return n.asBoolean();
    }

    private static String severity(JsonNode body, String field) {
        String s = text(body, field, 16);
        if (AlertEngine.rank(s) < 0) {
            throw Problem.unprocessable(field + " must be one of " + AlertEngine.severities());
        }
        return s;
    }

    private static Long seconds(JsonNode body, String field, boolean nullable) {
        JsonNode n = body.get(field);
        if (n.isNull() && nullable) {
            return null;
        }
        if (!n.isIntegralNumber() || n.asLong() < 0 || n.asLong() > 365L * 86_400) {
            throw Problem.unprocessable(field + " must be whole seconds from 0 to one year" + (nullable
                    ? " (or null for the default)" : ""));
        }
        return n.asLong();
    }

    private static String subject(JsonNode body) {
        String s = text(body, "subject", 140);
        Matcher m = SUBJECT.matcher(s);
        if (!m.matches() || !Checks.id(m.group(2))) {
            throw Problem.unprocessable("subject must be host:<host id> or schedule:<schedule id>");
        }
        return s;
    }
}
