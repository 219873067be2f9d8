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

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

/**
 * Restore drills with real parts: the stack as processes, real agents, real restic. A drill scheduled every minute
 * fires by itself on the agent and passes (every sampled file restored and equal to the live one); its result shows
 * in the API, on the host page and in the fleet RPO view. A drill run on another enrolled host restores the host's
 * snapshot with the host's repository credential. After a pack file of the repository is damaged (bytes overwritten
 * inside a file under data/), a drill fails naming the damaged paths and drill_failed reaches a webhook. The host's
 * tree, hashed before and after every drill, proves nothing outside the scratch directory was touched, and no scratch
 * directory is left behind.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DrillTest {
    private static final String PASSWORD = "drill-repo-password-4d1";
    private static Stack stack;
    private static Api admin;
    private static Api operator;
    private static AgentProcess agent;
    private static AgentProcess other;
    private static String hostId;
    private static String otherId;
    private static Path root;
    private static Path source;
    private static Path repo;
    private static AlertsTest.Receiver webhook;

    @BeforeAll
    static void start() throws Exception {
        stack = Stack.start("drills", "rm.jobs.alert-sweep-interval-s=1", "rm.hub.heartbeat-interval-s=2");
        admin = Api.setupAdmin(stack, "admin", "drill-admin-password");
        admin.post("/api/users", Map.of("username", "olga", "password", "operator-password-9", "role", "operator"))
                .expect(201);
        operator = Api.login(stack.gateway(), "olga", "operator-password-9");
        // the host's tree: what it backs up, and nothing a drill may change
        root = Files.createDirectories(stack.dataDir().resolve("host"));
        source = Files.createDirectories(root.resolve("srv/app"));
        Fleet.randomFiles(source.resolve("media"), 6, 40 * 1024, 3);
        Files.writeString(Files.createDirectories(source.resolve("conf")).resolve("app.yaml"), "port: 8080\n");
        Files.writeString(source.resolve("conf/secrets.env"), "TOKEN=not-a-real-one\n");
        Files.createSymbolicLink(source.resolve("conf/current"), Path.of("app.yaml"));
        repo = stack.dataDir().resolve("repo");
        agent = new AgentProcess(stack.dataDir().resolve("agent"), stack.logDir().resolve("agent.log"), "drill-src");
        hostId = Fleet.enrollWithRepo(stack, admin, agent, repo, PASSWORD);
        other = new AgentProcess(stack.dataDir().resolve("agent-other"), stack.logDir().resolve("agent-other.log"),
                                 "drill-other");
        otherId = Fleet.enrollWithRepo(stack, admin, other, stack.dataDir().resolve("repo-other"), "other-pw-77");
        assertThat(Fleet.runAndWait(admin, hostId, Map.of("kind", "init")).path("status").asText(), is("succeeded"));
        JsonNode backup = Fleet.runAndWait(admin, hostId, Map.of("kind", "backup", "paths", List.of(source.toString())));
        assertThat(backup.toString(), backup.path("status").asText(), is("succeeded"));

        webhook = new AlertsTest.Receiver(0);
        admin.post("/api/alert-channels", Map.of("name", "drills", "kind", "webhook", "rules", List.of("drill_failed"),
                                                 "config", Map.of("url", "http://127.0.0.1:" + webhook.port() + "/hook")))
                .expect(201);
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {agent, other, webhook, stack}) {
            if (c != null) {
                c.close();
            }
        }
    }

    @Test
    @Order(1)
    void aScheduledDrillRunsByItselfPassesAndShowsOnTheHostPageAndTheRpoView() throws Exception {
        Map<String, String> before = fingerprint(root);
        String scheduleId = operator.post("/api/schedules", Map.of(
                "host_id", hostId, "name", "weekly drill", "cron", "* * * * *", "kind", "drill", "sample_files", 5,
                "max_bytes", 1 << 20)).expect(201).json().path("id").asText();
        JsonNode[] found = new JsonNode[1];
        Await.until(Duration.ofSeconds(150), "a drill fired by the schedule, finished", () -> {
            for (JsonNode j : admin.get("/api/jobs?host_id=" + hostId + "&kind=drill").json().path("items")) {
                String status = j.path("status").asText();
                if (scheduleId.equals(j.path("schedule_id").asText()) && !status.equals("queued")
                        && !status.equals("running")) {
                    found[0] = j;
                    return true;
                }
            }
            return false;
        });
        admin.patch("/api/schedules/" + scheduleId, Map.of("enabled", false)).expect(200);
        JsonNode job = admin.get("/api/jobs/" + found[0].path("id").asText()).json();
        System.out.println("[drill] scheduled drill: " + job.path("summary"));
        assertThat(job.toString(), job.path("status").asText(), is("succeeded"));
        assertThat(job.path("created_by").asText(), is("schedule:weekly drill"));
        JsonNode summary = job.path("summary");
        assertThat(summary.path("files_sampled").asInt(), is(5));
        assertThat(summary.path("files_restored").asInt(), is(5));
        assertThat(summary.path("verified").asInt(), is(5));
        assertThat(summary.path("mismatched").size(), is(0));
        assertThat(summary.path("scratch_removed").asBoolean(), is(true));
        assertThat(summary.path("restic_verify").asBoolean(), is(true));
        assertThat(job.path("command_line").asText(), containsString("restore --verify"));
        String snapshot = summary.path("snapshot_id").asText();
        assertThat(Restic.snapshots(repo, PASSWORD).toString(), containsString(snapshot));

        // the live log, like any job's
        String log = logText(job.path("id").asText());
        assertThat(log, containsString("verified " + source));
        assertThat(log, containsString("scratch directory removed"));
        assertThat(log, not(containsString(PASSWORD)));

        // the API, the host page and the RPO view show it
        Await.until(Duration.ofSeconds(20), "last_drill on the host", () -> job.path("id").asText().equals(
                admin.get("/api/hosts/" + hostId).json().path("last_drill").path("job_id").asText()));
        JsonNode lastDrill = admin.get("/api/hosts/" + hostId).json().path("last_drill");
        assertThat(lastDrill.path("status").asText(), is("succeeded"));
        assertThat(lastDrill.path("snapshot_id").asText(), is(snapshot));
        JsonNode row = rpoRow();
        assertThat(Instant.parse(row.path("restorable_as_of").asText()).toEpochMilli(),
                   is(Instant.parse(summary.path("snapshot_time").asText()).toEpochMilli()));
        String hostPage = admin.get("/hosts/" + hostId).body();
        assertThat(hostPage, containsString("id=\"host-last-drill\""));
        assertThat(hostPage, containsString("href=\"/jobs/" + job.path("id").asText() + "\" id=\"host-last-drill-link\""));
        String rpoPage = admin.get("/rpo").body();
        assertThat(rpoPage, containsString("Restorable as of"));
        assertThat(section(rpoPage, "data-host-id=\"" + hostId + "\"", "</tr>"), containsString("rpo-restorable\"><time"));

        assertThat(fingerprint(root), is(before));
        assertNoScratchLeft(agent);
    }

    @Test
    @Order(2)
    void anOperatorRunsADrillFromTheHostPageAndWatchesItsLiveLog() throws Exception {
        Assumptions.assumeTrue(Browser.chromium().isPresent() && Browser.chromedriver().isPresent(),
                               "chromium and chromium-driver are not installed (script/test installs them)");
        Map<String, String> before = fingerprint(root);
        WebDriver browser = Browser.start();
        try {
            Page web = new Page(browser, stack.gateway(), Duration.ofMillis(100), "drill-failure-");
            web.login("olga", "operator-password-9");
            web.open("/hosts/" + hostId + "/actions");
            web.waitFor(d -> !d.findElements(By.id("run-drill-button")).isEmpty());
            browser.findElement(By.id("drill-files")).clear();
            web.type("#drill-files", "4");
            web.click("#run-drill-button");
            web.waitFor(Duration.ofSeconds(60), d -> d.getCurrentUrl().contains("/jobs/")
                    && web.text("#job-status").toLowerCase().contains("succeeded"));
            web.waitFor(Duration.ofSeconds(15), d -> web.text("#job-log").contains("scratch directory removed"));
            Browser.screenshot(browser, "drill-01-job");
            assertThat(web.text("#job-log"), containsString("verified " + source));
            assertThat(web.text("#job-summary"), containsString("Verified against live files"));
            web.open("/hosts/" + hostId);
            web.waitFor(d -> !d.findElements(By.id("host-last-drill")).isEmpty());
            assertThat(web.text("#host-last-drill"), containsString("Succeeded"));
            Browser.screenshot(browser, "drill-02-host");
        } finally {
            browser.quit();
        }
        assertThat(fingerprint(root), is(before));
        assertNoScratchLeft(agent);
    }

    @Test
    @Order(3)
    void aDrillOnAnotherHostRestoresThisHostsSnapshotThere() throws Exception {
        Map<String, String> before = fingerprint(root);
        // lending another host the repository credential is an admin's decision
        assertThat(operator.post("/api/hosts/" + hostId + "/jobs", Map.of("kind", "drill", "target_host_id", otherId))
                           .status(), is(403));
        JsonNode job = Fleet.runAndWait(admin, hostId, Map.of("kind", "drill", "target_host_id", otherId,
                                                              "sample_files", 3));
        assertThat(job.toString(), job.path("status").asText(), is("succeeded"));
        assertThat(job.path("host_id").asText(), is(hostId));
        assertThat(job.path("runner_host_id").asText(), is(otherId));
        assertThat(job.path("summary").path("host").asText(), is("drill-src"));
        assertThat(job.path("summary").path("files_restored").asInt(), is(3));
        // the live files are on the other host: restored and checked by restic and size, not compared
        assertThat(job.path("summary").path("live_compared").asBoolean(), is(false));
        assertThat(Files.readString(stack.logDir().resolve("agent-other.log")), containsString(job.path("id").asText()));
        assertThat(Files.readString(stack.logDir().resolve("agent-other.log")), not(containsString(PASSWORD)));
        assertThat(fingerprint(root), is(before));
        assertNoScratchLeft(other);
    }

    @Test
    @Order(4)
    void aDamagedPackFailsTheDrillNamingTheDamagedPathsAndAlerts() throws Exception {
        Path pack;
        try (Stream<Path> walk = Files.walk(repo.resolve("data"))) {
            pack = walk.filter(Files::isRegularFile).max(Comparator.comparingLong(p -> p.toFile().length()))
                    .orElseThrow();
        }
        pack.toFile().setWritable(true);
        try (RandomAccessFile f = new RandomAccessFile(pack.toFile(), "rw")) {
            for (long at = 64; at < f.length() - 4096; at += 2048) {
                f.seek(at);
                f.write(new byte[] {0x13, 0x37, 0x13, 0x37});
            }
        }
        Map<String, String> before = fingerprint(root);
        JsonNode job = Fleet.runAndWait(operator, hostId, Map.of("kind", "drill", "sample_files", 50,
                                                                 "max_bytes", 10 << 20));
        System.out.println("[drill] damaged repository: " + job.path("error").asText());
        assertThat(job.toString(), job.path("status").asText(), is("failed"));
        List<String> mismatched = new ArrayList<>();
        job.path("summary").path("mismatched").forEach(p -> mismatched.add(p.asText()));
        assertThat(mismatched, not(empty()));
        assertThat(mismatched, everyItem(startsWith(source.toString() + "/")));
        assertThat(job.path("error").asText(), containsString(mismatched.getFirst()));
        assertThat(job.path("summary").path("scratch_removed").asBoolean(), is(true));
        assertThat(logText(job.path("id").asText()), containsString("MISMATCH " + mismatched.getFirst()));

        AlertsTest.Receiver.Received hook = webhook.await("drill_failed", Duration.ofSeconds(15));
        assertThat(hook.json().path("state").asText(), is("firing"));
        assertThat(hook.json().path("host_id").asText(), is(hostId));
        assertThat(hook.json().path("summary").asText(), containsString(mismatched.getFirst()));
        JsonNode alert = admin.get("/api/alerts?host_id=" + hostId + "&state=firing").json().path("items").get(0);
        assertThat(alert.path("rule").asText(), is("drill_failed"));
        assertThat(alert.path("job_id").asText(), is(job.path("id").asText()));

        // the RPO view keeps the last snapshot a drill proved, and marks the failed drill beside it
        JsonNode row = rpoRow();
        assertThat(row.path("restorable_as_of").isNull(), is(false));
        assertThat(row.path("last_drill").path("status").asText(), is("failed"));
        assertThat(admin.get("/api/hosts/" + hostId).json().path("last_drill").path("status").asText(), is("failed"));
        assertThat(section(admin.get("/rpo").body(), "data-host-id=\"" + hostId + "\"", "</tr>"),
                   containsString("rpo-drill-failed"));

        assertThat(fingerprint(root), is(before));
        assertNoScratchLeft(agent);
    }

    private static JsonNode rpoRow() {
        for (JsonNode r : admin.get("/api/alerts/rpo").json().path("items")) {
            if (r.path("host_id").asText().equals(hostId)) {
                return r;
            }
        }
        throw new AssertionError("no RPO row for " + hostId);
    }

    private static String logText(String jobId) {
        List<String> lines = new ArrayList<>();
        admin.get("/api/jobs/" + jobId + "/logs?limit=10000").json().path("items")
                .forEach(l -> lines.add(l.path("line").asText()));
        return String.join("\n", lines);
    }

    private static String section(String html, String from, String to) {
        int start = html.indexOf(from);
        assertThat("no " + from + " in the page", start >= 0, is(true));
        int end = html.indexOf(to, start);
        return html.substring(start, end < 0 ? html.length() : end);
    }

    /** The agent's drills directory holds no scratch directory once a drill ended. */
    private static void assertNoScratchLeft(AgentProcess which) throws Exception {
        Path drills = which.config().getParent().resolve("drills");
        assertThat(Files.isDirectory(drills), is(true));
        try (Stream<Path> left = Files.list(drills)) {
            assertThat(left.toList(), is(empty()));
        }
    }

    /** Every file, link and directory under a tree: content hash (or link target), size, mode and mtime. */
    static Map<String, String> fingerprint(Path tree) throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(tree)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                String what;
                if (Files.isSymbolicLink(p)) {
                    what = "link " + Files.readSymbolicLink(p);
                } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    what = "file " + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                                                                      .digest(Files.readAllBytes(p)));
                } else {
                    what = "dir";
                }
                out.put(tree.relativize(p).toString(), what + " " + Files.getAttribute(p, "unix:mode",
                        LinkOption.NOFOLLOW_LINKS) + " " + Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS));
            }
        }
        return out;
    }
}
