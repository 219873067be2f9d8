package io.resticmanager.proto.internal;

import com.fasterxml.jackson.databind.JsonNode;

/** Body of {@code POST /internal/agents/{host_id}/commands}: a message type and its payload. */
public record AgentCommand(String type, JsonNode payload) {
    /** Answer: the frame was written to the agent's socket. */
    public record Delivered(boolean delivered, String envelopeId) {
    }
}
