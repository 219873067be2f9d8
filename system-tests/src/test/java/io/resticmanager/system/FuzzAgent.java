package io.resticmanager.system;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
     * Answers the hub's directory and snapshot listings like an agent would, but with odd entries (a time no page
     * can show, negative and huge sizes, control characters): a silent agent would only make the hub answer 504
     * after its request timeout, which is the truth, not a bug.
     */
    private void answer(String request) {
        try {
            Envelope e = Frames.decode(request);
            ObjectNode payload = io.resticmanager.proto.Json.MAPPER.createObjectNode();
            ArrayNode entries = payload.putArray("entries");
            ObjectNode odd = entries.addObject().put("name", "ü\u0000<x>").put("type", "file").put("size", -1);
            ObjectNode huge = entries.addObject().put("name", "d").put("type", "dir").put("size", Long.MAX_VALUE);
            String type;
            if (e.payload() instanceof Message.SnapshotLs ls) {
                type = "snapshot.ls.result";
                payload.put("path", ls.path()).put("truncated", true);
                odd.put("path", "/x").put("mtime", "+1000000000-12-31T23:59:59Z");
                huge.put("path", "/d").put("mtime", "1970-01-01T00:00:00Z");
            } else if (e.payload() instanceof Message.FsList fs) {
                type = "fs.list.result";
                payload.put("path", fs.path());
            } else {
                return;
            }
            String reply = "{\"v\":1,\"type\":\"" + type + "\",\"id\":\"" + java.util.UUID.randomUUID()
                    + "\",\"corr\":\"" + e.id() + "\",\"ts\":\"" + java.time.Instant.now() + "\",\"payload\":"
                    + payload + "}";
            Thread.ofVirtual().start(() -> text(reply));
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
