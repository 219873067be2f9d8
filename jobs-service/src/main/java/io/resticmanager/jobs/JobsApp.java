package io.resticmanager.jobs;

import io.helidon.config.Config;
import io.resticmanager.kit.Health;
import io.resticmanager.kit.InternalAuth;
import io.resticmanager.kit.InternalClient;
import io.resticmanager.kit.RmConfig;
import io.resticmanager.kit.SqliteStore;

import java.time.Duration;
import java.util.Map;

/** The jobs-service's parts, wired once from config; {@link #start()} starts the background loops. */
final class JobsApp implements AutoCloseable {
    private final JobsSettings settings;
    private final InternalAuth auth;
    private final JobStore store;
    private final LogFanout fanout;
    private final Signals signals;
    private final Dispatcher dispatcher;
    private final Reaper reaper;
    private final ResultSender results;
    private final JobLifecycle lifecycle;
    private final EventIngest ingest;

    private JobsApp(Config config) {
        settings = JobsSettings.from(config);
        auth = InternalAuth.create(InternalAuth.loadToken(config));
        store = JobStore.create(SqliteStore.open(RmConfig.dataDir(config).resolve("jobs.db")));
        fanout = new LogFanout();
        signals = new Signals(fanout);
        AgentHubClient hub = new AgentHubClient(InternalClient.create("agent-hub", RmConfig.peer(config, "agent-hub"),
                                                                      auth.token(), Duration.ofSeconds(10)));
        InventoryClient inventory = new InventoryClient(RmConfig.peer(config, "inventory"), auth.token());
        dispatcher = new Dispatcher(store, inventory, hub, signals, settings.reaperInterval());
        reaper = new Reaper(store, signals, settings);
        results = new ResultSender(store, inventory, signals.resultsWakeup(), settings.resultRetryMax());
        lifecycle = new JobLifecycle(store, inventory, hub, dispatcher, signals);
        ingest = new EventIngest(store, signals, lifecycle);
    }

    static JobsApp create(Config config) {
        return new JobsApp(config);
    }

    /** Starts dispatching (which first re-checks everything queued, e.g. after a restart), reaping and result delivery. */
    JobsApp start() {
        dispatcher.start();
        reaper.start();
        results.start();
        return this;
    }

    InternalAuth auth() {
        return auth;
    }

    JobStore store() {
        return store;
    }

    LogFanout fanout() {
        return fanout;
    }

    JobLifecycle lifecycle() {
        return lifecycle;
    }

    EventIngest ingest() {
        return ingest;
    }

    Dispatcher dispatcher() {
        return dispatcher;
    }

    Reaper reaper() {
        return reaper;
    }

    Health health() {
        return Health.create("jobs-service", Map.of("db", store::healthy));
    }

    @Override
    public void close() {
        reaper.close();
        results.close();
        dispatcher.close();
        store.close();
    }
}
