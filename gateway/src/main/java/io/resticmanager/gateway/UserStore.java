package io.resticmanager.gateway;

import io.helidon.dbclient.DbClient;
import io.helidon.dbclient.DbRow;
import io.resticmanager.proto.Role;

import java.util.List;
import java.util.Optional;

/** SQL for users; passwords arrive already hashed. */
final class UserStore {
    /** A user with its stored password hash, for login only. */
    record Credentials(User user, String passwordHash) {
    }

    private static final String COLUMNS = "id, username, role, created_at, password_hash";
    private final DbClient db;

    UserStore(DbClient db) {
        this.db = db;
    }

    long countAdmins() {
        return db.execute().get("SELECT COUNT(*) AS n FROM users WHERE role = 'admin'")
                .map(r -> r.column("n").get(Number.class).longValue()).orElse(0L);
    }

    void insert(User user, String passwordHash) {
        String now = Times.now();
        db.execute().insert("INSERT INTO users (id, username, password_hash, role, created_at, updated_at) "
                                    + "VALUES (?, ?, ?, ?, ?, ?)",
                            user.id(), user.username(), passwordHash, user.role().wire(), user.createdAt(), now);
    }

    Optional<Credentials> byUsername(String username) {
        return db.execute().get("SELECT " + COLUMNS + " FROM users WHERE username = ?", username)
                .map(r -> new Credentials(user(r), r.column("password_hash").get(String.class)));
    }

    Optional<User> byId(String id) {
        return db.execute().get("SELECT " + COLUMNS + " FROM users WHERE id = ?", id).map(UserStore::user);
    }

    List<User> list() {
        return db.execute().query("SELECT " + COLUMNS + " FROM users ORDER BY username").map(UserStore::user).toList();
    }

    boolean usernameTaken(String username) {
        return db.execute().get("SELECT 1 AS x FROM users WHERE username = ?", username).isPresent();
    }

    void updateRole(String id, Role role) {
        db.execute().update("UPDATE users SET role = ?, updated_at = ? WHERE id = ?", role.wire(), Times.now(), id);
    }

    void updatePassword(String id, String passwordHash) {
        db.execute().update("UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?",
                            passwordHash, Times.now(), id);
    }

    /** Deleting a user deletes its sessions too (foreign key cascade). */
    boolean delete(String id) {
        return db.execute().delete("DELETE FROM users WHERE id = ?", id) > 0;
    }

    private static User user(DbRow r) {
        return new User(r.column("id").get(String.class), r.column("username").get(String.class),
                        Role.fromWire(r.column("role").get(String.class)), r.column("created_at").get(String.class));
    }
}
