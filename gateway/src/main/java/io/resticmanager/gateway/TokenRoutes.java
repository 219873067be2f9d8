package io.resticmanager.gateway;

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
    record CreateToken(String name, Role role) {
    }

    record Created(String id, String name, Role role, String token) {
    }

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
        Caller caller = req.context().get(Caller.class).orElseThrow(() -> Problem.unauthorized("login required"));
        String value = Tokens.random(Authenticator.API_TOKEN_PREFIX);
        ApiToken token = new ApiToken(UUID.randomUUID().toString(), body.name().strip(), body.role(),
                                      caller.auditName(), Times.now(), null);
        tokens.insert(token, Tokens.sha256(value));
        AuthRoutes.note(req).action("token.create", "token=" + token.name() + " id=" + token.id()
                + " role=" + token.role().wire());
        Http.json(res, 201, new Created(token.id(), token.name(), token.role(), value));
    }

    private void revoke(ServerRequest req, ServerResponse res) {
        String id = req.path().pathParameters().get("id");
        ApiToken token = tokens.byId(id).orElseThrow(() -> Problem.notFound("no token " + id));
        AuthRoutes.note(req).action("token.revoke", "token=" + token.name() + " id=" + id);
        tokens.delete(id);
        res.status(204).send();
    }
}
