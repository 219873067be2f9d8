package io.resticmanager.kit;

import io.helidon.config.Config;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.helidon.webserver.http.ServerRequest;
import io.resticmanager.common.SecretFiles;
import io.resticmanager.proto.Principal;
import io.resticmanager.proto.ProblemBody;
import io.resticmanager.proto.Role;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Services behind the gateway answer only callers that present the internal service token
 * (everything but {@code /health}). The gateway forwards the user as {@code X-RM-Principal};
 * it is trusted only because the token came with it.
 */
public final class InternalAuth implements Filter {
    private final String token;

    private InternalAuth(String token) {
        this.token = token;
    }

    public static InternalAuth create(String token) {
        return new InternalAuth(token);
    }

    /** The internal token from {@code RM_INTERNAL_TOKEN_FILE} (default {@code <data>/internal-token}). */
    public static String loadToken(Config config) {
        Path file = config.get("rm.internal-token-file").asString().map(Path::of)
                .orElse(RmConfig.dataDir(config).resolve("internal-token"));
        return SecretFiles.readOrCreate(file, RmConfig.localMode(config), () -> Tokens.random("rmi_"));
    }

    public String token() {
        return token;
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        String path = req.path().path();
        if (path.equals("/health")) {
            chain.proceed();
            return;
        }
        String presented = req.headers().first(Http.INTERNAL_TOKEN).orElse(null);
        if (!Tokens.same(presented, token)) {
            Http.problem(res, ProblemBody.of(401, "Unauthorized", "internal service token required"));
            return;
        }
        Optional<String> principal = req.headers().first(Http.PRINCIPAL);
        if (principal.isPresent()) {
            try {
                req.context().register(Principal.fromHeader(principal.get()));
            } catch (IllegalArgumentException e) {
                Http.problem(res, ProblemBody.of(400, "Bad Request", "malformed X-RM-Principal"));
                return;
            }
        }
        chain.proceed();
    }

    /** The forwarded user, if any. */
    public static Optional<Principal> principal(ServerRequest req) {
        return req.context().get(Principal.class);
    }

    /** Services double-check the role on their own sensitive routes. */
    public static Principal require(ServerRequest req, Role role) {
        Principal principal = principal(req).orElseThrow(() -> Problem.unauthorized("login required"));
        if (!principal.role().atLeast(role)) {
            throw Problem.forbidden("this needs the " + role.wire() + " role; you are " + principal.role().wire());
        }
        return principal;
    }

    /** The caller's source address as the gateway saw it. */
    public static String sourceAddress(ServerRequest req) {
        return req.headers().first(Http.FORWARDED_FOR).orElseGet(() -> req.remotePeer().host());
    }

    static boolean isUpgrade(ServerRequest req) {
        return req.headers().first(HeaderNames.UPGRADE).isPresent();
    }
}
