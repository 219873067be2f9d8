package io.resticmanager.hub;

import io.helidon.config.Config;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.websocket.WsConfig;
import io.helidon.webserver.websocket.WsRouting;
import io.resticmanager.kit.Health;
import io.resticmanager.kit.InternalAuth;
import io.resticmanager.kit.RmConfig;
import io.resticmanager.kit.ServiceKit;
import io.resticmanager.kit.StateExport;
import io.resticmanager.proto.Protocol;

import java.util.Map;

/** agent-hub: agents' WebSocket connections, enrollment, presence, command dispatch, event outbox. */
public final class AgentHubMain {
    static final String SERVICE = "agent-hub";

    private AgentHubMain() {
    }

    public static void main(String[] args) {
        ServiceKit.initLogging();
        Config config = RmConfig.load("RM_AGENT_HUB_PORT");
        InternalAuth auth = InternalAuth.create(InternalAuth.loadToken(config));
        AgentHub hub = AgentHub.start(HubSettings.from(config), auth.token());
        WebServer server = WebServer.builder()
                .config(config.get("server"))
                .update(b -> server(b, hub, auth, StateExport.create(hub.sqlite(), config, auth.token())))
                .build()
                .start();
        ServiceKit.stopOnShutdown(SERVICE, server, hub);
    }

    /** HTTP and WebSocket routing plus the WebSocket frame limit; tests build their server with this too. */
    static void server(WebServerConfig.Builder server, AgentHub hub, InternalAuth auth) {
        server(server, hub, auth, null);
    }

    /** @param state this service's part of the self backup ({@code null} in tests that do not need it) */
    static void server(WebServerConfig.Builder server, AgentHub hub, InternalAuth auth, StateExport state) {
        // Helidon drops the connection on a frame above its limit; ours is checked in AgentEndpoint with a
        // polite frame_too_large, so Helidon's sits above it
        server.addProtocol(WsConfig.builder().name("websocket").maxFrameLength(4 * Protocol.MAX_FRAME_BYTES).build())
                .routing(r -> {
                    routing(r, hub, auth);
                    if (state != null) {
                        r.register(state);
                    }
                })
                .addRouting(WsRouting.builder().endpoint("/ws/agent", () -> new AgentEndpoint(hub)));
    }

    static void routing(HttpRouting.Builder routing, AgentHub hub, InternalAuth auth) {
        ServiceKit.base(routing, SERVICE, auth, Health.create(SERVICE, Map.of("agent-hub.db", hub::healthy)));
        routing.addFilter(AgentRoutes.credentialFilter(hub))
                .register(new EnrollmentRoutes(hub))
                .register(new AgentRoutes(hub))
                .register(new InternalRoutes(hub))
                .register(new RequestRoutes(hub))
                .register(new DownloadRoutes(hub))
                .register(new SnapshotDownloadRoutes(hub, hub.inventory()))
                .register(io.resticmanager.kit.PromText.endpoint(new HubMetrics(hub)::fragment));
    }
}
