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
    private final JobLogStore logs;
    private final HostPresenceStore presence;
    private final ResultOutbox resultOutbox;
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
    private final io.resticmanager.jobs.alerts.AlertStore alerts;
    private final io.resticmanager.jobs.alerts.Outbox outbox;
    private final io.resticmanager.jobs.alerts.AlertEngine alertEngine;
    private final ScheduleHooks scheduleHooks;
    private final StatsRefresher statsRefresher;
    private final io.resticmanager.kit.StateExport state;

    private JobsApp(Config config) {
        // the one clock the background loops, the alert rules and the store's own stamps read
        java.time.Clock clock = java.time.Clock.systemUTC();
        settings = JobsSettings.from(config);
        auth = InternalAuth.create(InternalAuth.loadToken(config));
        store = JobStore.create(SqliteStore.open(RmConfig.dataDir(config).resolve("jobs.db")), clock);
        logs = new JobLogStore(store);
        presence = new HostPresenceStore(store);
        resultOutbox = new ResultOutbox(store);
        state = io.resticmanager.kit.StateExport.create(store.sqlite(), config, auth.token());
        fanout = new LogFanout();
        signals = new Signals(fanout);
        AgentHubClient hub = new AgentHubClient(InternalClient.create("agent-hub", RmConfig.peer(config, "agent-hub"),
                                                                      auth.token(), Duration.ofSeconds(10)));
        inventory = new InventoryClient(RmConfig.peer(config, "inventory"), auth.token());
        // seals what must not lie in jobs.db in clear: schedule hooks, alert channel settings
        io.resticmanager.kit.SecretBox box = io.resticmanager.kit.SecretBox.fromConfig(config);
        scheduleHooks = new ScheduleHooks(store.sqlite(), box);
        dispatcher = new Dispatcher(store, presence, inventory, hub, signals, settings.reaperInterval(), scheduleHooks, clock);
        reaper = new Reaper(store, signals, settings, clock);
        results = new ResultSender(store, resultOutbox, inventory, signals.resultsWakeup(), settings.resultRetryMax(), clock);
        lifecycle = new JobLifecycle(store, presence, inventory, hub, dispatcher, signals, scheduleHooks);
        ingest = new EventIngest(store, signals, lifecycle, settings.logLimits());
        restores = new Restores(store, presence, inventory, signals);
        statsRefresher = new StatsRefresher(store, new StatsRefreshStore(store), lifecycle, settings.statsRefresh(), clock);
        schedules = new ScheduleStore(store);
        scheduleWorker = new ScheduleWorker(schedules, store, presence, lifecycle, hub, signals, settings.reaperInterval(), clock);
        alerts = new io.resticmanager.jobs.alerts.AlertStore(store.sqlite());
        outbox = new io.resticmanager.jobs.alerts.Outbox(alerts, box, clock);
        alertEngine = new io.resticmanager.jobs.alerts.AlertEngine(alerts, outbox, new HostNames(inventory),
                                                                   settings.versions(), clock,
                                                                   settings.alertSweepInterval());
        signals.onJobFinished(jobId -> store.find(jobId).ifPresent(j -> alertEngine.jobFinished(
                new io.resticmanager.jobs.alerts.JobFacts(j.id(), j.hostId(), j.repoId(), j.scheduleId(), j.kind(),
                                                          j.status(), j.error(), j.finishedAt(),
                                                          j.params().policy() != null
                                                                  && j.params().policy().previewOnly()))));
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
        outbox.start();
        alertEngine.start();
        statsRefresher.start();
        return this;
    }

    InternalAuth auth() {
        return auth;
    }

    /** This service's part of the self backup. */
    io.resticmanager.kit.StateExport state() {
        return state;
    }

    JobStore store() {
        return store;
    }

    JobLogStore logs() {
        return logs;
    }

    HostPresenceStore presence() {
        return presence;
    }

    ResultOutbox resultOutbox() {
        return resultOutbox;
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

    ScheduleHooks scheduleHooks() {
        return scheduleHooks;
    }

    io.resticmanager.jobs.alerts.AlertStore alerts() {
        return alerts;
    }

    io.resticmanager.jobs.alerts.AlertEngine alertEngine() {
        return alertEngine;
    }

    io.resticmanager.jobs.alerts.Outbox outbox() {
        return outbox;
    }

    Health health() {
        return Health.create("jobs-service", Map.of("db", store::healthy));
    }

    StatsRefresher statsRefresher() {
        return statsRefresher;
    }

    @Override
    public void close() {
        statsRefresher.close();
        alertEngine.close();
        outbox.close();
        scheduleWorker.close();
        reaper.close();
        results.close();
        dispatcher.close();
        store.close();
    }
}
