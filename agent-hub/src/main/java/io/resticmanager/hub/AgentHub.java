package io.resticmanager.hub;

import io.resticmanager.kit.InternalClient;
import io.resticmanager.kit.SqliteStore;

import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;

/** The hub's running parts, started and stopped together: store, writer, forwarders, presence, agent bundle. */
final class AgentHub implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(AgentHub.class.getName());

    private final HubSettings settings;
    private final SqliteStore sqlite;
    private final HubStore store;
    private final Map<Destination, OutboxForwarder> forwarders = new EnumMap<>(Destination.class);
    private final HubWriter writer;
    private final AgentRegistry registry;
    private final AgentBundle bundle;
    private final ReleaseKeys releaseKeys;
    private final AptRepository apt;
    private final PendingRequests requests = new PendingRequests();
    private final DumpStreams dumps;
    private final InternalClient inventory;
    private final IndexRelay index;

    private AgentHub(HubSettings settings, String internalToken) {
        this.settings = settings;
        this.sqlite = SqliteStore.open(settings.dataDir().resolve("agent-hub.db"));
        this.store = new HubStore(sqlite);
        // the one clock the background loops read
        Clock clock = Clock.systemUTC();
        int reset = store.resetPresence(clock.instant());
        if (reset > 0) {
            LOG.log(Level.INFO, reset + " host(s) were online when the hub stopped; marked offline");
        }
        forwarders.put(Destination.JOBS, new OutboxForwarder(Destination.JOBS, sqlite, InternalClient.create(
                "jobs-service", settings.jobsUrl(), internalToken, Duration.ofSeconds(5)), settings.forwardBatch(), clock));
        forwarders.put(Destination.INVENTORY, new OutboxForwarder(Destination.INVENTORY, sqlite, InternalClient.create(
                "inventory-service", settings.inventoryUrl(), internalToken, Duration.ofSeconds(5)),
                settings.forwardBatch(), clock));
        this.writer = new HubWriter(sqlite, this::wakeForwarders);
        this.registry = new AgentRegistry(writer, settings.offlineAfter(), settings.lastSeenFlush(), clock);
        this.dumps = new DumpStreams(settings.downloadWindow(), settings.downloadsPerHost(), settings.downloads());
        this.inventory = InternalClient.create("inventory-service", settings.inventoryUrl(), internalToken,
                                               Duration.ofSeconds(30));
        this.index = new IndexRelay(inventory);
        this.bundle = new AgentBundle(settings.agentDist(), settings.dataDir().resolve("agent-bundle"));
        this.releaseKeys = ReleaseKeys.load(settings.releaseKeyFile(), settings.mayCreateSecrets());
        this.apt = new AptRepository(settings.aptPool(), releaseKeys.pgp());
    }

    static AgentHub start(HubSettings settings, String internalToken) {
        return new AgentHub(settings, internalToken);
    }

    HubSettings settings() {
        return settings;
    }

    /** The hub's database, for its part of the self backup. */
    SqliteStore sqlite() {
        return sqlite;
    }

    HubStore store() {
        return store;
    }

    HubWriter writer() {
        return writer;
    }

    AgentRegistry registry() {
        return registry;
    }

    /** Synchronous requests to agents waiting for their replies. */
    PendingRequests requests() {
        return requests;
    }

    /** Downloads from snapshots in flight. */
    DumpStreams dumps() {
        return dumps;
    }

    /** inventory-service, for what a download needs (snapshot, repository credential). */
    InternalClient inventory() {
        return inventory;
    }

    /** Tree-index frames from agents, relayed to inventory. */
    IndexRelay index() {
        return index;
    }

    AgentBundle bundle() {
        return bundle;
    }

    /** The keys that sign what hosts download. */
    AptRepository apt() {
        return apt;
    }

    ReleaseKeys releaseKeys() {
        return releaseKeys;
    }

    /** Events this receiver has not confirmed yet. */
    long pending(Destination destination) {
        return forwarders.get(destination).pending();
    }

    /** Something new is in the outbox (enrollment writes it outside the writer). */
    void wakeForwarders() {
        forwarders.values().forEach(OutboxForwarder::wake);
    }

    boolean healthy() {
        return sqlite.healthy();
    }

    @Override
    public void close() {
        registry.close();
        writer.close();
        forwarders.values().forEach(OutboxForwarder::close);
        sqlite.close();
    }
}
