package io.resticmanager.gateway;

import io.helidon.dbclient.DbClient;
import io.resticmanager.proto.Role;

import java.util.Optional;

/** SQL for browser sessions, keyed by the sha256 of the cookie value. Times are epoch milliseconds. */
final class SessionStore {
    /** A stored session joined with its user. */
    record Row(String tokenHash, User user, long createdAt, long lastSeenAt) {
    }

    private final DbClient db;

    SessionStore(DbClient db) {
        this.db = db;
    }

    void insert(String tokenHash, String userId, long now, String sourceIp) {
        db.execute().insert("INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, source_ip) "
                                    + "VALUES (?, ?, ?, ?, ?)", tokenHash, userId, now, now, sourceIp);
    }

    Optional<Row> find(String tokenHash) {
        return db.execute().get("SELECT s.token_hash, s.created_at, s.last_seen_at, u.id, u.username, u.role, "
                                        + "u.created_at AS user_created_at FROM sessions s JOIN users u ON u.id = s.user_id "
                                        + "WHERE s.token_hash = ?", tokenHash)
                .map(r -> new Row(r.column("token_hash").get(String.class),
                                  new User(r.column("id").get(String.class), r.column("username").get(String.class),
                                           Role.fromWire(r.column("role").get(String.class)),
                                           r.column("user_created_at").get(String.class)),
                                  r.column("created_at").get(Number.class).longValue(),
                                  r.column("last_seen_at").get(Number.class).longValue()));
    }

    void touch(String tokenHash, long now) {
        db.execute().update("UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?", now, tokenHash);
    }

    void delete(String tokenHash) {
        db.execute().delete("DELETE FROM sessions WHERE token_hash = ?", tokenHash);
    }

    void deleteForUser(String userId) {
        db.execute().delete("DELETE FROM sessions WHERE user_id = ?", userId);
    }

    /** Drops sessions past either timeout; called now and then, lookups check the times themselves. */
    long deleteExpired(long idleBefore, long createdBefore) {
        return db.execute().delete("DELETE FROM sessions WHERE last_seen_at < ? OR created_at < ?",
                                   idleBefore, createdBefore);
    }
}
