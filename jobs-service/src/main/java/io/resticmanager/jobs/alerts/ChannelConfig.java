package io.resticmanager.jobs.alerts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.resticmanager.proto.Json;

/**
 * A channel's validated settings. Every instance is valid: the constructor validates and normalizes (see
 * {@link ChannelSettings}), so a config read back from storage is checked again like user input.
 */
public record ChannelConfig(ChannelKind kind, JsonNode settings) {
    static final String MASK = "***";

    public ChannelConfig {
        if (kind == null) {
            throw new IllegalArgumentException("channel kind is required (one of webhook, ntfy, email)");
        }
        settings = ChannelSettings.validate(kind, settings);
    }

    /**
     * Validates settings for the kind: unknown fields refused, required ones present, http(s) URLs without
     * user:password, ports 1..65535, sane e-mail addresses, strings of at most 2048 characters, at most 20
     * recipients. Throws IllegalArgumentException naming the field.
     */
    public static ChannelConfig parse(ChannelKind kind, JsonNode settings) {
        return new ChannelConfig(kind, settings);
    }

    /** A copy: JSON nodes are mutable and this record must not change after validation. */
    @Override
    public JsonNode settings() {
        return settings.deepCopy();
    }

    /** The settings with every secret replaced by {@value #MASK}: what the API shows. */
    public JsonNode redacted() {
        ObjectNode copy = settings.deepCopy();
        for (String field : ChannelSettings.secrets(kind)) {
            if (copy.has(field)) {
                copy.put(field, MASK);
            }
        }
        return copy;
    }

    /** Full settings JSON, secrets included, to be sealed by the caller. */
    public String toJson() {
        return Json.write(settings);
    }

    /** Inverse of {@link #toJson()}, validated again. */
    public static ChannelConfig fromJson(ChannelKind kind, String json) {
        JsonNode settings;
        try {
            settings = Json.MAPPER.readTree(json == null ? "" : json);
        } catch (JsonProcessingException e) {
            // No cause and no parser message: both may quote the text, which holds secrets.
            throw new IllegalArgumentException("stored " + (kind == null ? "channel" : kind.wire())
                                               + " settings are not valid JSON");
        }
        return new ChannelConfig(kind, settings);
    }

    String text(String field) {
        JsonNode node = settings.get(field);
        return node == null ? null : node.asText();
    }

    /** Shows the redacted settings only, so a logged config leaks no secret. */
    @Override
    public String toString() {
        return "ChannelConfig[kind=" + kind.wire() + ", settings=" + redacted() + "]";
    }
}
