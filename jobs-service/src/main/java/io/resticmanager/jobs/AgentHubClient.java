package io.resticmanager.jobs;

import io.helidon.http.Method;
import io.resticmanager.kit.InternalClient;
import io.resticmanager.kit.Problem;
import io.resticmanager.proto.Json;
import io.resticmanager.proto.Message;
import io.resticmanager.proto.internal.AgentCommand;
import io.resticmanager.proto.internal.HubAgents;

import java.util.List;
import java.util.Optional;

/** Outbound calls to agent-hub: deliver commands to an agent, read presence. */
final class AgentHubClient {
    /** What became of a command. */
    enum Delivery {
        DELIVERED, OFFLINE, UNKNOWN_HOST, UNAVAILABLE
    }

    private final InternalClient client;

    AgentHubClient(InternalClient client) {
        this.client = client;
    }

    Delivery startJob(String hostId, Message.JobStart start) {
        return send(hostId, "job.start", start);
    }

    Delivery cancelJob(String hostId, String jobId) {
        return send(hostId, "job.cancel", new Message.JobCancel(jobId));
    }

    /** The host's full list of enabled schedules; the agent replaces its copy with it. */
    Delivery syncSchedules(String hostId, Message.SchedulesSync sync) {
        return send(hostId, "schedules.sync", sync);
    }

    private Delivery send(String hostId, String type, Message payload) {
        AgentCommand command = new AgentCommand(type, Json.MAPPER.valueToTree(payload));
        InternalClient.Reply reply;
        try {
            reply = client.call(Method.POST, "/internal/agents/" + hostId + "/commands", command, Optional.empty());
        } catch (Problem p) {
            return Delivery.UNAVAILABLE;
        }
        if (reply.ok()) {
            return Delivery.DELIVERED;
        }
        return switch (reply.status()) {
            case 409 -> Delivery.OFFLINE;
            case 404 -> Delivery.UNKNOWN_HOST;
            default -> Delivery.UNAVAILABLE;
        };
    }

    /** Every agent's presence, or empty when the hub cannot be asked right now. */
    Optional<List<HubAgents.Presence>> agents() {
        try {
            InternalClient.Reply reply = client.call(Method.GET, "/internal/agents", null, Optional.empty());
            if (!reply.ok()) {
                return Optional.empty();
            }
            return Optional.of(reply.as(HubAgents.PresenceList.class).items().stream()
                                       .filter(p -> p.hostId() != null).toList());
        } catch (Problem | IllegalArgumentException e) {
            // unreachable, or an answer of another shape: presence waits for the hub's own events
            return Optional.empty();
        }
    }
}
