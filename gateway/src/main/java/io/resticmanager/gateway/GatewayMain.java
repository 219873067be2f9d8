package io.resticmanager.gateway;

import io.helidon.config.Config;
import io.helidon.http.DirectHandler;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.security.SecurityFeature;
import io.resticmanager.kit.RmConfig;
import io.resticmanager.kit.ServiceKit;

import java.util.Map;

/** The one public door: authentication, roles, CSRF, audit, then the owning service (HTTP and WebSocket). */
public final class GatewayMain {
    private GatewayMain() {
    }

    /**
     * The JDK WebSocket client (the backend half of every proxied agent socket) keeps a 16 KiB read, write and
     * encoding buffer per connection. Frames from the hub are small (acks, commands): 2 KiB to read them; an
     * agent's frames (log batches of up to hundreds of KiB) are encoded 1 KiB and written 4 KiB at a time. Read
     * once, when the client classes load: set before any is used; an operator's -D wins.
     */
    static final Map<String, String> WEBSOCKET_BUFFERS = Map.of("jdk.httpclient.bufsize", "2048",
                                                                "jdk.httpclient.websocket.writeBufferSize", "4096",
                                                                "jdk.httpclient.websocket.intermediateBufferSize", "1024");

    public static void main(String[] args) {
        WEBSOCKET_BUFFERS.forEach((name, value) -> {
            if (System.getProperty(name) == null) {
                System.setProperty(name, value);
            }
        });
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
                // Helidon refuses some malformed requests before routing, e.g. an unknown Transfer-Encoding with
                // 501; bytes a client got wrong are its error, so the public door answers them 400
                .directHandlers(d -> d.addHandler(DirectHandler.EventType.BAD_REQUEST, (req, type, status, headers,
                        message) -> DirectHandler.defaultHandler().handle(req, type, status.code() >= 500
                        ? Status.BAD_REQUEST_400 : status, headers, message)))
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
        routing.register(gateway.state, gateway.escrowRoutes);
        routing.register(gateway.authRoutes, gateway.userRoutes, gateway.tokenRoutes, gateway.auditRoutes,
                         gateway.metricsPage, gateway.openApi);
        gateway.oidcRoutes.ifPresent(routing::register);
        routing.any(gateway.proxy);
    }
}
