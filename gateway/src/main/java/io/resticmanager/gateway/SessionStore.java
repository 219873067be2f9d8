package io.resticmanager.gateway;

import io.resticmanager.kit.SqliteStore;
import io.resticmanager.kit.Times;
import io.resticmanager.proto.Role;

import java.time.Instant;
import java.util.Optional;

/**
 * Browser sessions, keyed by the sha256 of the cookie value. Stored as text times like everything else; this
 * class speaks epoch milliseconds to {@link Authenticator}, which does the timeout arithmetic.
 */
final class SessionStore {
    /** A stored session joined with its user. */
    record Row(String tokenHash, User user, long createdAt, long lastSeenAt) {
    }

    private final SqliteStore store;

    SessionStore(SqliteStore store) {
        this.store = store;
    }

    void insert(String tokenHash, String userId, long now, String sourceIp) {
        Instant at = Instant.ofEpochMilli(now);
        store.write(tx -> tx.update("sessions.insert", tokenHash, userId, at, at, sourceIp));
    }

    Optional<Row> find(String tokenHash) {
        return store.db().execute().namedGet("sessions.find", tokenHash)
                .map(r -> new Row(r.column("token_hash").get(String.class),
                                  new User(r.column("id").get(String.class), r.column("username").get(String.class),
                                           Role.fromWire(r.column("role").get(String.class)),
                                           r.column("user_created_at").get(String.class), null,
                                           r.column("source").get(String.class),
                                           r.column("break_glass").get(Number.class).intValue() == 1, null),
                                  millis(r.column("created_at").get(String.class)),
                                  millis(r.column("last_seen_at").get(String.class))));
    }

    void touch(String tokenHash, long now) {
        store.write(tx -> tx.update("sessions.touch", Instant.ofEpochMilli(now), tokenHash));
    }

    void delete(String tokenHash) {
        store.write(tx -> tx.update("sessions.delete", tokenHash));
    }

    /** Local login switched off: every local account's sessions end, break-glass ones excepted. */
    long deleteLocalLogin() {
        return store.write(tx -> tx.update("sessions.delete-local-login"));
    }

    void deleteForUser(String userId) {
        store.write(tx -> tx.update("sessions.delete-for-user", userId));
    }

    /** Drops sessions past either timeout; called now and then, lookups check the times themselves. */
    long deleteExpired(long idleBefore, long createdBefore) {
        return store.write(tx -> tx.update("sessions.delete-expired", Instant.ofEpochMilli(idleBefore),
                                           Instant.ofEpochMilli(createdBefore)));
    }

    private static long millis(String text) {
        return Times.parse(text).toEpochMilli();
    }
}
