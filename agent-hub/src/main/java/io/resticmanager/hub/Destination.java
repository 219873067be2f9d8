package io.resticmanager.hub;

import io.resticmanager.proto.internal.HubEvent;

import java.util.EnumSet;
import java.util.Set;

/** The receivers of hub events and which event types each gets (docs/INTERNAL-API.md). */
enum Destination {
    JOBS("jobs", "to_jobs"),
    INVENTORY("inventory", "to_inventory");

    private final String peer;
    private final String column;

    Destination(String peer, String column) {
        this.peer = peer;
        this.column = column;
    }

    /** The {@code rm.peers.*} name. */
    String peer() {
        return peer;
    }

    /** The outbox flag column that is 1 while this receiver still has to get the event. */
    String column() {
        return column;
    }

    static Set<Destination> routes(String type) {
        return switch (type) {
            case "job.ack", "job.progress", "job.log", "job.finished", "schedule.fire" -> EnumSet.of(JOBS);
            case "snapshots.report", "host.facts", HubEvent.HOST_ENROLLED -> EnumSet.of(INVENTORY);
            case HubEvent.HOST_ONLINE, HubEvent.HOST_OFFLINE -> EnumSet.of(JOBS, INVENTORY);
            default -> EnumSet.noneOf(Destination.class);
        };
    }
}
