package io.resticmanager.gateway;

import io.helidon.security.AuthenticationResponse;
import io.helidon.security.Principal;
import io.helidon.security.ProviderRequest;
import io.helidon.security.Role;
import io.helidon.security.Subject;
import io.helidon.security.spi.AuthenticationProvider;

import java.util.List;
import java.util.Map;

/**
 * helidon-security provider for our two credentials (session cookie, API token). The subject gets a role grant
 * for its role and every weaker one (admin ⊃ operator ⊃ viewer), so role checks are plain
 * {@code isUserInRole(required)}; the {@link Caller} rides along as a public credential.
 */
final class RmAuthenticationProvider implements AuthenticationProvider {
    private final Authenticator authenticator;

    RmAuthenticationProvider(Authenticator authenticator) {
        this.authenticator = authenticator;
    }

    @Override
    public AuthenticationResponse authenticate(ProviderRequest request) {
        Map<String, List<String>> headers = request.env().headers();
        if (!Authenticator.presentsCredentials(headers)) {
            return AuthenticationResponse.abstain();
        }
        return authenticator.authenticate(headers)
                .map(RmAuthenticationProvider::subject)
                .map(AuthenticationResponse::success)
                .orElseGet(() -> AuthenticationResponse.failed("unknown, expired or revoked credential"));
    }

    private static Subject subject(Caller caller) {
        Subject.Builder subject = Subject.builder()
                .principal(Principal.builder().name(caller.principal().username()).id(caller.principal().userId())
                                   .build())
                .addPublicCredential(Caller.class, caller);
        for (io.resticmanager.proto.Role role : io.resticmanager.proto.Role.values()) {
            if (caller.principal().role().atLeast(role)) {
                subject.addGrant(Role.create(role.wire()));
            }
        }
        return subject.build();
    }
}
