package io.resticmanager.proto.internal;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.List;

/**
 * One event the agent-hub forwards (at least once) to jobs-service or inventory-service.
 * {@code type} is an agent message type ({@code job.log} …) or a hub-made one
 * ({@code host.enrolled}, {@code host.online}, {@code host.offline}); {@code id} is unique per event.
 */
public record HubEvent(String id, String hostId, String type, Instant at, JsonNode payload) {
    public static final String HOST_ENROLLED = "host.enrolled";
    public static final String HOST_ONLINE = "host.online";
    public static final String HOST_OFFLINE = "host.offline";
    /** The host was removed (its agent's credential revoked): receivers drop what only it used. */
    public static final String HOST_REMOVED = "host.removed";

    /** Body of {@code POST /internal/events}. */
    public record Batch(List<HubEvent> events) {
        public Batch {
            events = events == null ? List.of() : List.copyOf(events);
        }
    }

    /** Answer to a batch: how many events were stored (or were already there). */
    public record Accepted(int accepted) {
    }
}
