package io.resticmanager.inventory;

import com.fasterxml.jackson.core.type.TypeReference;
import io.helidon.dbclient.DbRow;
import io.resticmanager.kit.SqliteStore;
import io.resticmanager.proto.Json;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;

/** Small SQL helpers shared by the stores: fixed-width UTC times, nullable column reads, JDBC transactions. */
final class Db {
    /** Fixed width, so stored times sort and compare as text. */
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'")
            .withZone(ZoneOffset.UTC);
    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {
    };
    private static final TypeReference<Map<String, Object>> OBJECT = new TypeReference<>() {
    };

    private Db() {
    }

    /** One unit of work on a JDBC connection inside a transaction. */
    interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /**
     * Runs {@code work} in one write transaction. {@code BEGIN IMMEDIATE} takes SQLite's write lock up
     * front, so a read-then-write transaction never fails with SQLITE_BUSY halfway through.
     */
    static <T> T tx(SqliteStore store, Work<T> work) {
        try (Connection c = store.connect()) {
            exec(c, "BEGIN IMMEDIATE");
            try {
                T result = work.run(c);
                exec(c, "COMMIT");
                return result;
            } catch (SQLException | RuntimeException e) {
                exec(c, "ROLLBACK");
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("inventory database error: " + e.getMessage(), e);
        }
    }

    static void exec(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    static int update(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, args);
            return ps.executeUpdate();
        }
    }

    /** The first column of the first row, or null. */
    static String queryString(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, args);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    static boolean exists(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, args);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    static void bind(PreparedStatement ps, Object... args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            ps.setObject(i + 1, args[i]);
        }
    }

    static String time(Instant instant) {
        return instant == null ? null : TIME.format(instant);
    }

    static Instant instant(String text) {
        return text == null ? null : Instant.parse(text);
    }

    /** The raw column value or null (DbColumn.get() throws on SQL NULL). */
    static Object raw(DbRow row, String column) {
        return row.column(column).asOptional().orElse(null);
    }

    static String str(DbRow row, String column) {
        Object value = raw(row, column);
        return value == null ? null : value.toString();
    }

    static Long lng(DbRow row, String column) {
        Object value = raw(row, column);
        return value == null ? null : ((Number) value).longValue();
    }

    static Double dbl(DbRow row, String column) {
        Object value = raw(row, column);
        return value == null ? null : ((Number) value).doubleValue();
    }

    static boolean bool(DbRow row, String column) {
        Long value = lng(row, column);
        return value != null && value != 0;
    }

    static Instant instant(DbRow row, String column) {
        return instant(str(row, column));
    }

    static String json(Object value) {
        return value == null ? null : Json.write(value);
    }

    static List<String> strings(String json) {
        if (json == null || json.isEmpty()) {
            return List.of();
        }
        try {
            return Json.MAPPER.readValue(json, STRINGS);
        } catch (Exception e) {
            throw new IllegalStateException("corrupt JSON list in inventory database", e);
        }
    }

    static Map<String, Object> object(String json) {
        if (json == null || json.isEmpty()) {
            return null;
        }
        try {
            return Json.MAPPER.readValue(json, OBJECT);
        } catch (Exception e) {
            throw new IllegalStateException("corrupt JSON object in inventory database", e);
        }
    }
}
