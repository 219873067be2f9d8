package io.resticmanager.gateway;

import io.resticmanager.proto.Json;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;

/** Behind a trusted TLS proxy (RM_TRUSTED_PROXY): the real client address and Secure cookies. */
class TrustedProxyTest {
    @Test
    void forwardedHeadersCountOnlyFromTheTrustedProxy() {
        try (TestStack stack = new TestStack(Map.of("rm.trusted-proxy", "127.0.0.1"))) {
            stack.send("POST", "/api/setup", Json.write(Map.of("setup_token", stack.setupToken(),
                                                               "username", "admin", "password", TestStack.PASSWORD)));
            HttpResponse<String> login = stack.send("POST", "/api/login", Json.write(Map.of(
                    "username", "admin", "password", TestStack.PASSWORD)),
                    "X-Forwarded-For", "198.51.100.7, 127.0.0.1", "X-Forwarded-Proto", "https");
            assertThat(login.statusCode(), is(200));
            assertThat(login.headers().firstValue("Set-Cookie").orElseThrow(), containsString("; Secure"));
            String cookie = login.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];

            HttpResponse<String> proxied = stack.send("GET", "/api/hosts", null, "Cookie", cookie,
                                                      "X-Forwarded-For", "198.51.100.7");
            assertThat(TestStack.tree(proxied).path("forwarded_for").asText(), is("198.51.100.7"));

            HttpResponse<String> audit = stack.send("GET", "/api/audit?action=login.ok", null, "Cookie", cookie);
            List<String> sources = TestStack.tree(audit).path("items").findValuesAsText("source_ip");
            assertThat(sources, hasItem("198.51.100.7"));
        }
    }
}
