package io.resticmanager.gateway;

import io.resticmanager.kit.Times;
import com.fasterxml.jackson.databind.JsonNode;
import io.resticmanager.proto.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The review's gateway findings, replayed against a real gateway on a real SQLite file: cross-site form posts,
 * a huge username, the session cookie behind TLS, tokens that outlive their owner, an audit log that never ends.
 */
class GatewayHardeningTest {
    private TestStack stack;

    @AfterEach
    void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void aCrossSiteLoginOrSetupPostIsRefusedBeforeAnythingHappens() {
        stack = new TestStack();
        String body = Json.write(Map.of("setup_token", stack.setupToken(), "username", "evil",
                                        "password", TestStack.PASSWORD));
        HttpResponse<String> crossSite = stack.send("POST", "/api/setup", body, "Origin", "https://evil.example");
        assertThat(crossSite.statusCode(), is(403));
        assertThat(crossSite.body(), containsString("cross-site"));
        HttpResponse<String> byReferer = stack.send("POST", "/api/setup", body, "Referer", "https://evil.example/x");
        assertThat(byReferer.statusCode(), is(403));
        HttpResponse<String> fetchMeta = stack.send("POST", "/api/setup", body, "Sec-Fetch-Site", "cross-site");
        assertThat(fetchMeta.statusCode(), is(403));
        // the setup token was not spent: the real admin can still set up, from this site
        String host = stack.base().substring("http://".length());
        HttpResponse<String> sameSite = stack.send("POST", "/api/setup", Json.write(Map.of(
                "setup_token", stack.setupToken(), "username", TestStack.ADMIN, "password", TestStack.PASSWORD)),
                "Origin", "http://" + host);
        assertThat(sameSite.body(), sameSite.statusCode(), is(201));
        HttpResponse<String> login = stack.send("POST", "/api/login", Json.write(Map.of(
                "username", TestStack.ADMIN, "password", TestStack.PASSWORD)), "Origin", "http://attacker.test");
        assertThat(login.statusCode(), is(403));
        assertThat(login.headers().firstValue("Set-Cookie").isPresent(), is(false));
        // scripts send no Origin at all and keep working
        stack.login(TestStack.ADMIN, TestStack.PASSWORD);
    }

    @Test
    void dotSegmentsAreRefusedThoughHelidonNormalizesThemAway() {
        stack = new TestStack();
        TestStack.Session admin = stack.setupAdmin();
        // found by FuzzTest: "/api/x/../users" reached the guard as /api/users and created a user
        for (String path : List.of("/api/x/../users", "/api/./users", "/api//users", "/api/%2e%2e/api/users",
                                   "/api/x%2f..%2fusers", "/api/users/.")) {
            HttpResponse<String> r = stack.as(admin, "POST", path, Json.write(Map.of("username", "dots",
                    "password", TestStack.PASSWORD, "role", "viewer")));
            assertThat(path, r.statusCode(), is(400));
        }
        assertThat(stack.as(admin, "GET", "/api/users", null).body(), not(containsString("dots")));
    }

    @Test
    void aHugeUsernameIsRefusedWithoutReachingTheAuditLog() throws Exception {
        stack = new TestStack();
        TestStack.Session admin = stack.setupAdmin();
        String huge = "u".repeat(900_000);
        HttpResponse<String> login = stack.send("POST", "/api/login", Json.write(Map.of("username", huge,
                                                                                        "password", "x")));
        assertThat(login.statusCode(), is(422));
        HttpResponse<String> setup = stack.send("POST", "/api/setup", Json.write(Map.of("setup_token", "x",
                "username", huge, "password", TestStack.PASSWORD)));
        assertThat(setup.statusCode(), is(422));
        try (Connection c = stack.gateway.store.connect();
             var rs = c.createStatement().executeQuery("SELECT MAX(LENGTH(user)), MAX(LENGTH(target)), "
                                                               + "MAX(LENGTH(action)) FROM audit_log")) {
            rs.next();
            assertThat(rs.getInt(1), lessThan(200));
            assertThat(rs.getInt(2), lessThan(1100));
            assertThat(rs.getInt(3), lessThan(200));
        }
        // still up, still audited
        JsonNode audit = TestStack.tree(stack.as(admin, "GET", "/api/audit?action=login", null));
        assertThat(audit.toString(), containsString("login.failed"));
    }

    @Test
    void theSessionCookieIsSecureWhenTheBrowserUsedHttpsThroughTheDashboard() {
        stack = new TestStack();
        stack.setupAdmin();
        String login = Json.write(Map.of("username", TestStack.ADMIN, "password", TestStack.PASSWORD));
        // what ui-service sends when the gateway told it the browser came over https
        HttpResponse<String> viaUi = stack.send("POST", "/api/login", login, "X-RM-Internal-Token", stack.internalToken(),
                                                "X-RM-Forwarded-For", "203.0.113.9", "X-RM-Forwarded-Proto", "https");
        assertThat(viaUi.headers().firstValue("Set-Cookie").orElseThrow(), containsString("; Secure"));
        // the header means nothing without the internal token
        HttpResponse<String> forged = stack.send("POST", "/api/login", login, "X-RM-Forwarded-Proto", "https");
        assertThat(forged.headers().firstValue("Set-Cookie").orElseThrow(), not(containsString("Secure")));
    }

    @Test
    void anHttpsPublicUrlMakesEveryCookieSecure() {
        stack = new TestStack(Map.of("rm.public-url", "https://backup.example.org"));
        stack.setupAdmin();
        HttpResponse<String> login = stack.send("POST", "/api/login", Json.write(Map.of(
                "username", TestStack.ADMIN, "password", TestStack.PASSWORD)), "Origin", "https://backup.example.org");
        assertThat(login.body(), login.statusCode(), is(200));
        assertThat(login.headers().firstValue("Set-Cookie").orElseThrow(), containsString("; Secure"));
    }

    @Test
    void tokensExpireEndWithTheirOwnerAndNeverExceedTheirOwnersRole() throws Exception {
        stack = new TestStack();
        TestStack.Session admin = stack.setupAdmin();
        TestStack.Session other = stack.createUser(admin, "second-admin", "admin");
        HttpResponse<String> created = stack.as(other, "POST", "/api/tokens", Json.write(Map.of(
                "name", "ci", "role", "operator", "expires_in_days", 30)));
        assertThat(created.body(), created.statusCode(), is(201));
        JsonNode token = TestStack.tree(created);
        assertThat(token.path("owner").asText(), is("second-admin"));
        assertThat(Instant.parse(token.path("expires_at").asText()).isAfter(Instant.now().plusSeconds(29 * 86400)),
                   is(true));
        String value = token.path("token").asText();
        assertThat(bearer(value, "/api/me").statusCode(), is(200));
        JsonNode listed = TestStack.tree(stack.as(admin, "GET", "/api/tokens", null)).path("items").get(0);
        assertThat(listed.path("owner").asText(), is("second-admin"));
        assertThat(listed.path("last_used_at").isTextual(), is(true));
        assertThat(listed.has("token"), is(false));

        // demoted owner: the operator token now acts as a viewer
        String otherId = TestStack.tree(stack.as(admin, "GET", "/api/users", null)).findParents("username").stream()
                .filter(u -> u.path("username").asText().equals("second-admin")).findFirst().orElseThrow()
                .path("id").asText();
        assertThat(stack.as(admin, "PATCH", "/api/users/" + otherId, Json.write(Map.of("role", "viewer")))
                           .statusCode(), is(200));
        assertThat(TestStack.tree(bearer(value, "/api/me")).path("role").asText(), is("viewer"));

        // deleted owner: the token is dead
        assertThat(stack.as(admin, "DELETE", "/api/users/" + otherId, null).statusCode(), is(204));
        assertThat(bearer(value, "/api/me").statusCode(), is(401));

        // expired: dead too
        String expiring = stack.createToken(admin, "short", "viewer");
        try (Connection c = stack.gateway.store.connect();
             PreparedStatement ps = c.prepareStatement("UPDATE api_tokens SET expires_at = ? WHERE name = 'short'")) {
            ps.setString(1, Times.format(Instant.now().minusSeconds(1)));
            ps.executeUpdate();
        }
        assertThat(bearer(expiring, "/api/me").statusCode(), is(401));
        assertThat(stack.as(admin, "POST", "/api/tokens", Json.write(Map.of("name", "x", "role", "viewer",
                "expires_in_days", 0))).statusCode(), is(422));
    }

    @Test
    void auditRetentionDeletesOnlyOldRowsAndTheLogStaysAppendOnly() throws Exception {
        stack = new TestStack();
        stack.setupAdmin();
        try (Connection c = stack.gateway.store.connect();
             PreparedStatement ps = c.prepareStatement("INSERT INTO audit_log (at, user, action, target, status, "
                                                               + "result, source_ip) VALUES (?, 'old', 'x', 't', 200, 'ok', '1.2.3.4')")) {
            ps.setString(1, Times.format(Instant.now().minusSeconds(400L * 86400)));
            ps.executeUpdate();
        }
        long before = count();
        long recent = count("admin");
        long purged = stack.gateway.purgeAudit(Instant.now());
        assertThat("purged " + purged + " of " + before + " rows", count("old"), is(0L));
        assertThat(count("admin") >= recent, is(true));
        assertThat(purged >= 1, is(true));
        try (Connection c = stack.gateway.store.connect()) {
            assertThrows(SQLException.class, () -> c.createStatement().executeUpdate("DELETE FROM audit_log"));
            assertThrows(SQLException.class, () -> c.createStatement().executeUpdate("UPDATE audit_log SET user = 'x'"));
            assertThrows(SQLException.class, () -> c.createStatement()
                    .executeUpdate("UPDATE audit_retention SET cutoff = '' WHERE id = 1"));
        }
        assertThat(count("admin") >= recent, is(true));
    }

    private long count(String user) throws SQLException {
        try (Connection c = stack.gateway.store.connect();
             PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM audit_log WHERE user = ?")) {
            ps.setString(1, user);
            try (var rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private long count() throws SQLException {
        try (Connection c = stack.gateway.store.connect();
             var rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM audit_log")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private HttpResponse<String> bearer(String token, String path) {
        return stack.send("GET", path, null, "Authorization", "Bearer " + token);
    }
}
