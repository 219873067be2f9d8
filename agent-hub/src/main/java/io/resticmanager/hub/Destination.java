package io.resticmanager.hub;

import io.resticmanager.proto.internal.HubEvent;

import java.util.EnumSet;
import java.util.Set;

/** The receivers of hub events and which event types each gets (docs/INTERNAL-API.md). */
enum Destination {
    JOBS("jobs"),
    INVENTORY("inventory");

    private final String peer;

    Destination(String peer) {
        this.peer = peer;
    }

    /** The {@code rm.peers.*} name. */
    String peer() {
        return peer;
    }

    static Set<Destination> routes(String type) {
        return switch (type) {
            case "job.ack", "job.progress", "job.log", "job.finished", "schedule.fire" -> EnumSet.of(JOBS);
            case "snapshots.report", "host.facts", HubEvent.HOST_ENROLLED -> EnumSet.of(INVENTORY);
            case HubEvent.HOST_ONLINE, HubEvent.HOST_OFFLINE -> EnumSet.of(JOBS, INVENTORY);
            case HubEvent.HOST_REMOVED -> EnumSet.of(JOBS);
            default -> EnumSet.noneOf(Destination.class);
        };
    }
}
