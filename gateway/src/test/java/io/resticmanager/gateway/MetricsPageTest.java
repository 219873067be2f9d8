package io.resticmanager.gateway;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.WebServer;
import io.resticmanager.kit.Http;
import io.resticmanager.kit.PromMetrics;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

/** GET /metrics: needs a session or API token, merges the services' fragments, survives a service that is down. */
class MetricsPageTest {
    @Test
    void needsCredentialsAndMergesFragmentsWithOneServiceDown() throws Exception {
        AtomicReference<String> tokenSeen = new AtomicReference<>();
        WebServer hub = fragmentServer(tokenSeen, "# HELP restic_manager_agents_connected x\n"
                + "# TYPE restic_manager_agents_connected gauge\nrestic_manager_agents_connected 2\n");
        WebServer inventory = fragmentServer(new AtomicReference<>(), "# HELP restic_manager_hosts x\n"
                + "# TYPE restic_manager_hosts gauge\nrestic_manager_hosts{status=\"online\"} 2"); // no final newline
        String downJobs = "http://127.0.0.1:" + freePort();
        try (TestStack stack = new TestStack(Map.of("rm.peers.agent-hub", "http://127.0.0.1:" + hub.port(),
                                                    "rm.peers.inventory", "http://127.0.0.1:" + inventory.port(),
                                                    "rm.peers.jobs", downJobs))) {
            HttpResponse<String> anonymous = stack.send("GET", "/metrics", null);
            assertThat(anonymous.statusCode(), is(401));
            assertThat(anonymous.body(), not(containsString("restic_manager_")));
            assertThat(stack.send("GET", "/metrics", null, "Authorization", "Bearer rmt_not-a-real-token")
                               .statusCode(), is(401));

            TestStack.Session admin = stack.setupAdmin();
            String token = stack.createToken(admin, "prometheus", "viewer");
            stack.send("POST", "/api/login", "{\"username\":\"admin\",\"password\":\"wrong\"}");

            long start = System.nanoTime();
            HttpResponse<String> r = stack.send("GET", "/metrics", null, "Authorization", "Bearer " + token);
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertThat(r.body(), r.statusCode(), is(200));
            assertThat(millis, is(lessThan(3000L)));
            assertThat(r.headers().firstValue("Content-Type").orElse(""), startsWith("text/plain; version=0.0.4"));
            String text = r.body();
            assertThat(text, startsWith("# HELP restic_manager_build_info "));
            assertThat(text, containsString("restic_manager_build_info{version=\""));
            assertThat(text, containsString("# TYPE restic_manager_service_up gauge\n"
                    + "restic_manager_service_up{service=\"agent-hub\"} 1.0\n"
                    + "restic_manager_service_up{service=\"gateway\"} 1.0\n"
                    + "restic_manager_service_up{service=\"inventory-service\"} 1.0\n"
                    + "restic_manager_service_up{service=\"jobs-service\"} 0.0\n"
                    + "restic_manager_service_up{service=\"ui-service\"} 1.0\n"));
            assertThat(text, containsString("restic_manager_login_failures_total 1.0\n"));
            assertThat(text, containsString("restic_manager_http_requests_total{code=\"401\","
                    + "route_class=\"gateway\"} "));
            assertThat(text, containsString("restic_manager_agents_connected 2\n"));
            assertThat(text, containsString("restic_manager_hosts{status=\"online\"} 2\n"));
            assertThat(text.endsWith("\n"), is(true));
            assertThat(tokenSeen.get(), is(stack.internalToken()));

            HttpResponse<String> bySession = stack.send("GET", "/metrics", null, "Cookie", admin.cookie());
            assertThat(bySession.statusCode(), is(200));
            assertThat(bySession.body(), containsString("restic_manager_http_requests_total{code=\"200\","
                    + "route_class=\"gateway\"} "));
        } finally {
            hub.stop();
            inventory.stop();
        }
    }

    /** A service stand-in whose /internal/metrics answers {@code fragment} to callers with the internal token. */
    private static WebServer fragmentServer(AtomicReference<String> tokenSeen, String fragment) {
        return WebServer.builder().host("127.0.0.1").port(0)
                .routing(r -> r.get("/health", (req, res) -> res.send("{\"status\":\"up\"}"))
                        .get("/internal/metrics", (req, res) -> {
                            tokenSeen.set(req.headers().first(Http.INTERNAL_TOKEN).orElse(null));
                            res.header(HeaderNames.CONTENT_TYPE, PromMetrics.CONTENT_TYPE);
                            res.send(fragment);
                        }))
                .build().start();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
