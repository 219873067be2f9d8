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
    private final InventoryClient inventory;
    private final ScheduleStore schedules;
    private final ScheduleWorker scheduleWorker;
    private final Restores restores;

    private JobsApp(Config config) {
        settings = JobsSettings.from(config);
        auth = InternalAuth.create(InternalAuth.loadToken(config));
        store = JobStore.create(SqliteStore.open(RmConfig.dataDir(config).resolve("jobs.db")));
        fanout = new LogFanout();
        signals = new Signals(fanout);
        AgentHubClient hub = new AgentHubClient(InternalClient.create("agent-hub", RmConfig.peer(config, "agent-hub"),
                                                                      auth.token(), Duration.ofSeconds(10)));
        inventory = new InventoryClient(RmConfig.peer(config, "inventory"), auth.token());
        dispatcher = new Dispatcher(store, inventory, hub, signals, settings.reaperInterval());
        reaper = new Reaper(store, signals, settings);
        results = new ResultSender(store, inventory, signals.resultsWakeup(), settings.resultRetryMax());
        lifecycle = new JobLifecycle(store, inventory, hub, dispatcher, signals);
        ingest = new EventIngest(store, signals, lifecycle, settings.logLimits());
        restores = new Restores(store, inventory, signals);
        schedules = new ScheduleStore(store);
        scheduleWorker = new ScheduleWorker(schedules, store, lifecycle, hub, signals, settings.reaperInterval());
    }

    static JobsApp create(Config config) {
        return new JobsApp(config);
    }

    /**
     * Starts dispatching (which first re-checks everything queued, e.g. after a restart), reaping, result
     * delivery and the schedule worker (fires → jobs, schedule pushes).
     */
    JobsApp start() {
        dispatcher.start();
        reaper.start();
        results.start();
        scheduleWorker.start();
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

    JobsSettings settings() {
        return settings;
    }

    EventIngest ingest() {
        return ingest;
    }

    InventoryClient inventory() {
        return inventory;
    }

    Restores restores() {
        return restores;
    }

    ScheduleStore schedules() {
        return schedules;
    }

    Signals signals() {
        return signals;
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
        scheduleWorker.close();
        reaper.close();
        results.close();
        dispatcher.close();
        store.close();
    }
}
