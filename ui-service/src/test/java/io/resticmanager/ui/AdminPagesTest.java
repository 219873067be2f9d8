package io.resticmanager.ui;

import io.helidon.http.Method;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import io.resticmanager.kit.InternalAuth;
import io.resticmanager.proto.Json;
import io.resticmanager.ui.UiClient.Page;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static io.resticmanager.ui.Fixtures.WEB;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

/** The admin pages (users, API tokens, audit log) and the version-skew views against a stub gateway. */
@ServerTest
class AdminPagesTest {
    static final String TOKEN = "test-internal-token";
    static final String CSRF = "csrf-abc";
    static final StubGateway GATEWAY = StubGateway.start();
    static final String USERS = """
            {"items":[{"id":"u-1","username":"alice","role":"admin","created_at":"2026-11-01T10:00:00Z","disabled":false},
             {"id":"u-2","username":"vera","role":"viewer","created_at":"2026-11-02T10:00:00Z","disabled":true,
              "disabled_at":"2026-11-03T10:00:00Z"}]}""";
    static final String TOKENS = """
            {"items":[{"id":"t-1","name":"prometheus","role":"viewer","created_by":"alice",
              "created_at":"2026-11-01T10:00:00Z","last_used_at":"2026-11-26T09:59:00Z","owner_id":"u-1",
              "owner":"alice","expires_at":"2099-01-01T00:00:00Z","owner_disabled":false},
             {"id":"t-2","name":"old-ci","role":"operator","created_by":"alice","created_at":"2020-01-01T10:00:00Z",
              "owner_id":"u-1","owner":"alice","expires_at":"2020-04-01T00:00:00Z","owner_disabled":false}]}""";
    static final String AUDIT = """
            {"items":[{"at":"2026-11-26T10:00:00Z","user":"=cmd()","action":"login.failed","target":"user=x",
              "result":"denied","status":401,"source_ip":"10.0.0.9"}],"next_cursor":"41"}""";

    private final UiClient ui;

    AdminPagesTest(WebServer server) {
        this.ui = new UiClient(server, TOKEN, CSRF, "rm_session=sess-123", "alice");
    }

    @SetUpRoute
    static void routing(HttpRouting.Builder routing) {
        UiMain.routing(routing, InternalAuth.create(TOKEN), GATEWAY.url(), new Templates(true));
    }

    @AfterAll
    static void stopGateway() {
        GATEWAY.close();
    }

    @BeforeEach
    void fleet() {
        Fixtures.fleet(GATEWAY).on("GET", "/api/users", 200, USERS).on("GET", "/api/tokens", 200, TOKENS)
                .on("GET", "/api/audit", 200, AUDIT);
    }

    private Page get(String path, String role) {
        return ui.request(Method.GET, path, role, null);
    }

    private Page post(String path, String role, String... kv) {
        StringBuilder form = new StringBuilder("_csrf=" + CSRF);
        for (int i = 0; i + 1 < kv.length; i += 2) {
            form.append('&').append(kv[i]).append('=').append(URLEncoder.encode(kv[i + 1], StandardCharsets.UTF_8));
        }
        return ui.request(Method.POST, path, role, form.toString());
    }

    @Test
    void theAdminNavAndPagesAreForAdminsOnlyAndCallNothingForOthers() {
        assertThat(get("/", "admin").body(), containsString("id=\"nav-admin\""));
        for (String role : List.of("viewer", "operator")) {
            assertThat(get("/", role).body(), not(containsString("nav-admin")));
            for (String path : List.of("/admin/users", "/admin/tokens", "/admin/audit")) {
                Page page = get(path, role);
                assertThat(role + " " + path, page.status(), is(403));
                assertThat(page.body(), containsString("need the admin role"));
                assertThat(page.body(), not(containsString("id=\"user-form\"")));
                assertThat(page.body(), not(containsString("id=\"token-form\"")));
                assertThat(page.body(), not(containsString("id=\"audit-table\"")));
            }
            assertThat(post("/admin/users", role, "action", "disable", "user_id", "u-2").status(), is(403));
            assertThat(post("/admin/tokens", role, "action", "revoke", "token_id", "t-1").status(), is(403));
        }
        assertThat(GATEWAY.seen().stream().filter(s -> s.path().startsWith("/api/users")
                || s.path().startsWith("/api/tokens") || s.path().startsWith("/api/audit")).toList(), empty());
    }

    @Test
    void usersListShowsStateAndRoleAndEachActionCallsTheApi() {
        Page page = get("/admin/users", "admin");
        assertThat(page.status(), is(200));
        assertThat(page.body(), containsString("data-username=\"vera\" data-role=\"viewer\" data-disabled=\"true\""));
        assertThat(page.body(), containsString("<strong>alice</strong> <span class=\"muted small\">(you)</span>"));

        GATEWAY.on("PATCH", "/api/users/u-2", 200, "{}").on("POST", "/api/users", 201, "{}")
                .on("DELETE", "/api/users/u-2", 204, "");
        assertThat(post("/admin/users", "admin", "action", "enable", "user_id", "u-2").status(), is(303));
        assertThat(post("/admin/users", "admin", "action", "role", "user_id", "u-2", "role", "operator").status(),
                   is(303));
        assertThat(post("/admin/users", "admin", "action", "password", "user_id", "u-2", "password",
                        "a new long password", "password_confirm", "a new long password").status(), is(303));
        List<String> patches = GATEWAY.seen("PATCH", "/api/users/u-2").stream().map(StubGateway.Seen::body).toList();
        assertThat(patches, is(List.of("{\"disabled\":false}", "{\"role\":\"operator\"}",
                                       "{\"password\":\"a new long password\"}")));
        Page differ = post("/admin/users", "admin", "action", "password", "user_id", "u-2", "password",
                           "a new long password", "password_confirm", "another");
        assertThat(differ.status(), is(422));
        assertThat(differ.body(), containsString("The two passwords differ."));

        Page confirm = post("/admin/users", "admin", "action", "delete", "user_id", "u-2", "username", "vera");
        assertThat(confirm.body(), containsString("Delete user “vera”?"));
        assertThat(GATEWAY.seen("DELETE", "/api/users/u-2"), empty());
        assertThat(post("/admin/users", "admin", "action", "delete", "user_id", "u-2", "confirm", "yes").status(),
                   is(303));
        assertThat(GATEWAY.seen("DELETE", "/api/users/u-2"), hasSize(1));

        Page created = post("/admin/users", "admin", "action", "create", "username", "olga", "role", "operator",
                            "password", "olga password 123", "password_confirm", "olga password 123");
        assertThat(created.status(), is(303));
        assertThat(Json.MAPPER.valueToTree(Map.of("username", "olga", "password", "olga password 123", "role",
                                                  "operator")).equals(tree(GATEWAY.seen("POST", "/api/users")
                                                                                   .getFirst().body())), is(true));
    }

    @Test
    void withSingleSignOnTheAdminSwitchesPasswordLoginAndMarksBreakGlassAccounts() {
        // without single sign-on there is no switch
        GATEWAY.on("GET", "/api/auth/settings", 200, "{\"local_login\":\"all\",\"oidc_configured\":false}");
        assertThat(get("/admin/users", "admin").body(), not(containsString("id=\"sign-in-settings\"")));

        GATEWAY.on("GET", "/api/users", 200, """
                {"items":[{"id":"u-1","username":"alice","role":"admin","created_at":"2026-11-01T10:00:00Z",
                  "disabled":false,"source":"local","break_glass":true},
                 {"id":"u-3","username":"carol","role":"operator","created_at":"2026-11-05T10:00:00Z",
                  "disabled":false,"source":"oidc","break_glass":false}]}""")
                .on("GET", "/api/auth/settings", 200, "{\"local_login\":\"break-glass\",\"oidc_configured\":true,"
                        + "\"updated_at\":\"2026-11-20T10:00:00Z\",\"updated_by\":\"alice\"}")
                .on("GET", "/api/auth/providers", 200, "{\"local_login\":\"break-glass\",\"oidc\":{\"name\":\"Keycloak\","
                        + "\"login_url\":\"/auth/oidc/login\",\"end_session_url\":null}}")
                .on("PUT", "/api/auth/settings", 200, "{}").on("PATCH", "/api/users/u-1", 200, "{}");
        Page page = get("/admin/users", "admin");
        assertThat(page.status(), is(200));
        assertThat(page.body(), containsString("id=\"sign-in-settings\""));
        assertThat(page.body(), containsString("value=\"break-glass\" id=\"local-login-break-glass\" checked"));
        assertThat(page.body(), containsString("everyone else signs in with Keycloak"));
        // the provider's user: no password here, its role from its groups, so neither form is offered
        assertThat(page.body(), containsString("<strong>carol</strong> <span class=\"tag user-sso\">single sign-on</span>"));
        assertThat(page.body(), not(containsString("id=\"user-password-u-3\"")));
        assertThat(page.body(), not(containsString("id=\"user-role-u-3\"")));
        assertThat(page.body(), containsString("id=\"user-password-u-1\""));
        assertThat(page.body(), containsString("<span class=\"tag user-break-glass\">break-glass</span>"));

        assertThat(post("/admin/users", "admin", "action", "local-login", "local_login", "all").status(), is(303));
        assertThat(GATEWAY.seen("PUT", "/api/auth/settings").getLast().body(), is("{\"local_login\":\"all\"}"));
        assertThat(post("/admin/users", "admin", "action", "break-glass", "user_id", "u-1", "on", "no").status(),
                   is(303));
        assertThat(GATEWAY.seen("PATCH", "/api/users/u-1").getLast().body(), is("{\"break_glass\":false}"));
        Page bad = post("/admin/users", "admin", "action", "local-login", "local_login", "nobody");
        assertThat(bad.status(), is(422));
        assertThat(GATEWAY.seen("PUT", "/api/auth/settings"), hasSize(1));
        // the gateway's refusal (no break-glass account left) is shown, not swallowed
        GATEWAY.on("PUT", "/api/auth/settings", 409, "{\"title\":\"Conflict\",\"status\":409,"
                + "\"detail\":\"no break-glass account\"}");
        Page refused = post("/admin/users", "admin", "action", "local-login", "local_login", "break-glass");
        assertThat(refused.status(), is(409));
        assertThat(refused.body(), containsString("no break-glass account"));
        // not an admin: no call at all
        assertThat(post("/admin/users", "operator", "action", "local-login", "local_login", "all").status(), is(403));
        assertThat(GATEWAY.seen("PUT", "/api/auth/settings"), hasSize(2));
    }

    @Test
    void theLastAdminRefusalIsShownAboveTheList() {
        GATEWAY.on("PATCH", "/api/users/u-1", 409, "{\"title\":\"Conflict\",\"status\":409,"
                + "\"detail\":\"cannot disable the last admin\"}");
        Page page = post("/admin/users", "admin", "action", "disable", "user_id", "u-1");
        assertThat(page.status(), is(409));
        assertThat(page.body(), containsString("cannot disable the last admin"));
        assertThat(page.body(), containsString("id=\"users-problem\""));
    }

    @Test
    void aNewTokenIsShownOnceWithACopyButtonAndTheListShowsLastUse() {
        Page list = get("/admin/tokens", "admin");
        assertThat(list.body(), containsString("data-token-name=\"prometheus\""));
        assertThat(list.body(), containsString("<span class=\"status-label\">Expired</span>"));
        assertThat(list.body(), containsString("datetime=\"2026-11-26T09:59:00Z\""));
        assertThat(list.body(), not(containsString("new-token-value")));

        GATEWAY.on("POST", "/api/tokens", 201, "{\"id\":\"t-3\",\"name\":\"grafana\",\"role\":\"viewer\","
                + "\"token\":\"rmt_secretvalue\",\"owner\":\"alice\",\"expires_at\":\"2027-01-01T00:00:00Z\"}");
        Page created = post("/admin/tokens", "admin", "action", "create", "name", "grafana", "role", "viewer",
                            "expires_in_days", "30");
        assertThat(created.status(), is(200));
        assertThat(created.body(), containsString("<pre class=\"command\" id=\"new-token-value\">rmt_secretvalue</pre>"));
        assertThat(created.body(), containsString("data-copy-target=\"new-token-value\""));
        assertThat(created.body(), containsString("shown only this once"));
        assertThat(tree(GATEWAY.seen("POST", "/api/tokens").getFirst().body()),
                   is(tree("{\"name\":\"grafana\",\"role\":\"viewer\",\"expires_in_days\":30}")));
        assertThat("never again", get("/admin/tokens", "admin").body(), not(containsString("rmt_secretvalue")));

        GATEWAY.on("DELETE", "/api/tokens/t-1", 204, "");
        assertThat(post("/admin/tokens", "admin", "action", "revoke", "token_id", "t-1").status(), is(303));
        assertThat(GATEWAY.seen("DELETE", "/api/tokens/t-1"), hasSize(1));
    }

    @Test
    void auditFiltersTravelInTheUrlToTheApiThePagerAndTheExport() {
        Page page = get("/admin/audit?user=vera&action=login&result=denied&since=2026-11-01&until=2026-11-30",
                        "admin");
        assertThat(page.status(), is(200));
        StubGateway.Seen call = GATEWAY.seen("GET", "/api/audit").getFirst();
        assertThat(call.params(), is(Map.of("user", "vera", "action", "login", "result", "denied",
                                            "since", "2026-11-01", "until", "2026-12-01", "limit", "50")));
        assertThat(page.body(), containsString("href=\"/admin/audit?user=vera&amp;action=login&amp;result=denied"
                + "&amp;since=2026-11-01&amp;until=2026-11-30&amp;cursor=41\""));
        assertThat(page.body(), containsString("href=\"/api/audit/export?user=vera&amp;action=login&amp;"
                + "result=denied&amp;since=2026-11-01&amp;until=2026-12-01\""));
        assertThat(page.body(), containsString("<option value=\"denied\" selected>"));
        assertThat("escaped as text", page.body(), containsString("<td class=\"audit-user\">=cmd()</td>"));

        Page bad = get("/admin/audit?since=yesterday", "admin");
        assertThat(bad.status(), is(422));
        assertThat(bad.body(), containsString("From must be a date"));
    }

    @Test
    void versionsPageSaysWhoIsBehindAndWhichResticRunsWhere() {
        GATEWAY.on("GET", "/api/agents", 200, """
                {"items":[{"host_id":"%s","hostname":"web-1","online":true,"agent_version":"0.0.7",
                  "restic_version":"0.13.1","protocol_version":1},
                 {"host_id":"h-new","hostname":"new-1","online":false,"agent_version":"0.1.0",
                  "restic_version":"0.16.4","protocol_version":1}]}""".formatted(WEB));
        Page page = get("/versions", "viewer");
        assertThat(page.status(), is(200));
        assertThat(page.body(), containsString("data-host-id=\"" + WEB + "\" data-behind=\"true\" "
                + "data-restic-old=\"true\""));
        assertThat(page.body(), containsString("1 minor version behind"));
        assertThat(page.body(), containsString("data-host-id=\"h-new\" data-behind=\"false\""));
        assertThat(page.body(), containsString("Up to date"));
        assertThat(page.body(), containsString("<li class=\"version-group\" data-version=\"0.13.1\"><code>0.13.1</code>"
                + " — 1 host(s) <span class=\"muted small\">(older than the oldest supported 0.14.0)</span>"));
        assertThat(page.body(), containsString("id=\"nav-versions\" aria-current=\"page\""));
        // updating the fleet's agents is for admins
        assertThat(page.body(), not(containsString("agent-update-all-form")));
        assertThat(get("/versions", "admin").body(), containsString("<form id=\"agent-update-all-form\""));
    }

    @Test
    void aProtocolTooOldForAFeatureDisablesItsButtonWithTheReasonAndRefusesThePost() {
        // protocol 0: what the hub calls a hello without protocol_version; every feature needs at least 1
        GATEWAY.on("GET", "/api/agents/" + WEB, 200, "{\"host_id\":\"" + WEB + "\",\"protocol_version\":0}");
        Page page = get("/hosts/" + WEB + "/actions", "operator");
        assertThat(page.body(), containsString("id=\"run-backup-button\" disabled aria-describedby=\"gate-backup\""));
        assertThat(page.body(), containsString("Backup needs agent protocol 1; the agent on this host speaks protocol 0. "
                + "Update the agent to use it."));
        Page refused = post("/hosts/" + WEB + "/actions", "operator", "action", "backup", "paths", "/etc");
        assertThat(refused.status(), is(422));
        assertThat(GATEWAY.seen("POST", "/api/hosts/" + WEB + "/jobs"), empty());

        GATEWAY.on("GET", "/api/agents/" + WEB, 200, "{\"host_id\":\"" + WEB + "\",\"protocol_version\":1}");
        Page current = get("/hosts/" + WEB + "/actions", "operator");
        assertThat(current.body(), containsString("id=\"run-backup-button\">"));
        assertThat(current.body(), not(containsString("gate-reason")));
    }

    private static com.fasterxml.jackson.databind.JsonNode tree(String json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (Exception e) {
            throw new AssertionError(json, e);
        }
    }
}
