package io.resticmanager.gateway;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.resticmanager.proto.Role;

/**
 * A dashboard/API user as the API shows it (never the password hash). A disabled user ({@code disabledAt} set)
 * cannot log in, has no sessions and its API tokens do not work.
 *
 * @param source       {@code local} (a password in this database) or {@code oidc} (the identity provider vouches)
 * @param breakGlass   a local account that keeps password login when local login is switched off for everyone else
 * @param ssoRefusedAt set when the identity provider no longer grants the user a role; its sessions and tokens stop
 *                     (the provider's decision, lifted by a later mapped login; apart from an admin disabling a user)
 */
record User(String id, String username, Role role, String createdAt, String disabledAt, String source,
            boolean breakGlass, String ssoRefusedAt) {
    static final String LOCAL = "local";
    static final String OIDC = "oidc";

    static User local(String id, String username, Role role, String createdAt, boolean breakGlass) {
        return new User(id, username, role, createdAt, null, LOCAL, breakGlass, null);
    }

    boolean oidc() {
        return OIDC.equals(source);
    }

    /** Always in the JSON (false for an active user), so a client need not know that null means active. */
    @JsonProperty("disabled")
    public boolean disabled() {
        return disabledAt != null;
    }
}
