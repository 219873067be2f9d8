package io.resticmanager.jobs;

import io.helidon.webserver.WebServer;

import java.nio.file.Path;
import java.util.Map;

/** A jobs-service started by hand (for restarts and short timeouts), on a given data directory. */
record RunningJobs(WebServer server, JobsApp app, TestSupport.Api api) implements AutoCloseable {
    static RunningJobs start(Path data, Stubs.Hub hub, Stubs.Inventory inventory, Map<String, String> extra) {
        JobsApp app = JobsApp.create(TestSupport.config(data, hub, inventory, extra));
        WebServer server = WebServer.builder().host("127.0.0.1").port(0)
                .routing(r -> JobsMain.routing(r, app))
                .addRouting(JobsMain.wsRouting(app))
                .build().start();
        app.start();
        return new RunningJobs(server, app, TestSupport.Api.create(server.port()));
    }

    @Override
    public void close() {
        server.stop();
        app.close();
    }
}
