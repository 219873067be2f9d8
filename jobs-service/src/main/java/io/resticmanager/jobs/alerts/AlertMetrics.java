package io.resticmanager.jobs.alerts;

import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.resticmanager.kit.PromMetrics.label;
import static io.resticmanager.kit.PromMetrics.name;

/**
 * The alerts' part of {@code /metrics}: firing alerts per rule and severity (every rule always present, 0 when
 * quiet, so a Prometheus rule on it never sees a missing series) and the delivery outbox by status. Read from the
 * store at scrape time.
 */
public final class AlertMetrics {
    private AlertMetrics() {
    }

    public static void register(PrometheusRegistry registry, AlertStore store) {
        GaugeWithCallback.builder().name(name("alerts_firing"))
                .help("Alerts firing now (not acknowledged, not resolved), by rule and severity.")
                .labelNames("rule", "severity")
                .callback(cb -> firing(store).forEach((key, n) -> cb.call(n, key.rule(), key.severity())))
                .register(registry);
        GaugeWithCallback.builder().name(name("alert_deliveries"))
                .help("Alert notifications by delivery status (pending ones wait for a retry).")
                .labelNames("status")
                .callback(cb -> {
                    for (String status : List.of("pending", "sent", "failed")) {
                        cb.call(store.deliveryCount(status), status);
                    }
                })
                .register(registry);
    }

    private record Key(String rule, String severity) {
    }

    private static Map<Key, Long> firing(AlertStore store) {
        Map<Key, Long> counts = new HashMap<>();
        for (Object[] row : store.firingCounts()) {
            counts.put(new Key(label((String) row[0]), label((String) row[1])), (Long) row[2]);
        }
        for (AlertStore.Rule rule : store.rules()) {
            counts.putIfAbsent(new Key(rule.rule(), rule.severity()), 0L);
        }
        return counts;
    }
}
