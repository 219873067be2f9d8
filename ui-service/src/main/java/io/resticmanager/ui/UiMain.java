package io.resticmanager.ui;

import io.helidon.config.Config;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.resticmanager.kit.Health;
import io.resticmanager.kit.InternalAuth;
import io.resticmanager.kit.RmConfig;
import io.resticmanager.kit.ServiceKit;

import java.util.Map;

/**
 * ui-service: the server-rendered HTMX + Mustache dashboard. Stateless: the gateway forwards page requests
 * (with the user, the session's CSRF token and the browser's cookies) and every read or write goes back
 * through the gateway's public API on the user's behalf.
 */
public final class UiMain {
    private UiMain() {
    }

    public static void main(String[] args) {
        ServiceKit.initLogging();
        Config config = RmConfig.load("RM_UI_PORT");
        InternalAuth auth = InternalAuth.create(InternalAuth.loadToken(config));
        String gateway = RmConfig.peer(config, "gateway");
        Templates templates = new Templates(false);
        WebServer server = WebServer.builder()
                .config(config.get("server"))
                .routing(routing -> routing(routing, auth, gateway, templates))
                .build()
                .start();
        ServiceKit.stopOnShutdown("ui-service", server);
    }

    static void routing(HttpRouting.Builder routing, InternalAuth auth, String gatewayUrl, Templates templates) {
        GatewayApi api = new GatewayApi(gatewayUrl, auth.token());
        // the nav badge and the alerts on cards are extras: a slow answer must not hold a page up for long
        AlertFeed alerts = new AlertFeed(new GatewayApi(gatewayUrl, auth.token(), java.time.Duration.ofSeconds(3)));
        Pages pages = new Pages(templates, alerts);
        ErrorPages errors = new ErrorPages(pages);
        ServiceKit.base(routing, "ui-service", auth, Health.create("ui-service", Map.of()));
        errors.register(routing);
        routing.register(new AssetRoutes())
                .register(new AuthRoutes(api, pages))
                .register(new DashboardRoutes(api, pages))
                // /hosts/new before /hosts/{id}: the first matching route wins.
                .register(new EnrollRoutes(api, pages))
                .register(new HostRoutes(api, pages))
                .register(new HostActionRoutes(api, pages))
                .register(new HostScheduleRoutes(api, pages))
                .register(new RestoreRoutes(api, pages))
                .register(new JobRoutes(api, pages))
                .register(new AgentUpdateRoutes(api, pages))
                .register(new RepoRoutes(api, pages))
                .register(new DiffRoutes(api, pages))
                .register(new AlertRoutes(api, pages))
                .register(new ChannelRoutes(api, pages))
                .register(new RuleRoutes(api, pages))
                .register(new UserAdminRoutes(api, pages))
                .register(new TokenAdminRoutes(api, pages))
                .register(new AuditLogRoutes(api, pages))
                .register(new VersionRoutes(api, pages))
                .any(errors::notFound);
    }
}
