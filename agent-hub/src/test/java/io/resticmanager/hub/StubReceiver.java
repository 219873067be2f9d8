package io.resticmanager.hub;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.resticmanager.kit.Http;
import io.resticmanager.proto.Json;
import io.resticmanager.proto.internal.HubEvent;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A real HTTP receiver of {@code POST /internal/events}, like jobs-service's: stores events idempotently by
 * id (in arrival order) and answers with a status the test chooses.
 */
final class StubReceiver implements AutoCloseable {
    private final WebServer server;
    private final String token;
    private final Map<String, HubEvent> stored = new LinkedHashMap<>();
    private final List<Integer> batchSizes = new ArrayList<>();
    private final AtomicInteger posts = new AtomicInteger();
    /** Decides the status of each batch before it is stored (200 stores it). */
    private volatile Function<HubEvent.Batch, Integer> answer = b -> 200;
    /** When true, the batch is stored but the answer is 500 anyway (a lost reply). */
    private volatile boolean loseReplies;

    StubReceiver(String token) {
        this.token = token;
        this.server = WebServer.builder().host("127.0.0.1").port(0)
                .routing(r -> r.post("/internal/events", (req, res) -> {
                    posts.incrementAndGet();
                    if (!token.equals(req.headers().first(Http.INTERNAL_TOKEN).orElse(""))) {
                        res.status(Status.UNAUTHORIZED_401).send();
                        return;
                    }
                    HubEvent.Batch batch = Json.MAPPER.readValue(req.content().as(String.class), HubEvent.Batch.class);
                    int status = answer.apply(batch);
                    if (status == 200) {
                        synchronized (stored) {
                            batchSizes.add(batch.events().size());
                            batch.events().forEach(e -> stored.putIfAbsent(e.id(), e));
                            stored.notifyAll();
                        }
                        status = loseReplies ? 500 : 200;
                    }
                    res.status(status).header(HeaderNames.CONTENT_TYPE, "application/json")
                            .send(status == 200 ? "{\"accepted\":" + batch.events().size() + "}" : "{\"detail\":\"no\"}");
                }))
                .build().start();
    }

    String url() {
        return "http://127.0.0.1:" + server.port();
    }

    void answer(Function<HubEvent.Batch, Integer> answer) {
        this.answer = answer;
    }

    void loseReplies(boolean lose) {
        this.loseReplies = lose;
    }

    int posts() {
        return posts.get();
    }

    List<HubEvent> events() {
        synchronized (stored) {
            return List.copyOf(stored.values());
        }
    }

    List<HubEvent> events(Predicate<HubEvent> filter) {
        return events().stream().filter(filter).toList();
    }

    List<Integer> batchSizes() {
        synchronized (stored) {
            return List.copyOf(batchSizes);
        }
    }

    void clear() {
        synchronized (stored) {
            stored.clear();
            batchSizes.clear();
        }
    }

    /** Waits until {@code filter} matches at least {@code count} stored events; returns them. */
    List<HubEvent> await(Predicate<HubEvent> filter, int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (stored) {
            while (true) {
                List<HubEvent> matching = stored.values().stream().filter(filter).toList();
                long left = deadline - System.nanoTime();
                if (matching.size() >= count || left <= 0) {
                    return matching;
                }
                stored.wait(Math.max(1, left / 1_000_000));
            }
        }
    }

    /** True when no event of this type and host arrives within {@code ms}. */
    boolean quietFor(String hostId, String type, long ms) throws InterruptedException {
        return await(type(type, hostId), 1, Duration.ofMillis(ms)).isEmpty();
    }

    static Predicate<HubEvent> type(String type, String hostId) {
        return e -> e.type().equals(type) && e.hostId().equals(hostId);
    }

    static JsonNode payload(HubEvent e) {
        return e.payload();
    }

    @Override
    public void close() {
        server.stop();
    }
}
