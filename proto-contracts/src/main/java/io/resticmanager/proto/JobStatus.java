package io.resticmanager.proto;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Arrays;
import java.util.Optional;

/** Job lifecycle. States only move forward: queued → running → one terminal state. */
public enum JobStatus {
    QUEUED, RUNNING, SUCCEEDED, SUCCEEDED_WITH_WARNINGS, FAILED, CANCELLED, LOST;

    @JsonValue
    public String wire() {
        return name().toLowerCase();
    }

    @JsonCreator
    public static JobStatus fromWire(String wire) {
        return parse(wire).orElseThrow(() -> new IllegalArgumentException("unknown job status: " + wire));
    }

    public static Optional<JobStatus> parse(String wire) {
        return Arrays.stream(values()).filter(s -> s.wire().equals(wire)).findFirst();
    }

    public boolean terminal() {
        return ordinal() >= SUCCEEDED.ordinal();
    }

    /** Whether moving from this state to {@code next} is allowed (forward only, terminal is final). */
    public boolean canMoveTo(JobStatus next) {
        if (terminal()) {
            return false;
        }
        return next.ordinal() > ordinal();
    }
}
