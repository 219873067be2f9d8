package io.resticmanager.hub;

import io.resticmanager.proto.Message;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Requests to agents that a service is waiting on synchronously (restore browsing): the request frame's
 * envelope id → the future its reply completes. Replies are answers, not events: they never enter the
 * outbox, and a reply nobody waits for any more (timed out, duplicate) is dropped.
 */
final class PendingRequests {
    /** Why a request ended without a usable reply. */
    static final class AgentGone extends RuntimeException {
        AgentGone(String message) {
            super(message, null, false, false);
        }
    }

    private record Pending(AgentConnection conn, CompletableFuture<Message> reply) {
    }

    private final Map<String, Pending> pending = new ConcurrentHashMap<>();

    /** Registers a request before its frame is sent, so even an instant reply finds it. */
    CompletableFuture<Message> register(String envelopeId, AgentConnection conn) {
        CompletableFuture<Message> reply = new CompletableFuture<>();
        pending.put(envelopeId, new Pending(conn, reply));
        return reply;
    }

    /** The request is over (answered, timed out or failed to send). */
    void forget(String envelopeId) {
        pending.remove(envelopeId);
    }

    /**
     * A frame from {@code conn} that answers request {@code corr}. Only the host the request went to may
     * answer it. Returns false when nobody waits for it.
     */
    boolean complete(AgentConnection conn, Optional<String> corr, Message reply) {
        if (corr.isEmpty()) {
            return false;
        }
        Pending p = pending.get(corr.get());
        if (p == null || !p.conn().hostId().equals(conn.hostId())) {
            return false;
        }
        pending.remove(corr.get());
        return p.reply().complete(reply);
    }

    /** A socket closed: the requests sent on it fail now instead of waiting out their timeout. */
    void closed(AgentConnection conn) {
        pending.forEach((id, p) -> {
            if (p.conn() == conn && pending.remove(id, p)) {
                p.reply().completeExceptionally(new AgentGone("host " + conn.hostId()
                        + " disconnected before it answered"));
            }
        });
    }

    int size() {
        return pending.size();
    }
}
