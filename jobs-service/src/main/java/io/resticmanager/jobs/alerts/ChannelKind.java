package io.resticmanager.jobs.alerts;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Arrays;
import java.util.stream.Collectors;

/** Where an alert notification goes: an HTTP webhook, an ntfy topic or e-mail over SMTP. */
public enum ChannelKind {
    WEBHOOK, NTFY, EMAIL;

    @JsonValue
    public String wire() {
        return name().toLowerCase();
    }

    /** The kind named by user input; refuses anything else with the list of kinds. */
    @JsonCreator
    public static ChannelKind parse(String wire) {
        return Arrays.stream(values())
                .filter(k -> k.wire().equals(wire))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException(
                        "unknown channel kind '" + wire + "' (one of " + list() + ")"));
    }

    private static String list() {
        return Arrays.stream(values()).map(ChannelKind::wire).collect(Collectors.joining(", "));
    }
}
