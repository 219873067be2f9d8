package io.resticmanager.inventory;

import com.fasterxml.jackson.databind.JsonNode;
import io.resticmanager.kit.Problem;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A validated {@code PATCH /api/hosts/{id}} body. Absent fields stay as they are; {@code name: null}
 * goes back to the hostname (held as ""), {@code repo_id: null} unassigns the repository (also "").
 */
record HostPatch(Optional<String> name, Optional<List<String>> tags, Optional<String> repoId,
                 Optional<Boolean> disabled) {
    private static final Set<String> FIELDS = Set.of("name", "tags", "repo_id", "disabled");

    static HostPatch parse(JsonNode body) {
        if (!body.isObject()) {
            throw Problem.badRequest("request body must be a JSON object");
        }
        body.fieldNames().forEachRemaining(field -> {
            if (!FIELDS.contains(field)) {
                throw Problem.unprocessable("unknown field " + field + " (allowed: name, tags, repo_id, disabled)");
            }
        });
        Optional<String> name = Optional.empty();
        if (body.has("name")) {
            JsonNode n = body.get("name");
            if (!n.isNull() && !n.isTextual()) {
                throw Problem.unprocessable("name must be a string or null");
            }
            name = Optional.of(n.isNull() ? "" : Validate.name(n.asText(), "name"));
        }
        Optional<List<String>> tags = Optional.empty();
        if (body.has("tags")) {
            JsonNode t = body.get("tags");
            if (!t.isArray()) {
                throw Problem.unprocessable("tags must be an array of strings");
            }
            List<String> raw = new ArrayList<>();
            for (JsonNode tag : t) {
                if (!tag.isTextual()) {
                    throw Problem.unprocessable("tags must be an array of strings");
                }
                raw.add(tag.asText());
            }
            tags = Optional.of(Validate.tags(raw));
        }
        Optional<String> repoId = Optional.empty();
        if (body.has("repo_id")) {
            JsonNode r = body.get("repo_id");
            if (!r.isNull() && !(r.isTextual() && !r.asText().isBlank())) {
                throw Problem.unprocessable("repo_id must be a repository id or null");
            }
            repoId = Optional.of(r.isNull() ? "" : r.asText());
        }
        Optional<Boolean> disabled = Optional.empty();
        if (body.has("disabled")) {
            JsonNode d = body.get("disabled");
            if (!d.isBoolean()) {
                throw Problem.unprocessable("disabled must be true or false");
            }
            disabled = Optional.of(d.asBoolean());
        }
        return new HostPatch(name, tags, repoId, disabled);
    }
}
