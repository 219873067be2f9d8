package io.resticmanager.ui;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/** Lenient reads from API JSON: services may add fields or leave some out, pages must still render. */
final class Nodes {
    private Nodes() {
    }

    static String text(JsonNode node, String field) {
        JsonNode v = node.path(field);
        return v.isValueNode() && !v.isNull() ? v.asText() : null;
    }

    static String text(JsonNode node, String field, String dflt) {
        String v = text(node, field);
        return v == null || v.isBlank() ? dflt : v;
    }

    static Instant instant(JsonNode node, String field) {
        String v = text(node, field);
        if (v == null || v.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(v);
        } catch (DateTimeParseException e) {
            try {
                return java.time.OffsetDateTime.parse(v).toInstant();
            } catch (DateTimeParseException e2) {
                return null;
            }
        }
    }

    static OptionalLong number(JsonNode node, String field) {
        JsonNode v = node.path(field);
        if (v.isNumber()) {
            return OptionalLong.of(v.asLong());
        }
        if (v.isTextual()) {
            try {
                return OptionalLong.of(Long.parseLong(v.asText().trim()));
            } catch (NumberFormatException e) {
                return OptionalLong.empty();
            }
        }
        return OptionalLong.empty();
    }

    static Double decimal(JsonNode node, String field) {
        JsonNode v = node.path(field);
        return v.isNumber() ? v.asDouble() : null;
    }

    static List<String> strings(JsonNode node, String field) {
        List<String> out = new ArrayList<>();
        JsonNode v = node.path(field);
        if (v.isArray()) {
            v.forEach(item -> {
                if (item.isValueNode() && !item.asText().isBlank()) {
                    out.add(item.asText());
                }
            });
        }
        return out;
    }

    static List<JsonNode> items(JsonNode node) {
        List<JsonNode> out = new ArrayList<>();
        node.path("items").forEach(out::add);
        return out;
    }
}
