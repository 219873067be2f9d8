package io.resticmanager.gateway;

import io.helidon.dbclient.DbClient;
import io.helidon.dbclient.DbRow;
import io.resticmanager.proto.Role;

import java.util.List;
import java.util.Optional;

/** SQL for API tokens, stored as sha256 of the value; each joined with its owner (a token without one is dead). */
final class ApiTokenStore {
    private static final String COLUMNS = "t.id, t.name, t.role, t.created_by, t.created_at, t.last_used_at, "
            + "t.owner_id, u.username AS owner, u.role AS owner_role, t.expires_at";
    private static final String FROM = " FROM api_tokens t JOIN users u ON u.id = t.owner_id";
    private final DbClient db;

    /** A token and its owner's current role (the most it may do). */
    record Found(ApiToken token, Role ownerRole) {
    }

    ApiTokenStore(DbClient db) {
        this.db = db;
    }

    void insert(ApiToken token, String tokenHash) {
        db.execute().insert("INSERT INTO api_tokens (id, name, token_hash, role, created_by, created_at, owner_id, "
                                    + "expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                            token.id(), token.name(), tokenHash, token.role().wire(), token.createdBy(),
                            token.createdAt(), token.ownerId(), token.expiresAt());
    }

    Optional<Found> byHash(String tokenHash) {
        return db.execute().get("SELECT " + COLUMNS + FROM + " WHERE t.token_hash = ?", tokenHash)
                .map(r -> new Found(token(r), Role.fromWire(r.column("owner_role").get(String.class))));
    }

    Optional<ApiToken> byId(String id) {
        return db.execute().get("SELECT " + COLUMNS + FROM + " WHERE t.id = ?", id).map(ApiTokenStore::token);
    }

    /** The id of a token whose owner is gone (a token from before owners existed): found, so it can be revoked. */
    boolean exists(String id) {
        return db.execute().get("SELECT id FROM api_tokens WHERE id = ?", id).isPresent();
    }

    List<ApiToken> list() {
        return db.execute().query("SELECT " + COLUMNS + FROM + " ORDER BY t.created_at, t.name")
                .map(ApiTokenStore::token).toList();
    }

    void touch(String id, String at) {
        db.execute().update("UPDATE api_tokens SET last_used_at = ? WHERE id = ?", at, id);
    }

    boolean delete(String id) {
        return db.execute().delete("DELETE FROM api_tokens WHERE id = ?", id) > 0;
    }

    private static ApiToken token(DbRow r) {
        return new ApiToken(r.column("id").get(String.class), r.column("name").get(String.class),
                            Role.fromWire(r.column("role").get(String.class)), r.column("created_by").get(String.class),
                            r.column("created_at").get(String.class), r.column("last_used_at").get(String.class),
                            r.column("owner_id").get(String.class), r.column("owner").get(String.class),
                            r.column("expires_at").get(String.class));
    }
}
