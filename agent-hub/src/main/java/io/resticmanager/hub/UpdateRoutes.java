package io.resticmanager.hub;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.resticmanager.kit.Http;
import io.resticmanager.kit.InternalAuth;
import io.resticmanager.kit.Problem;
import io.resticmanager.proto.ErrorCode;
import io.resticmanager.proto.Message;
import io.resticmanager.proto.Principal;
import io.resticmanager.proto.Role;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Agent upgrades through the host's package manager (admins only, audited):
 * {@code POST /api/hosts/{host_id}/update} sends {@code agent.update} to that host's agent and answers 202 once
 * the agent started the upgrade (409 offline, not installed from the package, or busy); {@code POST
 * /api/hosts/update} sends it to every host online and answers 202 with each host's outcome. The upgraded agent
 * reconnects with its new version (the host's {@code agent_version}).
 */
final class UpdateRoutes implements HttpService {
    private static final System.Logger LOG = System.getLogger(UpdateRoutes.class.getName());
    private final AgentHub hub;

    /** One host's outcome: {@code started} (with the version it had) or {@code refused} (with why). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Outcome(String hostId, String status, String updateId, String fromVersion, String error, String reason) {
    }

    /** The answer of "update all". */
    record Outcomes(int started, int refused, List<Outcome> items) {
    }

    UpdateRoutes(AgentHub hub) {
        this.hub = hub;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/api/hosts/update", this::updateAll)
                .post("/api/hosts/{host_id}/update", this::update);
    }

    private void update(ServerRequest req, ServerResponse res) {
        Principal who = InternalAuth.require(req, Role.ADMIN);
        String hostId = req.path().pathParameters().get("host_id");
        Http.audit(res, "agent.update", "host=" + hostId);
        Outcome outcome = send(InternalRoutes.connection(hub, hostId));
        LOG.log(Level.INFO, who.username() + " asked host " + hostId + " to update its agent: " + outcome.status());
        if (outcome.error() != null) {
            throw Problem.conflict("host " + hostId + " cannot update its agent now: " + outcome.error() + ": "
                                           + outcome.reason());
        }
        Http.json(res, 202, outcome);
    }

    private void updateAll(ServerRequest req, ServerResponse res) {
        Principal who = InternalAuth.require(req, Role.ADMIN);
        List<AgentConnection> online = hub.registry().onlineConnections().stream()
                .filter(c -> hub.store().agent(c.hostId()).filter(a -> !a.revoked()).isPresent())
                .sorted(Comparator.comparing(AgentConnection::hostId)).toList();
        Http.audit(res, "agent.update.all", "hosts=" + online.size());
        List<Outcome> outcomes = new ArrayList<>();
        // in parallel: each agent answers within the request timeout, the whole fleet within about one
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Outcome>> futures = online.stream().map(c -> pool.submit(() -> sendOrRefused(c))).toList();
            for (Future<Outcome> f : futures) {
                outcomes.add(f.get());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw Problem.unavailable("the hub is shutting down");
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
        int started = (int) outcomes.stream().filter(o -> o.error() == null).count();
        LOG.log(Level.INFO, who.username() + " asked every online host to update its agent: " + started + " of "
                + outcomes.size() + " started");
        Http.json(res, 202, new Outcomes(started, outcomes.size() - started, outcomes));
    }

    private Outcome sendOrRefused(AgentConnection conn) {
        try {
            return send(conn);
        } catch (Problem p) {
            return new Outcome(conn.hostId(), "refused", null, null, "unreachable", p.getMessage());
        }
    }

    private Outcome send(AgentConnection conn) {
        String updateId = UUID.randomUUID().toString();
        Message answer = RequestRoutes.ask(hub, conn, new Message.AgentUpdate(updateId));
        return switch (answer) {
            case Message.AgentUpdateStarted started when started.updateId().equals(updateId) ->
                    new Outcome(conn.hostId(), "started", updateId, started.fromVersion(), null, null);
            case Message.Error error -> new Outcome(conn.hostId(), "refused", updateId, null, error.code(),
                                                    error.message());
            default -> new Outcome(conn.hostId(), "refused", updateId, null, ErrorCode.INVALID_PAYLOAD.wire(),
                                   "the agent answered agent.update with something else");
        };
    }
}
