package io.resticmanager.hub;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import static io.resticmanager.kit.PromMetrics.label;
import static io.resticmanager.kit.PromMetrics.name;

/**
 * agent-hub's part of the gateway's {@code /metrics} ({@code GET /internal/metrics}): live connections, each
 * enrolled agent's presence, events each receiver has not confirmed yet and snapshot downloads. All callbacks read
 * when scraped: one object per family, never one per connection or agent.
 */
final class HubMetrics {
    private HubMetrics() {
    }

    static void register(PrometheusRegistry registry, AgentHub hub) {
        GaugeWithCallback.builder().name(name("agents_connected"))
                .help("Agents with a live WebSocket connection (said hello).")
                .callback(cb -> cb.call(hub.registry().onlineCount()))
                .register(registry);
        GaugeWithCallback.builder().name(name("agent_online"))
                .help("1 while the enrolled agent is connected, else 0.")
                .labelNames("host_id", "hostname")
                .callback(cb -> AgentRoutes.presence(hub).forEach(
                        a -> cb.call(a.online() ? 1 : 0, label(a.hostId()), label(a.hostname()))))
                .register(registry);
        GaugeWithCallback.builder().name(name("outbox_pending"))
                .help("Hub events the destination service has not confirmed yet.")
                .labelNames("destination")
                .callback(cb -> {
                    for (Destination d : Destination.values()) {
                        cb.call(hub.pending(d), d.peer());
                    }
                })
                .register(registry);
        GaugeWithCallback.builder().name(name("downloads_active"))
                .help("Downloads from snapshots streaming through the hub now.")
                .callback(cb -> cb.call(hub.dumps().active()))
                .register(registry);
        GaugeWithCallback.builder().name(name("download_buffered_bytes"))
                .help("Download bytes the hub holds now (at most downloads x window x 64 KiB).")
                .callback(cb -> cb.call(hub.dumps().buffered()))
                .register(registry);
        GaugeWithCallback.builder().name(name("download_buffered_bytes_peak"))
                .help("The most download bytes the hub held at once since it started.")
                .callback(cb -> cb.call(hub.dumps().bufferedHighWater()))
                .register(registry);
        CounterWithCallback.builder().name(name("downloads_started_total"))
                .help("Downloads from snapshots started since the hub started.")
                .callback(cb -> cb.call(hub.dumps().started()))
                .register(registry);
    }
}
