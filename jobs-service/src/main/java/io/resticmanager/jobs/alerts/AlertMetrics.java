package io.resticmanager.jobs.alerts;

import io.resticmanager.kit.PromText;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The alerts' part of {@code /metrics}: firing alerts per rule and severity (every rule always present, 0 when
 * quiet, so a Prometheus rule on it never sees a missing series) and the delivery outbox by status.
 */
public final class AlertMetrics {
    private final AlertStore store;

    public AlertMetrics(AlertStore store) {
        this.store = store;
    }

    public String fragment() {
        PromText out = PromText.create();
        out.gauge("alerts_firing", "Alerts firing now (not acknowledged, not resolved), by rule and severity.");
        Map<String, Long> counts = new HashMap<>();
        for (Object[] row : store.firingCounts()) {
            counts.put(row[0] + "\u0000" + row[1], (Long) row[2]);
        }
        for (AlertStore.Rule rule : store.rules()) {
            counts.putIfAbsent(rule.rule() + "\u0000" + rule.severity(), 0L);
        }
        counts.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            String[] key = e.getKey().split("\u0000");
            out.sample("alerts_firing", e.getValue(), "rule", key[0], "severity", key[1]);
        });
        out.gauge("alert_deliveries", "Alert notifications by delivery status (pending ones wait for a retry).");
        for (String status : List.of("pending", "sent", "failed")) {
            out.sample("alert_deliveries", store.deliveryCount(status), "status", status);
        }
        return out.text();
    }
}
