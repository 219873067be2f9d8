package io.resticmanager.kit;

import io.helidon.logging.common.LogConfig;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;

import java.lang.System.Logger.Level;

/** The wiring every service shares: request log, internal auth, problems, health, graceful stop. */
public final class ServiceKit {
    private static final System.Logger LOG = System.getLogger(ServiceKit.class.getName());

    private ServiceKit() {
    }

    /** Call first in every {@code main}. */
    public static void initLogging() {
        LogConfig.configureRuntime();
    }

    /** Adds the shared filters, error mapping and health route. Register service routes after this. */
    public static void base(HttpRouting.Builder routing, String service, InternalAuth auth, Health health) {
        routing.addFilter(new RequestLog(service));
        if (auth != null) {
            routing.addFilter(auth);
        }
        ErrorHandling.register(routing);
        routing.register(health);
    }

    /** Stops the server and closes resources on SIGTERM/Ctrl-C, in order. */
    public static void stopOnShutdown(String service, WebServer server, AutoCloseable... resources) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.log(Level.INFO, service + " stopping");
            server.stop();
            for (AutoCloseable r : resources) {
                try {
                    r.close();
                } catch (Exception e) {
                    LOG.log(Level.WARNING, "error closing " + r, e);
                }
            }
        }, service + "-shutdown"));
        LOG.log(Level.INFO, service + " listening on http://127.0.0.1:" + server.port());
    }
}
