package io.resticmanager.gateway;

import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import static io.resticmanager.kit.PromMetrics.name;

/**
 * The gateway's own metrics: build info, failed logins and requests by owning service and status code. A filter
 * ahead of the access guard, so refused requests count too; counted when the response is sent (error handlers set
 * the final status after the filter chain). Counters start at zero with each process, as Prometheus expects.
 */
final class GatewayMetrics implements Filter {
    static final String VERSION_FALLBACK = "0.1.0";

    private final Upstreams upstreams;
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter loginFailures;
    private final Counter requests;

    GatewayMetrics(Upstreams upstreams) {
        this.upstreams = upstreams;
        String v = GatewayMetrics.class.getPackage().getImplementationVersion();
        Info.builder().name(name("build_info"))
                .help("Always 1; the version label names the running restic-manager build.")
                .labelNames("version")
                .register(registry)
                .setLabelValues(v == null || v.isBlank() ? VERSION_FALLBACK : v);
        loginFailures = Counter.builder().name(name("login_failures_total"))
                .help("Failed password logins (wrong username or password) since start.")
                .register(registry);
        requests = Counter.builder().name(name("http_requests_total"))
                .help("Requests through the gateway since start, by owning service and status.")
                .labelNames("route_class", "code")
                .register(registry);
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        String method = req.prologue().method().text();
        String path = req.path().path();
        res.whenSent(() -> count(method, path, res.status().code()));
        chain.proceed();
    }

    void count(String method, String path, int code) {
        requests.labelValues(routeClass(path), String.valueOf(code)).inc();
        if (code == 401 && method.equals("POST") && path.equals("/api/login")) {
            loginFailures.inc();
        }
    }

    /** The service that owns the path ("gateway" for the gateway's own): a small, fixed set of label values. */
    private String routeClass(String path) {
        if (path.equals(MetricsPage.PATH)) {
            return "gateway";
        }
        return upstreams.forPath(path).map(Upstreams.Upstream::name).orElse("gateway");
    }

    /** build_info and the counters, as now; service_up is the page's (it knows who answered). */
    MetricSnapshots snapshots() {
        return registry.scrape();
    }
}
