package io.resticmanager.ui;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.resticmanager.kit.Http;
import io.resticmanager.kit.InternalAuth;
import io.resticmanager.proto.Principal;
import io.resticmanager.proto.Role;

import java.util.Optional;

/**
 * What the gateway tells us about the browser behind a page request: the user (absent on /login and
 * /setup), the session's CSRF token and the browser's cookies, address and scheme, which we forward to the
 * public API (the scheme decides whether the session cookie it sets is {@code Secure}).
 */
record Session(Optional<Principal> principal, String csrf, String cookie, String forwardedFor, String forwardedProto) {
    static final HeaderName CSRF = HeaderNames.create("X-RM-CSRF");

    static Session of(ServerRequest req) {
        return new Session(InternalAuth.principal(req),
                           req.headers().first(CSRF).orElse(""),
                           req.headers().first(HeaderNames.COOKIE).orElse(""),
                           req.headers().first(Http.FORWARDED_FOR).orElse(""),
                           req.headers().first(Http.FORWARDED_PROTO).orElse(""));
    }

    boolean loggedIn() {
        return principal.isPresent();
    }

    boolean atLeast(Role role) {
        return principal.map(p -> p.role().atLeast(role)).orElse(false);
    }

    boolean operator() {
        return atLeast(Role.OPERATOR);
    }

    boolean admin() {
        return atLeast(Role.ADMIN);
    }
}
