package io.resticmanager.gateway;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Checks for the kit's {@code /health}: the gateway's own store plus every service's {@code /health}. The service
 * checks of one health request run in parallel (one round, each bounded by the timeout), so hung services cost
 * one timeout, not one each.
 */
final class PeerHealth {
    private final List<Upstreams.Upstream> peers;
    private final Duration timeout;
    private final HttpClient client;
    private Map<String, CompletableFuture<Boolean>> round;

    PeerHealth(List<Upstreams.Upstream> peers, Duration timeout) {
        this.peers = List.copyOf(peers);
        this.timeout = timeout;
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout).build();
    }

    /**
     * The kit's Health runs checks in insertion order: "gateway" comes first and starts a fresh round of peer
     * probes, the peer checks after it only wait for that round.
     */
    Map<String, BooleanSupplier> checks(BooleanSupplier self) {
        Map<String, BooleanSupplier> checks = new LinkedHashMap<>();
        checks.put("gateway", () -> {
            startRound();
            return self.getAsBoolean();
        });
        for (Upstreams.Upstream peer : peers) {
            checks.put(peer.name(), () -> currentRound().get(peer.name()).join());
        }
        return checks;
    }

    private synchronized void startRound() {
        Map<String, CompletableFuture<Boolean>> next = new LinkedHashMap<>();
        for (Upstreams.Upstream peer : peers) {
            next.put(peer.name(), probe(peer.base()));
        }
        round = next;
    }

    private synchronized Map<String, CompletableFuture<Boolean>> currentRound() {
        if (round == null) {
            startRound();
        }
        return round;
    }

    private CompletableFuture<Boolean> probe(URI base) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/health")).timeout(timeout).GET().build();
        return client.sendAsync(request, HttpResponse.BodyHandlers.discarding())
                .thenApply(r -> r.statusCode() == 200)
                .completeOnTimeout(false, timeout.toMillis(), TimeUnit.MILLISECONDS)
                .exceptionally(e -> false);
    }
}
