package io.resticmanager.inventory;

import com.fasterxml.jackson.core.type.TypeReference;
import io.helidon.dbclient.DbRow;
import io.resticmanager.kit.Times;
import io.resticmanager.proto.Json;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Reading nullable columns of a {@link DbRow}, and the JSON columns (lists and objects as text). No SQL here. */
final class Rows {
    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {
    };
    private static final TypeReference<Map<String, Object>> OBJECT = new TypeReference<>() {
    };

    private Rows() {
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

    /** A time column (service-kit {@link Times} text). */
    static Instant instant(DbRow row, String column) {
        return Times.parse(str(row, column));
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
