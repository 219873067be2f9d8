package io.resticmanager.deploy;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

/** deploy/docker/HealthCheck.java, the images' HEALTHCHECK, run for real against a local HTTP server. */
class HealthCheckTest {
    private static final String JAVA = ProcessHandle.current().info().command().orElse("java");
    private final AtomicInteger status = new AtomicInteger(200);
    private final AtomicReference<String> path = new AtomicReference<>();
    private HttpServer server;

    private int start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            path.set(exchange.getRequestURI().getPath());
            exchange.sendResponseHeaders(status.get(), -1);
            exchange.close();
        });
        server.start();
        return server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    /** Runs the check as the image does (source launch instead of the compiled class). */
    private static Proc.Result check(Map<String, String> env, String defaultPort) {
        return Proc.run(Repo.DOCKER, List.of(JAVA, "HealthCheck.java", "RM_TEST_PORT", defaultPort), env);
    }

    @Test
    void healthyWhenHealthAnswers200OnThePortFromTheVariable() throws IOException {
        int port = start();
        Proc.Result result = check(Map.of("RM_TEST_PORT", String.valueOf(port)), "1");
        assertThat(result.output(), result.exit(), is(0));
        assertThat(path.get(), is("/health"));
    }

    @Test
    void unhealthyWhenHealthAnswersAnythingElse() throws IOException {
        int port = start();
        status.set(503);
        Proc.Result result = check(Map.of("RM_TEST_PORT", String.valueOf(port)), "1");
        assertThat(result.exit(), is(1));
        assertThat(result.output(), containsString("HTTP 503"));
    }

    @Test
    void fallsBackToTheDefaultPortWhenTheVariableIsUnset() throws IOException {
        int port = start();
        Proc.Result result = check(Map.of(), String.valueOf(port));
        assertThat(result.output(), result.exit(), is(0));
    }

    @Test
    void unhealthyWhenNothingListens() throws IOException {
        int closed;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = socket.getLocalPort();
        }
        Proc.Result result = check(Map.of("RM_TEST_PORT", String.valueOf(closed)), "1");
        assertThat(result.exit(), is(1));
        assertThat(result.output(), containsString("health:"));
    }
}
