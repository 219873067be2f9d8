package io.resticmanager.kit;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.resticmanager.common.Hosts;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Loads a service's {@code application.yaml} with {@code RM_*} environment overrides on top.
 * The overrides are explicit (one table below) so every supported variable is documented here.
 */
public final class RmConfig {
    /** Environment variable → config key. Service ports/URLs follow {@code RM_<SERVICE>_PORT/_URL}. */
    private static final Map<String, String> ENV_KEYS = Map.ofEntries(
            Map.entry("RM_DATA_DIR", "rm.data-dir"),
            Map.entry("RM_MODE", "rm.mode"),
            Map.entry("RM_SECRET_KEY_FILE", "rm.secret-key-file"),
            Map.entry("RM_INTERNAL_TOKEN_FILE", "rm.internal-token-file"),
            Map.entry("RM_RELEASE_KEY_FILE", "rm.release-key-file"),
            Map.entry("RM_TRUSTED_PROXY", "rm.trusted-proxy"),
            Map.entry("RM_METRICS_ALLOW", "rm.gateway.metrics-allow"),
            // single sign-on (gateway; docs/OIDC.md)
            Map.entry("RM_OIDC_DISCOVERY_URL", "rm.gateway.oidc.discovery-url"),
            Map.entry("RM_OIDC_CLIENT_ID", "rm.gateway.oidc.client-id"),
            Map.entry("RM_OIDC_CLIENT_SECRET", "rm.gateway.oidc.client-secret"),
            Map.entry("RM_OIDC_CLIENT_SECRET_FILE", "rm.gateway.oidc.client-secret-file"),
            Map.entry("RM_OIDC_NAME", "rm.gateway.oidc.name"),
            Map.entry("RM_OIDC_SCOPES", "rm.gateway.oidc.scopes"),
            Map.entry("RM_OIDC_GROUPS_CLAIM", "rm.gateway.oidc.groups-claim"),
            Map.entry("RM_OIDC_USERNAME_CLAIM", "rm.gateway.oidc.username-claim"),
            Map.entry("RM_OIDC_ROLE_MAP", "rm.gateway.oidc.role-map"),
            Map.entry("RM_OIDC_DEFAULT_ROLE", "rm.gateway.oidc.default-role"),
            Map.entry("RM_OIDC_REDIRECT_URI", "rm.gateway.oidc.redirect-uri"),
            Map.entry("RM_OIDC_POST_LOGOUT_REDIRECT_URI", "rm.gateway.oidc.post-logout-redirect-uri"),
            Map.entry("RM_OIDC_CLOCK_SKEW_S", "rm.gateway.oidc.clock-skew-s"),
            Map.entry("RM_PUBLIC_URL", "rm.public-url"),
            Map.entry("RM_GATEWAY_URL", "rm.peers.gateway"),
            Map.entry("RM_AGENT_HUB_URL", "rm.peers.agent-hub"),
            Map.entry("RM_JOBS_URL", "rm.peers.jobs"),
            Map.entry("RM_INVENTORY_URL", "rm.peers.inventory"),
            Map.entry("RM_UI_URL", "rm.peers.ui"),
            Map.entry("RM_HOST", "server.host"));

    private RmConfig() {
    }

    /**
     * @param portVariable the service's own port variable, e.g. {@code RM_JOBS_PORT} ({@code RM_PORT} for the gateway)
     */
    public static Config load(String portVariable) {
        return load(portVariable, System.getenv());
    }

    static Config load(String portVariable, Map<String, String> env) {
        Map<String, String> overrides = new HashMap<>();
        ENV_KEYS.forEach((variable, key) -> {
            String value = env.get(variable);
            if (value != null && !value.isBlank()) {
                overrides.put(key, value);
            }
        });
        String port = env.get(portVariable);
        if (port != null && !port.isBlank()) {
            overrides.put("server.port", port);
        }
        Config config = Config.builder()
                .disableEnvironmentVariablesSource()
                .disableSystemPropertiesSource()
                .sources(ConfigSources.create(overrides),
                         ConfigSources.systemProperties(),
                         ConfigSources.classpath("application.yaml"))
                .build();
        checkPublicUrl(config);
        return config;
    }

    /**
     * In production the public URL must be https (loopback excepted): it goes into every install command, which
     * hosts pipe into a root shell, and it is where agents send their credentials.
     */
    static void checkPublicUrl(Config config) {
        if (localMode(config)) {
            return;
        }
        String url = config.get("rm.public-url").asString().orElse("");
        if (url.isBlank()) {
            return; // a service that never names the public URL
        }
        java.net.URI uri;
        try {
            uri = java.net.URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("RM_PUBLIC_URL is not a valid URL: " + url);
        }
        if ("https".equalsIgnoreCase(uri.getScheme()) && uri.getHost() != null) {
            return;
        }
        if ("http".equalsIgnoreCase(uri.getScheme()) && uri.getHost() != null && Hosts.loopback(uri.getHost())) {
            return;
        }
        throw new IllegalStateException("RM_MODE=production needs an https:// RM_PUBLIC_URL (got \"" + url
                + "\"): install commands run as root on every host and agents send their credentials there; put "
                + "TLS in front of the gateway (see the compose stack's Caddy) or use RM_MODE=local on one machine");
    }

    /** The data directory (created on demand). */
    public static Path dataDir(Config config) {
        return Path.of(config.get("rm.data-dir").asString().orElse("./data")).toAbsolutePath().normalize();
    }

    /** {@code local} (default: secrets generated on first start) or {@code production} (secrets must be provided). */
    public static boolean localMode(Config config) {
        return !"production".equals(config.get("rm.mode").asString().orElse("local"));
    }

    /** A peer's base URL, e.g. {@code peer(config, "jobs")} → {@code http://127.0.0.1:8082}. */
    public static String peer(Config config, String name) {
        return config.get("rm.peers." + name).asString()
                .orElseThrow(() -> new IllegalStateException("config rm.peers." + name + " is not set"));
    }
}
