package io.resticmanager.hub;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.resticmanager.kit.Http;
import io.resticmanager.kit.Problem;
import io.resticmanager.proto.Envelope;
import io.resticmanager.proto.Json;
import io.resticmanager.proto.Message;
import io.resticmanager.proto.MessageType;
import io.resticmanager.proto.internal.AgentCommand;
import io.resticmanager.proto.internal.HubAgents;

import java.lang.System.Logger.Level;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;

/** {@code /internal/agents/**}: what jobs-service and inventory-service ask of the hub. */
final class InternalRoutes implements HttpService {
    private static final System.Logger LOG = System.getLogger(InternalRoutes.class.getName());
    /** What services may send to an agent. */
    static final Set<MessageType> COMMANDS = EnumSet.of(MessageType.JOB_START, MessageType.JOB_CANCEL,
                                                        MessageType.SCHEDULES_SYNC, MessageType.FS_LIST);

    private final AgentHub hub;

    InternalRoutes(AgentHub hub) {
        this.hub = hub;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/internal/agents", this::list)
                .post("/internal/agents/{host_id}/commands", this::command)
                .post("/internal/agents/{host_id}/revoke", this::revoke)
                .put("/internal/agents/{host_id}/disabled", this::disabled);
    }

    private void list(ServerRequest req, ServerResponse res) {
        Http.json(res, new HubAgents.PresenceList(AgentRoutes.presence(hub).stream()
                .map(a -> new HubAgents.Presence(a.hostId(), a.hostname(), a.online(), a.disabled(), a.lastSeenAt(),
                                                 a.agentVersion(), a.resticVersion()))
                .toList()));
    }

    private void command(ServerRequest req, ServerResponse res) {
        String hostId = req.path().pathParameters().get("host_id");
        AgentCommand body = Http.body(req, AgentCommand.class);
        MessageType type = type(body, COMMANDS);
        Message payload = decode(type, body.payload());
        AgentConnection conn = connection(hub, hostId);
        Envelope envelope = Envelope.of(payload);
        if (!conn.send(envelope)) {
            throw Problem.conflict("host " + hostId + " is offline");
        }
        LOG.log(Level.DEBUG, "delivered " + type.wire() + " " + envelope.id() + " to host " + hostId);
        Http.json(res, new AgentCommand.Delivered(true, envelope.id()));
    }

    /** The frame type a command or request body names, if it is one of {@code allowed} (else 400). */
    static MessageType type(AgentCommand body, Set<MessageType> allowed) {
        return MessageType.fromWire(body.type() == null ? "" : body.type())
                .filter(allowed::contains)
                .orElseThrow(() -> Problem.badRequest("type must be one of " + allowed.stream()
                        .map(MessageType::wire).collect(Collectors.joining(", "))));
    }

    /** The open socket of an enrolled, not revoked agent: 404 when there is none, 409 when it is offline. */
    static AgentConnection connection(AgentHub hub, String hostId) {
        AgentRecord agent = hub.store().agent(hostId)
                .filter(a -> !a.revoked())
                .orElseThrow(() -> Problem.notFound("no agent enrolled for host " + hostId));
        return hub.registry().connection(agent.hostId())
                .orElseThrow(() -> Problem.conflict("host " + hostId + " is offline"));
    }

    /** The payload as its message record; messages stay generic so no secret ends up in the problem. */
    static Message decode(MessageType type, JsonNode payload) {
        if (payload == null || !payload.isObject()) {
            throw Problem.badRequest("payload must be a JSON object (" + type.wire() + ")");
        }
        try {
            return Json.MAPPER.treeToValue(payload, type.payloadType());
        } catch (ValueInstantiationException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw Problem.badRequest("invalid " + type.wire() + " payload: " + cause.getMessage());
        } catch (MismatchedInputException e) {
            String field = e.getPath().isEmpty() ? "" : " (field " + e.getPath().getLast().getFieldName() + ")";
            throw Problem.badRequest("invalid " + type.wire() + " payload: wrong JSON type" + field);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw Problem.badRequest("invalid " + type.wire() + " payload");
        }
    }

    private void revoke(ServerRequest req, ServerResponse res) {
        String hostId = req.path().pathParameters().get("host_id");
        if (!hub.store().revoke(hostId, Instant.now())) {
            throw Problem.notFound("no agent enrolled for host " + hostId);
        }
        hub.registry().disconnect(hostId, "credential revoked");
        LOG.log(Level.INFO, "host " + hostId + ": agent credential revoked");
        Http.audit(res, "agent.revoke", "host=" + hostId);
        res.status(204).send();
    }

    private void disabled(ServerRequest req, ServerResponse res) {
        String hostId = req.path().pathParameters().get("host_id");
        HubAgents.Disabled body = Http.body(req, HubAgents.Disabled.class);
        if (body.disabled() == null) {
            throw Problem.badRequest("disabled (true or false) is required");
        }
        if (!hub.store().setDisabled(hostId, body.disabled())) {
            throw Problem.notFound("no agent enrolled for host " + hostId);
        }
        if (body.disabled()) {
            hub.registry().disconnect(hostId, "host disabled");
        }
        LOG.log(Level.INFO, "host " + hostId + (body.disabled() ? " disabled" : " enabled"));
        Http.audit(res, body.disabled() ? "agent.disable" : "agent.enable", "host=" + hostId);
        res.status(204).send();
    }
}
