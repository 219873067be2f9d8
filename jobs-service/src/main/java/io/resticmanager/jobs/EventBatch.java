package io.resticmanager.jobs;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.util.TokenBuffer;
import io.resticmanager.kit.Problem;
import io.resticmanager.proto.Json;
import io.resticmanager.proto.Message;
import io.resticmanager.proto.internal.HostEvents;
import io.resticmanager.proto.internal.HubEvent;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code POST /internal/events} as read off the wire, bound to typed messages before {@link EventIngest} writes
 * anything: each payload is kept as buffered tokens, so it is bound once, straight to its message type (a JSON tree
 * first would build and walk every log line twice). A malformed event rejects the whole batch (400).
 */
final class EventBatch {
    private EventBatch() {
    }

    record Wire(List<WireEvent> events) {
        Wire {
            events = events == null ? List.of() : events;
        }
    }

    record WireEvent(String id, String hostId, String type, Instant at, TokenBuffer payload) {
    }

    /** One parsed event; {@code message} is the typed payload. */
    record Parsed(HubEvent event, Object message) {
    }

    /** {@code host.removed}: no payload of its own. */
    record HostRemoved() {
    }

    /** The batch's events this service handles, typed, in order; events of other types are left out. */
    static List<Parsed> parse(Wire batch) {
        List<Parsed> parsed = new ArrayList<>(batch.events().size());
        for (WireEvent e : batch.events()) {
            if (e == null || e.type() == null) {
                throw Problem.badRequest("every event needs a type");
            }
            HubEvent event = new HubEvent(e.id(), e.hostId(), e.type(), e.at(), null);
            Class<?> type = type(event);
            if (type != null) {
                parsed.add(new Parsed(event, bind(event, type, e.payload())));
            }
        }
        return parsed;
    }

    /** The message type of an event, null for types this service ignores; a host event must name its host. */
    private static Class<?> type(HubEvent event) {
        Class<?> type = switch (event.type()) {
            case "job.ack" -> Message.JobAck.class;
            case "job.progress" -> Message.JobProgress.class;
            case "job.log" -> Message.JobLog.class;
            case "job.finished" -> Message.JobFinished.class;
            case HubEvent.HOST_ONLINE -> HostEvents.Online.class;
            case HubEvent.HOST_REMOVED -> HostRemoved.class;
            case HubEvent.HOST_OFFLINE -> HostEvents.Offline.class;
            case "schedule.fire" -> Message.ScheduleFire.class;
            default -> null;
        };
        boolean hostEvent = type == HostEvents.Online.class || type == HostEvents.Offline.class
                || type == Message.ScheduleFire.class || type == HostRemoved.class;
        if (hostEvent && (event.hostId() == null || event.hostId().isBlank())) {
            throw Problem.badRequest("event " + event.id() + " (" + event.type() + ") needs a host_id");
        }
        return type;
    }

    private static Object bind(HubEvent event, Class<?> type, TokenBuffer payload) {
        try {
            if (payload == null) {
                return Json.MAPPER.treeToValue(Json.MAPPER.createObjectNode(), type);
            }
            try (JsonParser p = payload.asParser(Json.MAPPER)) {
                return Json.MAPPER.readValue(p, type);
            }
        } catch (java.io.IOException | IllegalArgumentException e) {
            // a payload a record rejects names the rule it broke, not Jackson's wrapping of it
            Throwable cause = e.getCause() instanceof IllegalArgumentException iae ? iae : e;
            throw Problem.badRequest("event " + event.id() + " (" + event.type() + ") is malformed: "
                                             + firstLine(cause.getMessage()));
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "invalid payload";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
