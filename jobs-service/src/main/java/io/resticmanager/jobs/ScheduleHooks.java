package io.resticmanager.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import io.resticmanager.kit.Problem;
import io.resticmanager.kit.SecretBox;
import io.resticmanager.kit.SqliteStore;
import io.resticmanager.proto.Hooks;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A backup schedule's own pre/post hooks. Hook text may hold database credentials, so it is sealed like repository
 * secrets (context {@code schedule-hook:<id>:<field>}), set by admins only and never written to the audit (only which
 * hook changed). A schedule without hooks of its own runs its host's defaults.
 */
final class ScheduleHooks {
    /** A schedule's own hook text; both null = none. */
    record Own(String pre, String post) {
        static final Own NONE = new Own(null, null);

        boolean any() {
            return pre != null || post != null;
        }
    }

    private final SqliteStore store;
    private final SecretBox box;

    ScheduleHooks(SqliteStore store, SecretBox box) {
        this.store = store;
        this.box = box;
    }

    Own of(String scheduleId) {
        if (scheduleId == null) {
            return Own.NONE;
        }
        return store.db().execute().namedGet("schedule-hooks.find", scheduleId).map(r -> new Own(
                open(scheduleId, "pre_hook", text(r, "pre_sealed")),
                open(scheduleId, "post_hook", text(r, "post_sealed")))).orElse(Own.NONE);
    }

    /**
     * The hooks a backup runs: the schedule's own text where it has any, else the host's; the host's shell and
     * timeout either way. Null when there is nothing to run.
     */
    static Hooks effective(Own own, Hooks host) {
        Hooks h = own.any() ? new Hooks(own.pre(), own.post(), host.shell(), host.timeoutS()) : host;
        return h.any() ? h : null;
    }

    /** Whether a schedule body touches hooks (which only admins may do). */
    static boolean touches(JsonNode body) {
        return body.has("pre_hook") || body.has("post_hook");
    }

    /** The hooks a body asks for on top of the stored ones (absent = unchanged, null/"" = none); 422 if too long. */
    static Own merge(Own stored, JsonNode body) {
        Own next = new Own(body.has("pre_hook") ? text(body, "pre_hook") : stored.pre(),
                           body.has("post_hook") ? text(body, "post_hook") : stored.post());
        try {
            new Hooks(next.pre(), next.post(), null, null);
        } catch (IllegalArgumentException e) {
            throw Problem.unprocessable(e.getMessage());
        }
        return new Own(blankToNull(next.pre()), blankToNull(next.post()));
    }

    /** Which hooks differ (for the audit entry). */
    static List<String> changed(Own before, Own after) {
        List<String> changed = new ArrayList<>();
        if (!Objects.equals(before.pre(), after.pre())) {
            changed.add("pre_hook");
        }
        if (!Objects.equals(before.post(), after.post())) {
            changed.add("post_hook");
        }
        return changed;
    }

    void put(SqliteStore.Tx tx, String scheduleId, Own hooks, Instant now) throws java.sql.SQLException {
        if (hooks.any()) {
            tx.update("schedule-hooks.put", scheduleId, seal(scheduleId, "pre_hook", hooks.pre()),
                      seal(scheduleId, "post_hook", hooks.post()), now);
        } else {
            tx.update("schedule-hooks.delete", scheduleId);
        }
    }

    private String seal(String scheduleId, String field, String text) {
        return text == null ? null : box.seal(text, "schedule-hook:" + scheduleId + ":" + field);
    }

    private String open(String scheduleId, String field, String sealed) {
        return sealed == null ? null : box.open(sealed, "schedule-hook:" + scheduleId + ":" + field);
    }

    private static String text(JsonNode body, String field) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            throw Problem.badRequest("wrong JSON type (field " + field + "): expected a string or null");
        }
        return n.asText();
    }

    private static String text(io.helidon.dbclient.DbRow r, String column) {
        return r.column(column).asOptional().map(Object::toString).orElse(null);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
