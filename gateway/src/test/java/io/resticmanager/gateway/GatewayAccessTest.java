package io.resticmanager.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.startsWith;

/** Every public route × every kind of caller, against stub services that echo what they received. */
class GatewayAccessTest {
    enum Kind { NONE, VIEWER, OPERATOR, ADMIN, TOKEN, NO_CSRF }

    private static TestStack stack;
    private static TestStack.Session admin;
    private static TestStack.Session operator;
    private static TestStack.Session viewer;
    private static String operatorToken;

    // method, path, owning service ("-" = answered by the gateway), expected for NONE VIEWER OPERATOR ADMIN
    // TOKEN(operator) NO_CSRF(admin session without the CSRF header). "2" = 2xx from the owner.
    private static final String[][] TABLE = {
            {"GET", "/api/hosts", Upstreams.INVENTORY, "401 2 2 2 2 2"},
            {"GET", "/api/hosts/h1", Upstreams.INVENTORY, "401 2 2 2 2 2"},
            {"PATCH", "/api/hosts/h1", Upstreams.INVENTORY, "401 403 403 2 403 403"},
            {"DELETE", "/api/hosts/h1", Upstreams.INVENTORY, "401 403 403 2 403 403"},
            {"POST", "/api/hosts/h1/jobs", Upstreams.JOBS, "401 403 2 2 2 403"},
            {"GET", "/api/hosts/h1/jobs", Upstreams.JOBS, "401 2 2 2 2 2"},
            {"POST", "/api/hosts/h1/restores", Upstreams.JOBS, "401 403 2 2 2 403"},
            {"POST", "/api/hosts/h1/diffs", Upstreams.JOBS, "401 403 2 2 2 403"},
            {"GET", "/api/jobs/j1/diff?cursor=5", Upstreams.JOBS, "401 2 2 2 2 2"},
            {"POST", "/api/repos/r1/jobs", Upstreams.JOBS, "401 403 2 2 2 403"},
            {"PATCH", "/api/repos/r1/jobs", Upstreams.JOBS, "401 403 403 2 403 403"},
            {"GET", "/api/repos?trend_points=20", Upstreams.INVENTORY, "401 2 2 2 2 2"},
            {"GET", "/api/hosts/h1/snapshots", Upstreams.INVENTORY, "401 2 2 2 2 2"},
            {"GET", "/api/jobs", Upstreams.JOBS, "401 2 2 2 2 2"},
            {"GET", "/api/jobs/j1", Upstreams.JOBS, "401 2 2 2 2 2"},
            {"GET", "/api/jobs/j1/logs?after_seq=3", Upstreams.JOBS, "401 2 2 2 2 2"},
            {"POST", "/api/jobs/j1/cancel", Upstreams.JOBS, "401 403 2 2 2 403"},
            {"DELETE", "/api/jobs/j1", "-", "401 403 403 403 403 403"},
            {"POST", "/api/schedules", Upstreams.JOBS, "401 403 2 2 2 403"},
            {"GET", "/api/schedules", Upstreams.JOBS, "401 2 2 2 2 2"},
            {"POST", "/api/alerts/a1/ack", Upstreams.JOBS, "401 403 2 2 2 403"},
            {"POST", "/api/repos", Upstreams.INVENTORY, "401 403 403 2 403 403"},
            {"GET", "/api/repos/r1", Upstreams.INVENTORY, "401 2 2 2 2 2"},
            {"GET", "/api/snapshots/s1/tree?path=/", Upstreams.INVENTORY, "401 2 2 2 2 2"},
            {"GET", "/api/hosts/h1/files?q=a", Upstreams.INVENTORY, "401 2 2 2 2 2"},
            {"GET", "/api/files?q=a", Upstreams.INVENTORY, "401 403 403 2 403 2"},
            {"POST", "/api/enrollment-tokens", Upstreams.HUB, "401 403 403 2 403 403"},
            {"GET", "/api/agents", Upstreams.HUB, "401 2 2 2 2 2"},
            {"POST", "/api/agents/enroll", Upstreams.HUB, "2 2 2 2 2 2"},
            {"GET", "/install.sh", Upstreams.HUB, "2 2 2 2 2 2"},
            {"GET", "/install.ps1", Upstreams.HUB, "2 2 2 2 2 2"},
            {"GET", "/downloads/restic-manager-agent-windows.zip", Upstreams.HUB, "2 2 2 2 2 2"},
            {"GET", "/downloads/restic-manager-agent.tar.gz", Upstreams.HUB, "2 2 2 2 2 2"},
            {"GET", "/api/users", "-", "401 403 403 2 403 2"},
            {"POST", "/api/users", "-", "401 403 403 422 403 403"},
            {"DELETE", "/api/users/nobody", "-", "401 403 403 404 403 403"},
            {"GET", "/api/tokens", "-", "401 403 403 2 403 2"},
            {"DELETE", "/api/tokens/nothing", "-", "401 403 403 404 403 403"},
            {"GET", "/api/audit", "-", "401 403 403 2 403 2"},
            {"GET", "/api/me", "-", "401 2 2 2 2 2"},
            {"GET", "/api/not-a-route", Upstreams.INVENTORY, "401 2 2 2 2 2"},
            {"POST", "/api/not-a-route", "-", "401 403 403 403 403 403"},
            {"GET", "/", Upstreams.UI, "303 2 2 2 2 2"},
            {"GET", "/hosts/h1", Upstreams.UI, "303 2 2 2 2 2"},
            {"POST", "/hosts/h1/run", Upstreams.UI, "303 2 2 2 2 403"},
            {"GET", "/login", Upstreams.UI, "2 2 2 2 2 2"},
            {"POST", "/login", Upstreams.UI, "2 2 2 2 2 2"},
            {"GET", "/assets/app.css", Upstreams.UI, "2 2 2 2 2 2"},
            {"GET", "/internal/agents", "-", "404 404 404 404 404 404"},
            {"POST", "/internal/events", "-", "404 404 404 404 404 404"},
            {"GET", "/ws/other", "-", "404 404 404 404 404 404"},
    };

    @BeforeAll
    static void start() {
        stack = new TestStack(Map.of("rm.gateway.login.ip-burst", "1000"));
        admin = stack.setupAdmin();
        operator = stack.createUser(admin, "olivia", "operator");
        viewer = stack.createUser(admin, "victor", "viewer");
        operatorToken = stack.createToken(admin, "ci", "operator");
    }

    @AfterAll
    static void stop() {
        stack.close();
    }

    static Stream<Arguments> routes() {
        List<Arguments> rows = new ArrayList<>();
        for (String[] row : TABLE) {
            String[] expected = row[3].split(" ");
            for (Kind kind : Kind.values()) {
                rows.add(Arguments.of(row[0], row[1], kind, expected[kind.ordinal()], row[2]));
            }
        }
        return rows.stream();
    }

    @ParameterizedTest(name = "{0} {1} as {2} -> {3}")
    @MethodSource("routes")
    void routeTable(String method, String path, Kind kind, String expected, String owner) {
        HttpResponse<String> r = call(kind, method, path, method.equals("GET") || method.equals("DELETE") ? null : "{}");
        if (expected.equals("2")) {
            assertThat(r.body(), r.statusCode(), is(greaterThanOrEqualTo(200)));
            assertThat(r.body(), r.statusCode(), is(lessThan(300)));
            if (!owner.equals("-")) {
                JsonNode echo = TestStack.tree(r);
                assertThat(echo.path("service").asText(), is(owner));
                assertThat(echo.path("internal_token").asText(), is(stack.internalToken()));
                String role = switch (kind) {
                    case NONE -> "";
                    case VIEWER -> "viewer";
                    case OPERATOR, TOKEN -> "operator";
                    case ADMIN, NO_CSRF -> "admin";
                };
                assertThat(echo.path("principal").path("role").asText(), is(role));
            }
        } else {
            assertThat(r.body(), r.statusCode(), is(Integer.parseInt(expected)));
            if (r.statusCode() == 303) {
                assertThat(r.headers().firstValue("Location").orElse(""), is("/login"));
            } else if (r.statusCode() >= 400) {
                assertThat(r.headers().firstValue("Content-Type").orElse(""), startsWith("application/problem+json"));
            }
        }
    }

    @Test
    void forgedInternalHeadersFromOutsideAreStripped() {
        HttpResponse<String> r = stack.send("POST", "/api/agents/enroll", "{}",
                                            "X-RM-Principal", "{\"user_id\":\"x\",\"username\":\"evil\",\"role\":\"admin\"}",
                                            "X-RM-Internal-Token", "rmi_forged", "X-RM-Forged", "yes");
        JsonNode echo = TestStack.tree(r);
        assertThat(absent(echo.path("principal")), is(true));
        assertThat(echo.path("internal_token").asText(), is(stack.internalToken()));
        assertThat(absent(echo.path("forged")), is(true));

        HttpResponse<String> asViewer = stack.send("GET", "/api/hosts", null, "Cookie", viewer.cookie(),
                                                   "X-RM-Principal", "{\"user_id\":\"x\",\"username\":\"evil\",\"role\":\"admin\"}");
        assertThat(TestStack.tree(asViewer).path("principal").path("username").asText(), is("victor"));
        assertThat(TestStack.tree(asViewer).path("principal").path("role").asText(), is("viewer"));

        HttpResponse<String> anonymous = stack.send("GET", "/api/hosts", null,
                                                    "X-RM-Principal", "{\"user_id\":\"x\",\"username\":\"evil\",\"role\":\"admin\"}",
                                                    "X-RM-Internal-Token", stack.internalToken());
        assertThat(anonymous.statusCode(), is(401));
    }

    @Test
    void serviceAuditHeadersAreRecordedAndStripped() {
        HttpResponse<String> r = stack.as(operator, "POST", "/api/hosts/h7/jobs", "{\"kind\":\"backup\"}");
        assertThat(r.statusCode(), is(200));
        assertThat(r.headers().map().keySet().stream().filter(k -> k.toLowerCase().startsWith("x-rm-")).toList(),
                   is(empty()));
        JsonNode items = TestStack.tree(stack.as(admin, "GET", "/api/audit?target=h7&action=stub.post", null))
                .path("items");
        assertThat(items.size(), is(1));
        assertThat(items.get(0).path("user").asText(), is("olivia"));
        assertThat(items.get(0).path("target").asText(), is("path=/api/hosts/h7/jobs"));
        assertThat(items.get(0).path("result").asText(), is("ok"));
        assertThat(items.get(0).path("source_ip").asText(), is("127.0.0.1"));
    }

    @Test
    void everyStateChangingCallIsAuditedIncludingRefusals() {
        stack.as(viewer, "POST", "/api/jobs/j9/cancel", "{}");
        stack.send("POST", "/api/jobs/j9/cancel", "{}");
        stack.send("POST", "/api/jobs/j9/cancel", "{}", "Authorization", "Bearer " + operatorToken);
        List<String> rows = new ArrayList<>();
        TestStack.tree(stack.as(admin, "GET", "/api/audit?target=j9", null)).path("items")
                .forEach(i -> rows.add(i.path("user").asText() + " " + i.path("action").asText() + " "
                                               + i.path("result").asText() + " " + i.path("status").asInt()));
        assertThat(rows, hasItem("victor POST /api/jobs/*/cancel denied 403"));
        assertThat(rows, hasItem("anonymous POST /api/jobs/*/cancel denied 401"));
        assertThat(rows, hasItem("token:ci (admin) stub.post ok 200"));
    }

    @Test
    void auditPagesWithCursor() {
        for (int i = 0; i < 5; i++) {
            stack.as(admin, "POST", "/api/repos?page_test=" + i, "{}");
        }
        JsonNode first = TestStack.tree(stack.as(admin, "GET", "/api/audit?action=stub.post&target=/api/repos&limit=3", null));
        assertThat(first.path("items").size(), is(3));
        String cursor = first.path("next_cursor").asText();
        JsonNode second = TestStack.tree(stack.as(admin, "GET",
                                                  "/api/audit?action=stub.post&target=/api/repos&limit=3&cursor=" + cursor, null));
        assertThat(second.path("items").size(), is(greaterThanOrEqualTo(2)));
        assertThat(second.path("items").get(0).path("at").asText().compareTo(
                first.path("items").get(2).path("at").asText()), is(lessThan(1)));
    }

    @Test
    void uiGetsCsrfAndCookieButApiServicesGetNeither() {
        JsonNode ui = TestStack.tree(stack.send("GET", "/hosts", null, "Cookie", viewer.cookie()));
        assertThat(ui.path("csrf").asText(), is(viewer.csrf()));
        assertThat(ui.path("cookie").asText(), containsString("rm_session="));
        JsonNode api = TestStack.tree(stack.send("GET", "/api/hosts", null, "Cookie", viewer.cookie()));
        assertThat(absent(api.path("cookie")), is(true));
        assertThat(absent(api.path("csrf")), is(true));
        JsonNode withToken = TestStack.tree(stack.send("GET", "/api/hosts", null, "Authorization",
                                                       "Bearer " + operatorToken));
        assertThat("our API token never leaves the gateway", absent(withToken.path("authorization")), is(true));
    }

    @Test
    void csrfFromFormFieldIsAcceptedAndTheSameBodyForwarded() throws Exception {
        String form = "name=nightly+backup&_csrf=" + URLEncoder.encode(viewer.csrf(), StandardCharsets.UTF_8);
        HttpResponse<String> ok = form("/hosts/h1/run", form, viewer.cookie());
        assertThat(ok.statusCode(), is(200));
        assertThat(TestStack.tree(ok).path("body").asText(), is(form));

        HttpResponse<String> wrong = form("/hosts/h1/run", "name=x&_csrf=" + operator.csrf(), viewer.cookie());
        assertThat(wrong.statusCode(), is(403));
        HttpResponse<String> missing = form("/hosts/h1/run", "name=x", viewer.cookie());
        assertThat(missing.statusCode(), is(403));
    }

    @Test
    void securityHeadersOnEveryKindOfResponse() {
        List<HttpResponse<String>> responses = List.of(
                stack.send("GET", "/api/hosts", null, "Cookie", viewer.cookie()),
                stack.send("GET", "/api/hosts", null),
                stack.send("GET", "/internal/x", null),
                stack.send("GET", "/hosts", null),
                stack.send("GET", "/health", null),
                stack.send("POST", "/api/login", "{}"));
        for (HttpResponse<String> r : responses) {
            assertThat(r.uri() + " " + r.statusCode(), r.headers().firstValue("Content-Security-Policy").orElse(""),
                       is(AccessGuard.CSP));
            assertThat(r.headers().firstValue("X-Content-Type-Options").orElse(""), is("nosniff"));
            assertThat(r.headers().firstValue("Referrer-Policy").orElse(""), is("same-origin"));
            assertThat(r.headers().firstValue("X-Frame-Options").orElse(""), is("DENY"));
            assertThat(r.headers().firstValue("X-RM-Internal-Leak").isPresent(), is(false));
        }
    }

    @Test
    void internalPathsAreNeverReachable() {
        assertThat(stack.send("GET", "/internal/x", null).statusCode(), is(404));
        assertThat(stack.as(admin, "POST", "/internal/agents/h1/revoke", "{}").statusCode(), is(404));
        assertThat(stack.send("GET", "/api/..%2Finternal/x", null).statusCode(), is(400));
    }

    @Test
    void theGatewaysStateOnlyWithTheInternalToken() throws Exception {
        // the self backup's copy of users, sessions and audit: invisible to every caller but agent-hub
        assertThat(stack.send("GET", "/internal/state", null).statusCode(), is(404));
        assertThat(stack.as(admin, "GET", "/internal/state", null).statusCode(), is(404));
        assertThat(stack.send("GET", "/internal/state", null, "X-RM-Internal-Token", "rmi_forged").statusCode(),
                   is(404));
        assertThat(stack.send("POST", "/internal/state", null, "X-RM-Internal-Token", stack.internalToken())
                           .statusCode(), is(404));
        HttpResponse<byte[]> r = stack.client.send(
                HttpRequest.newBuilder(URI.create(stack.base() + "/internal/state"))
                        .header("X-RM-Internal-Token", stack.internalToken()).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode(), is(200));
        String first = new String(r.body(), 0, 10, java.nio.charset.StandardCharsets.US_ASCII);
        assertThat(first, is("gateway.db"));
        assertThat(new String(r.body(), 257, 5, java.nio.charset.StandardCharsets.US_ASCII), is("ustar"));
    }

    @Test
    void largeDownloadsStreamThrough() throws Exception {
        HttpResponse<byte[]> r = stack.client.send(HttpRequest.newBuilder(URI.create(stack.base() + "/downloads/big"))
                                                           .build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode(), is(200));
        assertThat(r.body().length, is(StubService.BIG_DOWNLOAD_BYTES));
        assertThat(r.headers().firstValue("Content-Length").orElse(""), is(String.valueOf(StubService.BIG_DOWNLOAD_BYTES)));
    }

    @Test
    void oversizedBodiesAreRefused() {
        String big = "{\"x\":\"" + "a".repeat(1024 * 1024 + 10) + "\"}";
        HttpResponse<String> r = stack.as(operator, "POST", "/api/hosts/h1/jobs", big);
        assertThat(r.statusCode(), is(413));
    }

    @Test
    void forwardedForFromAnUntrustedPeerIsIgnored() {
        JsonNode echo = TestStack.tree(stack.send("GET", "/api/hosts", null, "Cookie", viewer.cookie(),
                                                  "X-Forwarded-For", "203.0.113.9"));
        assertThat(echo.path("forwarded_for").asText(), is("127.0.0.1"));
    }

    @Test
    void meShowsTheCallerAndItsCsrfToken() {
        JsonNode me = TestStack.tree(stack.send("GET", "/api/me", null, "Cookie", operator.cookie()));
        assertThat(me.path("username").asText(), is("olivia"));
        assertThat(me.path("role").asText(), is("operator"));
        assertThat(me.path("csrf_token").asText(), is(operator.csrf()));
        JsonNode token = TestStack.tree(stack.send("GET", "/api/me", null, "Authorization", "Bearer " + operatorToken));
        assertThat(token.path("username").asText(), is("token:ci"));
        assertThat(token.has("csrf_token"), is(false));
    }

    @Test
    void tokensAreListedWithoutValuesAndRevocable() {
        String token = stack.createToken(admin, "short-lived", "viewer");
        HttpResponse<String> list = stack.as(admin, "GET", "/api/tokens", null);
        assertThat(list.body(), containsString("short-lived"));
        assertThat(list.body().contains(token), is(false));
        assertThat(list.body().contains("rmt_"), is(false));
        assertThat(stack.send("GET", "/api/hosts", null, "Authorization", "Bearer " + token).statusCode(), is(200));
        String id = null;
        for (JsonNode item : TestStack.tree(list).path("items")) {
            if (item.path("name").asText().equals("short-lived")) {
                id = item.path("id").asText();
            }
        }
        assertThat(stack.as(admin, "DELETE", "/api/tokens/" + id, null).statusCode(), is(204));
        assertThat(stack.send("GET", "/api/hosts", null, "Authorization", "Bearer " + token).statusCode(), is(401));
        JsonNode audit = TestStack.tree(stack.as(admin, "GET", "/api/audit?action=token", null)).path("items");
        List<String> actions = new ArrayList<>();
        audit.forEach(i -> actions.add(i.path("action").asText()));
        assertThat(actions, hasItem("token.create"));
        assertThat(actions, hasItem("token.revoke"));
    }

    @Test
    void unknownBearerOnAProtectedRouteIsRejected() {
        assertThat(stack.send("GET", "/api/hosts", null, "Authorization", "Bearer rmt_guessed").statusCode(), is(401));
        assertThat(stack.send("GET", "/api/hosts", null, "Cookie", "rm_session=rmc_guessed").statusCode(), is(401));
    }

    /** Null fields are omitted from JSON, so "not forwarded" is a missing field. */
    private static boolean absent(JsonNode node) {
        return node.isMissingNode() || node.isNull();
    }

    private static HttpResponse<String> form(String path, String body, String cookie) throws Exception {
        return stack.client.send(HttpRequest.newBuilder(URI.create(stack.base() + path))
                                         .header("Content-Type", "application/x-www-form-urlencoded")
                                         .header("Cookie", cookie)
                                         .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                                 HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> call(Kind kind, String method, String path, String body) {
        return switch (kind) {
            case NONE -> stack.send(method, path, body);
            case VIEWER -> stack.as(viewer, method, path, body);
            case OPERATOR -> stack.as(operator, method, path, body);
            case ADMIN -> stack.as(admin, method, path, body);
            case TOKEN -> stack.send(method, path, body, "Authorization", "Bearer " + operatorToken);
            case NO_CSRF -> stack.send(method, path, body, "Cookie", admin.cookie());
        };
    }

}
