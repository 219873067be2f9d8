package io.resticmanager.system;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import io.resticmanager.proto.Json;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
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
        // streamed, not a JSON tree: ten browsers parse every line, and this process shares the cores with the
        // services it measures
        try (JsonParser p = Json.MAPPER.getFactory().createParser(text)) {
            String type = null;
            JsonNode job = null;
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("stream message is not an object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                switch (field) {
                    case "type" -> type = p.getText();
                    case "items" -> record(p, now);
                    case "job" -> job = p.readValueAsTree();
                    default -> p.skipChildren();
                }
            }
            if ("status".equals(type) && job != null) {
                String status = job.path("status").asText();
                if (!status.equals("queued") && !status.equals("running")) {
                    finishedAtNanos = System.nanoTime();
                    finished.complete(job);
                }
            }
        } catch (IOException | RuntimeException e) {
            finished.completeExceptionally(e);
        }
        firstMessage.complete(null);
        return null;
    }

    /** The {@code items} array of a log message, the parser on its start. */
    private synchronized void record(JsonParser p, Instant now) throws IOException {
        double nowMs = now.getEpochSecond() * 1000.0 + now.getNano() / 1e6;
        while (p.nextToken() == JsonToken.START_OBJECT) {
            long seq = 0;
            String ts = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                switch (field) {
                    case "seq" -> seq = p.getLongValue();
                    case "ts" -> ts = p.getText();
                    default -> p.skipChildren();
                }
            }
            received++;
            maxSeq = Math.max(maxSeq, seq);
            if (seq > 0 && seq < latencyMs.length && ts != null) {
                latencyMs[(int) seq] = nowMs - epochMs(ts);
            }
        }
    }

    /**
     * Epoch ms of a time as the server writes it ({@code yyyy-MM-ddTHH:mm:ss.SSSZ}, fixed width), without
     * java.time's general parser (its cost per line would be the bulk of this process's work); other forms
     * go through {@link Instant#parse}.
     */
    static long epochMs(String ts) {
        if (ts.length() != 24 || ts.charAt(10) != 'T' || ts.charAt(19) != '.' || ts.charAt(23) != 'Z') {
            return Instant.parse(ts).toEpochMilli();
        }
        long day = LocalDate.of(digits(ts, 0, 4), digits(ts, 5, 7), digits(ts, 8, 10)).toEpochDay();
        return ((day * 24 + digits(ts, 11, 13)) * 60 + digits(ts, 14, 16)) * 60_000
                + digits(ts, 17, 19) * 1000L + digits(ts, 20, 23);
    }

    private static int digits(String s, int from, int to) {
        int n = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                throw new java.time.format.DateTimeParseException("not a digit", s, i);
            }
            n = n * 10 + (c - '0');
        }
        return n;
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
