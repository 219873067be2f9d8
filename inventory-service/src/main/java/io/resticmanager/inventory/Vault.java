package io.resticmanager.inventory;

import com.fasterxml.jackson.core.type.TypeReference;
import io.resticmanager.kit.SecretBox;
import io.resticmanager.proto.Json;

import java.util.List;
import java.util.Map;

/**
 * Seals and opens a repository's secret fields with {@link SecretBox}; the context
 * {@code repo:<id>:<field>} binds each value to its row and column.
 */
final class Vault {
    /** Every sealed column of {@code repos}, named as in the context. */
    static final List<String> FIELDS = List.of("url", "password", "env", "prune_url", "prune_password", "prune_env");
    private static final TypeReference<Map<String, String>> ENV = new TypeReference<>() {
    };
    private final SecretBox box;

    Vault(SecretBox box) {
        this.box = box;
    }

    String keyId() {
        return box.activeKeyId();
    }

    String seal(String repoId, String field, String plaintext) {
        return plaintext == null ? null : box.seal(plaintext, context(repoId, field));
    }

    String open(String repoId, String field, String sealed) {
        return sealed == null ? null : box.open(sealed, context(repoId, field));
    }

    /** An empty environment is stored as NULL: nothing to protect. */
    String sealEnv(String repoId, String field, Map<String, String> env) {
        return env == null || env.isEmpty() ? null : seal(repoId, field, Json.write(env));
    }

    Map<String, String> openEnv(String repoId, String field, String sealed) {
        String json = open(repoId, field, sealed);
        if (json == null) {
            return Map.of();
        }
        try {
            return Json.MAPPER.readValue(json, ENV);
        } catch (Exception e) {
            throw new IllegalStateException("sealed environment of repo " + repoId + " is not a JSON object");
        }
    }

    /** Opens under whatever key sealed it and seals again under the active key (fresh IV). */
    String reseal(String repoId, String field, String sealed) {
        return sealed == null ? null : seal(repoId, field, open(repoId, field, sealed));
    }

    private static String context(String repoId, String field) {
        return "repo:" + repoId + ":" + field;
    }
}
