package io.resticmanager.gateway;

import io.helidon.dbclient.DbRow;
import io.resticmanager.kit.SqliteStore;
import io.resticmanager.proto.Role;

import java.util.List;
import java.util.Optional;

/**
 * API tokens, stored as sha256 of the value; each joined with its owner (a token without one is dead).
 * Statements {@code tokens.*} in {@code db/statements.sql}.
 */
final class ApiTokenStore {
    private final SqliteStore store;

    /** A token and its owner's current role (the most it may do). */
    record Found(ApiToken token, Role ownerRole) {
    }

    ApiTokenStore(SqliteStore store) {
        this.store = store;
    }

    void insert(ApiToken token, String tokenHash) {
        store.write(tx -> tx.update("tokens.insert", token.id(), token.name(), tokenHash, token.role().wire(),
                                    token.createdBy(), token.createdAt(), token.ownerId(), token.expiresAt()));
    }

    Optional<Found> byHash(String tokenHash) {
        return store.db().execute().namedGet("tokens.by-hash", tokenHash)
                .map(r -> new Found(token(r), Role.fromWire(r.column("owner_role").get(String.class))));
    }

    Optional<ApiToken> byId(String id) {
        return store.db().execute().namedGet("tokens.by-id", id).map(ApiTokenStore::token);
    }

    /** The id of a token whose owner is gone (a token from before owners existed): found, so it can be revoked. */
    boolean exists(String id) {
        return store.db().execute().namedGet("tokens.exists", id).isPresent();
    }

    List<ApiToken> list() {
        return store.db().execute().namedQuery("tokens.list").map(ApiTokenStore::token).toList();
    }

    void touch(String id, String at) {
        store.write(tx -> tx.update("tokens.touch", at, id));
    }

    boolean delete(String id) {
        return store.write(tx -> tx.update("tokens.delete", id)) > 0;
    }

    private static ApiToken token(DbRow r) {
        return new ApiToken(r.column("id").get(String.class), r.column("name").get(String.class),
                            Role.fromWire(r.column("role").get(String.class)), r.column("created_by").get(String.class),
                            r.column("created_at").get(String.class), r.column("last_used_at").get(String.class),
                            r.column("owner_id").get(String.class), r.column("owner").get(String.class),
                            r.column("expires_at").get(String.class),
                            r.column("owner_disabled_at").get(String.class) != null);
    }
}
