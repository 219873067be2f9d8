package io.resticmanager.jobs;

import io.helidon.config.Config;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.websocket.WsRouting;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.resticmanager.kit.PromMetrics;
import io.resticmanager.kit.RmConfig;
import io.resticmanager.kit.ServiceKit;

/** jobs-service: job lifecycle, per-repository queueing, event ingestion, logs, live log streams and schedules. */
public final class JobsMain {
    static final String SERVICE = "jobs-service";

    private JobsMain() {
    }

    public static void main(String[] args) {
        ServiceKit.initLogging();
        Config config = RmConfig.load("RM_JOBS_PORT");
        JobsApp app = JobsApp.create(config);
        WebServer server = WebServer.builder()
                .config(config.get("server"))
                .routing(routing -> routing(routing, app))
                .addRouting(wsRouting(app))
                .build()
                .start();
        app.start();
        ServiceKit.stopOnShutdown(SERVICE, server, app);
    }

    static void routing(HttpRouting.Builder routing, JobsApp app) {
        ServiceKit.base(routing, SERVICE, app.auth(), app.health());
        routing.addFilter(new StreamGuard(app.store()));
        routing.register(app.state(), new SelfBackupRoutes(app.store()));
        routing.register(new JobsRoutes(app.store(), app.logs(), app.lifecycle(), app.fanout()))
                .register(new ScheduleRoutes(app.schedules(), app.store(), app.inventory(), app.signals(),
                                             app.scheduleHooks()))
                .register(new RestoreRoutes(app.restores(), app.settings().operatorRestoreRoots()))
                .register(new RepoJobRoutes(app.presence(), app.lifecycle(), app.inventory()))
                .register(new DiffRoutes(app.store(), app.logs(), app.lifecycle(), app.inventory()))
                .register(new EventsRoutes(app.ingest()))
                .register(new io.resticmanager.jobs.alerts.AlertRoutes(app.alerts(), app.alertEngine(), app.outbox(),
                                                                       java.time.Clock.systemUTC()));
        PrometheusRegistry metrics = new PrometheusRegistry(); // per routing: tests build several in one JVM
        JobsMetrics.register(metrics, app.store().db(), app.ingest());
        io.resticmanager.jobs.alerts.AlertMetrics.register(metrics, app.alerts());
        routing.register(PromMetrics.endpoint(metrics));
    }

    static WsRouting.Builder wsRouting(JobsApp app) {
        return WsRouting.builder().endpoint("/api/jobs/{id}/stream",
                () -> new JobStreamEndpoint(app.store(), app.logs(), app.fanout(), app.auth().token()));
    }
}
