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
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

/**
 * Repository health and snapshot diffs with real restic, a real agent, the real stack and headless Chromium: after a
 * backup the repository page shows its size within seconds without anyone running stats; after two backups the trend
 * SVG has two points; a stale lock left by a killed restic is flagged, an operator's unlock clears it while a viewer
 * sees no unlock button and the API refuses; a diff between two real snapshots lists what was added, removed and
 * changed, with sizes. Screenshots in system-tests/target/screenshots (repo-health-*).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RepoHealthJourneyTest {
    private static final String PASSWORD = "repo-health-repo-password";
    private static final String ADMIN_PASSWORD = "repo-health-admin-password";
    private static final String OPERATOR_PASSWORD = "repo-health-operator-password";
    private static final String VIEWER_PASSWORD = "repo-health-viewer-password";
    private static Stack stack;
    private static Api admin;
    private static AgentProcess agent;
    private static String hostId;
    private static String repoId;
    private static Path repo;
    private static Path data;
    private static WebDriver browser;
    private static Page web;

    @BeforeAll
    static void start() throws Exception {
        Assumptions.assumeTrue(Browser.chromium().isPresent() && Browser.chromedriver().isPresent(),
                               "chromium and chromium-driver are not installed (script/test installs them)");
        stack = Stack.start("repo-health");
        admin = Api.setupAdmin(stack, "admin", ADMIN_PASSWORD);
        admin.post("/api/users", Map.of("username", "olga", "password", OPERATOR_PASSWORD, "role", "operator"))
                .expect(201);
        admin.post("/api/users", Map.of("username", "vera", "password", VIEWER_PASSWORD, "role", "viewer"))
                .expect(201);
        data = Files.createDirectories(stack.dataDir().resolve("data"));
        Files.writeString(data.resolve("kept.txt"), "kept\n".repeat(100));
        Files.writeString(data.resolve("report.txt"), "draft\n");
        Files.writeString(data.resolve("old-notes.txt"), "to be deleted\n".repeat(20));
        agent = new AgentProcess(stack.dataDir().resolve("agent"), stack.logDir().resolve("agent.log"));
        repo = stack.dataDir().resolve("repo");
        hostId = Fleet.enrollWithRepo(stack, admin, agent, repo, PASSWORD);
        repoId = admin.get("/api/hosts/" + hostId).json().path("repo_id").asText();
        assertThat(Fleet.runAndWait(admin, hostId, Map.of("kind", "init")).path("status").asText(), is("succeeded"));
        browser = Browser.start();
        web = new Page(browser, stack.gateway(), Duration.ofMillis(100), "repo-health-failure-");
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

    private static JsonNode backup() {
        JsonNode job = Fleet.runAndWait(admin, hostId, Map.of("kind", "backup", "paths", List.of(data.toString())));
        assertThat(job.toString(), job.path("status").asText(), is("succeeded"));
        return job;
    }

    private static void signIn(String user, String password) {
        browser.manage().deleteAllCookies();
        web.open("/login");
        web.login(user, password);
    }

    private static int rawPoints() {
        return admin.get("/api/repos/" + repoId + "/stats/history?mode=raw-data").json().path("items").size();
    }

    @Test
    @Order(1)
    void afterABackupTheRepositoryShowsItsSizeWithinSecondsAndTheTrendHasPoints() throws Exception {
        assertThat(admin.get("/api/repos/" + repoId).json().path("stats").path("raw_size").isMissingNode(), is(true));
        JsonNode first = backup();
        long finished = System.nanoTime();
        Await.until(Duration.ofSeconds(30), "the stored size measured by itself", () ->
                admin.get("/api/repos/" + repoId).json().path("stats").path("raw_size").asLong(0) > 0);
        long ms = (System.nanoTime() - finished) / 1_000_000;
        System.out.println("[repo-health] backup finished → size on the repository: " + ms + " ms");
        assertThat(ms < 20_000, is(true));
        JsonNode repoNow = admin.get("/api/repos/" + repoId).json();
        // the first refresh is the full one: the restore size and the ratio are there too
        assertThat(repoNow.path("stats").path("restore_size").asLong(0) > 0, is(true));
        assertThat(repoNow.path("locks").path("count").asLong(-1), is(0L));
        JsonNode stats = admin.get("/api/jobs?host_id=" + hostId + "&kind=stats").json().path("items").get(0);
        assertThat(stats.path("created_by").asText(), is("system (stats refresh)"));
        assertThat(stats.path("started_at").asText().compareTo(first.path("finished_at").asText()) >= 0, is(true));

        signIn("vera", VIEWER_PASSWORD);
        web.open("/repos/" + repoId);
        web.waitFor(d -> !web.text("#repo-size").isBlank() && !web.text("#repo-size").equals("–"));
        assertThat(web.text("#repo-snapshot-count"), is("1"));
        assertThat(web.text("#repo-host-list"), containsString(admin.get("/api/hosts/" + hostId).json()
                .path("name").asText()));
        Browser.screenshot(browser, "repo-health-01-size-after-first-backup");

        // a second backup with changes: the raw-data refresh adds the second point of the trend
        Files.writeString(data.resolve("report.txt"), "final version, reviewed and signed off\n".repeat(40));
        Files.delete(data.resolve("old-notes.txt"));
        Files.writeString(data.resolve("new-plan.txt"), "the new plan\n".repeat(30));
        backup();
        Await.until(Duration.ofSeconds(30), "a second size point", () -> rawPoints() >= 2);
        web.open("/repos/" + repoId);
        web.waitFor(d -> d.findElements(By.cssSelector("#size-chart circle.chart-dot")).size() >= 2);
        assertThat(browser.findElements(By.cssSelector("#snapshot-chart circle.chart-dot")).size(),
                   greaterThanOrEqualTo(2));
        assertThat(browser.findElement(By.id("size-chart")).getAttribute("data-points"), is(String.valueOf(rawPoints())));
        assertThat(web.text("#repo-snapshot-count"), is("2"));
        Browser.screenshot(browser, "repo-health-02-trend-after-two-backups");

        // the dashboard's card carries the repository's size sparkline
        web.open("/");
        web.waitFor(d -> !d.findElements(By.cssSelector(".host-card[data-host-id='" + hostId + "'] svg.sparkline"))
                .isEmpty());
        Browser.screenshot(browser, "repo-health-03-dashboard-sparkline");
    }

    @Test
    @Order(2)
    void aStaleLockIsFlaggedAndAnOperatorsUnlockClearsItWhileAViewerCannot() throws Exception {
        // a restic killed mid-backup leaves its lock in the repository
        Path big = Files.createDirectories(stack.dataDir().resolve("big"));
        byte[] chunk = new byte[1 << 20];
        new Random(11).nextBytes(chunk);
        for (int i = 0; i < 300; i++) {
            chunk[0] = (byte) i;
            chunk[1] = (byte) (i >> 8);
            Files.write(big.resolve("f" + i), chunk);
        }
        ProcessBuilder pb = new ProcessBuilder("restic", "backup", big.toString()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("RESTIC_REPOSITORY", repo.toString());
        pb.environment().put("RESTIC_PASSWORD", PASSWORD);
        Process killed = pb.start();
        Path locks = repo.resolve("locks");
        Await.until(Duration.ofSeconds(20), "restic holds a lock", () -> {
            try (var files = Files.list(locks)) {
                return files.findAny().isPresent();
            } catch (java.io.IOException e) {
                return false;
            }
        });
        killed.destroyForcibly();
        killed.waitFor(10, TimeUnit.SECONDS);

        // the next backup (a shared lock does not block it) is followed by the refresh that sees the lock
        backup();
        Await.until(Duration.ofSeconds(30), "the stale lock reported", () ->
                admin.get("/api/repos/" + repoId).json().path("locks").path("stale").asLong(0) == 1);

        signIn("vera", VIEWER_PASSWORD);
        web.open("/repos/" + repoId);
        web.waitFor(d -> web.text("#locks-stale").contains("1 stale"));
        assertThat(browser.findElements(By.id("unlock-button")).isEmpty(), is(true));
        assertThat(web.text(".lock-row-stale"), containsString("PID " + killed.pid()));
        Browser.screenshot(browser, "repo-health-04-viewer-sees-stale-lock");
        Api viewer = Api.login(stack.gateway(), "vera", VIEWER_PASSWORD);
        assertThat(viewer.post("/api/repos/" + repoId + "/jobs", Map.of("kind", "unlock")).status(), is(403));
        assertThat(Files.list(locks).count(), is(1L));

        signIn("olga", OPERATOR_PASSWORD);
        web.open("/repos/" + repoId);
        web.waitFor(d -> !d.findElements(By.id("unlock-button")).isEmpty());
        Browser.screenshot(browser, "repo-health-05-operator-unlock");
        web.click("#unlock-button");
        web.waitFor(d -> d.getCurrentUrl().contains("/jobs/"));
        String unlockJob = browser.getCurrentUrl().substring(browser.getCurrentUrl().lastIndexOf('/') + 1);
        JsonNode unlock = Fleet.awaitEnd(admin, unlockJob, Duration.ofSeconds(60));
        assertThat(unlock.toString(), unlock.path("kind").asText(), is("unlock"));
        assertThat(unlock.path("status").asText(), is("succeeded"));
        assertThat(unlock.path("created_by").asText(), is("olga"));
        try (var files = Files.list(locks)) {
            assertThat(files.count(), is(0L));
        }
        // the unlock is audited, and followed by a refresh that shows the repository unlocked
        JsonNode audit = admin.get("/api/audit?action=job.run_now").json().path("items");
        assertThat(audit.toString(), containsString("repo=" + repoId));
        assertThat(audit.toString(), containsString("kind=unlock"));
        Await.until(Duration.ofSeconds(30), "the lock gone from the repository page", () ->
                admin.get("/api/repos/" + repoId).json().path("locks").path("count").asLong(-1) == 0);
        web.open("/repos/" + repoId);
        web.waitFor(d -> web.text("#locks-none").contains("Not locked"));
        Browser.screenshot(browser, "repo-health-06-unlocked");
    }

    @Test
    @Order(3)
    void aDiffBetweenTwoRealSnapshotsListsAddedRemovedAndChangedFilesWithSizes() {
        Await.until(Duration.ofSeconds(20), "three snapshots listed", () ->
                admin.get("/api/hosts/" + hostId + "/snapshots").json().path("items").size() >= 3);
        JsonNode snapshots = admin.get("/api/hosts/" + hostId + "/snapshots").json().path("items");
        // oldest (the first backup) → the second backup
        String from = snapshots.get(snapshots.size() - 1).path("id").asText();
        String to = snapshots.get(snapshots.size() - 2).path("id").asText();

        signIn("vera", VIEWER_PASSWORD);
        web.open("/hosts/" + hostId);
        web.waitFor(d -> !d.findElements(By.cssSelector(".snapshot-row")).isEmpty());
        assertThat(browser.findElements(By.id("diff-open")).isEmpty(), is(true));
        Api viewer = Api.login(stack.gateway(), "vera", VIEWER_PASSWORD);
        assertThat(viewer.post("/api/hosts/" + hostId + "/diffs", Map.of("snapshot_id", from, "other_snapshot_id", to))
                           .status(), is(403));

        signIn("olga", OPERATOR_PASSWORD);
        web.open("/hosts/" + hostId);
        web.waitFor(d -> !d.findElements(By.id("diff-open")).isEmpty());
        web.click("#diff-open");
        web.waitFor(d -> !d.findElements(By.id("diff-form")).isEmpty());
        new Select(browser.findElement(By.id("diff-from"))).selectByValue(from);
        new Select(browser.findElement(By.id("diff-to"))).selectByValue(to);
        Browser.screenshot(browser, "repo-health-07-diff-pick");
        web.click("#diff-submit");
        web.waitFor(Duration.ofSeconds(60), d -> !d.findElements(By.cssSelector("#diff-table .diff-row")).isEmpty());
        String root = data.toString();
        WebElement added = row(root + "/new-plan.txt");
        assertThat(added.getAttribute("data-change"), is("added"));
        assertThat(added.findElement(By.cssSelector(".diff-size")).getText(), is("390 B"));
        WebElement removed = row(root + "/old-notes.txt");
        assertThat(removed.getAttribute("data-change"), is("removed"));
        assertThat(removed.findElement(By.cssSelector(".diff-size")).getText(), is("280 B"));
        WebElement changed = row(root + "/report.txt");
        assertThat(changed.getAttribute("data-change"), is("changed"));
        assertThat(changed.findElement(By.cssSelector(".diff-size")).getText(), is("6 B → 1.5 KiB"));
        assertThat(web.text("#diff-table"), not(containsString(root + "/kept.txt")));
        assertThat(web.text("#diff-added"), containsString("1 file"));
        assertThat(web.text("#diff-removed"), containsString("1 file"));
        assertThat(web.text("#diff-changed"), is("1 file"));
        Browser.screenshot(browser, "repo-health-08-diff");
    }

    private static WebElement row(String path) {
        for (WebElement r : browser.findElements(By.cssSelector("#diff-table .diff-row"))) {
            if (r.findElement(By.cssSelector(".diff-path")).getText().equals(path)) {
                return r;
            }
        }
        throw new AssertionError("no diff row for " + path + " in: " + web.text("#diff-table"));
    }
}
