package io.resticmanager.jobs;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Host display names for alert messages ("backup of web-1 failed" reads better than an id), asked of inventory and
 * kept ten minutes; the id stands in while inventory is unreachable, so an alert is never held up by it.
 */
final class HostNames implements Function<String, String> {
    private static final Duration KEEP = Duration.ofMinutes(10);
    private final InventoryClient inventory;
    private final Map<String, Map.Entry<String, Instant>> cache = new ConcurrentHashMap<>();

    HostNames(InventoryClient inventory) {
        this.inventory = inventory;
    }

    @Override
    public String apply(String hostId) {
        if (hostId == null) {
            return "unknown host";
        }
        Instant now = Instant.now();
        Map.Entry<String, Instant> known = cache.get(hostId);
        if (known != null && known.getValue().isAfter(now)) {
            return known.getKey();
        }
        return inventory.hostName(hostId).map(name -> {
            if (cache.size() > 10_000) {
                cache.clear();
            }
            cache.put(hostId, Map.entry(name, now.plus(KEEP)));
            return name;
        }).orElse(hostId);
    }
}
