package io.resticmanager.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;

/** A service that is down: requests fail fast with a 503 naming it, /health says which, and both recover. */
class GatewayHealthTest {
    @Test
    void downServiceIsNamedAndRecovers() throws Exception {
        int port = freePort();
        try (TestStack stack = new TestStack(Map.of("rm.peers.jobs", "http://127.0.0.1:" + port))) {
            TestStack.Session admin = stack.setupAdmin();

            long start = System.nanoTime();
            HttpResponse<String> r = stack.send("GET", "/api/jobs", null, "Cookie", admin.cookie());
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertThat(r.statusCode(), is(503));
            assertThat(r.headers().firstValue("Content-Type").orElse(""), is("application/problem+json"));
            assertThat(TestStack.tree(r).path("detail").asText(), containsString("jobs-service"));
            assertThat(millis, is(lessThan(3000L)));

            HttpResponse<String> health = stack.send("GET", "/health", null);
            assertThat(health.statusCode(), is(503));
            JsonNode checks = TestStack.tree(health).path("checks");
            assertThat(TestStack.tree(health).path("status").asText(), is("down"));
            assertThat(checks.path("gateway").asText(), is("up"));
            assertThat(checks.path("jobs-service").asText(), is("down"));
            assertThat(checks.path("agent-hub").asText(), is("up"));
            assertThat(checks.path("inventory-service").asText(), is("up"));
            assertThat(checks.path("ui-service").asText(), is("up"));

            StubService jobs = new StubService(Upstreams.JOBS, port);
            try {
                // /health asks every service afresh: it is 200 as soon as jobs-service answers again
                await("/health up again").atMost(Duration.ofSeconds(5))
                        .until(() -> stack.send("GET", "/health", null).statusCode(), is(200));
                assertThat(stack.send("GET", "/api/jobs", null, "Cookie", admin.cookie()).statusCode(), is(200));
            } finally {
                jobs.stop();
            }
        }
    }

    @Test
    void aHungServiceCostsOneTimeoutNotOnePerService() throws Exception {
        // Accepts connections but never answers: each check must give up after the 1 s timeout, in parallel.
        try (ServerSocket hung = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            String url = "http://127.0.0.1:" + hung.getLocalPort();
            try (TestStack stack = new TestStack(Map.of("rm.peers.jobs", url, "rm.peers.inventory", url,
                                                        "rm.peers.ui", url))) {
                long start = System.nanoTime();
                HttpResponse<String> health = stack.send("GET", "/health", null);
                long millis = (System.nanoTime() - start) / 1_000_000;
                assertThat(health.statusCode(), is(503));
                assertThat(millis, is(lessThan(2500L)));
                assertThat(TestStack.tree(health).path("checks").path("agent-hub").asText(), is("up"));
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
