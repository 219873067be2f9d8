package io.resticmanager.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import io.resticmanager.proto.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermission;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** First-run setup, login, sessions, logout, throttling and user administration — each on a fresh gateway. */
class GatewayAuthTest {
    private TestStack stack;

    @AfterEach
    void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void setupWorksOnceWithTheTokenFromTheDataDir() throws Exception {
        stack = new TestStack();
        var file = stack.dataDir.resolve("setup-token");
        assertThat(Files.getPosixFilePermissions(file),
                   is(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE)));
        String token = stack.setupToken();
        assertThat(token.startsWith("rms_"), is(true));

        assertThat(setup("rms_wrong", "root", TestStack.PASSWORD).statusCode(), is(401));
        assertThat(setup(token, "root", "short").statusCode(), is(422));
        HttpResponse<String> created = setup(token, "root", TestStack.PASSWORD);
        assertThat(created.statusCode(), is(201));
        assertThat(TestStack.tree(created).path("user_id").asText().length(), is(36));
        assertThat(Files.exists(file), is(false));

        assertThat(setup(token, "root2", TestStack.PASSWORD).statusCode(), is(409));
        assertThat(setup("anything", "root3", TestStack.PASSWORD).statusCode(), is(409));
        TestStack.Session root = stack.login("root", TestStack.PASSWORD);
        JsonNode me = TestStack.tree(stack.send("GET", "/api/me", null, "Cookie", root.cookie()));
        assertThat(me.path("role").asText(), is("admin"));
        List<String> actions = actions(root, "setup");
        assertThat(actions, hasItem("setup ok"));
        assertThat(actions, hasItem("setup denied"));
    }

    @Test
    void loginSetsAHardenedCookieAndLogoutRevokesTheSession() {
        stack = new TestStack();
        TestStack.Session admin = stack.setupAdmin();
        HttpResponse<String> login = stack.send("POST", "/api/login", Json.write(Map.of(
                "username", TestStack.ADMIN, "password", TestStack.PASSWORD)));
        String cookie = login.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(cookie, containsString("HttpOnly"));
        assertThat(cookie, containsString("SameSite=Lax"));
        assertThat(cookie, containsString("Path=/"));
        assertThat("plain HTTP from an untrusted peer", cookie.contains("Secure"), is(false));

        assertThat(stack.send("GET", "/api/me", null, "Cookie", admin.cookie()).statusCode(), is(200));
        assertThat("logout needs the CSRF token",
                   stack.send("POST", "/api/logout", null, "Cookie", admin.cookie()).statusCode(), is(403));
        HttpResponse<String> logout = stack.as(admin, "POST", "/api/logout", null);
        assertThat(logout.statusCode(), is(204));
        assertThat(logout.headers().firstValue("Set-Cookie").orElse(""), containsString("Max-Age=0"));
        assertThat(stack.send("GET", "/api/me", null, "Cookie", admin.cookie()).statusCode(), is(401));
        assertThat(stack.send("GET", "/hosts", null, "Cookie", admin.cookie()).statusCode(), is(303));
    }

    @Test
    void wrongPasswordsAndUnknownUsersGetTheSameAnswer() {
        stack = new TestStack();
        TestStack.Session admin = stack.setupAdmin();
        HttpResponse<String> wrong = stack.send("POST", "/api/login", Json.write(Map.of(
                "username", TestStack.ADMIN, "password", "not the password")));
        HttpResponse<String> unknown = stack.send("POST", "/api/login", Json.write(Map.of(
                "username", "nobody", "password", "not the password")));
        assertThat(wrong.statusCode(), is(401));
        assertThat(unknown.statusCode(), is(401));
        assertThat(TestStack.tree(wrong).path("detail").asText(), is(TestStack.tree(unknown).path("detail").asText()));
        assertThat(actions(admin, "login"), hasItem("login.failed denied"));
    }

    @Test
    void sessionsExpireWhenIdle() throws Exception {
        stack = new TestStack(Map.of("rm.gateway.session.idle-timeout-s", "1"));
        TestStack.Session admin = stack.setupAdmin();
        assertThat(stack.send("GET", "/api/me", null, "Cookie", admin.cookie()).statusCode(), is(200));
        Thread.sleep(1600); // time itself is the condition: idle past the 1 s timeout
        HttpResponse<String> expired = stack.send("GET", "/api/me", null, "Cookie", admin.cookie());
        assertThat(expired.statusCode(), is(401));
        assertThat(TestStack.tree(expired).path("detail").asText(), containsString("expired"));
    }

    @Test
    void sessionsExpireAtTheAbsoluteTimeoutEvenWhenBusy() throws Exception {
        stack = new TestStack(Map.of("rm.gateway.session.absolute-timeout-s", "2"));
        TestStack.Session admin = stack.setupAdmin();
        for (int i = 0; i < 5; i++) {
            Thread.sleep(300); // busy: a request every 300 ms, well inside any idle timeout
            assertThat(stack.send("GET", "/api/me", null, "Cookie", admin.cookie()).statusCode(), is(200));
        }
        Thread.sleep(800); // time itself is the condition: past the 2 s absolute timeout
        assertThat(stack.send("GET", "/api/me", null, "Cookie", admin.cookie()).statusCode(), is(401));
    }

    @Test
    void aBurstOfThousandLoginsIsThrottled() throws Exception {
        stack = new TestStack();
        stack.setupAdmin();
        String body = Json.write(Map.of("username", "target", "password", "guess-guess-guess"));
        List<Future<HttpResponse<String>>> futures = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(16)) {
            for (int i = 0; i < 1000; i++) {
                futures.add(pool.submit(() -> stack.send("POST", "/api/login", body)));
            }
        }
        int throttled = 0;
        int failed = 0;
        String retryAfter = null;
        for (Future<HttpResponse<String>> f : futures) {
            HttpResponse<String> r = f.get();
            if (r.statusCode() == 429) {
                throttled++;
                retryAfter = r.headers().firstValue("Retry-After").orElse(null);
            } else if (r.statusCode() == 401) {
                failed++;
            }
        }
        assertThat(throttled + failed, is(1000));
        assertThat(failed, is(lessThanOrEqualTo(21)));
        assertThat(throttled, is(greaterThanOrEqualTo(979)));
        assertThat(Integer.parseInt(retryAfter), is(greaterThan(0)));
        // Even the right password waits now: the address is out of attempts.
        HttpResponse<String> real = stack.send("POST", "/api/login", Json.write(Map.of(
                "username", TestStack.ADMIN, "password", TestStack.PASSWORD)));
        assertThat(real.statusCode(), is(429));
        assertThat(TestStack.tree(real).path("status").asInt(), is(429));
    }

    @Test
    void anAccountIsLockedAfterRepeatedFailures() {
        // A generous per-address budget, so only the account lockout can stop the attempts.
        stack = new TestStack(Map.of("rm.gateway.login.ip-burst", "1000"));
        TestStack.Session admin = stack.setupAdmin();
        stack.createUser(admin, "olga", "operator");
        String wrong = Json.write(Map.of("username", "olga", "password", "wrong-wrong-wrong"));
        for (int i = 0; i < 5; i++) {
            assertThat(stack.send("POST", "/api/login", wrong).statusCode(), is(401));
        }
        HttpResponse<String> locked = stack.send("POST", "/api/login", Json.write(Map.of(
                "username", "olga", "password", TestStack.PASSWORD)));
        assertThat(locked.statusCode(), is(429));
        assertThat(Integer.parseInt(locked.headers().firstValue("Retry-After").orElseThrow()), is(greaterThan(0)));
        assertThat("other accounts are not affected", stack.login(TestStack.ADMIN, TestStack.PASSWORD), is(not(
                (TestStack.Session) null)));
        assertThat(actions(admin, "login"), hasItem("login.throttled denied"));
    }

    @Test
    void adminsManageUsersButNeverRemoveTheLastAdmin() {
        stack = new TestStack();
        TestStack.Session admin = stack.setupAdmin();
        TestStack.Session vera = stack.createUser(admin, "vera", "viewer");
        String veraId = TestStack.tree(stack.send("GET", "/api/me", null, "Cookie", vera.cookie())).path("user_id").asText();
        String adminId = TestStack.tree(stack.send("GET", "/api/me", null, "Cookie", admin.cookie()))
                .path("user_id").asText();

        assertThat(stack.as(admin, "POST", "/api/users", Json.write(Map.of(
                "username", "vera", "password", TestStack.PASSWORD, "role", "viewer"))).statusCode(), is(409));
        assertThat(stack.as(admin, "POST", "/api/users", Json.write(Map.of(
                "username", "weak", "password", "short", "role", "viewer"))).statusCode(), is(422));
        assertThat(stack.as(vera, "POST", "/api/hosts/h1/jobs", "{}").statusCode(), is(403));

        HttpResponse<String> promoted = stack.as(admin, "PATCH", "/api/users/" + veraId, "{\"role\":\"operator\"}");
        assertThat(promoted.statusCode(), is(200));
        assertThat(TestStack.tree(promoted).path("role").asText(), is("operator"));
        assertThat("the new role applies to the live session",
                   stack.as(vera, "POST", "/api/hosts/h1/jobs", "{}").statusCode(), is(200));

        assertThat(stack.as(admin, "PATCH", "/api/users/" + veraId, "{\"password\":\"another long password\"}")
                           .statusCode(), is(200));
        assertThat("a password change ends the user's sessions",
                   stack.send("GET", "/api/me", null, "Cookie", vera.cookie()).statusCode(), is(401));

        assertThat(stack.as(admin, "PATCH", "/api/users/" + adminId, "{\"role\":\"viewer\"}").statusCode(), is(409));
        assertThat(stack.as(admin, "DELETE", "/api/users/" + adminId, null).statusCode(), is(409));
        assertThat(stack.as(admin, "DELETE", "/api/users/" + veraId, null).statusCode(), is(204));
        assertThat(stack.as(admin, "GET", "/api/users", null).body().contains("vera"), is(false));
        List<String> actions = actions(admin, "user.");
        assertThat(actions, hasItem("user.create ok"));
        assertThat(actions, hasItem("user.update ok"));
        assertThat(actions, hasItem("user.delete ok"));
    }

    @Test
    void auditLogIsAppendOnlyInTheDatabase() throws SQLException {
        stack = new TestStack();
        stack.setupAdmin();
        try (Connection c = stack.gateway.store.connect(); Statement s = c.createStatement()) {
            SQLException update = assertThrows(SQLException.class, () -> s.execute("UPDATE audit_log SET user = 'x'"));
            assertThat(update.getMessage(), containsString("append-only"));
            SQLException delete = assertThrows(SQLException.class, () -> s.execute("DELETE FROM audit_log"));
            assertThat(delete.getMessage(), containsString("append-only"));
        }
    }

    private HttpResponse<String> setup(String token, String username, String password) {
        return stack.send("POST", "/api/setup", Json.write(Map.of("setup_token", token, "username", username,
                                                                  "password", password)));
    }

    private List<String> actions(TestStack.Session admin, String action) {
        List<String> out = new ArrayList<>();
        TestStack.tree(stack.as(admin, "GET", "/api/audit?action=" + action, null)).path("items")
                .forEach(i -> out.add(i.path("action").asText() + " " + i.path("result").asText()));
        return out;
    }
}
