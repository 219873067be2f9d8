package io.resticmanager.inventory;

import io.helidon.http.Method;
import io.resticmanager.kit.InternalClient;
import io.resticmanager.kit.Problem;
import io.resticmanager.proto.Message;
import io.resticmanager.proto.RepoAccess;

import java.util.Map;
import java.util.Optional;

/**
 * Synchronous questions to a host's agent through agent-hub's {@code POST /internal/agents/{id}/requests}
 * (the hub waits up to 20 s for the agent's reply). The repository secrets go in the request body only.
 */
final class HubRequests {
    private final InternalClient client;

    /** {@code client} must read longer than the hub waits (20 s), or a slow answer becomes a 503 here. */
    HubRequests(InternalClient client) {
        this.client = client;
    }

    /**
     * One directory level of a snapshot, listed by the host's agent. Problems: 409 the host is offline
     * (or its agent is not enrolled), 504 the agent did not answer in time, 502 it failed, 503 hub down.
     */
    Message.SnapshotLsResult snapshotLs(String hostId, RepoAccess repo, String snapshotId, String path) {
        InternalClient.Reply reply = client.call(Method.POST, "/internal/agents/" + hostId + "/requests",
                                                 Map.of("type", "snapshot.ls", "payload",
                                                        new Message.SnapshotLs(repo, snapshotId, path)),
                                                 Optional.empty());
        if (reply.ok()) {
            try {
                return reply.as(Message.SnapshotLsResult.class);
            } catch (IllegalArgumentException e) {
                throw new Problem(502, "Bad Gateway", "the agent's listing could not be read");
            }
        }
        throw failed(hostId, reply);
    }

    /** The total size of a file or directory in a snapshot, by the host's agent; problems as for a listing. */
    Message.SnapshotSizeResult snapshotSize(String hostId, RepoAccess repo, String snapshotId, String path) {
        InternalClient.Reply reply = client.call(Method.POST, "/internal/agents/" + hostId + "/requests",
                                                 Map.of("type", "snapshot.size", "payload",
                                                        new Message.SnapshotSize(repo, snapshotId, path)),
                                                 Optional.empty());
        if (reply.ok()) {
            try {
                return reply.as(Message.SnapshotSizeResult.class);
            } catch (IllegalArgumentException e) {
                throw new Problem(502, "Bad Gateway", "the agent's answer could not be read");
            }
        }
        throw failed(hostId, reply);
    }

    /**
     * Asks the host's agent to index a snapshot in the background; it answers at once whether it queued it. Problems
     * as for a listing.
     */
    Message.SnapshotIndexResult snapshotIndex(String hostId, RepoAccess repo, String snapshotId) {
        InternalClient.Reply reply = client.call(Method.POST, "/internal/agents/" + hostId + "/requests",
                                                 Map.of("type", "snapshot.index", "payload",
                                                        new Message.SnapshotIndex(repo, snapshotId)),
                                                 Optional.empty());
        if (reply.ok()) {
            try {
                return reply.as(Message.SnapshotIndexResult.class);
            } catch (IllegalArgumentException e) {
                throw new Problem(502, "Bad Gateway", "the agent's answer could not be read");
            }
        }
        throw failed(hostId, reply);
    }

    private static Problem failed(String hostId, InternalClient.Reply reply) {
        String detail = reply.tree().path("detail").asText("agent-hub answered " + reply.status());
        return switch (reply.status()) {
            case 404, 409 -> Problem.conflict("the agent of host " + hostId + " is offline: browsing a snapshot needs "
                                                      + "it online (" + detail + ")");
            case 502 -> new Problem(502, "Bad Gateway", detail);
            case 504 -> new Problem(504, "Gateway Timeout", detail);
            default -> Problem.unavailable("agent-hub: " + detail);
        };
    }
}
