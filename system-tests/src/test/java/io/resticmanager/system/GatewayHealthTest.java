package io.resticmanager.system;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

/** The gateway's /health tells which service is down, and recovers when it is back. */
class GatewayHealthTest {
    private static Stack stack;

    @BeforeAll
    static void start() {
        stack = Stack.start("gateway-health");
    }

    @AfterAll
    static void stop() {
        stack.close();
    }

    @Test
    void killedServiceIsNamedAndRecovers() throws Exception {
        assertThat(Stack.status(stack.gateway() + "/health"), is(200));
        for (String service : Stack.SERVICES.keySet()) {
            if (!service.equals("gateway")) {
                assertThat(service, Stack.status(stack.url(service) + "/health"), is(200));
            }
        }
        stack.kill("jobs-service");
        Api.Reply down = Api.anonymous(stack.gateway()).get("/health");
        assertThat(down.status(), is(503));
        assertThat(down.body(), containsString("\"jobs-service\":\"down\""));
        assertThat(down.body(), containsString("\"inventory-service\":\"up\""));

        stack.restart("jobs-service");
        Await.until(Duration.ofSeconds(10), "gateway healthy again", () -> Stack.status(stack.gateway() + "/health") == 200);
    }
}
