package io.resticmanager.gateway;

import io.helidon.security.AuthenticationResponse;
import io.helidon.security.Security;
import io.helidon.security.SecurityContext;
import io.helidon.security.SecurityResponse;
import io.resticmanager.kit.Tokens;
import io.resticmanager.proto.Role;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Authentication and role checks through helidon-security: one provider ({@link RmAuthenticationProvider}),
 * HTTP requests get their {@link SecurityContext} from helidon-webserver-security, WebSocket upgrades (which
 * never reach HTTP routing) build one here from the upgrade headers.
 */
final class GatewaySecurity {
    private final Security security;

    GatewaySecurity(Authenticator authenticator) {
        this.security = Security.builder()
                .addAuthenticationProvider(new RmAuthenticationProvider(authenticator), "rm")
                .build();
    }

    Security security() {
        return security;
    }

    /** A context for a request that bypasses HTTP routing (WebSocket upgrade). */
    SecurityContext context(String method, String path, Map<String, List<String>> headers) {
        return security.contextBuilder(Tokens.random("ws_"))
                .env(security.environmentBuilder().method(method).path(path).headers(headers).build())
                .build();
    }

    /** Runs the provider; empty means anonymous (no, unknown, expired or revoked credentials). */
    static Optional<Caller> authenticate(SecurityContext context) {
        AuthenticationResponse response = context.authenticate();
        if (response.status() != SecurityResponse.SecurityStatus.SUCCESS
                && response.status() != SecurityResponse.SecurityStatus.SUCCESS_FINISH) {
            return Optional.empty();
        }
        return context.user().flatMap(s -> s.publicCredential(Caller.class));
    }

    static boolean hasRole(SecurityContext context, Role role) {
        return context.isUserInRole(role.wire());
    }
}
