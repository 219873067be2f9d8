package io.resticmanager.gateway;

import io.helidon.config.Config;

import java.util.Arrays;
import java.util.List;

/**
 * Clients that may scrape {@code GET /metrics} without credentials: {@code rm.gateway.metrics-allow}
 * ({@code RM_METRICS_ALLOW}), comma-separated CIDR ranges, IPv4 or IPv6 (a bare address is just that address).
 * Matched against the client address as {@link ClientAddress} resolves it, so behind a trusted proxy it is the
 * real client, never the proxy. Empty (the default) allows nobody: Prometheus then needs a viewer API token.
 */
final class MetricsAllowList {
    static final String KEY = "rm.gateway.metrics-allow";
    static final String ENV = "RM_METRICS_ALLOW";
    private static final String SETTING = ENV + " (" + KEY + ")";

    private final List<String> texts;
    private final List<ClientAddress.Cidr> ranges;

    private MetricsAllowList(List<String> texts) {
        this.texts = List.copyOf(texts);
        this.ranges = texts.stream().map(MetricsAllowList::range).toList();
    }

    /** From the config key, which {@code RM_METRICS_ALLOW} overrides like every {@code RM_*} variable (RmConfig). */
    static MetricsAllowList create(Config config) {
        return parse(config.get(KEY).asString().orElse(""));
    }

    /** @throws IllegalStateException naming the bad entry, so the gateway refuses to start with it */
    static MetricsAllowList parse(String raw) {
        return new MetricsAllowList(Arrays.stream(raw.split(",")).map(String::strip).filter(s -> !s.isEmpty())
                                            .toList());
    }

    private static ClientAddress.Cidr range(String text) {
        if (text.contains("/")) {
            return ClientAddress.Cidr.parse(text, SETTING);
        }
        try {
            byte[] address = ClientAddress.Cidr.literal(text);
            return new ClientAddress.Cidr(address, address.length * 8);
        } catch (RuntimeException e) {
            throw new IllegalStateException(SETTING + ": not an address or CIDR range: " + text);
        }
    }

    boolean isEmpty() {
        return ranges.isEmpty();
    }

    /** Whether the client address (an IP literal; IPv6 possibly in brackets or with a zone) is in a range. */
    boolean allows(String address) {
        if (address == null || ranges.isEmpty()) {
            return false;
        }
        String bare = address.strip();
        if (bare.startsWith("[") && bare.endsWith("]")) {
            bare = bare.substring(1, bare.length() - 1);
        }
        int zone = bare.indexOf('%');
        String literal = zone < 0 ? bare : bare.substring(0, zone);
        return ranges.stream().anyMatch(r -> r.contains(literal));
    }

    /** The ranges as configured, for the start-up log. */
    @Override
    public String toString() {
        return String.join(", ", texts);
    }
}
