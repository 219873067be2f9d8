package io.resticmanager.gateway;

import io.helidon.config.Config;
import io.resticmanager.common.Loop;
import io.resticmanager.kit.Health;
import io.resticmanager.kit.InternalAuth;
import io.resticmanager.kit.RmConfig;
import io.resticmanager.kit.SqliteStore;
import io.resticmanager.kit.Times;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/** The gateway's parts, built once from config and shared by the HTTP and WebSocket routing. */
final class Gateway implements AutoCloseable {
    final SqliteStore store;
    final Upstreams upstreams;
    final GatewaySecurity security;
    final AccessGuard guard;
    final Proxy proxy;
    final WsProxy wsProxy;
    final Health health;
    final AuthRoutes authRoutes;
    final UserRoutes userRoutes;
    final TokenRoutes tokenRoutes;
    final AuditRoutes auditRoutes;
    final GatewayMetrics metrics;
    final MetricsPage metricsPage;
    final OpenApiRoutes openApi;
    final AuditStore audit;
    /** The gateway's part of the self backup, reached by agent-hub with the internal token only. */
    final io.resticmanager.kit.StateExport state;
    final EscrowRoutes escrowRoutes;
    /** Single sign-on, when {@code rm.gateway.oidc.discovery-url} is set. */
    final Optional<OidcRoutes> oidcRoutes;
    private final Duration auditRetention;
    /** The clock of sign-in tokens and audit retention. */
    private final Clock clock = Clock.systemUTC();
    private volatile Loop housekeeping;

    private Gateway(Config config) {
        Config gw = config.get("rm.gateway");
        // first: a bad range stops the start before anything is opened
        MetricsAllowList scrapers = MetricsAllowList.create(config);
        if (!scrapers.isEmpty()) {
            System.getLogger(Gateway.class.getName()).log(System.Logger.Level.INFO,
                                                           "GET /metrics needs no credentials from " + scrapers);
        }
        Path dataDir = RmConfig.dataDir(config);
        this.store = SqliteStore.open(dataDir.resolve("gateway.db"));
        UserStore users = new UserStore(store);
        ApiTokenStore tokens = new ApiTokenStore(store);
        AuditStore audit = new AuditStore(store);
        this.audit = audit;
        this.auditRetention = Duration.ofDays(gw.get("audit.retention-days").asLong().orElse(365L));
        Authenticator authenticator = new Authenticator(
                new SessionStore(store), tokens,
                gw.get("session.idle-timeout-s").asLong().orElse(1800L) * 1000,
                gw.get("session.absolute-timeout-s").asLong().orElse(43_200L) * 1000);
        Passwords passwords = Passwords.create(gw.get("argon2"));
        String internalToken = InternalAuth.loadToken(config);
        long maxBody = gw.get("max-body-bytes").asLong().orElse(1024L * 1024);
        Duration connect = Duration.ofMillis(gw.get("proxy.connect-timeout-ms").asLong().orElse(2000L));
        Duration read = Duration.ofMillis(gw.get("proxy.read-timeout-ms").asLong().orElse(30_000L));

        this.state = io.resticmanager.kit.StateExport.create(store, config, internalToken);
        this.escrowRoutes = EscrowRoutes.create(config);
        this.upstreams = Upstreams.create(config);
        this.security = new GatewaySecurity(authenticator);
        this.proxy = new Proxy(upstreams, internalToken, connect, read, maxBody);
        this.wsProxy = new WsProxy(upstreams, internalToken, security, RouteTable.DEFAULT, connect);
        this.guard = new AccessGuard(RouteTable.DEFAULT, security, ClientAddress.create(config, internalToken),
                                     scrapers, audit, wsProxy, maxBody, internalToken);
        PeerHealth peers = new PeerHealth(upstreams.all(),
                                          Duration.ofMillis(gw.get("health-timeout-ms").asLong().orElse(1000L)));
        this.health = Health.create("gateway", peers.checks(store::healthy));
        SetupToken setupToken = SetupToken.init(dataDir, users.countLocalAdmins() > 0);
        OidcStore oidcStore = new OidcStore(store);
        Optional<OidcClient> sso = OidcConfig.from(config).map(c -> new OidcClient(c, clock));
        sso.ifPresent(c -> System.getLogger(Gateway.class.getName()).log(
                System.Logger.Level.INFO, "single sign-on with " + c.config().name() + " ("
                        + c.config().discoveryUrl() + ", client " + c.config().clientId() + ")"));
        this.oidcRoutes = sso.map(c -> new OidcRoutes(c, users, oidcStore, authenticator, audit));
        this.authRoutes = new AuthRoutes(users, passwords, authenticator, LoginThrottle.create(gw.get("login")),
                                         setupToken, oidcStore, sso);
        this.userRoutes = new UserRoutes(users, passwords, authenticator, oidcStore);
        this.tokenRoutes = new TokenRoutes(tokens);
        this.auditRoutes = new AuditRoutes(audit);
        this.metrics = new GatewayMetrics(upstreams);
        this.openApi = OpenApiRoutes.create();
        this.metricsPage = new MetricsPage(metrics, upstreams.all(), internalToken,
                                           Duration.ofMillis(gw.get("metrics-timeout-ms").asLong().orElse(2000L)));
    }

    static Gateway create(Config config) {
        return new Gateway(config);
    }

    /** Starts housekeeping: audit retention now and every hour after. */
    Gateway start() {
        housekeeping = Loop.start("gateway-housekeeping", clock, Duration.ofHours(1), now -> {
            purgeAudit(now);
            return Duration.ofHours(1);
        });
        return this;
    }

    /** Deletes audit rows older than {@code rm.gateway.audit.retention-days} (0 keeps them all); returns how many. */
    long purgeAudit(java.time.Instant now) {
        if (auditRetention.isZero() || auditRetention.isNegative()) {
            return 0;
        }
        long deleted = audit.purgeBefore(Times.format(now.minus(auditRetention)));
        if (deleted > 0) {
            System.getLogger(Gateway.class.getName()).log(System.Logger.Level.INFO,
                                                           "audit retention: deleted " + deleted + " rows older than "
                                                                   + auditRetention.toDays() + " days");
        }
        return deleted;
    }

    @Override
    public void close() {
        Loop loop = housekeeping;
        if (loop != null) {
            loop.close();
        }
        store.close();
    }
}
