package io.resticmanager.gateway;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** One fixed-width RFC 3339 UTC form, so stored times compare correctly as text. */
final class Times {
    private static final DateTimeFormatter FORMAT =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private Times() {
    }

    static String format(Instant instant) {
        return FORMAT.format(instant);
    }

    static String now() {
        return format(Instant.now());
    }
}
