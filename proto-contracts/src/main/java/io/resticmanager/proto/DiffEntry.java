package io.resticmanager.proto;

import java.util.Locale;
import java.util.Optional;

/**
 * One path that differs between two snapshots ({@code restic diff --json}, a {@code change} message), with the sizes
 * the agent read from {@code restic ls --json} of both snapshots. A diff job carries its entries as {@code job.log}
 * lines of stream {@link #STREAM}, one entry's JSON per line, in restic's order (by path); jobs-service pages them.
 * {@code oldSize}: the file's size in the first snapshot (null when absent there, or not a file); {@code newSize}: in
 * the second. {@code type}: file, dir, symlink, … (the type in the snapshot that has the path; the second's when both).
 */
public record DiffEntry(String path, Change change, String type, Long oldSize, Long newSize) {
    /** The log stream a diff job's entries travel on. */
    public static final String STREAM = "diff";

    public DiffEntry {
        Require.text(path, "path");
        Require.present(change, "change");
    }

    /** What happened to the path, from restic's modifier. */
    public enum Change {
        ADDED("+"), REMOVED("-"), CHANGED("M"), TYPE_CHANGED("T"), METADATA("U");

        private final String modifier;

        Change(String modifier) {
            this.modifier = modifier;
        }

        @com.fasterxml.jackson.annotation.JsonValue
        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }

        @com.fasterxml.jackson.annotation.JsonCreator
        public static Change fromWire(String wire) {
            for (Change c : values()) {
                if (c.wire().equals(wire)) {
                    return c;
                }
            }
            throw new IllegalArgumentException("unknown change: " + wire);
        }

        /** restic's modifier ({@code +}, {@code -}, {@code M}, {@code T}, {@code U}); empty for one it has not got. */
        public static Optional<Change> ofModifier(String modifier) {
            for (Change c : values()) {
                if (c.modifier.equals(modifier)) {
                    return Optional.of(c);
                }
            }
            return Optional.empty();
        }

        public String modifier() {
            return modifier;
        }
    }

    /** This entry as its log line. */
    public String line() {
        return Json.write(this);
    }

    /** A diff log line as an entry; empty when the line is not one (e.g. cut at the log line limit). */
    public static Optional<DiffEntry> parse(String line) {
        try {
            return Optional.ofNullable(Json.MAPPER.readValue(line, DiffEntry.class));
        } catch (Exception e) {
            return Optional.empty();
        }
    }
}
