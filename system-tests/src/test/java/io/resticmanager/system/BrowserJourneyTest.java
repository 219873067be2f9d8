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
import org.openqa.selenium.support.ui.WebDriverWait;

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
        open("/");
        // no session: the dashboard sends us to login
        waitFor(d -> d.getCurrentUrl().contains("/login"));
        open("/setup");
        Browser.screenshot(browser, "01-setup");
        type("#setup-token", stack.setupToken());
        type("#setup-username", "admin");
        type("#setup-password", ADMIN_PASSWORD);
        type("#setup-password-confirm", ADMIN_PASSWORD);
        click("#setup-button");
        waitFor(d -> !d.getCurrentUrl().contains("/setup"));
        if (browser.getCurrentUrl().contains("/login")) {
            login("admin", ADMIN_PASSWORD);
        }
        waitFor(d -> !d.findElements(By.id("fleet-counts")).isEmpty());
        assertThat(text("#count-hosts"), containsString("0"));
        Browser.screenshot(browser, "02-dashboard-empty");
    }

    @Test
    @Order(2)
    void addRepository() {
        open("/repos");
        type("#repo-name", "office-nas");
        type("#repo-url", stack.dataDir().resolve("repo").toString());
        type("#repo-password", REPO_PASSWORD);
        click("#repo-submit");
        waitFor(d -> d.getPageSource().contains("office-nas") && !d.findElements(By.cssSelector(".repo-row")).isEmpty());
        assertThat(browser.getPageSource(), not(containsString(REPO_PASSWORD)));
        Browser.screenshot(browser, "03-repositories");
    }

    @Test
    @Order(3)
    void addHostAndTheAgentEnrolls() throws Exception {
        open("/hosts/new");
        click("#enroll-button");
        waitFor(d -> !d.findElements(By.id("install-command")).isEmpty());
        String command = text("#install-command");
        assertThat(command, containsString("install.sh"));
        Browser.screenshot(browser, "04-add-host");
        Matcher m = Pattern.compile("--token\\s+(\\S+)").matcher(command);
        assertThat("token in: " + command, m.find(), is(true));

        assertThat(agent.enroll(stack.gateway(), m.group(1)), is(0));
        hostId = agent.hostId();
        agent.start();
        // the page notices the new host by itself
        waitFor(Duration.ofSeconds(30), d -> d.findElement(By.tagName("body")).getText().contains("enrolled"));
        Browser.screenshot(browser, "05-host-enrolled");

        open("/");
        waitFor(Duration.ofSeconds(20), d -> !d.findElements(
                By.cssSelector(".host-card[data-host-id='" + hostId + "']")).isEmpty()
                && d.findElement(By.cssSelector(".host-card[data-host-id='" + hostId + "']")).getText()
                .toLowerCase().contains("online"));
        Browser.screenshot(browser, "06-dashboard-one-host");
    }

    @Test
    @Order(4)
    void runBackupWatchTheLiveLogAndSeeTheSnapshot() {
        open("/hosts/" + hostId + "/actions");
        new Select(browser.findElement(By.id("assign-repo-select"))).selectByVisibleText(
                new Select(browser.findElement(By.id("assign-repo-select"))).getOptions().stream()
                        .map(WebElement::getText).filter(t -> t.contains("office-nas")).findFirst().orElseThrow());
        click("#assign-repo-button");
        waitFor(d -> d.getPageSource().contains("office-nas"));

        open("/hosts/" + hostId + "/actions");
        click("#run-init-button");
        waitFor(Duration.ofSeconds(60), d -> d.getCurrentUrl().contains("/jobs/")
                && text("#job-status").toLowerCase().contains("succeeded"));

        open("/hosts/" + hostId + "/actions");
        browser.findElement(By.id("backup-paths")).clear();
        type("#backup-paths", sourceDir.toString());
        type("#backup-tags", "browser");
        Browser.screenshot(browser, "07-host-actions");
        click("#run-backup-button");
        waitFor(d -> d.getCurrentUrl().contains("/jobs/"));
        Browser.screenshot(browser, "08-job-live");
        waitFor(Duration.ofSeconds(60), d -> text("#job-status").toLowerCase().contains("succeeded"));
        waitFor(d -> !browser.findElement(By.id("job-log")).getText().isBlank());
        waitFor(d -> !d.findElements(By.id("job-summary")).isEmpty());
        String summary = text("#job-summary");
        assertThat(summary, containsString("20"));
        assertThat(browser.getPageSource(), not(containsString(REPO_PASSWORD)));
        Browser.screenshot(browser, "09-job-finished");

        open("/hosts/" + hostId);
        waitFor(Duration.ofSeconds(20), d -> {
            d.navigate().refresh();
            return !d.findElements(By.cssSelector(".snapshot-row")).isEmpty();
        });
        assertThat(browser.findElements(By.cssSelector(".snapshot-row")).size(), is(1));
        Browser.screenshot(browser, "10-host-snapshots");
        open("/hosts/" + hostId + "/jobs");
        assertThat(browser.findElements(By.cssSelector(".job-row")).size(), greaterThan(1));
        Browser.screenshot(browser, "11-host-jobs");
    }

    @Test
    @Order(5)
    void viewerSeesNoActionsAndIsRefusedWhenPostingAnyway() {
        Api admin = Api.login(stack.gateway(), "admin", ADMIN_PASSWORD);
        admin.post("/api/users", Map.of("username", "vera", "password", "viewer-password-123", "role", "viewer"))
                .expect(201);
        int jobsBefore = admin.get("/api/jobs?host_id=" + hostId).json().path("items").size();

        click("#logout-button");
        waitFor(d -> d.getCurrentUrl().contains("/login"));
        login("vera", "viewer-password-123");
        open("/hosts/" + hostId + "/actions");
        List<WebElement> forms = browser.findElements(By.cssSelector("#run-backup-form, #run-forget-form, #run-prune-form"));
        assertThat(forms, empty());
        Browser.screenshot(browser, "12-viewer-host");

        Api viewer = Api.login(stack.gateway(), "vera", "viewer-password-123");
        viewer.post("/api/hosts/" + hostId + "/jobs", Map.of("kind", "backup", "paths", List.of(sourceDir.toString())))
                .expect(403);
        Api.Reply page = viewer.postForm("/hosts/" + hostId + "/actions", Map.of("action", "prune", "confirm", "yes"));
        assertThat(page.status() >= 400 || page.body().contains("problem"), is(true));
        JsonNode after = admin.get("/api/jobs?host_id=" + hostId).json().path("items");
        assertThat(after.size(), is(jobsBefore));
    }

    private static void login(String user, String password) {
        if (!browser.getCurrentUrl().contains("/login")) {
            open("/login");
        }
        type("#login-username", user);
        type("#login-password", password);
        click("#login-button");
        waitFor(d -> !d.getCurrentUrl().contains("/login"));
    }

    private static void open(String path) {
        browser.get(stack.gateway() + path);
    }

    private static void type(String css, String text) {
        browser.findElement(By.cssSelector(css)).sendKeys(text);
    }

    private static void click(String css) {
        browser.findElement(By.cssSelector(css)).click();
    }

    private static String text(String css) {
        List<WebElement> found = browser.findElements(By.cssSelector(css));
        return found.isEmpty() ? "" : found.getFirst().getText();
    }

    private static void waitFor(java.util.function.Function<WebDriver, Boolean> condition) {
        waitFor(Duration.ofSeconds(15), condition);
    }

    private static void waitFor(Duration timeout, java.util.function.Function<WebDriver, Boolean> condition) {
        try {
            new WebDriverWait(browser, timeout, Duration.ofMillis(200)).ignoring(RuntimeException.class)
                    .until(condition::apply);
        } catch (RuntimeException e) {
            Browser.screenshot(browser, "failure-" + System.currentTimeMillis());
            throw new AssertionError("browser condition not met at " + browser.getCurrentUrl() + ": " + e.getMessage());
        }
    }
}
