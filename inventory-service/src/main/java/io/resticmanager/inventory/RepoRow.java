package io.resticmanager.inventory;

import java.time.Instant;
import java.util.List;

/**
 * A {@code repos} row as stored: sealed columns stay sealed until {@link Vault} opens them for
 * the internal repo-access call.
 */
record RepoRow(String id,
               String name,
               String urlRedacted,
               String urlSealed,
               String passwordSealed,
               String envSealed,
               List<String> envKeys,
               String pruneUrlSealed,
               String prunePasswordSealed,
               String pruneEnvSealed,
               Instant lastCheckAt,
               String lastCheckStatus,
               Instant createdAt,
               Instant updatedAt) {

    boolean hasPruneCredential() {
        return pruneUrlSealed != null || prunePasswordSealed != null || pruneEnvSealed != null;
    }
}
