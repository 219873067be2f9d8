package io.resticmanager.inventory;

import io.helidon.http.Method;
import io.resticmanager.kit.InternalClient;
import io.resticmanager.kit.Problem;
import io.resticmanager.proto.internal.HubAgents;

import java.util.Optional;

/**
 * Tells agent-hub at once when a host is disabled, enabled or removed. Any failure is a 503
 * {@link Problem} so the caller changes nothing locally; a host the hub does not know counts as done
 * (its agent cannot connect anyway).
 */
final class AgentHubClient {
    private final InternalClient client;

    AgentHubClient(InternalClient client) {
        this.client = client;
    }

    void setDisabled(String hostId, boolean disabled) {
        expect(client.call(Method.PUT, "/internal/agents/" + hostId + "/disabled", new HubAgents.Disabled(disabled),
                           Optional.empty()), "could not " + (disabled ? "disable" : "enable") + " the agent");
    }

    void revoke(String hostId) {
        expect(client.call(Method.POST, "/internal/agents/" + hostId + "/revoke", null, Optional.empty()),
               "could not revoke the agent's credential");
    }

    private static void expect(InternalClient.Reply reply, String what) {
        if (reply.ok() || reply.status() == 404) {
            return;
        }
        throw Problem.unavailable("agent-hub answered " + reply.status() + ": " + what + "; nothing was changed, "
                                          + "try again");
    }
}
