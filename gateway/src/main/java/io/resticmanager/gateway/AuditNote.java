package io.resticmanager.gateway;

import java.util.Optional;

/**
 * Per-request notes for the audit row the guard writes when the request ends: handlers and the proxy fill
 * in the semantic action/target (from the service's X-RM-Audit-* headers) and, for logins, the username.
 */
final class AuditNote {
    private volatile String user;
    private volatile String action;
    private volatile String target;

    void user(String user) {
        this.user = user;
    }

    void action(String action, String target) {
        this.action = action;
        this.target = target;
    }

    void action(String action) {
        this.action = action;
    }

    Optional<String> user() {
        return Optional.ofNullable(user);
    }

    Optional<String> action() {
        return Optional.ofNullable(action);
    }

    Optional<String> target() {
        return Optional.ofNullable(target);
    }
}
