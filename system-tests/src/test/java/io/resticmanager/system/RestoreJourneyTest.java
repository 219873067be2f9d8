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

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.not;

/**
 * C6 restore across the real stack, real agents and real restic. (1) In headless Chromium: a file deleted on a
 * host comes back to its original location through the wizard (open host → Restore… on the newest snapshot →
 * open its folder → tick the file → Restore… → confirm), timed: the human time (what the browser makes the user
 * wait between clicks, typing excluded) and the wall time until the file is back on disk. (2) Through the API:
 * a cross-host restore with two agents into a target directory, using the source host's repository.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RestoreJourneyTest {
    private static final String ADMIN_PASSWORD = "restore-admin-password";
    private static final String PASSWORD = "restore-repo-password-7f3";
    private static final String FINAL = "Q3 revenue: 4.2M (final, reviewed)\n".repeat(50);
    private static Stack stack;
    private static Api admin;
    private static WebDriver browser;
    private static Page web;
    private static AgentProcess source;
    private static AgentProcess target;
    private static String sourceHost;
    private static String targetHost;
    private static Path home;
    private static Path report;

    @BeforeAll
    static void start() throws Exception {
        Assumptions.assumeTrue(Browser.chromium().isPresent() && Browser.chromedriver().isPresent(),
                               "chromium and chromium-driver are not installed (script/test installs them)");
        stack = Stack.start("restore-journey", "rm.hub.heartbeat-interval-s=2");
        admin = Api.setupAdmin(stack, "admin", ADMIN_PASSWORD);
        home = Files.createDirectories(stack.dataDir().resolve("home/alice"));
        Path documents = Files.createDirectories(home.resolve("documents"));
        report = documents.resolve("q3-report.txt");
        Files.writeString(report, "Q3 revenue: draft\n");
        Files.writeString(documents.resolve("notes.md"), "# notes\n");
        Fleet.randomFiles(home.resolve("photos"), 5, 8192, 7);
        Files.writeString(home.resolve(".profile"), "export EDITOR=vi\n");

        source = new AgentProcess(stack.dataDir().resolve("agent-src"), stack.logDir().resolve("agent-src.log"));
        sourceHost = Fleet.enrollWithRepo(stack, admin, source, stack.dataDir().resolve("repo-src"), PASSWORD);
        target = new AgentProcess(stack.dataDir().resolve("agent-dst"), stack.logDir().resolve("agent-dst.log"));
        targetHost = Fleet.enrollWithRepo(stack, admin, target, stack.dataDir().resolve("repo-dst"), "other-pw-123");

        assertThat(Fleet.runAndWait(admin, sourceHost, Map.of("kind", "init")).path("status").asText(), is("succeeded"));
        Map<String, Object> backup = Map.of("kind", "backup", "paths", List.of(home.toString()));
        assertThat(Fleet.runAndWait(admin, sourceHost, backup).path("status").asText(), is("succeeded"));
        Files.writeString(report, FINAL); // the newest snapshot has the final version
        assertThat(Fleet.runAndWait(admin, sourceHost, backup).path("status").asText(), is("succeeded"));
        Await.until(Duration.ofSeconds(20), "two snapshots listed", () ->
                admin.get("/api/hosts/" + sourceHost + "/snapshots").json().path("items").size() == 2);
        browser = Browser.start();
        web = new Page(browser, stack.gateway(), Duration.ofMillis(25), "restore-failure-");
    }

    @AfterAll
    static void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (source != null) {
            source.close();
        }
        if (target != null) {
            target.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    /** Time the browser keeps the user waiting, per step; typing and ticking are not part of it. */
    private static final List<Long> WAITS = new ArrayList<>();

    /** Does the user's action (a click, opening a page) and waits until the page is ready for the next one. */
    private static void step(String name, Runnable action, Function<WebDriver, Boolean> ready) {
        long t0 = System.nanoTime();
        action.run();
        web.waitFor(Duration.ofSeconds(30), ready);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        WAITS.add(ms);
        System.out.println("[restore-journey] " + name + ": " + ms + " ms");
    }

    @Test
    @Order(1)
    void aDeletedFileIsRestoredFromTheUiToItsOriginalLocation() throws Exception {
        web.login("admin", ADMIN_PASSWORD); // a fresh browser is not on /login yet: this opens it

        Files.delete(report);
        assertThat(Files.exists(report), is(false));
        String dir = report.getParent().toString();
        String file = report.toString();

        long wallStart = System.nanoTime();
        step("open host page", () -> web.open("/hosts/" + sourceHost),
             d -> !d.findElements(By.cssSelector(".snapshot-row .snapshot-restore")).isEmpty());
        Browser.screenshot(browser, "restore-01-host");

        // the newest snapshot is the first row
        step("Restore… on the newest snapshot",
             () -> browser.findElements(By.cssSelector(".snapshot-row .snapshot-restore")).getFirst().click(),
             d -> !d.findElements(By.cssSelector("#restore-wizard .tree-row[data-path='" + dir + "']")).isEmpty());
        Browser.screenshot(browser, "restore-02-wizard");

        step("open the folder", () -> web.click(".tree-row[data-path='" + dir + "'] > .tree-line > .tree-toggle"),
             d -> !d.findElements(By.cssSelector(".tree-row[data-path='" + file + "']")).isEmpty());
        web.click(".tree-row[data-path='" + file + "'] > .tree-line > input.tree-pick");
        assertThat(browser.findElement(By.id("restore-target-original")).isSelected(), is(true));
        Browser.screenshot(browser, "restore-03-picked");

        step("Restore… (to the original location)", () -> web.click("#restore-submit"),
             d -> !d.findElements(By.id("restore-confirm")).isEmpty());
        assertThat(web.text("#restore-confirm-paths"), containsString(file));
        Browser.screenshot(browser, "restore-04-confirm");

        step("confirm, then the live job until it succeeded", () -> web.click("#restore-confirm"),
             d -> d.getCurrentUrl().contains("/jobs/") && web.text("#job-status").toLowerCase().contains("succeeded"));
        Await.until(Duration.ofSeconds(30), "the file back on disk", () -> Files.exists(report));
        long wallMs = (System.nanoTime() - wallStart) / 1_000_000;
        Browser.screenshot(browser, "restore-05-job");

        long humanMs = WAITS.stream().mapToLong(Long::longValue).sum();
        System.out.println("[restore-journey] human time (browser waits between clicks): " + humanMs + " ms " + WAITS);
        System.out.println("[restore-journey] wall time (open host page → file back on disk): " + wallMs + " ms");
        assertThat(Files.readString(report), is(FINAL));
        assertThat(wallMs, lessThan(30_000L));
        assertThat(browser.getPageSource(), not(containsString(PASSWORD)));

        JsonNode job = admin.get("/api/jobs?host_id=" + sourceHost + "&kind=restore").json().path("items").get(0);
        assertThat(job.path("status").asText(), is("succeeded"));
        assertThat(job.path("params").path("include").get(0).asText(), is(file));
        assertThat(job.path("summary").path("files_restored").asLong(), is(1L));
    }

    @Test
    @Order(2)
    void aCrossHostRestoreRunsOnTheTargetAgentWithTheSourceRepository() throws Exception {
        JsonNode newest = admin.get("/api/hosts/" + sourceHost + "/snapshots").json().path("items").get(0);
        String snapshot = newest.path("id").asText();

        // browsing: one level, answered by the source agent without a job
        JsonNode level = admin.get("/api/snapshots/" + snapshot + "/tree?host_id=" + sourceHost + "&path="
                                           + java.net.URLEncoder.encode(home.toString(), java.nio.charset.StandardCharsets.UTF_8))
                .expect(200).json();
        List<String> names = new ArrayList<>();
        level.path("items").forEach(i -> names.add(i.path("name").asText()));
        assertThat(names, is(List.of("documents", "photos", ".profile")));

        Path into = stack.dataDir().resolve("restored-on-target");
        String documents = home.resolve("documents").toString();
        JsonNode created = admin.post("/api/hosts/" + sourceHost + "/restores", Map.of(
                "snapshot_id", snapshot, "paths", List.of(documents), "target", into.toString(),
                "target_host_id", targetHost)).expect(202).json();
        assertThat(created.path("target_host_id").asText(), is(targetHost));
        JsonNode job = Fleet.awaitEnd(admin, created.path("job_id").asText(), Duration.ofSeconds(60));
        assertThat(job.toString(), job.path("status").asText(), is("succeeded"));
        assertThat(job.path("host_id").asText(), is(targetHost));
        assertThat(job.path("summary").path("source_host_id").asText(), is(sourceHost));
        assertThat(job.path("summary").path("cross_host").asBoolean(), is(true));
        assertThat(job.path("summary").path("files_restored").asLong(), is(2L));

        Path back = into.resolve(documents.substring(1));
        assertThat(Files.readString(back.resolve("q3-report.txt")), is(FINAL));
        assertThat(Files.readString(back.resolve("notes.md")), is("# notes\n"));
        assertThat(Files.exists(into.resolve(home.resolve("photos").toString().substring(1))), is(false));

        // it ran on the target agent: its log has it, the source agent's job list has no such job
        List<String> targetLogLines = new ArrayList<>();
        admin.get("/api/jobs/" + job.path("id").asText() + "/logs").json().path("items")
                .forEach(l -> targetLogLines.add(l.path("line").asText()));
        assertThat(String.join("\n", targetLogLines), containsString("restoring " + documents));
        assertThat(String.join("\n", targetLogLines), not(containsString(PASSWORD)));
        assertThat(Files.readString(stack.logDir().resolve("agent-dst.log")), containsString(job.path("id").asText()));
        assertThat(Files.readString(stack.logDir().resolve("agent-src.log")), not(containsString(job.path("id").asText())));
        assertThat(Files.readString(stack.logDir().resolve("agent-dst.log")), not(containsString(PASSWORD)));
        List<String> kinds = new ArrayList<>();
        admin.get("/api/jobs?host_id=" + targetHost).json().path("items").forEach(j -> kinds.add(j.path("kind").asText()));
        assertThat(kinds, hasItem("restore"));
    }
}
