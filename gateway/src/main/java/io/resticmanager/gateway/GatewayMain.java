package io.resticmanager.gateway;

import io.helidon.config.Config;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.security.SecurityFeature;
import io.resticmanager.kit.RmConfig;
import io.resticmanager.kit.ServiceKit;

/** The one public door: authentication, roles, CSRF, audit, then the owning service (HTTP and WebSocket). */
public final class GatewayMain {
    private GatewayMain() {
    }

    public static void main(String[] args) {
        ServiceKit.initLogging();
        Config config = RmConfig.load("RM_PORT");
        Gateway gateway = Gateway.create(config).start();
        WebServer server = start(config, gateway);
        ServiceKit.stopOnShutdown("gateway", server, gateway);
    }

    static WebServer start(Config config, Gateway gateway) {
        return WebServer.builder()
                .config(config.get("server"))
                // Our Security (one provider for cookies and API tokens) in place of the auto-discovered one.
                .addFeature(SecurityFeature.builder().security(gateway.security.security()).build())
                .routing(r -> routing(r, gateway))
                .addRouting(gateway.wsProxy.routing())
                .build()
                .start();
    }

    static void routing(HttpRouting.Builder routing, Gateway gateway) {
        // No InternalAuth here: the gateway is the one that adds the internal token, never one that demands it.
        ServiceKit.base(routing, "gateway", null, gateway.health);
        // ahead of the guard, so refused requests are counted too
        routing.addFilter(gateway.metrics);
        routing.addFilter(gateway.guard);
        routing.register(gateway.authRoutes, gateway.userRoutes, gateway.tokenRoutes, gateway.auditRoutes,
                         gateway.metricsPage);
        routing.any(gateway.proxy);
    }
}
