package io.resticmanager.hub;

import io.helidon.http.Method;
import io.resticmanager.kit.InternalClient;
import io.resticmanager.kit.Problem;
import io.resticmanager.proto.Envelope;
import io.resticmanager.proto.ErrorCode;
import io.resticmanager.proto.Message;

import java.util.Optional;

/**
 * Relays an agent's tree-index frames ({@code index.have}, {@code index.upload}, {@code index.root}) to
 * inventory-service for the connection's own host, and answers the agent with inventory's reply, or an {@code error}
 * (invalid_payload when inventory refused the frame — nothing of it was kept — internal when it could not be asked).
 * Runs on the connection's reader, so an agent uploads one frame at a time: the relay is its back-pressure.
 */
final class IndexRelay {
    private final InternalClient inventory;

    IndexRelay(InternalClient inventory) {
        this.inventory = inventory;
    }

    void relay(AgentConnection conn, Envelope request) {
        String what;
        Class<? extends Message> answer;
        switch (request.payload()) {
            case Message.IndexHave h -> {
                what = "have";
                answer = Message.IndexHaveResult.class;
            }
            case Message.IndexUpload u -> {
                what = "upload";
                answer = Message.IndexResult.class;
            }
            case Message.IndexRoot r -> {
                what = "root";
                answer = Message.IndexResult.class;
            }
            default -> throw new IllegalArgumentException("not an index frame: " + request.type().wire());
        }
        Message reply;
        try {
            InternalClient.Reply r = inventory.call(Method.POST, "/internal/hosts/" + conn.hostId() + "/index/" + what,
                                                    request.payload(), Optional.empty());
            if (r.ok()) {
                reply = r.as(answer);
            } else {
                String detail = r.tree().path("detail").asText("inventory answered " + r.status());
                reply = Message.Error.of(r.status() >= 400 && r.status() < 500 ? ErrorCode.INVALID_PAYLOAD
                                                 : ErrorCode.INTERNAL, detail);
            }
        } catch (Problem | IllegalArgumentException e) {
            reply = Message.Error.of(ErrorCode.INTERNAL, "the index could not be reached: " + e.getMessage());
        }
        conn.send(Envelope.replyTo(request, reply));
    }
}
