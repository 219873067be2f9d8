package io.resticmanager.hub;

import com.fasterxml.jackson.databind.JsonNode;
import io.resticmanager.proto.Envelope;
import io.resticmanager.proto.Frames;
import io.resticmanager.proto.Json;
import io.resticmanager.proto.Message;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** The agent's side of {@code /ws/agent}, with the JDK's WebSocket client. */
final class TestAgent implements WebSocket.Listener, AutoCloseable {
    private final BlockingQueue<String> frames = new LinkedBlockingQueue<>();
    final CompletableFuture<Integer> closed = new CompletableFuture<>();
    volatile String closeReason;
    private final StringBuilder partial = new StringBuilder();
    private WebSocket socket;

    static TestAgent connect(HttpClient http, URI uri, String agentToken) throws Exception {
        TestAgent agent = new TestAgent();
        agent.socket = http.newWebSocketBuilder()
                .header("Authorization", "Bearer " + agentToken)
                .header("X-RM-Internal-Token", HubFixture.TOKEN)
                .buildAsync(uri, agent)
                .get(10, TimeUnit.SECONDS);
        return agent;
    }

    static Envelope hello(String hostname, int protocol) {
        return Envelope.of(new Message.Hello(hostname, "linux", "amd64", "0.1.0", "0.14.0", protocol,
                                             List.of(new Message.JobReport("job-running", io.resticmanager.proto.JobStatus.RUNNING, 4))));
    }

    void send(Envelope envelope) {
        sendText(Frames.encode(envelope));
    }

    void sendText(String text) {
        socket.sendText(text, true).join();
    }

    /** One message sent as several WebSocket frames (continuations). */
    void sendFragments(String... parts) {
        for (int i = 0; i < parts.length; i++) {
            socket.sendText(parts[i], i == parts.length - 1).join();
        }
    }

    /** The next frame from the hub (fails after 5 s). */
    JsonNode next() throws Exception {
        String text = frames.poll(5, TimeUnit.SECONDS);
        if (text == null) {
            throw new TimeoutException("no frame from the hub within 5 s");
        }
        return Json.MAPPER.readTree(text);
    }

    /** The next frame of this type, skipping others (acks arrive asynchronously). */
    JsonNode next(String type) throws Exception {
        while (true) {
            JsonNode frame = next();
            if (frame.get("type").asText().equals(type)) {
                return frame;
            }
        }
    }

    /** True when no frame arrives within {@code ms}. */
    boolean quietFor(long ms) throws InterruptedException {
        return frames.poll(ms, TimeUnit.MILLISECONDS) == null;
    }

    int awaitClose() throws Exception {
        return closed.get(10, TimeUnit.SECONDS);
    }

    boolean isClosed() {
        return closed.isDone();
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            frames.add(partial.toString());
            partial.setLength(0);
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closeReason = reason;
        closed.complete(statusCode);
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closed.complete(-1);
    }

    @Override
    public void close() {
        if (!socket.isOutputClosed()) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").exceptionally(t -> null);
        }
        socket.abort();
    }
}
