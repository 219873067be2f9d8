package io.resticmanager.proto;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Field checks used by compact constructors; a failure becomes an {@code invalid_payload} error. */
final class Require {
    private Require() {
    }

    static String text(String value, String field) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("missing required field: " + field);
        }
        return value;
    }

    static <T> T present(T value, String field) {
        if (value == null) {
            throw new IllegalArgumentException("missing required field: " + field);
        }
        return value;
    }

    /**
     * The times every store and page can hold: four-digit years (the stores' fixed-width text) and nanoseconds
     * in a long (the snapshot index's sort key). A peer's time outside them is refused, not stored.
     */
    static final Instant EARLIEST = Instant.parse("1678-01-01T00:00:00Z");
    static final Instant LATEST = Instant.parse("2261-12-31T23:59:59Z");

    static Instant time(Instant value, String field) {
        if (value != null && (value.isBefore(EARLIEST) || value.isAfter(LATEST))) {
            throw new IllegalArgumentException(field + " must be a time between 1678 and 2261");
        }
        return value;
    }

    static long positive(long value, String field) {
        if (value < 1) {
            throw new IllegalArgumentException(field + " must be ≥ 1");
        }
        return value;
    }

    static <T> List<T> list(List<T> value) {
        return value == null ? List.of() : List.copyOf(value);
    }

    static <K, V> Map<K, V> map(Map<K, V> value) {
        return value == null ? Map.of() : Map.copyOf(value);
    }
}
