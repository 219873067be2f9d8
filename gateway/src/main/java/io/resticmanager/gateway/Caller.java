package io.resticmanager.gateway;

import io.resticmanager.proto.Principal;

/**
 * An authenticated caller: a browser session (CSRF token required on unsafe methods) or an API token.
 *
 * @param credentialId the session's token hash or the API token's id
 * @param csrfToken    the session's CSRF token; empty for API tokens
 * @param auditName    how the audit log names the caller: the username or {@code token:<name>}
 */
record Caller(Principal principal, Kind kind, String credentialId, String csrfToken, String auditName) {
    enum Kind { SESSION, API_TOKEN }

    boolean session() {
        return kind == Kind.SESSION;
    }
}
