package io.resticmanager.system;

import com.fasterxml.jackson.databind.JsonNode;
import io.resticmanager.proto.Envelope;
import io.resticmanager.proto.Frames;
import io.resticmanager.proto.Message;
import io.resticmanager.proto.Protocol;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An enrolled agent that sends whatever it is told over the real WebSocket through the gateway: well-formed
 * frames, garbage, fragments, binary. It keeps every text frame it receives and how the connection ended.
 */
final class FuzzAgent implements WebSocket.Listener, AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    final String name;
    private final LinkedBlockingQueue<String> inbox = new LinkedBlockingQueue<>();
    private final StringBuilder partial = new StringBuilder();
    private final AtomicInteger internalErrors = new AtomicInteger();
    private volatile WebSocket socket;
    private volatile int closeCode = -1;
    private volatile boolean closed;

    private FuzzAgent(String name) {
        this.name = name;
    }

    static FuzzAgent connect(String gateway, String name, String agentToken) {
        FuzzAgent agent = new FuzzAgent(name);
        agent.socket = HTTP.newWebSocketBuilder()
                .header("Authorization", "Bearer " + agentToken)
                .connectTimeout(Duration.ofSeconds(10))
                .buildAsync(URI.create(gateway.replaceFirst("^http", "ws") + "/ws/agent"), agent)
                .orTimeout(20, TimeUnit.SECONDS).join();
        return agent;
    }

    void hello() {
        send(new Message.Hello(name, "linux", "amd64", "fuzz", "0.16.0", Protocol.VERSION, List.of()));
    }

    void send(Message message) {
        text(Frames.encode(Envelope.of(message)));
    }

    /** Sends one text frame; false when the connection is gone. */
    synchronized boolean text(String frame) {
        return fragments(frame, 1);
    }

    /** Sends {@code frame} split into {@code parts} continuation frames. */
    synchronized boolean fragments(String frame, int parts) {
        if (closed) {
            return false;
        }
        try {
            int step = Math.max(1, frame.length() / Math.max(1, parts));
            int at = 0;
            do {
                int end = Math.min(frame.length(), at + step);
                socket.sendText(frame.substring(at, end), end >= frame.length()).get(20, TimeUnit.SECONDS);
                at = end;
            } while (at < frame.length());
            return true;
        } catch (Exception e) {
            closed = true;
            return false;
        }
    }

    synchronized boolean binary(byte[] bytes) {
        if (closed) {
            return false;
        }
        try {
            socket.sendBinary(ByteBuffer.wrap(bytes), true).get(20, TimeUnit.SECONDS);
            return true;
        } catch (Exception e) {
            closed = true;
            return false;
        }
    }

    /** The next received frame whose text contains {@code needle}, skipping others. */
    String await(String needle, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            String f = inbox.poll(Math.max(1, (deadline - System.nanoTime()) / 1_000_000), TimeUnit.MILLISECONDS);
            if (f != null && f.contains(needle)) {
                return f;
            }
        }
        throw new AssertionError(name + ": no frame with " + needle + " within " + timeout);
    }

    void drain() {
        inbox.clear();
    }

    boolean isClosed() {
        return closed;
    }

    int closeCode() {
        return closeCode;
    }

    /** Error frames with code "internal": the hub's way of saying it failed, the WebSocket's 5xx. */
    int internalErrors() {
        return internalErrors.get();
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
            if (text.contains("\"fs.list\"") || text.contains("\"snapshot.ls\"")) {
                answer(text);
            }
            if (text.contains("\"internal\"")) {
                try {
                    JsonNode node = io.resticmanager.proto.Json.MAPPER.readTree(text);
                    if ("error".equals(node.path("type").asText())
                            && "internal".equals(node.path("payload").path("code").asText())) {
                        internalErrors.incrementAndGet();
                    }
                } catch (Exception ignored) {
                    // not ours to judge: the hub's frames are checked by the hub's own tests
                }
            }
            if (inbox.size() < 10_000) {
                inbox.add(text);
            }
        }
        return null;
    }

    /**
     * Answers the hub's directory and snapshot listings like a real agent (with nothing in them): an agent that
     * stays silent makes the hub answer 504 after its request timeout, which is the truth, not a bug.
     */
    private void answer(String request) {
        try {
            Envelope e = Frames.decode(request);
            Message reply = switch (e.payload()) {
                case Message.FsList l -> new Message.FsListResult(l.path(), List.of(), null);
                case Message.SnapshotLs l -> new Message.SnapshotLsResult(l.path(), List.of(), null, false);
                default -> null;
            };
            if (reply != null) {
                Thread.ofVirtual().start(() -> text(Frames.encode(Envelope.replyTo(e, reply))));
            }
        } catch (Exception ignored) {
            // not a request after all
        }
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closeCode = statusCode;
        closed = true;
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closed = true;
    }

    @Override
    public void close() {
        if (socket != null && !closed) {
            try {
                socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(2, TimeUnit.SECONDS);
            } catch (Exception e) {
                socket.abort();
            }
        }
        closed = true;
    }
}
