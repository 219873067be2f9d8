package io.resticmanager.agent;

import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.websocket.WsRouting;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;
import io.resticmanager.proto.Envelope;
import io.resticmanager.proto.FrameException;
import io.resticmanager.proto.Frames;
import io.resticmanager.proto.Message;
import org.awaitility.Awaitility;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;


/**
 * A minimal agent-hub speaking the protocol through proto-contracts: answers hello with hello.ok,
 * records every frame per connection, and acknowledges job events when told to.
 */
final class FakeHub implements AutoCloseable {
    /** One received frame and the connection (1, 2, …) it came on. */
    record Received(int connection, Envelope envelope, String raw) {
    }

    final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    final List<Received> history = new CopyOnWriteArrayList<>();
    final List<String> authorizations = new CopyOnWriteArrayList<>();
    final List<String> rejected = new CopyOnWriteArrayList<>();
    volatile boolean autoAck;
    volatile boolean refuseUpgrade;
    volatile int heartbeatS = 1;
    /** When set, the connection is dropped (once) right after a frame matching it arrived. */
    volatile Predicate<Envelope> dropAfter;
    private final WebServer server;
    private volatile WsSession session;
    private volatile int connections;

    FakeHub() {
        server = WebServer.builder().host("127.0.0.1").port(0)
                // like agent-hub: refuse the credential with 401 in an HTTP filter, before the upgrade
                .routing(r -> r.addFilter((chain, req, res) -> {
                    if (refuseUpgrade) {
                        authorizations.add(req.headers().first(io.helidon.http.HeaderNames.AUTHORIZATION).orElse(""));
                        res.status(io.helidon.http.Status.UNAUTHORIZED_401).send();
                        return;
                    }
                    chain.proceed();
                }))
                .addRouting(WsRouting.builder().endpoint("/ws/agent", () -> new Listener()))
                .build().start();
    }

    int port() {
        return server.port();
    }

    synchronized void send(Message m) {
        sendRaw(Frames.encode(Envelope.of(m)));
    }

    synchronized void sendRaw(String text) {
        session.send(text, true);
    }

    /** Drops the agent's connection abruptly (no close handshake). */
    void drop() {
        try {
            session.terminate();
        } catch (io.helidon.webserver.CloseConnectionException expected) {
            // Helidon signals the terminated connection by throwing
        }
    }

    /** A frame received at any time so far (or within {@code timeout}) matching {@code p}. */
    Received find(Predicate<Received> p, Duration timeout) {
        return Awaitility.await("a matching frame").atMost(timeout)
                .until(() -> history.stream().filter(p).findFirst(), Optional::isPresent).orElseThrow();
    }

    /** The next frame matching {@code p}; frames that do not match are consumed. */
    Received await(Predicate<Received> p, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            Received r = left <= 0 ? null : received.poll(left, TimeUnit.NANOSECONDS);
            if (r == null) {
                throw new AssertionError("no matching frame within " + timeout);
            }
            if (p.test(r)) {
                return r;
            }
        }
    }

    static Predicate<Received> type(String wire) {
        return r -> r.envelope().type().wire().equals(wire);
    }

    @Override
    public void close() {
        server.stop();
    }

    private final class Listener implements WsListener {
        private final StringBuilder partial = new StringBuilder();
        private int connection;

        @Override
        public Optional<Headers> onHttpUpgrade(HttpPrologue prologue, Headers headers) {
            authorizations.add(headers.first(io.helidon.http.HeaderNames.AUTHORIZATION).orElse(""));
            return Optional.empty();
        }

        @Override
        public void onOpen(WsSession s) {
            connection = ++connections;
            session = s;
        }

        @Override
        public void onMessage(WsSession s, String fragment, boolean last) {
            // like agent-hub: large frames may arrive in pieces
            partial.append(fragment);
            if (!last) {
                return;
            }
            String text = partial.toString();
            partial.setLength(0);
            Envelope env;
            try {
                env = Frames.decode(text);
            } catch (FrameException e) {
                rejected.add(text);
                return;
            }
            Received r = new Received(connection, env, text);
            history.add(r);
            received.add(r);
            Predicate<Envelope> drop = dropAfter;
            if (drop != null && drop.test(env)) {
                dropAfter = null;
                Thread.ofVirtual().start(FakeHub.this::drop);
                return;
            }
            if (env.payload() instanceof Message.Hello) {
                synchronized (FakeHub.this) {
                    s.send(Frames.encode(Envelope.replyTo(env, new Message.HelloOk("host-1", heartbeatS,
                                                                                  Instant.now()))), true);
                }
            } else if (autoAck && env.payload() instanceof Message.JobEvent ev) {
                long upTo = ev instanceof Message.JobLog log ? log.lines().getLast().seq() : ev.seq();
                synchronized (FakeHub.this) {
                    s.send(Frames.encode(Envelope.of(new Message.JobEventsAck(ev.jobId(), upTo))), true);
                }
            }
        }
    }
}
