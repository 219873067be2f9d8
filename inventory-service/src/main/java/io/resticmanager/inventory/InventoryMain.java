package io.resticmanager.inventory;

import io.helidon.config.Config;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.resticmanager.kit.Health;
import io.resticmanager.kit.InternalAuth;
import io.resticmanager.kit.InternalClient;
import io.resticmanager.kit.PromMetrics;
import io.resticmanager.kit.RmConfig;
import io.resticmanager.kit.SecretBox;
import io.resticmanager.kit.ServiceKit;
import io.resticmanager.kit.SqliteStore;
import io.resticmanager.proto.Json;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

/**
 * inventory-service: hosts, repositories (sealed credentials), snapshot projection and repo stats.
 * {@code InventoryMain} starts the server; {@code InventoryMain rekey} re-seals every secret under the
 * active key of {@code RM_SECRET_KEY_FILE} and exits (run it with the service stopped, or restart after).
 */
public final class InventoryMain {
    static final String SERVICE = "inventory-service";

    private InventoryMain() {
    }

    /** What the routes are built from; tests make their own. */
    record Parts(SqliteStore store, SecretBox box, InternalAuth auth, InternalClient hub, Clock clock,
                 InternalClient hubRequests, long indexMaxEntries, java.time.Duration indexSweepGrace) {
        /** {@code hubRequests} (synchronous agent requests, which wait up to 20 s) shares {@code hub}. */
        Parts(SqliteStore store, SecretBox box, InternalAuth auth, InternalClient hub, Clock clock) {
            this(store, box, auth, hub, clock, hub);
        }

        /** The tree index with its default quota and sweep grace time. */
        Parts(SqliteStore store, SecretBox box, InternalAuth auth, InternalClient hub, Clock clock,
              InternalClient hubRequests) {
            this(store, box, auth, hub, clock, hubRequests, FileIndex.DEFAULT_MAX_ENTRIES_PER_HOST,
                 FileIndex.DEFAULT_SWEEP_GRACE);
        }
    }

    public static void main(String[] args) {
        ServiceKit.initLogging();
        Config config = RmConfig.load("RM_INVENTORY_PORT");
        SqliteStore store = SqliteStore.open(dbFile(config));
        SecretBox box = SecretBox.fromConfig(config);
        if (args.length > 0 && args[0].equals("rekey")) {
            Repos.Rekeyed result = new Repos.Rekeyed(new RepoStore(store).resealAll(new Vault(box)),
                                                     box.activeKeyId());
            System.out.println(Json.write(result));
            store.close();
            return;
        }
        InternalAuth auth = InternalAuth.create(InternalAuth.loadToken(config));
        InternalClient hub = InternalClient.create("agent-hub", RmConfig.peer(config, "agent-hub"), auth.token());
        // restore browsing waits for the agent (the hub gives up after 20 s): read longer than that
        InternalClient hubRequests = InternalClient.create("agent-hub", RmConfig.peer(config, "agent-hub"), auth.token(),
                                                           java.time.Duration.ofSeconds(25));
        Parts parts = new Parts(store, box, auth, hub, Clock.systemUTC(), hubRequests,
                                config.get("rm.inventory.index.max-entries-per-host").asLong()
                                        .orElse(FileIndex.DEFAULT_MAX_ENTRIES_PER_HOST),
                                config.get("rm.inventory.index.sweep-grace").as(java.time.Duration.class)
                                        .orElse(FileIndex.DEFAULT_SWEEP_GRACE));
        WebServer server = WebServer.builder()
                .config(config.get("server"))
                .routing(routing -> {
                    routing(routing, parts);
                    routing.register(io.resticmanager.kit.StateExport.create(store, config, auth.token()));
                })
                .build()
                .start();
        backfill(parts, config.get("rm.inventory.index.backfill-retry").as(java.time.Duration.class)
                .orElse(IndexBackfill.DEFAULT_RETRY))
                .start(config.get("rm.inventory.index.backfill-interval").as(java.time.Duration.class)
                               .orElse(IndexBackfill.DEFAULT_INTERVAL));
        ServiceKit.stopOnShutdown(SERVICE, server, store);
    }

    /** Background indexing of the snapshots the tree index lacks, over the same store and hub as the routes. */
    static IndexBackfill backfill(Parts parts, java.time.Duration retry) {
        SqliteStore store = parts.store();
        Repos repos = new Repos(new RepoStore(store), new HostStore(store), new Vault(parts.box()), parts.clock());
        return new IndexBackfill(new IndexStore(store), repos, new HubRequests(parts.hubRequests()), parts.clock(),
                                 retry);
    }

    static Path dbFile(Config config) {
        return RmConfig.dataDir(config).resolve("inventory.db");
    }

    static void routing(HttpRouting.Builder routing, Parts parts) {
        SqliteStore store = parts.store();
        HostStore hostStore = new HostStore(store);
        RepoStore repoStore = new RepoStore(store);
        SnapshotStore snapshotStore = new SnapshotStore(store);
        Vault vault = new Vault(parts.box());
        Hosts hosts = new Hosts(hostStore, repoStore, new AgentHubClient(parts.hub()), parts.clock());
        Repos repos = new Repos(repoStore, hostStore, vault, parts.clock());
        ServiceKit.base(routing, SERVICE, parts.auth(), Health.create(SERVICE, Map.of("db", store::healthy)));
        HostHooks hooks = new HostHooks(store, parts.box(), parts.clock());
        FileIndex index = new FileIndex(new IndexStore(store), hosts, snapshotStore, parts.clock(),
                                        parts.indexMaxEntries(), parts.indexSweepGrace());
        PrometheusRegistry metrics = new PrometheusRegistry(); // per routing: tests build several in one JVM
        metrics.register(new InventoryMetrics(hostStore, repoStore, store));
        routing.register(new HostRoutes(hosts, hostStore, hooks))
                .register(new SnapshotRoutes(hosts, repos, snapshotStore, index))
                .register(new TreeRoutes(new SnapshotTree(hosts, repos, snapshotStore,
                                                          new HubRequests(parts.hubRequests()), index)))
                .register(new IndexRoutes(index, hosts, hostStore))
                .register(new RepoRoutes(repos))
                .register(new InternalRoutes(new HubEvents(store, parts.clock(), index::sweep),
                                             new JobResults(hostStore, repoStore, parts.clock()), repos, hostStore,
                                             hooks))
                .register(PromMetrics.endpoint(metrics));
    }
}
