package io.resticmanager.jobs.alerts;

import java.time.Instant;
import java.util.Set;

/**
 * One alert transition as every channel sends it. The webhook body is {@code Json.write(this)}; {@code test} marks
 * the notification an admin sends to try a channel.
 */
public record Notification(String alertId, String rule, String severity, String state,
                           String hostId, String hostName, String scheduleId, String repoId, String summary,
                           Instant firedAt, Instant resolvedAt, Instant sentAt, boolean test) {
    static final Set<String> SEVERITIES = Set.of("critical", "warning", "info");
    static final Set<String> STATES = Set.of("firing", "acknowledged", "resolved");

    public Notification {
        // Priorities, titles and event names are derived from these, so a typo must fail here, not at the receiver.
        if (rule == null || rule.isBlank()) {
            throw new IllegalArgumentException("rule is required");
        }
        if (!SEVERITIES.contains(severity)) {
            throw new IllegalArgumentException("severity must be one of critical, warning, info");
        }
        if (!STATES.contains(state)) {
            throw new IllegalArgumentException("state must be one of firing, acknowledged, resolved");
        }
    }

    /** The host as people know it: its name, else its id; null for alerts about no host. */
    String host() {
        return hostName != null && !hostName.isBlank() ? hostName : hostId;
    }

    /** {@code <rule> on <host>}, or just the rule when the alert concerns no host. */
    String headline() {
        String host = host();
        return host == null ? rule : rule + " on " + host;
    }
}
