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
               Instant updatedAt,
               Long offlineLeaseS,
               String maintenanceHostId,
               boolean leaseOnDisk) {

    /** Whole days agents may run this repository's schedules without the server (the default when unset). */
    long offlineLeaseDays() {
        return (offlineLeaseS == null ? io.resticmanager.proto.RepoAccess.DEFAULT_OFFLINE_LEASE_S : offlineLeaseS)
                / 86_400;
    }

    boolean hasPruneCredential() {
        return pruneUrlSealed != null || prunePasswordSealed != null || pruneEnvSealed != null;
    }
}
