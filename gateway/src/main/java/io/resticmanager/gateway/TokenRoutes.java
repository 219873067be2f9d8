package io.resticmanager.gateway;

import io.resticmanager.kit.Times;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.resticmanager.kit.Http;
import io.resticmanager.kit.Problem;
import io.resticmanager.kit.Tokens;
import io.resticmanager.proto.Role;

import java.util.Map;
import java.util.UUID;

/** API tokens: created (value shown once), listed (never the value), revoked. Admin only (route table). */
final class TokenRoutes implements HttpService {
    /** {@code expires_in_days}: 1 to 3650, default {@value #DEFAULT_DAYS}. */
    record CreateToken(String name, Role role, Integer expiresInDays) {
    }

    record Created(String id, String name, Role role, String token, String owner, String expiresAt) {
    }

    static final int DEFAULT_DAYS = 90;

    private final ApiTokenStore tokens;

    TokenRoutes(ApiTokenStore tokens) {
        this.tokens = tokens;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/api/tokens", this::list)
                .post("/api/tokens", this::create)
                .delete("/api/tokens/{id}", this::revoke);
    }

    private void list(ServerRequest req, ServerResponse res) {
        Http.json(res, Map.of("items", tokens.list()));
    }

    private void create(ServerRequest req, ServerResponse res) {
        CreateToken body = Http.body(req, CreateToken.class);
        if (body.name() == null || body.name().isBlank() || body.name().length() > 100) {
            throw Problem.unprocessable("name is required (at most 100 characters)");
        }
        if (body.role() == null) {
            throw Problem.unprocessable("role is required (admin, operator or viewer)");
        }
        int days = body.expiresInDays() == null ? DEFAULT_DAYS : body.expiresInDays();
        if (days < 1 || days > 3650) {
            throw Problem.unprocessable("expires_in_days must be 1 to 3650");
        }
        Caller caller = req.context().get(Caller.class).orElseThrow(() -> Problem.unauthorized("login required"));
        if (!caller.principal().role().atLeast(body.role())) {
            throw Problem.forbidden("a token cannot have more rights than its owner");
        }
        String ownerId = ownerOf(caller);
        String value = Tokens.random(Authenticator.API_TOKEN_PREFIX);
        java.time.Instant now = java.time.Instant.now();
        ApiToken token = new ApiToken(UUID.randomUUID().toString(), body.name().strip(), body.role(),
                                      caller.auditName(), Times.format(now), null, ownerId, null,
                                      Times.format(now.plus(java.time.Duration.ofDays(days))), false);
        tokens.insert(token, Tokens.sha256(value));
        AuthRoutes.note(req).action("token.create", "token=" + token.name() + " id=" + token.id()
                + " role=" + token.role().wire());
        Http.json(res, 201, new Created(token.id(), token.name(), token.role(), value,
                                        tokens.byId(token.id()).map(ApiToken::owner).orElse(null), token.expiresAt()));
    }

    /** The user a new token belongs to: the logged-in user, or the owner of the token making it. */
    private String ownerOf(Caller caller) {
        if (caller.kind() == Caller.Kind.API_TOKEN) {
            return tokens.byId(caller.credentialId()).map(ApiToken::ownerId)
                    .orElseThrow(() -> Problem.unauthorized("the calling token has no owner"));
        }
        return caller.principal().userId();
    }

    private void revoke(ServerRequest req, ServerResponse res) {
        String id = req.path().pathParameters().get("id");
        String name = tokens.byId(id).map(ApiToken::name).orElse(null);
        if (name == null && !tokens.exists(id)) {
            throw Problem.notFound("no token " + id);
        }
        AuthRoutes.note(req).action("token.revoke", "token=" + name + " id=" + id);
        tokens.delete(id);
        res.status(204).send();
    }
}
