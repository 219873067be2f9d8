package io.resticmanager.system;

import com.fasterxml.jackson.databind.JsonNode;
import io.resticmanager.proto.Json;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * A browser tailing a job's live log ({@code /api/jobs/{id}/stream} through the gateway, bearer API token).
 * For each log line it records, by seq, how long after the line's {@code ts} it arrived; it completes
 * {@link #finished()} with the job when the final status arrives.
 */
final class BenchWatcher implements WebSocket.Listener, AutoCloseable {
    private final double[] latencyMs;
    private final StringBuilder partial = new StringBuilder();
    private final CompletableFuture<Void> firstMessage = new CompletableFuture<>();
    private final CompletableFuture<JsonNode> finished = new CompletableFuture<>();
    private volatile long maxSeq;
    private volatile long finishedAtNanos;
    private long received;
    private WebSocket socket;

    private BenchWatcher(long maxSeq) {
        this.latencyMs = new double[(int) maxSeq + 1];
        Arrays.fill(latencyMs, Double.NaN);
    }

    /** Opens the stream; {@code maxSeq} bounds the seqs whose latency is kept. */
    static BenchWatcher open(HttpClient client, String gateway, String jobId, String bearer, long maxSeq) {
        BenchWatcher w = new BenchWatcher(maxSeq);
        URI uri = URI.create(gateway.replaceFirst("^http", "ws") + "/api/jobs/" + jobId + "/stream");
        w.socket = client.newWebSocketBuilder().header("Authorization", "Bearer " + bearer)
                .connectTimeout(Duration.ofSeconds(10)).buildAsync(uri, w).orTimeout(20, TimeUnit.SECONDS).join();
        return w;
    }

    CompletableFuture<Void> firstMessage() {
        return firstMessage;
    }

    CompletableFuture<JsonNode> finished() {
        return finished;
    }

    /** System.nanoTime() when the final status arrived. */
    long finishedAtNanos() {
        return finishedAtNanos;
    }

    long maxSeq() {
        return maxSeq;
    }

    synchronized long received() {
        return received;
    }

    /** Latencies (ms) of the lines with seq in [from, to] that arrived; missing lines are skipped. */
    synchronized double[] latencies(long from, long to) {
        return Arrays.stream(latencyMs, (int) from, (int) Math.min(to, latencyMs.length - 1) + 1)
                .filter(d -> !Double.isNaN(d)).toArray();
    }

    /** How many distinct seqs in [from, to] arrived. */
    synchronized int distinct(long from, long to) {
        return latencies(from, to).length;
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        webSocket.request(Long.MAX_VALUE);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (!last) {
            return null;
        }
        Instant now = Instant.now();
        String text = partial.toString();
        partial.setLength(0);
        try {
            JsonNode msg = Json.MAPPER.readTree(text);
            switch (msg.path("type").asText()) {
                case "log" -> record(msg.path("items"), now);
                case "status" -> {
                    String status = msg.path("job").path("status").asText();
                    if (!status.equals("queued") && !status.equals("running")) {
                        finishedAtNanos = System.nanoTime();
                        finished.complete(msg.path("job"));
                    }
                }
                default -> {
                }
            }
        } catch (IOException e) {
            finished.completeExceptionally(e);
        }
        firstMessage.complete(null);
        return null;
    }

    private synchronized void record(JsonNode items, Instant now) {
        for (JsonNode item : items) {
            long seq = item.path("seq").asLong();
            received++;
            maxSeq = Math.max(maxSeq, seq);
            if (seq > 0 && seq < latencyMs.length) {
                Instant ts = Instant.parse(item.path("ts").asText());
                latencyMs[(int) seq] = ts.until(now, ChronoUnit.MICROS) / 1000.0;
            }
        }
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        firstMessage.complete(null);
        finished.completeExceptionally(new IllegalStateException("stream closed before the final status ("
                                                                         + statusCode + " " + reason + ")"));
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        firstMessage.complete(null);
        finished.completeExceptionally(error);
    }

    @Override
    public void close() {
        if (socket != null) {
            socket.abort();
        }
    }
}
