package io.resticmanager.jobs;

import io.helidon.dbclient.DbClient;

import java.sql.SQLException;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What jobs-service knows of each host ({@code hosts} in jobs.db): online or not as the hub last reported, and the
 * agent and restic versions it runs. Reads go through the DbClient; writes are static helpers that run inside a
 * {@link JobStore#write} transaction.
 */
final class HostPresenceStore {
    private final DbClient db;

    HostPresenceStore(JobStore jobs) {
        this.db = jobs.db();
    }

    /** Presence per host as last reported; hosts never reported are absent (unknown). */
    Map<String, Boolean> all() {
        try (var rows = db.execute().namedQuery("hosts.presence")) {
            Map<String, Boolean> result = new HashMap<>();
            rows.forEach(r -> result.put(r.column("host_id").get(String.class),
                                         r.column("online").get(Number.class).intValue() == 1));
            return result;
        }
    }

    /** Whether the host was last reported online; empty when never reported. */
    Optional<Boolean> online(String hostId) {
        return db.execute().namedGet("hosts.online", hostId)
                .map(r -> r.column("online").get(Number.class).intValue() == 1);
    }

    /** Applies a presence report unless a newer one was applied already; true when applied. */
    static boolean report(JobStore.Tx tx, String hostId, boolean online, Instant at) throws SQLException {
        return tx.sql().update("hosts.report", hostId, online, at) == 1;
    }

    /** What the host's agent runs, for the agent_outdated rule. */
    static void versions(JobStore.Tx tx, String hostId, String agentVersion, String resticVersion)
            throws SQLException {
        tx.sql().update("hosts.versions", agentVersion, resticVersion, hostId);
    }

    /** A removed host: no presence left to judge. */
    static void forget(JobStore.Tx tx, String hostId) throws SQLException {
        tx.sql().update("hosts.forget", hostId);
    }
}
