package io.resticmanager.proto;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Arrays;
import java.util.Optional;

/** User roles, weakest first: viewer (read-only) < operator (run jobs, restore, schedules) < admin. */
public enum Role {
    VIEWER, OPERATOR, ADMIN;

    @JsonValue
    public String wire() {
        return name().toLowerCase();
    }

    @JsonCreator
    public static Role fromWire(String wire) {
        return parse(wire).orElseThrow(() -> new IllegalArgumentException("unknown role: " + wire
                + " (admin, operator or viewer)"));
    }

    public static Optional<Role> parse(String wire) {
        return Arrays.stream(values()).filter(r -> r.wire().equals(wire)).findFirst();
    }

    public boolean atLeast(Role other) {
        return ordinal() >= other.ordinal();
    }
}
