package io.resticmanager.hub;

import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.resticmanager.kit.Http;
import io.resticmanager.kit.InternalAuth;
import io.resticmanager.kit.Problem;
import io.resticmanager.proto.ProblemBody;
import io.resticmanager.proto.Role;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code GET /api/agents} and {@code GET /api/agents/{id}} (presence, versions and protocol, for viewers), and the
 * plain-HTTP answer to a refused WebSocket upgrade.
 */
final class AgentRoutes implements HttpService {
    private final AgentHub hub;

    AgentRoutes(AgentHub hub) {
        this.hub = hub;
    }

    /** One agent's presence. */
    record AgentView(String hostId, String hostname, boolean online, boolean disabled, Instant lastSeenAt,
                     String os, String arch, String agentVersion, String resticVersion, Integer protocolVersion,
                     Instant enrolledAt) {
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/api/agents", this::list)
                .get("/api/agents/{id}", this::one)
                .get("/ws/agent", this::refusedUpgrade);
    }

    private void list(ServerRequest req, ServerResponse res) {
        InternalAuth.require(req, Role.VIEWER);
        Http.json(res, Map.of("items", presence(hub)));
    }

    private void one(ServerRequest req, ServerResponse res) {
        InternalAuth.require(req, Role.VIEWER);
        String id = req.path().pathParameters().get("id");
        Http.json(res, hub.store().agent(id).filter(a -> !a.revoked()).map(a -> view(hub, a))
                .orElseThrow(() -> Problem.notFound("no agent for host " + id)));
    }

    static List<AgentView> presence(AgentHub hub) {
        return hub.store().agents().stream().map(a -> view(hub, a)).toList();
    }

    private static AgentView view(AgentHub hub, AgentRecord a) {
        Optional<AgentConnection> conn = hub.registry().connection(a.hostId());
        Instant lastSeen = conn.map(c -> Instant.ofEpochMilli(c.lastSeenMs())).orElse(a.lastSeenAt());
        return new AgentView(a.hostId(), a.hostname(), conn.isPresent(), a.disabled(), lastSeen, a.os(), a.arch(),
                             a.agentVersion(), a.resticVersion(), a.protocolVersion(), a.enrolledAt());
    }

    /** A GET of {@code /ws/agent} without an upgrade (with one, the WebSocket route takes it). */
    private void refusedUpgrade(ServerRequest req, ServerResponse res) {
        throw Problem.badRequest("this endpoint needs a WebSocket upgrade");
    }

    /**
     * Helidon routes WebSocket upgrades through the HTTP filters first, and answers a refusal in
     * {@code onHttpUpgrade} with a bare 400; checking the credential here gives agents a 401 (unknown or
     * revoked) or 403 (disabled) problem they can act on. {@link AgentEndpoint} checks again.
     */
    static Filter credentialFilter(AgentHub hub) {
        return (FilterChain chain, RoutingRequest req, RoutingResponse res) -> {
            if (!req.path().path().equals("/ws/agent")) {
                chain.proceed();
                return;
            }
            Optional<AgentRecord> agent = AgentEndpoint.bearer(req.headers()).flatMap(hub.store()::agentByTokenHash);
            if (agent.isEmpty()) {
                Http.problem(res, ProblemBody.of(401, "Unauthorized", "agent credential missing, unknown or revoked"));
            } else if (agent.get().disabled()) {
                Http.problem(res, ProblemBody.of(403, "Forbidden", "host " + agent.get().hostId() + " is disabled"));
            } else {
                chain.proceed();
            }
        };
    }
}
