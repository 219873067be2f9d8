package io.resticmanager.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.resticmanager.common.Cron;
import io.resticmanager.kit.Problem;
import io.resticmanager.proto.Checks;
import io.resticmanager.proto.JobKind;
import io.resticmanager.proto.Json;

import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A validated schedule body: {@code {host_id, name?, cron, timezone?, kind, …kind's run-now fields, enabled?}}.
 * The kind's parameters are validated by {@link JobRequest} exactly as run-now validates them. A PATCH is
 * merged onto the stored schedule and the result validated as a whole. 400 for wrong JSON types, 422 for
 * values that are well-formed but not acceptable.
 */
record ScheduleRequest(String hostId, String name, Cron cron, ZoneId zone, JobRequest job, boolean enabled) {
    /** Kinds that may run on a schedule; restore, init, diff and ls are one-off actions. */
    static final Set<JobKind> SCHEDULABLE = EnumSet.of(JobKind.BACKUP, JobKind.FORGET, JobKind.PRUNE, JobKind.CHECK,
                                                       JobKind.UNLOCK, JobKind.STATS, JobKind.SNAPSHOTS, JobKind.COPY,
                                                       JobKind.DRILL, JobKind.SELF_BACKUP);
    private static final int MAX_NAME = 100;
    /** The stack's own state is backed up daily (03:00 in the schedule's time zone) unless the admin says otherwise. */
    static final String SELF_BACKUP_CRON = "0 3 * * *";

    static ScheduleRequest parse(JsonNode body) {
        if (!body.isObject()) {
            throw Problem.badRequest("request body must be a JSON object");
        }
        String hostId = text(body, "host_id");
        if (hostId == null) {
            throw Problem.unprocessable("host_id is required");
        }
        if (!Checks.id(hostId)) {
            throw Problem.unprocessable("host_id is not a valid host id");
        }
        String cronText = text(body, "cron");
        if (cronText == null && JobKind.SELF_BACKUP.wire().equals(text(body, "kind"))) {
            cronText = SELF_BACKUP_CRON;
        }
        if (cronText == null) {
            throw Problem.unprocessable("cron is required (5 fields: minute hour day-of-month month day-of-week)");
        }
        Cron cron;
        try {
            cron = Cron.parse(cronText);
        } catch (IllegalArgumentException e) {
            throw Problem.unprocessable(e.getMessage());
        }
        String tz = text(body, "timezone");
        ZoneId zone;
        try {
            zone = ZoneId.of(tz == null ? "UTC" : tz);
        } catch (DateTimeException e) {
            throw Problem.unprocessable("unknown timezone '" + tz + "' (use an IANA name like Europe/Berlin, or UTC)");
        }
        String kindText = text(body, "kind");
        if (kindText == null) {
            throw Problem.unprocessable("kind is required (one of " + schedulable() + ")");
        }
        if (JobKind.parse(kindText).filter(SCHEDULABLE::contains).isEmpty()) {
            throw Problem.unprocessable("kind '" + kindText + "' cannot be scheduled (one of " + schedulable() + ")");
        }
        JobRequest job = JobRequest.parse(body);
        String name = text(body, "name");
        if (name != null && name.length() > MAX_NAME) {
            throw Problem.unprocessable("name must be at most " + MAX_NAME + " characters");
        }
        JsonNode enabled = body.get("enabled");
        if (enabled != null && !enabled.isNull() && !enabled.isBoolean()) {
            throw Problem.badRequest("wrong JSON type (field enabled): expected true or false");
        }
        return new ScheduleRequest(hostId, name == null ? job.kind().wire() + " " + cron.expression() : name.strip(),
                                   cron, zone, job, enabled == null || enabled.isNull() || enabled.asBoolean());
    }

    /** The stored schedule with the PATCH body's fields replaced (null clears an optional field), validated. */
    static ScheduleRequest merge(Schedule stored, JsonNode patch) {
        if (!patch.isObject()) {
            throw Problem.badRequest("request body must be a JSON object");
        }
        JsonNode host = patch.get("host_id");
        if (host != null && !host.isNull() && !host.asText().equals(stored.hostId())) {
            throw Problem.unprocessable("a schedule cannot move to another host; create a new one");
        }
        ObjectNode merged = Json.MAPPER.valueToTree(stored.params());
        merged.put("host_id", stored.hostId());
        merged.put("name", stored.name());
        merged.put("cron", stored.cron());
        merged.put("timezone", stored.timezone());
        merged.put("kind", stored.kind().wire());
        merged.put("enabled", stored.enabled());
        if (stored.repoId() != null) {
            merged.put("repo_id", stored.repoId());
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            merged.set(field.getKey(), field.getValue());
        }
        return parse(merged);
    }

    private static String text(JsonNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw Problem.badRequest("wrong JSON type (field " + field + "): expected a string");
        }
        String value = node.asText().strip();
        return value.isEmpty() ? null : value;
    }

    private static String schedulable() {
        return SCHEDULABLE.stream().map(JobKind::wire).collect(Collectors.joining(", "));
    }
}
