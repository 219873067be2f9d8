package io.resticmanager.gateway;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.resticmanager.kit.Http;
import io.resticmanager.kit.PromMetrics;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code GET /metrics} (Prometheus text format): the gateway's own metrics plus every service's
 * {@code GET /internal/metrics} fragment, asked in parallel with one short timeout. A service that does not answer
 * shows as {@code service_up 0} and its fragment is left out; the page still renders. ui-service has no metrics:
 * its {@code /health} decides its {@code service_up}. Access (viewer, session or API token) is the RouteTable's.
 */
final class MetricsPage implements HttpService {
    static final String PATH = "/metrics";

    private final GatewayMetrics own;
    private final List<Upstreams.Upstream> services;
    private final String internalToken;
    private final Duration timeout;
    private final HttpClient client;

    MetricsPage(GatewayMetrics own, List<Upstreams.Upstream> services, String internalToken, Duration timeout) {
        this.own = own;
        this.services = List.copyOf(services);
        this.internalToken = internalToken;
        this.timeout = timeout;
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout).build();
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get(PATH, this::page);
    }

    private void page(ServerRequest req, ServerResponse res) {
        res.header(HeaderNames.CONTENT_TYPE, PromMetrics.CONTENT_TYPE);
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.send(render());
    }

    String render() {
        Map<String, CompletableFuture<Optional<String>>> asked = new LinkedHashMap<>();
        for (Upstreams.Upstream s : services) {
            asked.put(s.name(), fetch(s));
        }
        // service_up is built per scrape (not a shared gauge), so two scrapes at once cannot mix their answers
        GaugeSnapshot.Builder up = GaugeSnapshot.builder().name(PromMetrics.name("service_up"))
                .help("1 when the service answered this scrape in time, else 0.")
                .dataPoint(serviceUp("gateway", true));
        Map<String, String> fragments = new LinkedHashMap<>();
        asked.forEach((name, answer) -> {
            Optional<String> fragment = answer.join();
            up.dataPoint(serviceUp(name, fragment.isPresent()));
            fragment.filter(f -> !f.isEmpty()).ifPresent(f -> fragments.put(name, f.endsWith("\n") ? f : f + "\n"));
        });
        MetricSnapshots.Builder out = MetricSnapshots.builder();
        own.snapshots().forEach(out::metricSnapshot);
        out.metricSnapshot(up.build());
        StringBuilder page = new StringBuilder(PromMetrics.text(out.build()));
        fragments.values().forEach(page::append);
        return page.toString();
    }

    private static GaugeDataPointSnapshot serviceUp(String service, boolean up) {
        return GaugeDataPointSnapshot.builder().labels(Labels.of("service", service)).value(up ? 1 : 0).build();
    }

    /** The service's fragment ("" for ui-service, which only has health), or empty when it did not answer. */
    private CompletableFuture<Optional<String>> fetch(Upstreams.Upstream service) {
        boolean healthOnly = service.name().equals(Upstreams.UI);
        HttpRequest request = HttpRequest.newBuilder(URI.create(service.base() + (healthOnly ? "/health"
                        : "/internal/metrics")))
                .timeout(timeout)
                .header(Http.INTERNAL_TOKEN.defaultCase(), internalToken)
                .GET().build();
        return client.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                .thenApply(r -> {
                    if (r.statusCode() != 200) {
                        return Optional.<String>empty();
                    }
                    if (healthOnly) {
                        return Optional.of("");
                    }
                    // anything but our text format (a misrouted peer) would break the whole page
                    boolean text = r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain");
                    return text ? Optional.of(r.body()) : Optional.<String>empty();
                })
                .completeOnTimeout(Optional.empty(), timeout.toMillis(), TimeUnit.MILLISECONDS)
                .exceptionally(e -> Optional.empty());
    }
}
