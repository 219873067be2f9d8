package io.resticmanager.ui;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The firing alerts pages show around their own content: the nav badge (every full page), the dashboard's cards
 * and the host page's header. Read with a short timeout and leniently: when the call fails, for whatever reason,
 * the page renders without them, never an error.
 */
final class AlertFeed {
    /** The most alerts one list call returns. */
    static final int LIMIT = 500;

    private final GatewayApi api;

    /** {@code api}: a client with a short read timeout; null for no alerts at all. */
    AlertFeed(GatewayApi api) {
        this.api = api;
    }

    /** The firing alerts (newest first, at most {@link #LIMIT}) and how many the API counts. */
    record Firing(int count, List<JsonNode> items) {
        /** This host's firing alerts. */
        List<JsonNode> of(String hostId) {
            return items.stream().filter(a -> hostId.equals(Nodes.text(a, "host_id"))).toList();
        }
    }

    /** {@code GET /api/alerts?state=firing&limit=500}: one call, for the badge and (on the dashboard) the cards. */
    Optional<Firing> firing(Session session) {
        if (api == null || !session.loggedIn()) {
            return Optional.empty();
        }
        try {
            JsonNode body = api.get(session, "/api/alerts", query("state", "firing", "limit", String.valueOf(LIMIT)));
            List<JsonNode> items = Nodes.items(body);
            OptionalLong count = Nodes.number(body, "firing");
            return Optional.of(new Firing(count.isPresent() ? (int) count.getAsLong() : items.size(), items));
        } catch (RuntimeException e) {
            // the badge is a hint: no badge is better than no page
            return Optional.empty();
        }
    }

    /** {@code GET /api/alerts?host_id=…&state=firing}: the host page's alerts, or null when they cannot be read. */
    Views.HostAlerts forHost(Session session, String hostId) {
        if (api == null || !session.loggedIn()) {
            return null;
        }
        try {
            JsonNode body = api.get(session, "/api/alerts", query("host_id", hostId, "state", "firing"));
            List<JsonNode> mine = Nodes.items(body).stream()
                    .filter(a -> hostId.equals(Nodes.text(a, "host_id")))
                    .toList();
            return Views.HostAlerts.of(hostId, mine, Instant.now());
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static Map<String, String> query(String... kv) {
        Map<String, String> query = new LinkedHashMap<>();
        for (int i = 0; i + 1 < kv.length; i += 2) {
            query.put(kv[i], kv[i + 1]);
        }
        return query;
    }
}
