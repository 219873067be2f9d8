package io.resticmanager.hub;

import io.helidon.config.Config;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.websocket.WsConfig;
import io.helidon.webserver.websocket.WsRouting;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.resticmanager.kit.Health;
import io.resticmanager.kit.InternalAuth;
import io.resticmanager.kit.RmConfig;
import io.resticmanager.kit.InternalClient;
import io.resticmanager.kit.PromMetrics;
import io.resticmanager.kit.ServiceKit;
import io.resticmanager.kit.StateExport;
import io.resticmanager.proto.Protocol;

import java.util.List;
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
                .update(b -> server(b, hub, auth, selfBackup(config, hub, auth.token())))
                .build()
                .start();
        ServiceKit.stopOnShutdown(SERVICE, server, hub);
    }

    /** HTTP and WebSocket routing plus the WebSocket frame limit; tests build their server with this too. */
    static void server(WebServerConfig.Builder server, AgentHub hub, InternalAuth auth) {
        server(server, hub, auth, List.of());
    }

    /**
     * The self backup's routes: the hub's own part ({@code /internal/state}) and the whole state for the agent that
     * runs a self backup, the peers' parts streamed through (inventory holds the sealing key, the gateway the users).
     */
    static List<HttpService> selfBackup(Config config, AgentHub hub, String token) {
        StateExport own = StateExport.create(hub.sqlite(), config, token);
        List<SelfBackupState.Peer> peers = List.of(
                new SelfBackupState.Peer("inventory-service", RmConfig.peer(config, "inventory")),
                new SelfBackupState.Peer("jobs-service", RmConfig.peer(config, "jobs")),
                new SelfBackupState.Peer("gateway", RmConfig.peer(config, "gateway")));
        InternalClient jobs = InternalClient.create("jobs-service", RmConfig.peer(config, "jobs"), token);
        return List.of(own, new SelfBackupState(hub, own, peers, jobs, token));
    }

    /** @param extra more routes (the self backup's; none in tests that do not need them) */
    static void server(WebServerConfig.Builder server, AgentHub hub, InternalAuth auth, List<HttpService> extra) {
        // Helidon drops the connection on a frame above its limit; ours is checked in AgentEndpoint with a
        // polite frame_too_large, so Helidon's sits above it
        server.addProtocol(WsConfig.builder().name("websocket").maxFrameLength(4 * Protocol.MAX_FRAME_BYTES).build())
                .routing(r -> routing(r, hub, auth, extra))
                .addRouting(WsRouting.builder().endpoint("/ws/agent", () -> new AgentEndpoint(hub)));
    }

    static void routing(HttpRouting.Builder routing, AgentHub hub, InternalAuth auth, List<HttpService> extra) {
        ServiceKit.base(routing, SERVICE, auth, Health.create(SERVICE, Map.of("agent-hub.db", hub::healthy)));
        // ahead of AgentRoutes, whose /api/agents/{id} would take /api/agents/state
        extra.forEach(routing::register);
        PrometheusRegistry metrics = new PrometheusRegistry(); // per routing: tests build several in one JVM
        HubMetrics.register(metrics, hub);
        routing.addFilter(AgentRoutes.credentialFilter(hub))
                .register(new EnrollmentRoutes(hub))
                .register(new AgentRoutes(hub))
                .register(new InternalRoutes(hub))
                .register(new RequestRoutes(hub))
                .register(new UpdateRoutes(hub))
                .register(new DownloadRoutes(hub))
                .register(new SnapshotDownloadRoutes(hub, hub.inventory()))
                .register(PromMetrics.endpoint(metrics));
    }
}
