package io.resticmanager.hub;

import io.helidon.dbclient.DbClient;
import io.helidon.dbclient.DbRow;
import io.resticmanager.kit.SqliteStore;
import io.resticmanager.proto.Json;
import io.resticmanager.proto.internal.HostEvents;
import io.resticmanager.proto.internal.HubEvent;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** SQL for enrollment tokens and agents in {@code agent-hub.db}. Outbox SQL lives in {@link OutboxStore}. */
final class HubStore {
    private static final String AGENT_COLUMNS = "host_id, hostname, os, arch, agent_version, restic_version, "
            + "protocol_version, disabled, revoked_at, enrolled_at, last_seen_at";
    private final SqliteStore store;
    private final DbClient db;

    HubStore(SqliteStore store) {
        this.store = store;
        this.db = store.db();
    }

    SqliteStore sqlite() {
        return store;
    }

    void createEnrollmentToken(String id, String name, String tokenHash, String createdBy, Instant createdAt,
                               Instant expiresAt) {
        db.execute().insert("INSERT INTO enrollment_tokens(id, name, token_hash, created_by, created_at, expires_at) "
                                    + "VALUES (?, ?, ?, ?, ?, ?)",
                            id, name, tokenHash, createdBy, createdAt.toEpochMilli(), expiresAt.toEpochMilli());
    }

    List<EnrollmentToken> enrollmentTokens() {
        return db.execute().query("SELECT id, name, created_by, created_at, expires_at, used_at, used_by_host "
                                          + "FROM enrollment_tokens ORDER BY created_at DESC")
                .map(r -> new EnrollmentToken(str(r, "id"), str(r, "name"), str(r, "created_by"),
                                              instant(r, "created_at"), instant(r, "expires_at"),
                                              instant(r, "used_at"), str(r, "used_by_host")))
                .toList();
    }

    /**
     * Consumes the enrollment token and creates the agent and its {@code host.enrolled} outbox row in one
     * transaction. The conditional UPDATE is what makes a token single-use under concurrency: SQLite runs
     * one writer at a time, so of two enrolls with the same token exactly one sees a row to update.
     *
     * @return false when the token is unknown, used or expired (nothing was written)
     */
    boolean enroll(String enrollmentTokenHash, Instant now, AgentRecord agent, String agentTokenHash,
                   String enrolledPayload) {
        try (Connection c = store.connect()) {
            c.setAutoCommit(false);
            try {
                int consumed;
                try (PreparedStatement s = c.prepareStatement(
                        "UPDATE enrollment_tokens SET used_at = ?, used_by_host = ? "
                                + "WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?")) {
                    s.setLong(1, now.toEpochMilli());
                    s.setString(2, agent.hostId());
                    s.setString(3, enrollmentTokenHash);
                    s.setLong(4, now.toEpochMilli());
                    consumed = s.executeUpdate();
                }
                if (consumed != 1) {
                    c.rollback();
                    return false;
                }
                try (PreparedStatement s = c.prepareStatement(
                        "INSERT INTO agents(host_id, token_hash, hostname, os, arch, agent_version, enrolled_at) "
                                + "VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                    s.setString(1, agent.hostId());
                    s.setString(2, agentTokenHash);
                    s.setString(3, agent.hostname());
                    s.setString(4, agent.os());
                    s.setString(5, agent.arch());
                    s.setString(6, agent.agentVersion());
                    s.setLong(7, now.toEpochMilli());
                    s.executeUpdate();
                }
                OutboxStore.insert(c, List.of(new OutboxStore.NewEvent(agent.hostId(),
                        HubEvent.HOST_ENROLLED, now, enrolledPayload)));
                c.commit();
                return true;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("enrollment failed: " + e.getMessage(), e);
        }
    }

    /** The agent owning this credential hash, unless revoked. */
    Optional<AgentRecord> agentByTokenHash(String tokenHash) {
        return db.execute().get("SELECT " + AGENT_COLUMNS + " FROM agents WHERE token_hash = ? AND revoked_at IS NULL",
                                tokenHash)
                .map(HubStore::agent);
    }

    Optional<AgentRecord> agent(String hostId) {
        return db.execute().get("SELECT " + AGENT_COLUMNS + " FROM agents WHERE host_id = ?", hostId)
                .map(HubStore::agent);
    }

    List<AgentRecord> agents() {
        return db.execute().query("SELECT " + AGENT_COLUMNS + " FROM agents WHERE revoked_at IS NULL ORDER BY hostname")
                .map(HubStore::agent)
                .toList();
    }

    /** Deletes the credential; returns false for an unknown host. */
    boolean revoke(String hostId, Instant now) {
        return db.execute().update("UPDATE agents SET token_hash = NULL, revoked_at = COALESCE(revoked_at, ?) "
                                           + "WHERE host_id = ?", now.toEpochMilli(), hostId) == 1;
    }

    boolean setDisabled(String hostId, boolean disabled) {
        return db.execute().update("UPDATE agents SET disabled = ? WHERE host_id = ?", disabled ? 1 : 0, hostId) == 1;
    }

    /**
     * After a crash the {@code online} flags are stale: nobody is connected to a fresh hub. Clears them and
     * queues one {@code host.offline} per host so receivers learn it too.
     */
    int resetPresence(Instant now) {
        try (Connection c = store.connect()) {
            c.setAutoCommit(false);
            try {
                List<OutboxStore.NewEvent> events = new ArrayList<>();
                try (PreparedStatement s = c.prepareStatement(
                        "SELECT host_id, last_seen_at FROM agents WHERE online = 1");
                     ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        long seen = rs.getLong(2);
                        Instant lastSeen = rs.wasNull() ? null : Instant.ofEpochMilli(seen);
                        events.add(new OutboxStore.NewEvent(rs.getString(1),
                                HubEvent.HOST_OFFLINE, now,
                                Json.write(new HostEvents.Offline(lastSeen))));
                    }
                }
                try (PreparedStatement s = c.prepareStatement("UPDATE agents SET online = 0 WHERE online = 1")) {
                    s.executeUpdate();
                }
                OutboxStore.insert(c, events);
                c.commit();
                return events.size();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot reset presence: " + e.getMessage(), e);
        }
    }

    private static AgentRecord agent(DbRow r) {
        Long protocol = lng(r, "protocol_version");
        return new AgentRecord(str(r, "host_id"), str(r, "hostname"), str(r, "os"), str(r, "arch"),
                               str(r, "agent_version"), str(r, "restic_version"),
                               protocol == null ? null : protocol.intValue(),
                               Long.valueOf(1).equals(lng(r, "disabled")), lng(r, "revoked_at") != null,
                               instant(r, "enrolled_at"), instant(r, "last_seen_at"));
    }

    private static String str(DbRow r, String column) {
        Object value = r.column(column).asOptional().orElse(null);
        return value == null ? null : value.toString();
    }

    private static Long lng(DbRow r, String column) {
        Object value = r.column(column).asOptional().orElse(null);
        return value == null ? null : ((Number) value).longValue();
    }

    private static Instant instant(DbRow r, String column) {
        Long ms = lng(r, column);
        return ms == null ? null : Instant.ofEpochMilli(ms);
    }
}
