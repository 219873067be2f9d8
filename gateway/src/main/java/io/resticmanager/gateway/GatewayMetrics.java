package io.resticmanager.gateway;

import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.resticmanager.kit.PromText;

import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The gateway's own metrics: build info, failed logins and requests by owning service and status code. A filter
 * ahead of the access guard, so refused requests count too; counted when the response is sent (error handlers set
 * the final status after the filter chain). Counters start at zero with each process, as Prometheus expects.
 */
final class GatewayMetrics implements Filter {
    static final String VERSION_FALLBACK = "0.1.0";

    private record Key(String routeClass, int code) {
    }

    private final Upstreams upstreams;
    private final String version;
    private final LongAdder loginFailures = new LongAdder();
    private final Map<Key, LongAdder> requests = new ConcurrentHashMap<>();

    GatewayMetrics(Upstreams upstreams) {
        this.upstreams = upstreams;
        String v = GatewayMetrics.class.getPackage().getImplementationVersion();
        this.version = v == null || v.isBlank() ? VERSION_FALLBACK : v;
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        String method = req.prologue().method().text();
        String path = req.path().path();
        res.whenSent(() -> count(method, path, res.status().code()));
        chain.proceed();
    }

    void count(String method, String path, int code) {
        requests.computeIfAbsent(new Key(routeClass(path), code), k -> new LongAdder()).increment();
        if (code == 401 && method.equals("POST") && path.equals("/api/login")) {
            loginFailures.increment();
        }
    }

    /** The service that owns the path ("gateway" for the gateway's own): a small, fixed set of label values. */
    private String routeClass(String path) {
        if (path.equals(MetricsPage.PATH)) {
            return "gateway";
        }
        return upstreams.forPath(path).map(Upstreams.Upstream::name).orElse("gateway");
    }

    /** build_info first, then the counters; service_up is the page's (it knows who answered). */
    void buildInfo(PromText out) {
        out.gauge("build_info", "Always 1; the version label names the running restic-manager build.")
                .sample("build_info", 1, "version", version);
    }

    void counters(PromText out) {
        out.counter("login_failures_total", "Failed password logins (wrong username or password) since start.")
                .sample("login_failures_total", loginFailures.sum());
        out.counter("http_requests_total", "Requests through the gateway since start, by owning service and status.");
        requests.entrySet().stream()
                .sorted(Comparator.comparing((Map.Entry<Key, LongAdder> e) -> e.getKey().routeClass())
                                .thenComparingInt(e -> e.getKey().code()))
                .forEach(e -> out.sample("http_requests_total", e.getValue().sum(),
                                         "route_class", e.getKey().routeClass(),
                                         "code", String.valueOf(e.getKey().code())));
    }
}
