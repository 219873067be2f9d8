package io.resticmanager.gateway;

import io.resticmanager.kit.SqliteStore;
import io.resticmanager.kit.Times;
import io.resticmanager.proto.Json;

import java.util.List;
import java.util.Optional;

/**
 * Provider identities ({@code oidc_identities}: issuer + subject → user) and the run-time login settings
 * ({@code auth_settings}). Statements {@code oidc.*} and {@code settings.*} in {@code db/statements.sql}.
 */
final class OidcStore {
    /** Whether local password login is open to every local account or only to break-glass ones. */
    enum LocalLogin {
        ALL("all"), BREAK_GLASS("break-glass");

        final String wire;

        LocalLogin(String wire) {
            this.wire = wire;
        }

        static Optional<LocalLogin> parse(String text) {
            for (LocalLogin l : values()) {
                if (l.wire.equals(text)) {
                    return Optional.of(l);
                }
            }
            return Optional.empty();
        }
    }

    record Settings(LocalLogin localLogin, String updatedAt, String updatedBy) {
    }

    record Link(String issuer, String subject, String userId, List<String> groups, String lastLoginAt) {
    }

    private final SqliteStore store;

    OidcStore(SqliteStore store) {
        this.store = store;
    }

    Optional<Link> find(String issuer, String subject) {
        return store.db().execute().namedGet("oidc.find", issuer, subject).map(r -> new Link(
                r.column("issuer").get(String.class), r.column("subject").get(String.class),
                r.column("user_id").get(String.class),
                List.of(Json.read(r.column("groups_json").get(String.class), String[].class)),
                r.column("last_login_at").get(String.class)));
    }

    /** Creates the user and its link in one transaction. */
    void insert(User user, String issuer, String subject, List<String> groups) {
        String now = Times.now();
        store.write(tx -> {
            tx.update("users.insert", user.id(), user.username(), "!oidc", user.role().wire(), user.createdAt(), now,
                      User.OIDC, 0);
            return tx.update("oidc.insert", issuer, subject, user.id(), Json.write(groups), now);
        });
    }

    void recordLogin(String issuer, String subject, List<String> groups) {
        store.write(tx -> tx.update("oidc.update", Json.write(groups), Times.now(), issuer, subject));
    }

    Settings settings() {
        return store.db().execute().namedGet("settings.get").map(r -> new Settings(
                LocalLogin.parse(r.column("local_login").get(String.class)).orElse(LocalLogin.ALL),
                r.column("updated_at").get(String.class), r.column("updated_by").get(String.class)))
                .orElse(new Settings(LocalLogin.ALL, "", ""));
    }

    /** Sets the local-login rule; switching it off ends the sessions of local accounts that are not break-glass. */
    void setLocalLogin(LocalLogin value, String by) {
        store.write(tx -> {
            tx.update("settings.set-local-login", value.wire, Times.now(), by);
            return value == LocalLogin.BREAK_GLASS ? tx.update("sessions.delete-local-login") : 0;
        });
    }
}
