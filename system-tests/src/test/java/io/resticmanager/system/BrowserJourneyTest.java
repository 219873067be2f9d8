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

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

/**
 * The whole first-phase path in real headless Chromium against the real stack and a real agent:
 * setup → login → add repository → add host → the agent enrolls → init + backup from the host page →
 * watch the live log to the end → the snapshot appears; then the role rules for a viewer.
 * Screenshots of every page land in system-tests/target/screenshots.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BrowserJourneyTest {
    private static final String ADMIN_PASSWORD = "browser-admin-password";
    private static final String REPO_PASSWORD = "browser-repo-password-91c";
    private static Stack stack;
    private static WebDriver browser;
    private static Page web;
    private static AgentProcess agent;
    private static String hostId;
    private static Path sourceDir;

    @BeforeAll
    static void start() throws Exception {
        Assumptions.assumeTrue(Browser.chromium().isPresent() && Browser.chromedriver().isPresent(),
                               "chromium and chromium-driver are not installed (script/test installs them)");
        stack = Stack.start("browser-journey", "rm.hub.heartbeat-interval-s=2");
        sourceDir = Files.createDirectories(stack.dataDir().resolve("home/alice/documents"));
        for (int i = 0; i < 20; i++) {
            Files.writeString(sourceDir.resolve("note-" + i + ".md"), "# note " + i + "\n" + "text ".repeat(200));
        }
        agent = new AgentProcess(stack.dataDir().resolve("agent"), stack.logDir().resolve("agent.log"));
        browser = Browser.start();
        web = new Page(browser, stack.gateway(), Duration.ofMillis(200), "failure-");
    }

    @AfterAll
    static void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (agent != null) {
            agent.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    @Order(1)
    void firstRunSetupAndLogin() {
        web.open("/");
        // no session: the dashboard sends us to login
        web.waitFor(d -> d.getCurrentUrl().contains("/login"));
        web.open("/setup");
        Browser.screenshot(browser, "01-setup");
        web.type("#setup-token", stack.setupToken());
        web.type("#setup-username", "admin");
        web.type("#setup-password", ADMIN_PASSWORD);
        web.type("#setup-password-confirm", ADMIN_PASSWORD);
        web.click("#setup-button");
        web.waitFor(d -> !d.getCurrentUrl().contains("/setup"));
        if (browser.getCurrentUrl().contains("/login")) {
            web.login("admin", ADMIN_PASSWORD);
        }
        web.waitFor(d -> !d.findElements(By.id("fleet-counts")).isEmpty());
        assertThat(web.text("#count-hosts"), containsString("0"));
        Browser.screenshot(browser, "02-dashboard-empty");
    }

    @Test
    @Order(2)
    void addRepository() {
        web.open("/repos");
        web.type("#repo-name", "office-nas");
        web.type("#repo-url", stack.dataDir().resolve("repo").toString());
        web.type("#repo-password", REPO_PASSWORD);
        web.click("#repo-submit");
        web.waitFor(d -> d.getPageSource().contains("office-nas") && !d.findElements(By.cssSelector(".repo-row")).isEmpty());
        assertThat(browser.getPageSource(), not(containsString(REPO_PASSWORD)));
        Browser.screenshot(browser, "03-repositories");
    }

    @Test
    @Order(3)
    void addHostAndTheAgentEnrolls() throws Exception {
        web.open("/hosts/new");
        web.click("#enroll-button");
        web.waitFor(d -> !d.findElements(By.id("install-command")).isEmpty());
        String command = web.text("#install-command");
        assertThat(command, containsString("install.sh"));
        Browser.screenshot(browser, "04-add-host");
        Matcher m = Pattern.compile("--token\\s+(\\S+)").matcher(command);
        assertThat("token in: " + command, m.find(), is(true));

        assertThat(agent.enroll(stack.gateway(), m.group(1)), is(0));
        hostId = agent.hostId();
        agent.start();
        // the page notices the new host by itself
        web.waitFor(Duration.ofSeconds(30), d -> d.findElement(By.tagName("body")).getText().contains("enrolled"));
        Browser.screenshot(browser, "05-host-enrolled");

        web.open("/");
        web.waitFor(Duration.ofSeconds(20), d -> !d.findElements(
                By.cssSelector(".host-card[data-host-id='" + hostId + "']")).isEmpty()
                && d.findElement(By.cssSelector(".host-card[data-host-id='" + hostId + "']")).getText()
                .toLowerCase().contains("online"));
        Browser.screenshot(browser, "06-dashboard-one-host");
    }

    @Test
    @Order(4)
    void runBackupWatchTheLiveLogAndSeeTheSnapshot() {
        web.open("/hosts/" + hostId + "/actions");
        new Select(browser.findElement(By.id("assign-repo-select"))).selectByVisibleText(
                new Select(browser.findElement(By.id("assign-repo-select"))).getOptions().stream()
                        .map(WebElement::getText).filter(t -> t.contains("office-nas")).findFirst().orElseThrow());
        web.click("#assign-repo-button");
        web.waitFor(d -> d.getPageSource().contains("office-nas"));

        web.open("/hosts/" + hostId + "/actions");
        web.click("#run-init-button");
        web.waitFor(Duration.ofSeconds(60), d -> d.getCurrentUrl().contains("/jobs/")
                && web.text("#job-status").toLowerCase().contains("succeeded"));

        web.open("/hosts/" + hostId + "/actions");
        browser.findElement(By.id("backup-paths")).clear();
        web.type("#backup-paths", sourceDir.toString());
        web.type("#backup-tags", "browser");
        Browser.screenshot(browser, "07-host-actions");
        web.click("#run-backup-button");
        web.waitFor(d -> d.getCurrentUrl().contains("/jobs/"));
        Browser.screenshot(browser, "08-job-live");
        web.waitFor(Duration.ofSeconds(60), d -> web.text("#job-status").toLowerCase().contains("succeeded"));
        web.waitFor(d -> !browser.findElement(By.id("job-log")).getText().isBlank());
        web.waitFor(d -> !d.findElements(By.id("job-summary")).isEmpty());
        String summary = web.text("#job-summary");
        assertThat(summary, containsString("20"));
        assertThat(browser.getPageSource(), not(containsString(REPO_PASSWORD)));
        Browser.screenshot(browser, "09-job-finished");

        web.open("/hosts/" + hostId);
        web.waitFor(Duration.ofSeconds(20), d -> {
            d.navigate().refresh();
            return !d.findElements(By.cssSelector(".snapshot-row")).isEmpty();
        });
        assertThat(browser.findElements(By.cssSelector(".snapshot-row")).size(), is(1));
        Browser.screenshot(browser, "10-host-snapshots");
        web.open("/hosts/" + hostId + "/jobs");
        assertThat(browser.findElements(By.cssSelector(".job-row")).size(), greaterThan(1));
        Browser.screenshot(browser, "11-host-jobs");
    }

    @Test
    @Order(5)
    void viewerSeesNoActionsAndIsRefusedWhenPostingAnyway() {
        Api admin = Api.login(stack.gateway(), "admin", ADMIN_PASSWORD);
        admin.post("/api/users", Map.of("username", "vera", "password", "viewer-password-123", "role", "viewer"))
                .expect(201);
        // the stats refresh the server queues after backups is no job of the viewer's: only people's jobs count
        long jobsBefore = peoplesJobs(admin);

        web.click("#logout-button");
        web.waitFor(d -> d.getCurrentUrl().contains("/login"));
        web.login("vera", "viewer-password-123");
        web.open("/hosts/" + hostId + "/actions");
        List<WebElement> forms = browser.findElements(By.cssSelector("#run-backup-form, #run-forget-form, #run-prune-form"));
        assertThat(forms, empty());
        Browser.screenshot(browser, "12-viewer-host");

        Api viewer = Api.login(stack.gateway(), "vera", "viewer-password-123");
        viewer.post("/api/hosts/" + hostId + "/jobs", Map.of("kind", "backup", "paths", List.of(sourceDir.toString())))
                .expect(403);
        Api.Reply page = viewer.postForm("/hosts/" + hostId + "/actions", Map.of("action", "prune", "confirm", "yes"));
        assertThat(page.status() >= 400 || page.body().contains("problem"), is(true));
        assertThat(peoplesJobs(admin), is(jobsBefore));
    }

    private static long peoplesJobs(Api admin) {
        long n = 0;
        for (JsonNode j : admin.get("/api/jobs?host_id=" + hostId + "&limit=500").json().path("items")) {
            n += j.path("created_by").asText().startsWith("system") ? 0 : 1;
        }
        return n;
    }
}
