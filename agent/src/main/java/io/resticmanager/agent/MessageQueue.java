package io.resticmanager.agent;

import io.resticmanager.proto.Message;
import io.resticmanager.proto.MessageType;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.function.Predicate;
import java.util.logging.Logger;

/**
 * The agent's messages without seq (snapshot reports, facts, answers that can wait), queued in memory in units that
 * belong together and sent in order after the spooled job events. A unit stays queued until all of it went out on
 * one connection; on another connection it is sent again from its first message, since frames written just before a
 * drop may never have reached the hub (the receiver ignores repeated parts). A newer snapshot list replaces a queued
 * one of the same repository; past {@code max} units the oldest is dropped with a warning.
 */
final class MessageQueue {
    private static final Logger LOG = Logger.getLogger(MessageQueue.class.getName());
    private final int max;
    /** Guarded by itself. */
    private final Deque<Unit> units = new ArrayDeque<>();

    /** One queued unit and how far it got on which connection. */
    private static final class Unit {
        final List<Message> messages;
        /** Set for snapshot reports: a newer one for the same repository replaces this one. */
        final String repoId;
        Object connection;
        int next;

        Unit(List<Message> messages) {
            this.messages = List.copyOf(messages);
            this.repoId = this.messages.getFirst() instanceof Message.SnapshotsReport r ? r.repoId() : null;
        }
    }

    MessageQueue(int max) {
        this.max = max;
    }

    void add(List<Message> messages) {
        if (messages.isEmpty()) {
            return;
        }
        Unit unit = new Unit(messages);
        synchronized (units) {
            if (unit.repoId != null) {
                units.removeIf(q -> unit.repoId.equals(q.repoId));
            }
            units.addLast(unit);
            while (units.size() > max) {
                LOG.warning("dropping an old queued " + MessageType.of(units.removeFirst().messages.getFirst()).wire()
                        + " (queue full)");
            }
        }
    }

    /**
     * Sends what is queued, in order, on {@code connection} (any object that identifies it) through {@code send};
     * false as soon as a send fails (the rest waits for the next connection).
     */
    boolean drain(Object connection, Predicate<Message> send) {
        while (true) {
            Unit unit;
            Message next;
            synchronized (units) {
                unit = units.peekFirst();
                if (unit == null) {
                    return true;
                }
                if (unit.connection != connection) {
                    unit.connection = connection;
                    unit.next = 0;
                }
                if (unit.next == unit.messages.size()) {
                    units.removeFirst();
                    continue;
                }
                next = unit.messages.get(unit.next);
            }
            if (!send.test(next)) {
                return false;
            }
            synchronized (units) {
                unit.next++;
            }
        }
    }
}
