package io.resticmanager.proto.internal;

import java.time.Instant;
import java.util.List;

/**
 * agent-hub's internal answers about enrolled agents: {@code GET /internal/agents} (read by jobs-service to seed
 * presence) and the body of {@code PUT /internal/agents/{host_id}/disabled} (sent by inventory-service).
 */
public final class HubAgents {
    private HubAgents() {
    }

    /** One enrolled agent: connected or not, refused or not, and what it last said it runs. */
    public record Presence(String hostId, String hostname, boolean online, boolean disabled, Instant lastSeenAt,
                           String agentVersion, String resticVersion) {
    }

    /** {@code GET /internal/agents}. */
    public record PresenceList(List<Presence> items) {
        public PresenceList {
            items = items == null ? List.of() : List.copyOf(items);
        }
    }

    /** {@code PUT /internal/agents/{host_id}/disabled}: refuse the host's agent (true) or accept it again (false). */
    public record Disabled(Boolean disabled) {
    }
}
