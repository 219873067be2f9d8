package io.resticmanager.gateway;

import io.helidon.dbclient.DbRow;
import io.resticmanager.kit.SqliteStore;
import io.resticmanager.kit.Times;
import io.resticmanager.proto.Role;

import java.util.List;
import java.util.Optional;

/** Users; passwords arrive already hashed. Statements {@code users.*} in {@code db/statements.sql}. */
final class UserStore {
    /** A user with its stored password hash, for login only. */
    record Credentials(User user, String passwordHash) {
    }

    private final SqliteStore store;

    UserStore(SqliteStore store) {
        this.store = store;
    }

    /** Every admin, disabled ones included (setup is done once there was one). */
    long countAdmins() {
        return store.db().execute().namedGet("users.count-admins")
                .map(r -> r.column("n").get(Number.class).longValue()).orElse(0L);
    }

    /** The admins who can log in: the last of them is never demoted, disabled or deleted. */
    long countActiveAdmins() {
        return store.db().execute().namedGet("users.count-active-admins")
                .map(r -> r.column("n").get(Number.class).longValue()).orElse(0L);
    }

    /** Local admins: setup is open until there is one (an admin from single sign-on does not close it). */
    long countLocalAdmins() {
        return store.db().execute().namedGet("users.count-local-admins")
                .map(r -> r.column("n").get(Number.class).longValue()).orElse(0L);
    }

    void insert(User user, String passwordHash) {
        store.write(tx -> tx.update("users.insert", user.id(), user.username(), passwordHash, user.role().wire(),
                                    user.createdAt(), Times.now(), user.source(), user.breakGlass() ? 1 : 0));
    }

    /** Local accounts that keep password login when it is switched off for everyone else (and can use it). */
    long countBreakGlass() {
        return store.db().execute().namedGet("users.count-break-glass")
                .map(r -> r.column("n").get(Number.class).longValue()).orElse(0L);
    }

    void updateBreakGlass(String id, boolean breakGlass) {
        store.write(tx -> tx.update("users.update-break-glass", breakGlass ? 1 : 0, Times.now(), id));
    }

    /** The provider no longer grants this user a role: its sessions and API tokens stop at their next use. */
    void refuseSso(String id) {
        String now = Times.now();
        store.write(tx -> {
            tx.update("users.sso-refuse", now, now, id);
            return tx.update("sessions.delete-for-user", id);
        });
    }

    void clearSsoRefusal(String id) {
        store.write(tx -> tx.update("users.sso-clear", Times.now(), id));
    }

    Optional<Credentials> byUsername(String username) {
        return store.db().execute().namedGet("users.by-username", username)
                .map(r -> new Credentials(user(r), r.column("password_hash").get(String.class)));
    }

    Optional<User> byId(String id) {
        return store.db().execute().namedGet("users.by-id", id).map(UserStore::user);
    }

    List<User> list() {
        return store.db().execute().namedQuery("users.list").map(UserStore::user).toList();
    }

    boolean usernameTaken(String username) {
        return byUsername(username).isPresent();
    }

    void updateRole(String id, Role role) {
        store.write(tx -> tx.update("users.update-role", role.wire(), Times.now(), id));
    }

    void updatePassword(String id, String passwordHash) {
        store.write(tx -> tx.update("users.update-password", passwordHash, Times.now(), id));
    }

    /** Disables (at {@code at}) or enables ({@code at} null) a user. */
    void setDisabled(String id, String at) {
        store.write(tx -> tx.update("users.set-disabled", at, Times.now(), id));
    }

    /** Deleting a user deletes its sessions and API tokens too (foreign key cascade). */
    boolean delete(String id) {
        return store.write(tx -> tx.update("users.delete", id)) > 0;
    }

    private static User user(DbRow r) {
        return new User(r.column("id").get(String.class), r.column("username").get(String.class),
                        Role.fromWire(r.column("role").get(String.class)), r.column("created_at").get(String.class),
                        r.column("disabled_at").asOptional().map(Object::toString).orElse(null),
                        r.column("source").get(String.class),
                        r.column("break_glass").get(Number.class).intValue() == 1,
                        r.column("sso_refused_at").asOptional().map(Object::toString).orElse(null));
    }
}
