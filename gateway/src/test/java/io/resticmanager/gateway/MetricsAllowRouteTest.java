package io.resticmanager.gateway;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.Map;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** GET /metrics with rm.gateway.metrics-allow: no token from an allowed address, a viewer token from anywhere else. */
class MetricsAllowRouteTest {
    @Test
    void anAllowedAddressScrapesWithoutCredentialsAndNothingElseOpens() {
        try (TestStack stack = new TestStack(Map.of(MetricsAllowList.KEY, "10.0.0.0/8, 127.0.0.1/32"))) {
            HttpResponse<String> anonymous = stack.send("GET", "/metrics", null);
            assertThat(anonymous.body(), anonymous.statusCode(), is(200));
            assertThat(anonymous.body(), containsString("restic_manager_build_info{version=\""));
            assertThat(stack.send("HEAD", "/metrics", null).statusCode(), is(200));
            // credentials, when sent, decide: a revoked or made-up token is refused from an allowed address too
            HttpResponse<String> badToken = stack.send("GET", "/metrics", null, "Authorization", "Bearer rmt_made-up");
            assertThat(badToken.statusCode(), is(401));
            assertThat(badToken.body(), not(containsString("restic_manager_")));
            assertThat(stack.send("GET", "/api/hosts", null).statusCode(), is(401));
            assertThat(stack.send("GET", "/api/tokens", null).statusCode(), is(401));

            TestStack.Session admin = stack.setupAdmin();
            String token = stack.createToken(admin, "prometheus", "viewer");
            assertThat(stack.send("GET", "/metrics", null, "Authorization", "Bearer " + token).statusCode(), is(200));
        }
    }

    @Test
    void anAddressOutsideTheListStillNeedsAViewer() {
        try (TestStack stack = new TestStack(Map.of(MetricsAllowList.KEY, "10.0.0.0/8,::1"))) {
            HttpResponse<String> anonymous = stack.send("GET", "/metrics", null);
            assertThat(anonymous.statusCode(), is(401));
            assertThat(anonymous.body(), not(containsString("restic_manager_")));
            TestStack.Session admin = stack.setupAdmin();
            String token = stack.createToken(admin, "prometheus", "viewer");
            assertThat(stack.send("GET", "/metrics", null, "Authorization", "Bearer " + token).statusCode(), is(200));
        }
    }

    @Test
    void behindATrustedProxyTheRealClientCountsNotTheProxy() {
        try (TestStack stack = new TestStack(Map.of("rm.trusted-proxy", "127.0.0.1",
                                                    MetricsAllowList.KEY, "127.0.0.1/32, 203.0.113.0/24"))) {
            assertThat(stack.send("GET", "/metrics", null, "X-Forwarded-For", "203.0.113.9").statusCode(), is(200));
            // the proxy itself is allowed, but it speaks for an outside client here
            assertThat(stack.send("GET", "/metrics", null, "X-Forwarded-For", "198.51.100.4").statusCode(), is(401));
        }
    }

    @Test
    void aBadRangeStopsTheGatewayBeforeItStarts() {
        Config config = Config.just(ConfigSources.create(Map.of(MetricsAllowList.KEY, "127.0.0.1/32, 10.0.0.0/40",
                                                                "rm.data-dir", "/nonexistent/never-created")));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Gateway.create(config));
        assertThat(e.getMessage(), is("RM_METRICS_ALLOW (rm.gateway.metrics-allow): not an address or CIDR range: "
                + "10.0.0.0/40"));
    }
}
