package io.resticmanager.inventory;

import com.fasterxml.jackson.databind.JsonNode;
import io.resticmanager.kit.Problem;
import io.resticmanager.kit.SecretBox;
import io.resticmanager.kit.SqliteStore;
import io.resticmanager.proto.Hooks;
import io.resticmanager.proto.Json;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A host's default backup hooks (run before and after each backup that has none of its own), the shell that runs
 * every hook of the host and their timeout. Hook text may hold database credentials: sealed like repository secrets
 * (context {@code host-hook:<id>:<field>}), shown to admins only, never in the audit (only which hook changed).
 */
final class HostHooks {
    private static final Set<String> FIELDS = Set.of("pre_hook", "post_hook", "hook_shell", "hook_timeout_s");
    private final SqliteStore store;
    private final SecretBox box;
    private final Clock clock;

    HostHooks(SqliteStore store, SecretBox box, Clock clock) {
        this.store = store;
        this.box = box;
        this.clock = clock;
    }

    /** The host's hooks as the agent runs them (defaults when none are set). */
    Hooks of(String hostId) {
        return store.db().execute().namedGet("host-hooks.find", hostId).map(r -> {
            String shell = text(r, "shell_json");
            Object timeout = r.column("timeout_s").asOptional().orElse(null);
            return new Hooks(open(hostId, "pre_hook", text(r, "pre_sealed")),
                             open(hostId, "post_hook", text(r, "post_sealed")),
                             shell == null ? null : List.of(Json.read(shell, String[].class)),
                             timeout == null ? null : ((Number) timeout).intValue());
        }).orElseGet(() -> new Hooks(null, null, null, null));
    }

    /** What {@code GET /api/hosts/{id}/hooks} shows: the hook text to admins only. */
    Map<String, Object> view(String hostId, boolean admin) {
        Hooks h = of(hostId);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("has_pre_hook", h.pre() != null);
        m.put("has_post_hook", h.post() != null);
        if (admin) {
            m.put("pre_hook", h.pre());
            m.put("post_hook", h.post());
        }
        m.put("hook_shell", h.shell());
        m.put("hook_timeout_s", h.timeoutS());
        return m;
    }

    /**
     * Applies {@code PUT /api/hosts/{id}/hooks}: absent fields keep their value, null clears one. Returns which
     * fields changed (for the audit entry, never the text).
     */
    List<String> put(String hostId, JsonNode body) {
        if (!body.isObject()) {
            throw Problem.badRequest("request body must be a JSON object");
        }
        body.fieldNames().forEachRemaining(f -> {
            if (!FIELDS.contains(f)) {
                throw Problem.unprocessable("unknown field " + f + " (allowed: hook_shell, hook_timeout_s, post_hook, "
                                                    + "pre_hook)");
            }
        });
        Hooks now = of(hostId);
        Hooks next;
        try {
            next = new Hooks(body.has("pre_hook") ? text(body, "pre_hook") : now.pre(),
                             body.has("post_hook") ? text(body, "post_hook") : now.post(),
                             body.has("hook_shell") ? shell(body.get("hook_shell")) : now.shell(),
                             body.has("hook_timeout_s") ? timeout(body.get("hook_timeout_s")) : now.timeoutS());
        } catch (IllegalArgumentException e) {
            throw Problem.unprocessable(e.getMessage());
        }
        List<String> changed = new ArrayList<>();
        if (!java.util.Objects.equals(now.pre(), next.pre())) {
            changed.add("pre_hook");
        }
        if (!java.util.Objects.equals(now.post(), next.post())) {
            changed.add("post_hook");
        }
        if (!now.shell().equals(next.shell())) {
            changed.add("hook_shell");
        }
        if (!now.timeoutS().equals(next.timeoutS())) {
            changed.add("hook_timeout_s");
        }
        store.write(tx -> tx.update("host-hooks.put", hostId, seal(hostId, "pre_hook", next.pre()),
                                    seal(hostId, "post_hook", next.post()), Json.write(next.shell()),
                                    next.timeoutS(), clock.instant()));
        return changed;
    }

    private String seal(String hostId, String field, String text) {
        return text == null ? null : box.seal(text, "host-hook:" + hostId + ":" + field);
    }

    private String open(String hostId, String field, String sealed) {
        return sealed == null ? null : box.open(sealed, "host-hook:" + hostId + ":" + field);
    }

    private static String text(JsonNode body, String field) {
        JsonNode n = body.get(field);
        if (n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            throw Problem.unprocessable(field + " must be a string or null");
        }
        return n.asText();
    }

    private static List<String> shell(JsonNode n) {
        if (n.isNull()) {
            return null;
        }
        if (!n.isArray()) {
            throw Problem.unprocessable("hook_shell must be a list like [\"/bin/sh\", \"-c\"] or null");
        }
        List<String> parts = new ArrayList<>();
        for (JsonNode p : n) {
            if (!p.isTextual()) {
                throw Problem.unprocessable("hook_shell must be a list of strings");
            }
            parts.add(p.asText());
        }
        return parts;
    }

    private static Integer timeout(JsonNode n) {
        if (n.isNull()) {
            return null;
        }
        if (!n.isIntegralNumber()) {
            throw Problem.unprocessable("hook_timeout_s must be whole seconds");
        }
        return n.asInt();
    }

    private static String text(io.helidon.dbclient.DbRow r, String column) {
        return r.column(column).asOptional().map(Object::toString).orElse(null);
    }
}
