package io.resticmanager.proto;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Arrays;
import java.util.Optional;

/**
 * What a job does; one restic command each ({@code copy}: {@code restic copy} from another repository; {@code drill}:
 * a restore drill — a sample of the latest snapshot restored into a scratch directory, verified and deleted;
 * {@code self_backup}: the server's own state — databases and secret files — fetched by the agent from the server as
 * one tar stream and piped into {@code restic backup --stdin}, admins only).
 */
public enum JobKind {
    BACKUP, FORGET, PRUNE, CHECK, UNLOCK, SNAPSHOTS, STATS, RESTORE, INIT, DIFF, LS, COPY, DRILL, SELF_BACKUP;

    @JsonValue
    public String wire() {
        return name().toLowerCase();
    }

    @JsonCreator
    public static JobKind fromWire(String wire) {
        return parse(wire).orElseThrow(() -> new IllegalArgumentException("unknown job kind: " + wire));
    }

    /** Lenient lookup for user input. */
    public static Optional<JobKind> parse(String wire) {
        return Arrays.stream(values()).filter(k -> k.wire().equals(wire)).findFirst();
    }

    /**
     * Kinds an agent may run by itself from its schedule while the server is unreachable: those that need only the
     * backup credential and cannot delete anything.
     */
    public boolean runsOffline() {
        return this == BACKUP || this == CHECK || this == STATS || this == SNAPSHOTS || this == UNLOCK;
    }

    /** Kinds that may delete data: they use the repository's full (prune) credential when it has one. */
    public boolean destructive() {
        return this == FORGET || this == PRUNE;
    }
}
