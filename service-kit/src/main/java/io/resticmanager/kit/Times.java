package io.resticmanager.kit;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/**
 * The one way every store keeps a time: fixed-width UTC text with milliseconds ({@code 2026-12-05T23:10:17.123Z}),
 * so SQL compares and sorts times as strings and a person reads them in the file.
 */
public final class Times {
    private static final DateTimeFormatter FORMAT = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    private Times() {
    }

    public static String format(Instant instant) {
        return instant == null ? null : FORMAT.format(instant.truncatedTo(ChronoUnit.MILLIS));
    }

    public static String now() {
        return format(Instant.now());
    }

    /** Parses stored text; null stays null. */
    public static Instant parse(String text) {
        return text == null ? null : Instant.parse(text);
    }

    /** A nullable time column of the current row. */
    public static Instant column(ResultSet rs, String column) throws SQLException {
        return parse(rs.getString(column));
    }
}
