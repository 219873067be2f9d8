package io.resticmanager.gateway;

import io.helidon.dbclient.DbClient;
import io.helidon.dbclient.DbRow;
import io.resticmanager.proto.Role;

import java.util.List;
import java.util.Optional;

/** SQL for API tokens, stored as sha256 of the value. */
final class ApiTokenStore {
    private static final String COLUMNS = "id, name, role, created_by, created_at, last_used_at";
    private final DbClient db;

    ApiTokenStore(DbClient db) {
        this.db = db;
    }

    void insert(ApiToken token, String tokenHash) {
        db.execute().insert("INSERT INTO api_tokens (id, name, token_hash, role, created_by, created_at) "
                                    + "VALUES (?, ?, ?, ?, ?, ?)",
                            token.id(), token.name(), tokenHash, token.role().wire(), token.createdBy(),
                            token.createdAt());
    }

    Optional<ApiToken> byHash(String tokenHash) {
        return db.execute().get("SELECT " + COLUMNS + " FROM api_tokens WHERE token_hash = ?", tokenHash)
                .map(ApiTokenStore::token);
    }

    Optional<ApiToken> byId(String id) {
        return db.execute().get("SELECT " + COLUMNS + " FROM api_tokens WHERE id = ?", id).map(ApiTokenStore::token);
    }

    List<ApiToken> list() {
        return db.execute().query("SELECT " + COLUMNS + " FROM api_tokens ORDER BY created_at, name")
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
                            r.column("created_at").get(String.class), r.column("last_used_at").get(String.class));
    }
}
