package io.resticmanager.hub;

import io.helidon.dbclient.DbClient;
import io.helidon.dbclient.DbRow;
import io.resticmanager.kit.SqliteStore;
import io.resticmanager.kit.Times;
import io.resticmanager.proto.Json;
import io.resticmanager.proto.internal.HostEvents;
import io.resticmanager.proto.internal.HubEvent;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Enrollment tokens and agents in {@code agent-hub.db} ({@code enrollment-tokens.*}, {@code agents.*} statements):
 * reads through the DbClient, writes through the store's one writer. The outbox lives in {@link OutboxStore}.
 */
final class HubStore {
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
        store.write(tx -> tx.update("enrollment-tokens.insert", id, name, tokenHash, createdBy, createdAt, expiresAt));
    }

    List<EnrollmentToken> enrollmentTokens() {
        return db.execute().namedQuery("enrollment-tokens.list")
                .map(r -> new EnrollmentToken(str(r, "id"), str(r, "name"), str(r, "created_by"),
                                              instant(r, "created_at"), instant(r, "expires_at"),
                                              instant(r, "used_at"), str(r, "used_by_host")))
                .toList();
    }

    /**
     * Consumes the enrollment token and creates the agent and its {@code host.enrolled} outbox row in one
     * transaction. The conditional UPDATE is what makes a token single-use under concurrency: the store runs
     * one write transaction at a time, so of two enrolls with the same token exactly one sees a row to update.
     *
     * @return false when the token is unknown, used or expired (nothing was written)
     */
    boolean enroll(String enrollmentTokenHash, Instant now, AgentRecord agent, String agentTokenHash,
                   String enrolledPayload) {
        return store.write(tx -> {
            if (tx.update("enrollment-tokens.consume", now, agent.hostId(), enrollmentTokenHash, now) != 1) {
                return false; // nothing changed: committing an empty transaction writes nothing
            }
            tx.update("agents.insert", agent.hostId(), agentTokenHash, agent.hostname(), agent.os(), agent.arch(),
                      agent.agentVersion(), now);
            OutboxStore.insert(tx, List.of(new OutboxStore.NewEvent(agent.hostId(), HubEvent.HOST_ENROLLED, now,
                                                                    enrolledPayload)));
            return true;
        });
    }

    /** The agent owning this credential hash, unless revoked. */
    Optional<AgentRecord> agentByTokenHash(String tokenHash) {
        return db.execute().namedGet("agents.by-token-hash", tokenHash).map(HubStore::agent);
    }

    Optional<AgentRecord> agent(String hostId) {
        return db.execute().namedGet("agents.by-id", hostId).map(HubStore::agent);
    }

    List<AgentRecord> agents() {
        return db.execute().namedQuery("agents.list").map(HubStore::agent).toList();
    }

    /** Deletes the credential and tells jobs-service the host is gone; returns false for an unknown host. */
    boolean revoke(String hostId, Instant now) {
        return store.write(tx -> {
            if (tx.update("agents.revoke", now, hostId) != 1) {
                return false;
            }
            OutboxStore.insert(tx, List.of(new OutboxStore.NewEvent(hostId, HubEvent.HOST_REMOVED, now, "{}")));
            return true;
        });
    }

    boolean setDisabled(String hostId, boolean disabled) {
        return store.write(tx -> tx.update("agents.set-disabled", disabled, hostId)) == 1;
    }

    /**
     * After a crash the {@code online} flags are stale: nobody is connected to a fresh hub. Clears them and
     * queues one {@code host.offline} per host so receivers learn it too.
     */
    int resetPresence(Instant now) {
        return store.write(tx -> {
            List<OutboxStore.NewEvent> events = tx.query("agents.online", rs -> new OutboxStore.NewEvent(
                    rs.getString("host_id"), HubEvent.HOST_OFFLINE, now,
                    Json.write(new HostEvents.Offline(Times.column(rs, "last_seen_at")))));
            tx.update("agents.clear-online");
            OutboxStore.insert(tx, events);
            return events.size();
        });
    }

    private static AgentRecord agent(DbRow r) {
        Long protocol = lng(r, "protocol_version");
        return new AgentRecord(str(r, "host_id"), str(r, "hostname"), str(r, "os"), str(r, "arch"),
                               str(r, "agent_version"), str(r, "restic_version"),
                               protocol == null ? null : protocol.intValue(),
                               Long.valueOf(1).equals(lng(r, "disabled")), str(r, "revoked_at") != null,
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
        return Times.parse(str(r, column));
    }
}
