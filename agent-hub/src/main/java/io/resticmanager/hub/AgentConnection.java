package io.resticmanager.hub;

import io.helidon.websocket.WsSession;
import io.resticmanager.proto.Envelope;
import io.resticmanager.proto.Frames;
import io.resticmanager.proto.Message;

import java.lang.System.Logger.Level;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;

/** One agent's WebSocket: who it is, when it last spoke, and a send lock (commands, acks and replies race). */
final class AgentConnection {
    private static final System.Logger LOG = System.getLogger(AgentConnection.class.getName());

    enum State { CONNECTED, ONLINE, CLOSED }

    private final WsSession session;
    private final String hostId;
    private final ReentrantLock sendLock = new ReentrantLock();
    private final AtomicReference<State> state = new AtomicReference<>(State.CONNECTED);
    private volatile long lastSeenMs;
    private volatile Message.Hello hello;

    AgentConnection(WsSession session, String hostId, long nowMs) {
        this.session = session;
        this.hostId = hostId;
        this.lastSeenMs = nowMs;
    }

    String hostId() {
        return hostId;
    }

    long lastSeenMs() {
        return lastSeenMs;
    }

    void touch(long nowMs) {
        lastSeenMs = nowMs;
    }

    State state() {
        return state.get();
    }

    boolean transition(State from, State to) {
        return state.compareAndSet(from, to);
    }

    Message.Hello hello() {
        return hello;
    }

    void hello(Message.Hello hello) {
        this.hello = hello;
    }

    /** Writes one frame; false when the socket is gone. Never logs the frame: commands carry secrets. */
    boolean send(Envelope envelope) {
        String text = Frames.encode(envelope);
        sendLock.lock();
        try {
            if (state.get() == State.CLOSED) {
                return false;
            }
            session.send(text, true);
            return true;
        } catch (RuntimeException e) {
            LOG.log(Level.DEBUG, "send to host " + hostId + " failed: " + e.getClass().getSimpleName());
            return false;
        } finally {
            sendLock.unlock();
        }
    }

    /** Sends a close frame; the socket's own thread then sees the close. Safe to call more than once. */
    void close(int code, String reason) {
        sendLock.lock();
        try {
            session.close(code, reason);
        } catch (RuntimeException e) {
            LOG.log(Level.DEBUG, "close of host " + hostId + " failed: " + e.getClass().getSimpleName());
        } finally {
            sendLock.unlock();
        }
    }
}
