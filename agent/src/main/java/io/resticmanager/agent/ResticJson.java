package io.resticmanager.agent;

import com.fasterxml.jackson.databind.JsonNode;
import io.resticmanager.proto.SnapshotInfo;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Lenient readers for restic's JSON: unknown fields are ignored, missing numbers count as zero. */
final class ResticJson {
    private ResticJson() {
    }

    /** {@code {"message_type":"error","error":{"message":…},"during":…,"item":…}} as one line. */
    static String errorText(JsonNode node) {
        JsonNode err = node.path("error");
        String message = err.isObject() ? err.path("message").asText(err.toString()) : err.asText(node.toString());
        String item = node.path("item").asText("");
        String during = node.path("during").asText("");
        return "error: " + (item.isEmpty() ? "" : item + ": ") + message + (during.isEmpty() ? "" : " (during " + during + ")");
    }

    /** restic's {@code status} message as progress. */
    static JobSink.Progress progress(JsonNode s) {
        JsonNode files = s.path("current_files");
        String current = files.isArray() && !files.isEmpty() ? files.get(0).asText() : null;
        Long eta = s.has("seconds_remaining") ? s.path("seconds_remaining").asLong() : null;
        return new JobSink.Progress(s.path("percent_done").asDouble(0), s.path("files_done").asLong(0),
                                    s.path("total_files").asLong(0), s.path("bytes_done").asLong(0),
                                    s.path("total_bytes").asLong(0), eta, current);
    }

    /** A JSON object's scalar fields as a plain map (numbers stay numbers). */
    static Map<String, Object> scalars(JsonNode node) {
        Map<String, Object> out = new LinkedHashMap<>();
        node.fields().forEachRemaining(e -> {
            JsonNode v = e.getValue();
            if (e.getKey().equals("message_type")) {
                return;
            }
            if (v.isIntegralNumber()) {
                out.put(e.getKey(), v.asLong());
            } else if (v.isNumber()) {
                out.put(e.getKey(), v.asDouble());
            } else if (v.isBoolean()) {
                out.put(e.getKey(), v.asBoolean());
            } else if (v.isTextual()) {
                out.put(e.getKey(), v.asText());
            }
        });
        return out;
    }

    /** {@code snapshots --json} (an array) as snapshot records; entries without id or time are skipped. */
    static List<SnapshotInfo> snapshots(JsonNode array) {
        List<SnapshotInfo> out = new ArrayList<>();
        if (!array.isArray()) {
            return out;
        }
        for (JsonNode s : array) {
            String id = s.path("id").asText("");
            Instant time = time(s.path("time").asText(""));
            if (id.isBlank() || time == null) {
                continue;
            }
            Map<String, Object> summary = s.path("summary").isObject() ? scalars(s.path("summary")) : null;
            out.add(new SnapshotInfo(id, text(s, "short_id"), time, strings(s.path("paths")), strings(s.path("tags")),
                                     text(s, "hostname"), text(s, "username"), text(s, "tree"), text(s, "parent"),
                                     summary));
        }
        return out;
    }

    static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        if (array.isArray()) {
            array.forEach(n -> out.add(n.asText()));
        }
        return out;
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    /** restic writes local times with an offset and nanoseconds. */
    static Instant time(String text) {
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            try {
                return Instant.parse(text);
            } catch (DateTimeParseException e2) {
                return null;
            }
        }
    }
}
