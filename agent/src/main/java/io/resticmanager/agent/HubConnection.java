package io.resticmanager.agent;

import io.resticmanager.common.Wakeup;
import io.resticmanager.proto.Envelope;
import io.resticmanager.proto.Message;
import io.resticmanager.proto.Protocol;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Logger;

/**
 * The agent's one outbound WebSocket to {@code <server>/ws/agent} (JDK {@code java.net.http.WebSocket}).
 * Owns reconnects (exponential backoff 1 s → 60 s with full jitter, reset after a connection that
 * lasted over 60 s; a refused credential retries at the maximum interval), the hello handshake,
 * heartbeats, and the pump that sends spooled job events: after {@code hello.ok} it replays every
 * unacknowledged event in seq order, then keeps sending new ones as they are spooled.
 */
final class HubConnection {
    private static final Logger LOG = Logger.getLogger(HubConnection.class.getName());
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(15);
    private static final Duration HELLO_TIMEOUT = Duration.ofSeconds(30);
    private static final int DEFAULT_HEARTBEAT_S = 30;
    private static final int MAX_QUEUED = 100;

    /** What the agent says and does on the connection. */
    interface Handler {
        Message.Hello hello();

        Message.Heartbeat heartbeat();

        /** {@code hello.ok} arrived; job events start flowing after this returns. */
        void ready(Link link, Message.HelloOk ok);

        /** Any other valid frame from the hub. Must not throw. */
        void received(Envelope envelope, Link link);
    }

    /** The live connection, for replies. */
    interface Link {
        /** Sends one frame; false when the connection is gone (the caller may retry on the next one). */
        boolean send(Envelope envelope);

        /** False once the connection is gone: a long-running sender (a download) stops then. */
        default boolean open() {
            return true;
        }
    }

    private final AgentConfig config;
    private final Spool spool;
    private final Handler handler;
    private final Backoff backoff;
    private final HttpClient client;
    private final MessageQueue queued = new MessageQueue(MAX_QUEUED);
    private final Wakeup wakeup = new Wakeup();
    // cuts the reconnect wait short on stop() only: new job events wait for the connection, not hasten the retry
    private final Wakeup stopping = new Wakeup();
    private volatile boolean stopped;
    private volatile HubSession current;
    private volatile String lastProblem = "";
    private volatile int connections;

    HubConnection(AgentConfig config, Spool spool, Handler handler, Backoff backoff) {
        this.config = config;
        this.spool = spool;
        this.handler = handler;
        this.backoff = backoff;
        this.client = HttpClient.newBuilder()
                .connectTimeout(CONNECT_TIMEOUT)
                .executor(Executors.newVirtualThreadPerTaskExecutor())
                .sslContext(SystemTrust.forServer(config.tlsPinSha256()))
                .build();
    }

    /** New job events are in the spool. */
    void wake() {
        wakeup.wake();
    }

    /** A message without seq: sent now when connected, else after the next hello.ok. */
    void sendLater(Message message) {
        sendLater(List.of(message));
    }

    /**
     * Messages without seq that belong together (the parts of one snapshots.report), sent in order after the spooled
     * job events: now when connected, else after the next hello.ok ({@link MessageQueue}).
     */
    void sendLater(List<Message> unit) {
        queued.add(unit);
        wake();
    }

    boolean connected() {
        HubSession s = current;
        return s != null && s.ready && !s.closed.isDone();
    }

    /** How many connections reached hello.ok so far. */
    int connections() {
        return connections;
    }

    /** Why the last attempt failed (for logs and tests). */
    String lastProblem() {
        return lastProblem;
    }

    void stop() {
        stopped = true;
        HubSession s = current;
        if (s != null) {
            s.abort();
        }
        wake();
        stopping.wake();
    }

    /** Connects, serves, reconnects — until {@link #stop()}. */
    void run() {
        while (!stopped) {
            long started = System.nanoTime();
            Duration delay;
            try {
                connectAndServe();
                delay = null;
            } catch (CredentialRefused e) {
                lastProblem = e.getMessage();
                LOG.severe(e.getMessage() + "; retrying every " + backoff.max().toMillis() / 1000.0 + " s");
                delay = backoff.max();
            } catch (IOException | RuntimeException e) {
                lastProblem = e.getMessage() == null ? e.toString() : e.getMessage();
                LOG.warning("hub connection to " + config.websocketUri() + " failed: " + lastProblem);
                delay = null;
            }
            if (stopped) {
                break;
            }
            if (Duration.ofNanos(System.nanoTime() - started).compareTo(backoff.healthyAfter()) > 0) {
                backoff.reset();
            }
            Duration wait = delay == null ? backoff.next() : delay;
            LOG.fine("reconnecting in " + wait.toMillis() + " ms");
            sleep(wait);
        }
    }

    private void sleep(Duration d) {
        try {
            if (!stopped) {
                stopping.await(d);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void connectAndServe() throws IOException {
        HubSession session = new HubSession(handler);
        WebSocket ws;
        try {
            ws = client.newWebSocketBuilder()
                    .header(Protocol.AUTHORIZATION, "Bearer " + config.agentToken())
                    .connectTimeout(CONNECT_TIMEOUT)
                    .buildAsync(config.websocketUri(), session)
                    .get(CONNECT_TIMEOUT.toSeconds() * 2, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof WebSocketHandshakeException h) {
                int status = h.getResponse().statusCode();
                if (status == 401) {
                    throw new CredentialRefused("the server refused this agent's credential (HTTP 401): the host "
                            + "was removed or its token revoked; re-enroll this host");
                }
                if (status == 403) {
                    throw new CredentialRefused("the server refused this agent's credential (HTTP 403): the host "
                            + "is disabled; enable it in the UI");
                }
                throw new IOException("WebSocket upgrade refused with HTTP " + status);
            }
            if (cause instanceof java.net.ConnectException) {
                throw new IOException("connection refused (is the server running at " + config.serverUrl() + "?)");
            }
            throw new IOException(HubSession.describe(cause));
        } catch (TimeoutException e) {
            throw new IOException("timed out connecting to " + config.websocketUri());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
        session.ws = ws;
        current = session;
        try {
            serve(session);
        } finally {
            session.abort();
            current = null;
        }
    }

    private void serve(HubSession session) throws IOException {
        if (!session.send(Envelope.of(handler.hello()))) {
            throw new IOException("connection closed before hello could be sent");
        }
        Message.HelloOk ok;
        try {
            ok = session.helloOk.get(HELLO_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IOException("the hub closed the connection before hello.ok"
                    + session.closeReason.map(r -> " (" + r + ")").orElse(""));
        } catch (TimeoutException e) {
            throw new IOException("no hello.ok from the hub within " + HELLO_TIMEOUT.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        int interval = config.heartbeatIntervalS().orElse(ok.heartbeatIntervalS() > 0 ? ok.heartbeatIntervalS()
                : DEFAULT_HEARTBEAT_S);
        connections++;
        lastProblem = "";
        LOG.info("connected to " + config.websocketUri() + " as host " + ok.hostId() + " (heartbeat " + interval + " s)");
        session.ready = true;
        handler.ready(session, ok);
        Thread pump = Thread.ofVirtual().name("hub-pump").start(() -> pump(session));
        try {
            long silentLimit = Duration.ofSeconds(interval * 3L + 10).toNanos();
            while (!stopped) {
                try {
                    session.closed.get(interval, TimeUnit.SECONDS);
                    break;
                } catch (TimeoutException e) {
                    // time for a heartbeat
                } catch (ExecutionException e) {
                    break;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
                if (!session.send(Envelope.of(handler.heartbeat()))) {
                    break;
                }
                session.ping();
                // only a hub that answers pings can be judged by its silence; others rely on TCP errors
                if (session.pongSeen && System.nanoTime() - session.lastReceived > silentLimit) {
                    LOG.warning("no answer from the hub for " + (interval * 3 + 10) + " s; reconnecting");
                    break;
                }
            }
        } finally {
            session.abort();
            wake();
            try {
                pump.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        LOG.info("disconnected from the hub" + session.closeReason.map(r -> " (" + r + ")").orElse(""));
    }

    /** Replays then streams spooled events (seq order per job), then queued messages. */
    private void pump(HubSession s) {
        while (!s.closed.isDone() && !stopped) {
            if (!pumpOnce(s)) {
                return;
            }
            try {
                // a wake-up during the pass returns at once: nothing spooled meanwhile waits
                wakeup.await(Duration.ofMillis(500));
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private boolean pumpOnce(HubSession s) {
        for (String jobId : spool.jobIds()) {
            long after = s.sentUpTo.getOrDefault(jobId, spool.ackedUpTo(jobId));
            for (Spool.Frame f : spool.pending(jobId, after)) {
                if (!s.sendText(f.text())) {
                    return false;
                }
                s.sentUpTo.put(jobId, f.seq());
            }
        }
        return queued.drain(s, m -> s.send(Envelope.of(m)));
    }

    private static final class CredentialRefused extends RuntimeException {
        CredentialRefused(String message) {
            super(message);
        }
    }
}
