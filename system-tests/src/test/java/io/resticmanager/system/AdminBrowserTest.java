package io.resticmanager.system;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

/**
 * The admin pages and version skew in real headless Chromium against the real stack: users (create, change role,
 * reset password, disable — the user's open session and API token stop at once — enable, delete, the last admin
 * protected), API tokens (created once with a copy button, last used, revoked), the audit log (filters in the URL,
 * paging, a CSV export that matches the filter), the Versions page with simulated old agents; then a viewer, who
 * sees none of it and whose direct API calls are refused. Screenshots in system-tests/target/screenshots (admin-*).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AdminBrowserTest {
    private static final String PASSWORD = "admin-browser-password";
    private static final String VERA_PASSWORD = "vera-first-password";
    private static final String VERA_NEW_PASSWORD = "vera-second-password";
    private static final String OLGA_PASSWORD = "olga-password-12345";
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static Stack stack;
    private static WebDriver browser;
    private static Page web;
    private static Api admin;
    private static final List<SimAgent> agents = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        Assumptions.assumeTrue(Browser.chromium().isPresent() && Browser.chromedriver().isPresent(),
                               "chromium and chromium-driver are not installed (script/test installs them)");
        // many logins from one address in a few seconds: the per-address bucket must not be what the test measures
        stack = Stack.start("admin-browser", "rm.gateway.login.ip-burst=1000");
        admin = Api.setupAdmin(stack, "admin", PASSWORD);
        browser = Browser.start();
        web = new Page(browser, stack.gateway(), Duration.ofMillis(200), "admin-failure-");
        web.login("admin", PASSWORD);
    }

    @AfterAll
    static void stop() {
        agents.forEach(SimAgent::close);
        if (browser != null) {
            browser.quit();
        }
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    @Order(1)
    void anAdminCreatesUsersFromTheUsersPage() {
        web.open("/");
        web.waitFor(d -> !d.findElements(By.id("nav-admin")).isEmpty());
        web.click("#nav-admin");
        web.waitFor(d -> d.getCurrentUrl().endsWith("/admin/users") && !d.findElements(By.id("user-form")).isEmpty());
        createUser("vera", VERA_PASSWORD, "viewer");
        createUser("olga", OLGA_PASSWORD, "operator");
        assertThat(row("vera").getAttribute("data-role"), is("viewer"));
        assertThat(row("olga").getAttribute("data-role"), is("operator"));
        assertThat(Api.login(stack.gateway(), "vera", VERA_PASSWORD).get("/api/me").json().path("role").asText(),
                   is("viewer"));
        Browser.screenshot(browser, "admin-01-users-created");
    }

    @Test
    @Order(2)
    void roleChangeAndPasswordResetTakeEffect() {
        web.open("/admin/users");
        String olgaId = row("olga").getAttribute("data-user-id");
        new Select(browser.findElement(By.id("user-role-select-" + olgaId))).selectByValue("admin");
        row("olga").findElement(By.cssSelector(".user-role-button")).click();
        web.waitFor(d -> web.text("#saved-message").contains("Role changed") && "admin".equals(
                row("olga").getAttribute("data-role")));

        String veraId = row("vera").getAttribute("data-user-id");
        Api veraBefore = Api.login(stack.gateway(), "vera", VERA_PASSWORD);
        web.type("#user-password-input-" + veraId, VERA_NEW_PASSWORD);
        web.type("#user-password-confirm-" + veraId, VERA_NEW_PASSWORD);
        row("vera").findElement(By.cssSelector(".user-password-button")).click();
        web.waitFor(d -> web.text("#saved-message").contains("Password reset"));
        assertThat("the reset ended her open session", veraBefore.get("/api/me").status(), is(401));
        assertThat(Api.anonymous(stack.gateway()).post("/api/login", Map.of("username", "vera", "password",
                                                                            VERA_PASSWORD)).status(), is(401));
        assertThat(Api.login(stack.gateway(), "vera", VERA_NEW_PASSWORD).get("/api/me").status(), is(200));
        Browser.screenshot(browser, "admin-02-role-and-password");
    }

    @Test
    @Order(3)
    void disablingAUserStopsItsOpenSessionAndTokenAtOnceAndEnablingRestoresThem() {
        // olga is an admin now: she has a session and made a token of her own
        Api olga = Api.login(stack.gateway(), "olga", OLGA_PASSWORD);
        String olgaToken = olga.post("/api/tokens", Map.of("name", "olga-script", "role", "viewer")).expect(201).json()
                .path("token").asText();
        Api olgaBearer = Api.bearer(stack.gateway(), olgaToken);
        assertThat(olga.get("/api/me").status(), is(200));
        assertThat(olgaBearer.get("/api/hosts").status(), is(200));

        web.open("/admin/users");
        row("olga").findElement(By.cssSelector(".user-disable-button")).click();
        web.waitFor(d -> web.text("#saved-message").contains("User disabled")
                && "true".equals(row("olga").getAttribute("data-disabled")));
        assertThat("her open session stopped at once", olga.get("/api/me").status(), is(401));
        assertThat("her token stopped at once", olgaBearer.get("/api/hosts").status(), is(401));
        assertThat(Api.anonymous(stack.gateway()).post("/api/login", Map.of("username", "olga", "password",
                                                                            OLGA_PASSWORD)).status(), is(403));
        assertThat(row("olga").findElement(By.cssSelector(".user-state")).getText(), containsString("Disabled"));
        Browser.screenshot(browser, "admin-03-user-disabled");

        row("olga").findElement(By.cssSelector(".user-enable-button")).click();
        web.waitFor(d -> web.text("#saved-message").contains("User enabled"));
        assertThat(olgaBearer.get("/api/hosts").status(), is(200));
        assertThat(Api.login(stack.gateway(), "olga", OLGA_PASSWORD).get("/api/me").status(), is(200));
    }

    @Test
    @Order(4)
    void theLastAdminIsProtectedAndDeletingAsksFirst() {
        web.open("/admin/users");
        row("olga").findElement(By.cssSelector(".user-delete-button")).click();
        web.waitFor(d -> !d.findElements(By.id("confirm-delete")).isEmpty());
        assertThat(web.text("#confirm-delete"), containsString("Delete user “olga”?"));
        Browser.screenshot(browser, "admin-04-delete-confirm");
        web.click("#confirm-button");
        web.waitFor(d -> web.text("#saved-message").contains("User deleted")
                && d.findElements(By.cssSelector("tr.user-row[data-username='olga']")).isEmpty());

        // admin is now the only admin: disabling, demoting or deleting it is refused, with the reason on the page
        row("admin").findElement(By.cssSelector(".user-disable-button")).click();
        web.waitFor(d -> web.text("#users-problem").contains("cannot disable the last admin"));
        Browser.screenshot(browser, "admin-05-last-admin");
        String adminId = row("admin").getAttribute("data-user-id");
        new Select(browser.findElement(By.id("user-role-select-" + adminId))).selectByValue("viewer");
        row("admin").findElement(By.cssSelector(".user-role-button")).click();
        web.waitFor(d -> web.text("#users-problem").contains("cannot demote the last admin"));
        row("admin").findElement(By.cssSelector(".user-delete-button")).click();
        web.waitFor(d -> !d.findElements(By.id("confirm-button")).isEmpty());
        web.click("#confirm-button");
        web.waitFor(d -> web.text("#users-problem").contains("cannot delete the last admin"));
        assertThat(admin.get("/api/me").json().path("role").asText(), is("admin"));
    }

    @Test
    @Order(5)
    void aTokenIsShownOnceWithACopyButtonListedWithLastUseAndRevoked() {
        web.open("/admin/tokens");
        web.type("#token-name", "prometheus");
        new Select(browser.findElement(By.id("token-role"))).selectByValue("viewer");
        new Select(browser.findElement(By.id("token-expiry"))).selectByValue("30");
        web.click("#token-submit");
        web.waitFor(d -> !d.findElements(By.id("new-token-value")).isEmpty());
        String value = web.text("#new-token-value");
        assertThat(value, startsWith("rmt_"));
        WebElement copy = browser.findElement(By.id("copy-token"));
        assertThat("the copy button is wired", copy.isDisplayed(), is(true));
        copy.click();
        web.waitFor(d -> !web.text("#copy-status").isBlank());
        Browser.screenshot(browser, "admin-06-token-created");

        Api bearer = Api.bearer(stack.gateway(), value);
        assertThat(bearer.get("/api/hosts").status(), is(200));
        web.open("/admin/tokens");
        assertThat("shown only once", browser.getPageSource(), not(containsString(value)));
        WebElement row = browser.findElement(By.cssSelector("tr.token-row[data-token-name='prometheus']"));
        assertThat(row.findElement(By.cssSelector(".token-last-used")).getText(), not(containsString("never")));
        assertThat(row.findElements(By.cssSelector(".token-last-used time")).size(), is(1));
        Browser.screenshot(browser, "admin-07-token-list");

        row.findElement(By.cssSelector(".token-revoke-button")).click();
        web.waitFor(d -> web.text("#saved-message").contains("Token revoked"));
        assertThat(bearer.get("/api/hosts").status(), is(401));
    }

    @Test
    @Order(6)
    void theAuditLogFiltersPagesAndExportsExactlyTheFilteredRows() {
        Api anonymous = Api.anonymous(stack.gateway());
        for (int i = 0; i < 3; i++) {
            anonymous.post("/api/login", Map.of("username", "mallory", "password", "guess-" + i + "-guess-guess"));
        }
        anonymous.post("/api/login", Map.of("username", "=HYPERLINK(\"http://evil\",\"x\")", "password",
                                            "guess-guess-guess"));
        String veraId = null;
        for (JsonNode u : admin.get("/api/users").json().path("items")) {
            if (u.path("username").asText().equals("vera")) {
                veraId = u.path("id").asText();
            }
        }
        for (int i = 0; i < 60; i++) {
            admin.patch("/api/users/" + veraId, Map.of()).expect(200);
        }

        web.open("/admin/audit");
        web.type("#audit-user", "mallory");
        new Select(browser.findElement(By.id("audit-result"))).selectByValue("denied");
        web.click("#audit-filter-button");
        web.waitFor(d -> d.getCurrentUrl().contains("user=mallory") && d.getCurrentUrl().contains("result=denied"));
        List<WebElement> rows = browser.findElements(By.cssSelector("tr.audit-row"));
        assertThat(rows.size(), is(3));
        rows.forEach(r -> assertThat(r.getAttribute("data-user"), is("mallory")));
        Browser.screenshot(browser, "admin-08-audit-filtered");

        // paging keeps the filters
        web.open("/admin/audit?action=user.update&target=vera");
        assertThat(browser.findElements(By.cssSelector("tr.audit-row")).size(), is(50));
        web.click("#audit-next");
        web.waitFor(d -> d.getCurrentUrl().contains("cursor=") && d.getCurrentUrl().contains("action=user.update")
                && d.getCurrentUrl().contains("target=vera"));
        int second = browser.findElements(By.cssSelector("tr.audit-row")).size();
        assertThat(second, greaterThanOrEqualTo(10));
        assertThat(browser.findElements(By.id("audit-first")).size(), is(1));
        Browser.screenshot(browser, "admin-09-audit-page-2");

        // the export link carries the same filters; the file holds exactly the rows the API lists for them
        web.open("/admin/audit?action=user.update&target=vera&result=ok");
        String href = browser.findElement(By.id("audit-export")).getAttribute("href");
        assertThat(href, containsString("/api/audit/export?action=user.update&target=vera&result=ok"));
        Api.Reply csv = admin.get(href.substring(stack.gateway().length()));
        assertThat(csv.status(), is(200));
        List<String> lines = List.of(csv.body().split("\r\n"));
        List<String> listed = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = admin.get("/api/audit?action=user.update&target=vera&result=ok&limit=1000"
                                              + (cursor == null ? "" : "&cursor=" + cursor)).json();
            page.path("items").forEach(i -> listed.add(i.path("at").asText() + ",admin,user.update,"
                    + i.path("target").asText() + ",ok,200,"));
            cursor = page.path("next_cursor").isTextual() ? page.path("next_cursor").asText() : null;
        } while (cursor != null);
        assertThat(lines.getFirst(), is("at,user,action,target,result,status,source_ip"));
        assertThat(lines.size() - 1, is(listed.size()));
        assertThat(listed.size(), greaterThanOrEqualTo(60));
        for (int i = 0; i < listed.size(); i++) {
            assertThat(lines.get(i + 1), startsWith(listed.get(i)));
        }
        Api.Reply hostile = admin.get("/api/audit/export?action=login.failed");
        assertThat(hostile.body(), containsString("\"'=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\""));
        assertThat(hostile.body(), not(containsString(",=HYPERLINK")));
    }

    @Test
    @Order(7)
    void theVersionsPageSaysWhichAgentsAreBehindAndWhichResticRunsWhere() throws Exception {
        Api hub = BenchSetup.hub(stack);
        BenchSetup.Enrolled old = BenchSetup.enroll(hub, "old-agent");
        BenchSetup.Enrolled current = BenchSetup.enroll(hub, "current-agent");
        SimAgent oldAgent = SimAgent.connect(HTTP, stack.gateway(), old.agentToken(), null).join();
        agents.add(oldAgent);
        SimAgent currentAgent = SimAgent.connect(HTTP, stack.gateway(), current.agentToken(), null).join();
        agents.add(currentAgent);
        oldAgent.hello("old-agent", "0.0.7", "0.13.1");
        currentAgent.hello("current-agent", io.resticmanager.proto.Versions.FALLBACK, "0.16.4");
        Await.until(Duration.ofSeconds(20), "both online", () ->
                "online".equals(admin.get("/api/hosts/" + old.hostId()).json().path("status").asText())
                        && "online".equals(admin.get("/api/hosts/" + current.hostId()).json().path("status").asText()));

        web.open("/");
        web.waitFor(d -> web.text("#version-skew").contains("1 agent(s) are behind the server"));
        assertThat(web.text("#version-skew"), containsString("1 host(s) run a restic older than 0.14.0"));
        Browser.screenshot(browser, "admin-10-dashboard-skew");
        web.click("#version-skew-link");
        web.waitFor(d -> !d.findElements(By.id("agent-version-table")).isEmpty());
        WebElement oldRow = browser.findElement(By.cssSelector("tr.agent-version-row[data-host-id='" + old.hostId()
                                                                       + "']"));
        assertThat(oldRow.getAttribute("data-behind"), is("true"));
        assertThat(oldRow.findElement(By.cssSelector(".agent-skew")).getText(), containsString("1 minor version behind"));
        assertThat(oldRow.findElement(By.cssSelector(".agent-restic")).getText(), containsString("older than 0.14.0"));
        assertThat(oldRow.findElement(By.cssSelector(".agent-protocol")).getText(), containsString("1"));
        WebElement currentRow = browser.findElement(By.cssSelector("tr.agent-version-row[data-host-id='"
                                                                           + current.hostId() + "']"));
        assertThat(currentRow.findElement(By.cssSelector(".agent-skew")).getText(), containsString("Up to date"));
        assertThat(web.text("#agents-behind"), containsString("1 agent(s) behind"));
        assertThat(web.text("#restic-version-groups"), containsString("0.13.1 — 1 host(s)"));
        assertThat(web.text("#restic-version-groups"), containsString("0.16.4 — 1 host(s)"));
        Browser.screenshot(browser, "admin-10-versions-page");

        // today's protocol covers every feature: the old agent's buttons stay usable, with no reason shown
        web.open("/hosts/" + old.hostId() + "/actions");
        web.waitFor(d -> !d.findElements(By.id("run-backup-button")).isEmpty());
        assertThat(web.text("#host-agent-behind"), containsString("1 minor version behind"));
        assertThat(web.text("#host-restic-old"), containsString("older than 0.14.0"));
        Browser.screenshot(browser, "admin-11-host-versions");
        assertThat(browser.findElement(By.id("run-backup-button")).isEnabled(), is(true));
        assertThat(browser.findElements(By.cssSelector(".gate-reason")), empty());
    }

    @Test
    @Order(8)
    void aViewerSeesNoAdminControlsAndTheApiRefusesThem() {
        web.click("#logout-button");
        web.waitFor(d -> d.getCurrentUrl().contains("/login"));
        web.login("vera", VERA_NEW_PASSWORD);
        web.open("/");
        web.waitFor(d -> !d.findElements(By.id("nav-versions")).isEmpty());
        assertThat(browser.findElements(By.id("nav-admin")), empty());
        for (String path : List.of("/admin/users", "/admin/tokens", "/admin/audit")) {
            web.open(path);
            web.waitFor(d -> d.getPageSource().contains("need the admin role"));
            assertThat(path, browser.findElements(By.cssSelector("form#user-form, form#token-form, #audit-table, "
                    + ".user-row, .token-row, .user-disable-button, .token-revoke-button, #audit-export")), empty());
        }
        Browser.screenshot(browser, "admin-12-viewer-refused");
        web.open("/versions");
        web.waitFor(d -> !d.findElements(By.id("agent-version-table")).isEmpty());
        Browser.screenshot(browser, "admin-13-viewer-versions");

        Api vera = Api.login(stack.gateway(), "vera", VERA_NEW_PASSWORD);
        String adminId = admin.get("/api/me").json().path("user_id").asText();
        assertThat(vera.get("/api/users").status(), is(403));
        assertThat(vera.post("/api/users", Map.of("username", "x", "password", "xxxxxxxxxxxxxx", "role", "admin"))
                           .status(), is(403));
        assertThat(vera.patch("/api/users/" + adminId, Map.of("disabled", true)).status(), is(403));
        assertThat(vera.delete("/api/users/" + adminId).status(), is(403));
        assertThat(vera.get("/api/tokens").status(), is(403));
        assertThat(vera.post("/api/tokens", Map.of("name", "x", "role", "viewer")).status(), is(403));
        assertThat(vera.get("/api/audit").status(), is(403));
        assertThat(vera.get("/api/audit/export").status(), is(403));
        assertThat(vera.postForm("/admin/users", Map.of("action", "disable", "user_id", adminId)).status(), is(403));
        assertThat(admin.get("/api/me").status(), is(200));
    }

    private static void createUser(String username, String password, String role) {
        web.type("#user-username", username);
        web.type("#user-password", password);
        web.type("#user-password-confirm", password);
        new Select(browser.findElement(By.id("user-role"))).selectByValue(role);
        web.click("#user-submit");
        web.waitFor(d -> web.text("#saved-message").contains("User created")
                && !d.findElements(By.cssSelector("tr.user-row[data-username='" + username + "']")).isEmpty());
    }

    private static WebElement row(String username) {
        return browser.findElement(By.cssSelector("tr.user-row[data-username='" + username + "']"));
    }
}
