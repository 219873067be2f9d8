package io.resticmanager.hub;

import io.helidon.websocket.WsCloseCodes;
import io.resticmanager.common.Loop;
import io.resticmanager.proto.Message;

import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Presence: the live socket of each host, last-seen times kept in memory (flushed to SQLite in batches, so
 * 10,000 heartbeating agents cost one small transaction every few seconds), and a monitor that takes silent
 * hosts offline. Every online → offline transition emits exactly one {@code host.offline}.
 */
final class AgentRegistry implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(AgentRegistry.class.getName());

    private final HubWriter writer;
    private final Duration offlineAfter;
    private final Duration flushEvery;
    private final Set<AgentConnection> sockets = ConcurrentHashMap.newKeySet();
    private final Map<String, AgentConnection> online = new ConcurrentHashMap<>();
    private final Map<String, Long> flushed = new HashMap<>();
    private final Duration tick;
    private Instant nextFlush;
    private final Loop monitor;

    AgentRegistry(HubWriter writer, Duration offlineAfter, Duration flushEvery, Clock clock) {
        this.writer = writer;
        this.offlineAfter = offlineAfter;
        this.flushEvery = flushEvery;
        this.tick = Duration.ofMillis(Math.max(50, Math.min(1000, offlineAfter.toMillis() / 4)));
        this.nextFlush = clock.instant().plus(flushEvery);
        this.monitor = Loop.start("hub-presence", clock, tick, this::monitor);
    }

    /** A socket passed authentication; it is not online before its hello. */
    void opened(AgentConnection conn) {
        sockets.add(conn);
    }

    /**
     * The agent said hello: it is online now. A previous socket of the same host is replaced (closed
     * without an offline event: the host never stopped being online).
     *
     * @return false when the socket was closed meanwhile
     */
    boolean online(AgentConnection conn, Message.Hello hello) {
        conn.hello(hello);
        if (!conn.transition(AgentConnection.State.CONNECTED, AgentConnection.State.ONLINE)) {
            return false;
        }
        AgentConnection previous = online.put(conn.hostId(), conn);
        if (previous != null && previous != conn
                && previous.transition(AgentConnection.State.ONLINE, AgentConnection.State.CLOSED)) {
            sockets.remove(previous);
            previous.close(WsCloseCodes.NORMAL_CLOSE, "replaced by a newer connection of this host");
        }
        writer.submit(new HubWriter.Online(conn.hostId(), hello, Instant.ofEpochMilli(conn.lastSeenMs())));
        return true;
    }

    /** The socket is gone (closed, failed, timed out, revoked). Idempotent. */
    void closed(AgentConnection conn) {
        sockets.remove(conn);
        if (conn.transition(AgentConnection.State.ONLINE, AgentConnection.State.CLOSED)) {
            online.remove(conn.hostId(), conn);
            writer.submit(new HubWriter.Offline(conn.hostId(), Instant.ofEpochMilli(conn.lastSeenMs()), Instant.now()));
        } else {
            conn.transition(AgentConnection.State.CONNECTED, AgentConnection.State.CLOSED);
        }
    }

    Optional<AgentConnection> connection(String hostId) {
        return Optional.ofNullable(online.get(hostId));
    }

    /** Every host online now. */
    java.util.List<AgentConnection> onlineConnections() {
        return java.util.List.copyOf(online.values());
    }

    /** In-memory last-seen of a connected host (fresher than the database). */
    Optional<Instant> lastSeen(String hostId) {
        return connection(hostId).map(c -> Instant.ofEpochMilli(c.lastSeenMs()));
    }

    /** Takes a host off the air at once (revoked or disabled); its socket, online or not, is closed. */
    void disconnect(String hostId, String reason) {
        for (AgentConnection conn : sockets) {
            if (conn.hostId().equals(hostId)) {
                closed(conn);
                conn.close(WsCloseCodes.VIOLATED_POLICY, reason);
            }
        }
    }

    int onlineCount() {
        return online.size();
    }

    /** Takes hosts silent for longer than {@code offlineAfter} offline; flushes last-seen times now and then. */
    private Duration monitor(Instant now) {
        long nowMs = now.toEpochMilli();
        for (AgentConnection conn : sockets) {
            if (nowMs - conn.lastSeenMs() > offlineAfter.toMillis()) {
                LOG.log(Level.INFO, "host " + conn.hostId() + " silent for " + offlineAfter.toSeconds()
                        + " s: offline");
                closed(conn);
                // a dead peer may never answer the close: don't let it hold this thread
                Thread.startVirtualThread(() -> conn.close(WsCloseCodes.GOING_AWAY,
                                                           "no heartbeat for " + offlineAfter.toSeconds() + " s"));
            }
        }
        if (!now.isBefore(nextFlush)) {
            flushLastSeen();
            nextFlush = now.plus(flushEvery);
        }
        return tick;
    }

    private void flushLastSeen() {
        Map<String, Long> changed = new HashMap<>();
        for (AgentConnection conn : online.values()) {
            long seen = conn.lastSeenMs();
            Long before = flushed.get(conn.hostId());
            if (before == null || before < seen) {
                changed.put(conn.hostId(), seen);
            }
        }
        flushed.keySet().retainAll(online.keySet());
        if (!changed.isEmpty()) {
            flushed.putAll(changed);
            writer.submit(new HubWriter.Seen(changed));
        }
    }

    /** Closes every socket (each goes offline in the database before the writer stops). */
    @Override
    public void close() {
        monitor.close();
        for (AgentConnection conn : sockets) {
            closed(conn);
            conn.close(WsCloseCodes.SERVICE_RESTART, "server is stopping");
        }
    }
}
