package io.resticmanager.hub;

import io.resticmanager.kit.SqliteStore;
import io.resticmanager.proto.Envelope;
import io.resticmanager.proto.Json;
import io.resticmanager.proto.Message;
import io.resticmanager.proto.internal.HostEvents;
import io.resticmanager.proto.internal.HubEvent;
import io.helidon.websocket.WsCloseCodes;

import java.lang.System.Logger.Level;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;

/**
 * The one writer of presence and agent events: sockets hand it items and go on reading; it drains everything
 * queued (a read burst of one socket, and of every other socket meanwhile) into one write transaction of the
 * store ({@link SqliteStore#write}, named statements and JDBC batches), then acknowledges the stored job events to their agents with {@code job.events.ack} and wakes the forwarders.
 * Memory is bounded by payload bytes: a socket that outruns the disk blocks in {@link #submit}.
 */
final class HubWriter implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(HubWriter.class.getName());
    private static final int MAX_QUEUED_BYTES = 64 * 1024 * 1024;
    private static final int MAX_ITEMS_PER_TX = 5000;

    sealed interface Item permits AgentEvent, Online, Offline, Seen, Stop {
    }

    /** A frame from an agent that goes to a receiver; jobId/seq are set for job events (null/0 otherwise). */
    record AgentEvent(AgentConnection from, String type, Instant at, String payload, String jobId, long seq)
            implements Item {
    }

    record Online(String hostId, Message.Hello hello, Instant at) implements Item {
    }

    record Offline(String hostId, Instant lastSeen, Instant at) implements Item {
    }

    /** Last-seen times (epoch ms) to persist, by host. */
    record Seen(Map<String, Long> lastSeenMs) implements Item {
    }

    private record Stop() implements Item {
    }

    private final Runnable onCommitted;
    private final LinkedBlockingQueue<Item> queue = new LinkedBlockingQueue<>();
    private final Semaphore budget = new Semaphore(MAX_QUEUED_BYTES);
    private final Thread thread;
    private final SqliteStore store;

    HubWriter(SqliteStore store, Runnable onCommitted) {
        this.store = store;
        this.onCommitted = onCommitted;
        // a platform thread: sqlite-jdbc pins virtual threads during native calls
        this.thread = Thread.ofPlatform().name("hub-writer").daemon(true).start(this::run);
    }

    /** Queues an item; blocks while too many payload bytes wait to be written (backpressure). */
    void submit(Item item) {
        int cost = cost(item);
        budget.acquireUninterruptibly(cost);
        queue.add(item);
    }

    private void run() {
        List<Item> items = new ArrayList<>();
        boolean stop = false;
        while (!stop) {
            try {
                items.add(queue.take());
                queue.drainTo(items, MAX_ITEMS_PER_TX - 1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            int bytes = items.stream().mapToInt(HubWriter::cost).sum();
            stop = items.removeIf(i -> i instanceof Stop);
            try {
                if (!items.isEmpty() && commitWithRetry(items)) {
                    acknowledge(items);
                    onCommitted.run();
                }
            } finally {
                budget.release(bytes);
                items.clear();
            }
        }
    }

    private boolean commitWithRetry(List<Item> items) {
        for (int attempt = 1; ; attempt++) {
            try {
                commit(items);
                return true;
            } catch (RuntimeException e) {
                if (attempt == 3) {
                    // not acknowledged, so agents still hold their events: make them reconnect and replay
                    LOG.log(Level.ERROR, "cannot store " + items.size() + " hub events; closing the sending "
                            + "agents' sockets so they replay: " + e.getMessage());
                    items.stream().filter(i -> i instanceof AgentEvent).map(i -> ((AgentEvent) i).from())
                            .distinct().forEach(c -> c.close(WsCloseCodes.UNEXPECTED_CONDITION, "server storage error"));
                    return false;
                }
                sleep(100L * attempt);
            }
        }
    }

    /** One transaction for the whole batch: committed when it returns, rolled back (nothing stored) when it throws. */
    private void commit(List<Item> items) {
        store.write(tx -> {
            List<OutboxStore.NewEvent> events = new ArrayList<>();
            Map<String, Long> seen = new LinkedHashMap<>();
            for (Item item : items) {
                switch (item) {
                    case AgentEvent e -> events.add(new OutboxStore.NewEvent(e.from().hostId(), e.type(), e.at(),
                                                                             e.payload()));
                    case Online o -> {
                        markOnline(tx, o);
                        Message.Hello h = o.hello();
                        events.add(new OutboxStore.NewEvent(o.hostId(), HubEvent.HOST_ONLINE, o.at(), Json.write(
                                new HostEvents.Online(h.hostname(), h.os(), h.arch(), h.agentVersion(),
                                                      h.resticVersion(), h.protocolVersion(), h.jobs()))));
                    }
                    case Offline o -> {
                        markOffline(tx, o);
                        events.add(new OutboxStore.NewEvent(o.hostId(), HubEvent.HOST_OFFLINE, o.at(),
                                                            Json.write(new HostEvents.Offline(o.lastSeen()))));
                    }
                    case Seen s -> seen.putAll(s.lastSeenMs());
                    case Stop s -> {
                    }
                }
            }
            touch(tx, seen);
            OutboxStore.insert(tx, events);
            return null;
        });
    }

    private static void markOnline(SqliteStore.Tx tx, Online o) throws SQLException {
        Message.Hello h = o.hello();
        tx.update("agents.mark-online", h.hostname(), h.os(), h.arch(), h.agentVersion(), h.resticVersion(),
                  h.protocolVersion(), o.at(), o.hostId());
    }

    private static void markOffline(SqliteStore.Tx tx, Offline o) throws SQLException {
        tx.update("agents.mark-offline", o.lastSeen(), o.lastSeen(), o.hostId());
    }

    private static void touch(SqliteStore.Tx tx, Map<String, Long> seen) throws SQLException {
        List<Object[]> rows = new ArrayList<>(seen.size());
        seen.forEach((hostId, ms) -> {
            Instant at = Instant.ofEpochMilli(ms);
            rows.add(new Object[] {at, hostId, at});
        });
        tx.batch("agents.touch", rows);
    }

    /** Tells each agent the highest seq per job that is now durable, so it can trim its spool. */
    private static void acknowledge(List<Item> items) {
        Map<AgentConnection, Map<String, Long>> acks = new HashMap<>();
        for (Item item : items) {
            if (item instanceof AgentEvent e && e.jobId() != null) {
                acks.computeIfAbsent(e.from(), k -> new LinkedHashMap<>()).merge(e.jobId(), e.seq(), Math::max);
            }
        }
        // one virtual thread per socket: a slow agent must not stall the writer
        acks.forEach((conn, jobs) -> Thread.startVirtualThread(() -> jobs.forEach(
                (jobId, seq) -> conn.send(Envelope.of(new Message.JobEventsAck(jobId, seq))))));
    }


    private static int cost(Item item) {
        return item instanceof AgentEvent e ? Math.min(MAX_QUEUED_BYTES, e.payload().length() + 64) : 64;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Writes what is queued, then stops. */
    @Override
    public void close() {
        submit(new Stop());
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
