package io.resticmanager.system;

import com.fasterxml.jackson.databind.JsonNode;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.OAuth2Config;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

/**
 * Single sign-on in real Chromium against the real stack and a real OpenID Connect provider in this process
 * (mock-oauth2-server with its interactive login page): "Sign in with Mock IdP" on our login page → the provider's
 * sign-in form → back through the gateway's callback → the dashboard, with the role the user's groups map to;
 * a user without a mapped group is refused with a readable message (and audited); logout offers the provider's
 * end-session endpoint. Screenshots land in system-tests/target/screenshots (sso-*).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OidcBrowserTest {
    private static final String CLIENT_ID = "restic-manager";
    private static final String ADMIN_PASSWORD = "oidc-admin-password";
    private static MockOAuth2Server idp;
    private static Stack stack;
    private static Api admin;
    private static WebDriver browser;
    private static Page web;

    @BeforeAll
    static void start() throws Exception {
        Assumptions.assumeTrue(Browser.chromium().isPresent() && Browser.chromedriver().isPresent(),
                               "chromium and chromium-driver are not installed (script/test installs them)");
        idp = new MockOAuth2Server(new OAuth2Config(true));
        idp.start(InetAddress.getByName("127.0.0.1"), 0);
        Path secret = Files.createTempFile("oidc-client-secret", ".txt");
        Files.writeString(secret, "browser-test-client-secret\n");
        stack = Stack.start("oidc-browser",
                            "rm.gateway.oidc.discovery-url=" + idp.wellKnownUrl("idp"),
                            "rm.gateway.oidc.client-id=" + CLIENT_ID,
                            "rm.gateway.oidc.client-secret-file=" + secret,
                            "rm.gateway.oidc.name=Mock IdP",
                            "rm.gateway.oidc.role-map=backup-admins=admin,backup-ops=operator");
        admin = Api.setupAdmin(stack, "root", ADMIN_PASSWORD);
        browser = Browser.start();
        web = new Page(browser, stack.gateway(), Duration.ofMillis(200), "sso-failure-");
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (stack != null) {
            stack.close();
        }
        if (idp != null) {
            idp.shutdown();
        }
    }

    /** From our login page through the provider's sign-in form, as {@code username} with these groups. */
    void signInAtTheProvider(String username, String groupsJson) {
        web.open("/login");
        web.waitFor(d -> !d.findElements(By.id("sso-login")).isEmpty());
        assertThat(web.text("#sso-login"), is("Sign in with Mock IdP"));
        web.click("#sso-login");
        // the provider's own page
        web.waitFor(d -> !d.findElements(By.name("username")).isEmpty());
        assertThat(browser.getCurrentUrl(), startsWith(idp.authorizationEndpointUrl("idp").toString()));
        web.type("input[name=username]", username);
        web.type("textarea[name=claims]", "{\"preferred_username\": \"" + username + "\", \"groups\": "
                + groupsJson + "}");
        Browser.screenshot(browser, "sso-02-provider-" + username);
        web.click("input[type=submit]");
    }

    @Test
    @Order(1)
    void signInWithTheProviderReachesTheDashboardWithTheMappedRole() {
        web.open("/");
        web.waitFor(d -> d.getCurrentUrl().contains("/login"));
        Browser.screenshot(browser, "sso-01-login");
        signInAtTheProvider("carol", "[\"staff\", \"backup-ops\"]");
        web.waitFor(Duration.ofSeconds(20), d -> !d.findElements(By.id("fleet-counts")).isEmpty());
        assertThat(browser.getCurrentUrl(), is(stack.gateway() + "/"));
        assertThat(web.text("#nav-username"), is("carol"));
        assertThat(web.text("#nav-role"), is("operator"));
        Browser.screenshot(browser, "sso-03-dashboard");
        // the session is the ordinary rm_session cookie, HttpOnly (invisible to scripts)
        assertThat(browser.manage().getCookieNamed("rm_session").isHttpOnly(), is(true));
        assertThat(audit("oidc.login"), containsString("user=carol role=operator"));
    }

    @Test
    @Order(2)
    void logoutOffersTheProvidersEndSession() {
        web.click("#logout-button");
        web.waitFor(d -> d.getCurrentUrl().contains("/login?logged_out=1"));
        web.waitFor(d -> !d.findElements(By.id("sso-logout")).isEmpty());
        Browser.screenshot(browser, "sso-04-logged-out");
        String end = browser.findElement(By.id("sso-logout")).getAttribute("href");
        assertThat(end, startsWith(idp.endSessionEndpointUrl("idp").toString()));
        assertThat(browser.manage().getCookieNamed("rm_session"), is((Object) null));
        // following it, the provider sends the browser back to our login page
        web.click("#sso-logout");
        web.waitFor(d -> d.getCurrentUrl().startsWith(stack.gateway() + "/login"));
        // and we are really logged out
        web.open("/");
        web.waitFor(d -> d.getCurrentUrl().contains("/login"));
    }

    @Test
    @Order(3)
    void aUserWithoutAMappedGroupIsRefusedWithAReadableMessage() {
        signInAtTheProvider("mallory", "[\"staff\"]");
        web.waitFor(Duration.ofSeconds(20), d -> d.getCurrentUrl().contains("/login?sso_error=no-role"));
        assertThat(browser.getPageSource(), containsString("not in a group that may use restic-manager"));
        assertThat(browser.findElements(By.id("fleet-counts")).isEmpty(), is(true));
        Browser.screenshot(browser, "sso-05-refused");
        assertThat(audit("oidc.refused"), containsString("reason=no group maps to a role (groups [staff])"));
    }

    @Test
    @Order(4)
    void withLocalLoginOffTheBreakGlassAdminStillLogsInAndOthersAreTurnedAway() {
        admin.post("/api/users", Map.of("username", "olga", "password", "olga-password-1234", "role", "operator"))
                .expect(201);
        // the break-glass admin switches password login off for everyone else on the users page
        web.open("/login");
        web.login("root", ADMIN_PASSWORD);
        web.open("/admin/users");
        web.waitFor(d -> !d.findElements(By.id("sign-in-settings")).isEmpty());
        assertThat(browser.findElement(By.cssSelector("tr.user-row[data-username='carol'] .user-sso")).getText(),
                   is("single sign-on"));
        web.click("#local-login-break-glass");
        web.click("#local-login-button");
        web.waitFor(d -> web.text("#saved-message").contains("Sign-in settings saved"));
        assertThat(browser.findElement(By.id("local-login-break-glass")).isSelected(), is(true));
        Browser.screenshot(browser, "sso-06a-switch");
        assertThat(admin.get("/api/auth/settings").expect(200).json().path("local_login").asText(), is("break-glass"));
        web.click("#logout-button");
        web.waitFor(d -> d.getCurrentUrl().contains("/login"));
        web.open("/login");
        web.waitFor(d -> !d.findElements(By.id("local-login")).isEmpty());
        Browser.screenshot(browser, "sso-06-break-glass");
        // the password form is folded away under "Local break-glass account"
        assertThat(browser.findElement(By.id("login-username")).isDisplayed(), is(false));
        browser.findElement(By.cssSelector("#local-login summary")).click();
        web.type("#login-username", "olga");
        web.type("#login-password", "olga-password-1234");
        web.click("#login-button");
        web.waitFor(d -> d.getPageSource().contains("local password login is switched off"));
        assertThat(browser.getCurrentUrl(), not(is(stack.gateway() + "/")));
        web.open("/login");
        browser.findElement(By.cssSelector("#local-login summary")).click();
        web.login("root", ADMIN_PASSWORD);
        web.waitFor(d -> !d.findElements(By.id("fleet-counts")).isEmpty());
        assertThat(web.text("#nav-username"), is("root"));
    }

    private static String audit(String action) {
        JsonNode items = admin.get("/api/audit?action=" + action).expect(200).json().path("items");
        return items.toString();
    }
}
