package io.resticmanager.hub;

import io.resticmanager.kit.DedicatedConnection;

import io.resticmanager.kit.SqliteStore;
import io.resticmanager.proto.Envelope;
import io.resticmanager.proto.Json;
import io.resticmanager.proto.Message;
import io.resticmanager.proto.internal.HostEvents;
import io.resticmanager.proto.internal.HubEvent;
import io.helidon.websocket.WsCloseCodes;

import java.lang.System.Logger.Level;
import java.sql.Connection;
import java.sql.PreparedStatement;
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
 * queued (a read burst of one socket, and of every other socket meanwhile) into one SQLite transaction, then
 * acknowledges the stored job events to their agents with {@code job.events.ack} and wakes the forwarders.
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
    private final DedicatedConnection connection;

    HubWriter(SqliteStore store, Runnable onCommitted) {
        this.connection = new DedicatedConnection(store);
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
        connection.close();
    }

    private boolean commitWithRetry(List<Item> items) {
        for (int attempt = 1; ; attempt++) {
            try {
                commit(items);
                return true;
            } catch (SQLException | RuntimeException e) {
                connection.close();
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

    private void commit(List<Item> items) throws SQLException {
        Connection c = connection.get();
        c.setAutoCommit(false);
        try {
            List<OutboxStore.NewEvent> events = new ArrayList<>();
            Map<String, Long> seen = new LinkedHashMap<>();
            for (Item item : items) {
                switch (item) {
                    case AgentEvent e -> events.add(new OutboxStore.NewEvent(e.from().hostId(), e.type(), e.at(),
                                                                             e.payload()));
                    case Online o -> {
                        markOnline(c, o);
                        Message.Hello h = o.hello();
                        events.add(new OutboxStore.NewEvent(o.hostId(), HubEvent.HOST_ONLINE, o.at(), Json.write(
                                new HostEvents.Online(h.hostname(), h.os(), h.arch(), h.agentVersion(),
                                                      h.resticVersion(), h.protocolVersion(), h.jobs()))));
                    }
                    case Offline o -> {
                        markOffline(c, o);
                        events.add(new OutboxStore.NewEvent(o.hostId(), HubEvent.HOST_OFFLINE, o.at(),
                                                            Json.write(new HostEvents.Offline(o.lastSeen()))));
                    }
                    case Seen s -> seen.putAll(s.lastSeenMs());
                    case Stop s -> {
                    }
                }
            }
            touch(c, seen);
            OutboxStore.insert(c, events);
            c.commit();
        } catch (SQLException | RuntimeException e) {
            try {
                c.rollback();
            } catch (SQLException ignored) {
                // the connection is dropped by the caller
            }
            throw e;
        } finally {
            try {
                c.setAutoCommit(true);
            } catch (SQLException ignored) {
                // idem
            }
        }
    }

    private static void markOnline(Connection c, Online o) throws SQLException {
        Message.Hello h = o.hello();
        try (PreparedStatement s = c.prepareStatement(
                "UPDATE agents SET hostname = ?, os = COALESCE(?, os), arch = COALESCE(?, arch), agent_version = ?, "
                        + "restic_version = ?, protocol_version = ?, online = 1, last_seen_at = ? WHERE host_id = ?")) {
            s.setString(1, h.hostname());
            s.setString(2, h.os());
            s.setString(3, h.arch());
            s.setString(4, h.agentVersion());
            s.setString(5, h.resticVersion());
            s.setInt(6, h.protocolVersion());
            s.setLong(7, o.at().toEpochMilli());
            s.setString(8, o.hostId());
            s.executeUpdate();
        }
    }

    private static void markOffline(Connection c, Offline o) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "UPDATE agents SET online = 0, last_seen_at = MAX(COALESCE(last_seen_at, 0), ?) WHERE host_id = ?")) {
            s.setLong(1, o.lastSeen().toEpochMilli());
            s.setString(2, o.hostId());
            s.executeUpdate();
        }
    }

    private static void touch(Connection c, Map<String, Long> seen) throws SQLException {
        if (seen.isEmpty()) {
            return;
        }
        try (PreparedStatement s = c.prepareStatement(
                "UPDATE agents SET last_seen_at = ? WHERE host_id = ? AND (last_seen_at IS NULL OR last_seen_at < ?)")) {
            for (var e : seen.entrySet()) {
                s.setLong(1, e.getValue());
                s.setString(2, e.getKey());
                s.setLong(3, e.getValue());
                s.addBatch();
            }
            s.executeBatch();
        }
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
