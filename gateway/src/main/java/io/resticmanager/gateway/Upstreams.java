package io.resticmanager.gateway;

import io.helidon.config.Config;
import io.resticmanager.kit.RmConfig;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Which service owns a public path (ARCHITECTURE.md "Request paths"). */
final class Upstreams {
    /** A backend service: its name as shown in problems and /health, and its base URL. */
    record Upstream(String name, URI base) {
    }

    static final String HUB = "agent-hub";
    static final String JOBS = "jobs-service";
    static final String INVENTORY = "inventory-service";
    static final String UI = "ui-service";

    private static final List<String> GATEWAY_OWNED = List.of(
            "/health", "/api/setup", "/api/login", "/api/logout", "/api/me", OpenApiRoutes.PATH, "/api/users/**",
            "/api/tokens/**", "/api/audit/**");
    // First match wins.
    private static final List<Map.Entry<String, String>> OWNERS = List.of(
            Map.entry("/api/hosts/*/jobs/**", JOBS),
            Map.entry("/api/hosts/*/restores/**", JOBS),
            Map.entry("/api/hosts/*/diffs/**", JOBS),
            Map.entry("/api/repos/*/jobs/**", JOBS),
            Map.entry("/api/jobs/**", JOBS),
            Map.entry("/api/schedules/**", JOBS),
            Map.entry("/api/alerts/**", JOBS),
            Map.entry("/api/alert-channels/**", JOBS),
            // downloads from snapshots stream from the agent through the hub, never through inventory
            Map.entry("/api/hosts/*/downloads", HUB),
            // agent upgrades are commands to connected agents
            Map.entry("/api/hosts/update", HUB),
            Map.entry("/api/hosts/*/update", HUB),
            Map.entry("/api/hosts/**", INVENTORY),
            Map.entry("/api/repos/**", INVENTORY),
            Map.entry("/api/snapshots/**", INVENTORY),
            // file search in the tree index (one host's: /api/hosts/*/files, above)
            Map.entry("/api/files", INVENTORY),
            Map.entry("/api/agents/**", HUB),
            Map.entry("/api/enrollment-tokens/**", HUB),
            Map.entry("/ws/agent", HUB),
            Map.entry("/install.sh", HUB),
            Map.entry("/install.ps1", HUB),
            Map.entry("/downloads/**", HUB),
            // Unknown API paths go to a service, which answers 404 in the usual problem shape.
            Map.entry("/api/**", INVENTORY),
            Map.entry("/**", UI));

    private final Map<String, Upstream> byName;

    private Upstreams(Map<String, Upstream> byName) {
        this.byName = byName;
    }

    static Upstreams create(Config config) {
        Map<String, Upstream> byName = new LinkedHashMap<>();
        byName.put(HUB, new Upstream(HUB, base(RmConfig.peer(config, "agent-hub"))));
        byName.put(JOBS, new Upstream(JOBS, base(RmConfig.peer(config, "jobs"))));
        byName.put(INVENTORY, new Upstream(INVENTORY, base(RmConfig.peer(config, "inventory"))));
        byName.put(UI, new Upstream(UI, base(RmConfig.peer(config, "ui"))));
        return new Upstreams(byName);
    }

    /** The owning service, or empty when the gateway answers the path itself. */
    Optional<Upstream> forPath(String path) {
        for (String own : GATEWAY_OWNED) {
            if (RouteTable.matches(own, path)) {
                return Optional.empty();
            }
        }
        for (Map.Entry<String, String> e : OWNERS) {
            if (RouteTable.matches(e.getKey(), path)) {
                return Optional.of(byName.get(e.getValue()));
            }
        }
        return Optional.of(byName.get(UI));
    }

    List<Upstream> all() {
        return List.copyOf(byName.values());
    }

    private static URI base(String url) {
        return URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
    }
}
