package io.resticmanager.jobs.alerts;

import com.fasterxml.jackson.databind.JsonNode;
import io.resticmanager.proto.Json;

import java.time.Instant;

/** Shared test data: settings written with single quotes for readability, and a typical notification. */
final class Fixtures {
    static final Instant FIRED = Instant.parse("2026-11-20T10:00:00Z");
    static final Instant SENT = Instant.parse("2026-11-20T10:00:05Z");

    private Fixtures() {
    }

    static JsonNode json(String singleQuoted) {
        try {
            return Json.MAPPER.readTree(singleQuoted.replace('\'', '"'));
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    static ChannelConfig config(ChannelKind kind, String singleQuoted) {
        return ChannelConfig.parse(kind, json(singleQuoted));
    }

    static Notification firing(String severity) {
        return new Notification("al_42", "backup_failed", severity, "firing", "h-1", "web-1", "sch_7", "repo_3",
                                "Backup of web-1 to offsite failed: repository locked", FIRED, null, SENT, false);
    }

    static Notification resolved() {
        return new Notification("al_42", "backup_failed", "critical", "resolved", "h-1", "web-1", "sch_7", "repo_3",
                                "Backup of web-1 succeeded again", FIRED, FIRED.plusSeconds(3600), SENT, false);
    }
}
