package io.resticmanager.gateway;

import io.resticmanager.proto.Role;

/**
 * A dashboard/API user as the API shows it (never the password hash).
 *
 * @param source     {@code local} (a password in this database) or {@code oidc} (the identity provider vouches)
 * @param breakGlass a local account that keeps password login when local login is switched off for everyone else
 * @param ssoRefusedAt set when the identity provider no longer grants the user a role; its sessions and tokens stop
 */
record User(String id, String username, Role role, String createdAt, String source, boolean breakGlass,
            String ssoRefusedAt) {
    static final String LOCAL = "local";
    static final String OIDC = "oidc";

    static User local(String id, String username, Role role, String createdAt, boolean breakGlass) {
        return new User(id, username, role, createdAt, LOCAL, breakGlass, null);
    }

    boolean oidc() {
        return OIDC.equals(source);
    }
}
