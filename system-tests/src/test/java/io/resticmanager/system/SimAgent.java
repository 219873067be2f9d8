package io.resticmanager.system;

import io.resticmanager.proto.Envelope;
import io.resticmanager.proto.FrameException;
import io.resticmanager.proto.Frames;
import io.resticmanager.proto.Message;
import io.resticmanager.proto.Protocol;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A simulated agent speaking the real protocol over a real WebSocket (for benchmarks and protocol
 * tests where hundreds of agents or precise timing are needed). Frames it receives are queued.
 */
final class SimAgent implements WebSocket.Listener, AutoCloseable {
    private final LinkedBlockingQueue<Envelope> inbox = new LinkedBlockingQueue<>();
    private final StringBuilder partial = new StringBuilder();
    private final Consumer<Envelope> onFrame;
    private volatile WebSocket socket;
    private volatile boolean closed;

    private SimAgent(Consumer<Envelope> onFrame) {
        this.onFrame = onFrame;
    }

    static CompletableFuture<SimAgent> connect(HttpClient client, String gateway, String agentToken,
                                               Consumer<Envelope> onFrame) {
        SimAgent agent = new SimAgent(onFrame);
        URI uri = URI.create(gateway.replaceFirst("^http", "ws") + "/ws/agent");
        return client.newWebSocketBuilder()
                .header("Authorization", "Bearer " + agentToken)
                .connectTimeout(Duration.ofSeconds(30))
                .buildAsync(uri, agent)
                .thenApply(ws -> {
                    agent.socket = ws;
                    return agent;
                });
    }

    void hello(String hostname) {
        hello(hostname, "bench", "0.14.0");
    }

    /** A hello that reports these agent and restic versions (version-skew tests). */
    void hello(String hostname, String agentVersion, String resticVersion) {
        send(new Message.Hello(hostname, "linux", "amd64", agentVersion, resticVersion, Protocol.VERSION, List.of()));
    }

    synchronized void send(Message message) {
        sendRaw(Frames.encode(Envelope.of(message)));
    }

    synchronized void sendRaw(String text) {
        socket.sendText(text, true).join();
    }

    Envelope next(Duration timeout) throws InterruptedException {
        Envelope e = inbox.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (e == null) {
            throw new AssertionError("no frame within " + timeout);
        }
        return e;
    }

    /** Waits for a frame of the given payload type, skipping others. */
    <T extends Message> T await(Class<T> type, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Envelope e = inbox.poll(Math.max(1, (deadline - System.nanoTime()) / 1_000_000), TimeUnit.MILLISECONDS);
            if (e != null && type.isInstance(e.payload())) {
                return type.cast(e.payload());
            }
        }
        throw new AssertionError("no " + type.getSimpleName() + " within " + timeout);
    }

    boolean isClosed() {
        return closed;
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        webSocket.request(Long.MAX_VALUE);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            String text = partial.toString();
            partial.setLength(0);
            try {
                Envelope e = Frames.decode(text);
                if (onFrame != null) {
                    onFrame.accept(e);
                }
                inbox.add(e);
            } catch (FrameException ignored) {
                // a simulated agent ignores what it cannot read, like the real one answers with error
            }
        }
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closed = true;
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closed = true;
    }

    /** Drops the connection at once, without a close handshake (fast teardown of thousands of agents). */
    void abort() {
        closed = true;
        if (socket != null) {
            socket.abort();
        }
    }

    @Override
    public void close() {
        if (socket != null && !closed) {
            try {
                socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(2, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                socket.abort();
            }
        }
    }
}
