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

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Download from a snapshot, across the real stack, a real agent and real restic: a file and a directory (ZIP and
 * tar) come back byte for byte; a slow reader of a download far larger than the hub's window keeps the hub's buffered
 * bytes under that window; closing the download mid-stream kills {@code restic dump} on the agent; an agent that dies
 * mid-stream ends the response visibly broken; viewers are refused; bad paths are 4xx problems; every download is an
 * audit row with its outcome. In headless Chromium: the wizard shows the size and the Download buttons to an admin,
 * and nothing of it to a viewer.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DownloadTest {
    private static final String ADMIN_PASSWORD = "download-admin-password";
    private static final String VIEWER_PASSWORD = "download-viewer-password";
    private static final String PASSWORD = "download-repo-password-9c1";
    /** The hub's window in this stack: 2 chunks of 64 KiB. */
    private static final int WINDOW = 2;
    private static final long WINDOW_BYTES = WINDOW * 64 * 1024L;
    private static final int BIG = 48 * 1024 * 1024;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static Stack stack;
    private static Api admin;
    private static String operatorToken;
    private static String viewerToken;
    private static AgentProcess agent;
    private static String hostId;
    private static String snapshot;
    private static Path data;
    private static Path big;

    @BeforeAll
    static void start() throws Exception {
        stack = Stack.start("download", "rm.hub.heartbeat-interval-s=2", "rm.hub.download-window=" + WINDOW);
        admin = Api.setupAdmin(stack, "admin", ADMIN_PASSWORD);
        operatorToken = admin.post("/api/tokens", Map.of("name", "ops", "role", "operator")).expect(201).json()
                .path("token").asText();
        viewerToken = admin.post("/api/tokens", Map.of("name", "view", "role", "viewer")).expect(201).json()
                .path("token").asText();
        admin.post("/api/users", Map.of("username", "vera", "password", VIEWER_PASSWORD, "role", "viewer"))
                .expect(201);

        data = Files.createDirectories(stack.dataDir().resolve("srv/data"));
        Files.writeString(data.resolve("readme.txt"), "hello from the snapshot\n".repeat(20));
        Fleet.randomFiles(data.resolve("docs"), 4, 100_000, 11);
        Files.createDirectories(data.resolve("docs/deep/er"));
        Files.writeString(data.resolve("docs/deep/er/n\u00e4me with space.txt"), "deep\n");
        big = data.resolve("big.bin");
        byte[] bytes = new byte[BIG];
        new Random(42).nextBytes(bytes);
        Files.write(big, bytes);

        agent = new AgentProcess(stack.dataDir().resolve("agent"), stack.logDir().resolve("agent.log"));
        hostId = Fleet.enrollWithRepo(stack, admin, agent, stack.dataDir().resolve("repo"), PASSWORD);
        assertThat(Fleet.runAndWait(admin, hostId, Map.of("kind", "init")).path("status").asText(), is("succeeded"));
        assertThat(Fleet.runAndWait(admin, hostId, Map.of("kind", "backup", "paths", List.of(data.toString())))
                           .path("status").asText(), is("succeeded"));
        Await.until(Duration.ofSeconds(20), "snapshot listed", () ->
                admin.get("/api/hosts/" + hostId + "/snapshots").json().path("items").size() == 1);
        snapshot = admin.get("/api/hosts/" + hostId + "/snapshots").json().path("items").get(0).path("id").asText();
    }

    @AfterAll
    static void stop() throws Exception {
        if (agent != null) {
            agent.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    private static HttpResponse<InputStream> download(String token, String path, String format) throws Exception {
        String body = io.resticmanager.proto.Json.write(Map.of("snapshot_id", snapshot, "path", path, "format", format));
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(stack.gateway() + "/api/hosts/" + hostId
                                                                          + "/downloads"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
    }

    private static byte[] fetch(String path, String format) throws Exception {
        HttpResponse<InputStream> r = download(operatorToken, path, format);
        try (InputStream in = r.body()) {
            byte[] body = in.readAllBytes();
            assertThat(new String(body, 0, Math.min(400, body.length), StandardCharsets.UTF_8), r.statusCode(), is(200));
            assertThat(r.headers().firstValue("content-length").isPresent(), is(false));
            return body;
        }
    }

    /** Every regular file under {@code dir}, relative path → content. */
    private static Map<String, byte[]> tree(Path dir) throws IOException {
        Map<String, byte[]> out = new TreeMap<>();
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                out.put(dir.relativize(p).toString(), Files.readAllBytes(p));
            }
        }
        return out;
    }

    private static void assertSameTree(Map<String, byte[]> expected, Map<String, byte[]> actual) {
        assertThat(actual.keySet(), is(expected.keySet()));
        expected.forEach((name, content) -> assertThat(name, java.util.Arrays.equals(actual.get(name), content),
                                                       is(true)));
    }

    private static long metric(String name) {
        for (String line : admin.get("/metrics").expect(200).body().split("\n")) {
            if (line.startsWith("restic_manager_" + name + " ")) {
                return (long) Double.parseDouble(line.substring(line.indexOf(' ') + 1).strip());
            }
        }
        throw new AssertionError("no metric " + name);
    }

    private static List<ProcessHandle> resticDumps() {
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains("restic") && c.contains(" dump ")
                        && c.contains(snapshot)).orElse(false))
                .toList();
    }

    @Test
    @Order(1)
    void aFileComesBackByteForByte() throws Exception {
        long t0 = System.nanoTime();
        byte[] body = fetch(data.resolve("readme.txt").toString(), "file");
        assertThat(new String(body, StandardCharsets.UTF_8), is(Files.readString(data.resolve("readme.txt"))));
        Path binary;
        try (var files = Files.list(data.resolve("docs"))) {
            binary = files.filter(Files::isRegularFile).sorted().findFirst().orElseThrow();
        }
        HttpResponse<InputStream> r = download(operatorToken, binary.toString(), "file");
        try (InputStream in = r.body()) {
            assertThat(r.statusCode(), is(200));
            assertThat(r.headers().firstValue("content-disposition").orElse(""),
                       containsString("attachment; filename=\"" + binary.getFileName() + "\""));
            assertThat(java.util.Arrays.equals(in.readAllBytes(), Files.readAllBytes(binary)), is(true));
        }
        System.out.println("[download] small file: " + (System.nanoTime() - t0) / 1_000_000 + " ms");
    }

    @Test
    @Order(2)
    void aDirectoryComesBackAsZipAndAsTar() throws Exception {
        Path docs = data.resolve("docs");
        Map<String, byte[]> expected = tree(docs);
        assertThat(expected.size(), is(5));
        String prefix = docs.toString().substring(1) + "/";

        // restic writes stored entries with data descriptors, which ZipInputStream refuses: read the central directory
        Path zipFile = stack.dataDir().resolve("docs.zip");
        Files.write(zipFile, fetch(docs.toString(), "zip"));
        Map<String, byte[]> fromZip = new HashMap<>();
        try (ZipFile zip = new ZipFile(zipFile.toFile(), StandardCharsets.UTF_8)) {
            for (ZipEntry e : java.util.Collections.list(zip.entries())) {
                if (!e.isDirectory()) {
                    assertThat(e.getName(), e.getName().startsWith(prefix), is(true));
                    try (InputStream in = zip.getInputStream(e)) {
                        fromZip.put(e.getName().substring(prefix.length()), in.readAllBytes());
                    }
                }
            }
        }
        assertSameTree(expected, new TreeMap<>(fromZip));

        byte[] tar = fetch(docs.toString(), "tar");
        Path archive = stack.dataDir().resolve("docs.tar");
        Files.write(archive, tar);
        Path out = Files.createDirectories(stack.dataDir().resolve("untarred"));
        Process p = new ProcessBuilder("tar", "-xf", archive.toString(), "-C", out.toString())
                .redirectErrorStream(true).start();
        String tarOut = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(tarOut, p.waitFor(), is(0));
        assertSameTree(expected, tree(out.resolve(docs.toString().substring(1))));
    }

    @Test
    @Order(3)
    void aSlowReaderOfABigDownloadKeepsTheHubsBufferUnderTheWindow() throws Exception {
        HttpResponse<InputStream> r = download(operatorToken, big.toString(), "file");
        assertThat(r.statusCode(), is(200));
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        long read = 0;
        long maxBuffered = 0;
        long t0 = System.nanoTime();
        try (InputStream in = r.body()) {
            byte[] buf = new byte[16 * 1024];
            int n;
            while ((n = in.read(buf)) >= 0) {
                sha.update(buf, 0, n);
                read += n;
                if (read < 6 * 1024 * 1024) {
                    Thread.sleep(3); // slow: ~5 MB/s for the first 6 MiB
                    if (read % (512 * 1024) < n) {
                        maxBuffered = Math.max(maxBuffered, metric("download_buffered_bytes"));
                    }
                }
            }
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(read, is((long) BIG));
        assertThat(HexFormat.of().formatHex(sha.digest()),
                   is(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(big)))));
        long peak = metric("download_buffered_bytes_peak");
        System.out.println("[download] 48 MiB file (slow start): " + ms + " ms, " + (BIG / 1024 / 1024 * 1000L / Math.max(1, ms))
                                   + " MiB/s; hub buffered peak " + peak + " B (window " + WINDOW_BYTES
                                   + " B), sampled max " + maxBuffered + " B");
        assertThat(peak, greaterThan(0L));
        assertThat(peak, lessThanOrEqualTo(WINDOW_BYTES));
        assertThat(maxBuffered, lessThanOrEqualTo(WINDOW_BYTES));
        assertThat(metric("download_buffered_bytes"), is(0L));
    }

    @Test
    @Order(4)
    void closingTheDownloadMidStreamKillsResticOnTheAgent() throws Exception {
        HttpResponse<InputStream> r = download(operatorToken, big.toString(), "file");
        assertThat(r.statusCode(), is(200));
        InputStream in = r.body();
        assertThat(in.readNBytes(1024 * 1024).length, is(1024 * 1024));
        assertThat("restic dump runs while the download is open", resticDumps().isEmpty(), is(false));
        long t0 = System.nanoTime();
        in.close();
        Await.until(Duration.ofSeconds(20), "no restic dump left", () -> resticDumps().isEmpty());
        System.out.println("[download] cancel → restic gone: " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        Await.until(Duration.ofSeconds(10), "hub released the stream", () -> metric("downloads_active") == 0);
        assertThat(metric("download_buffered_bytes"), is(0L));
    }

    @Test
    @Order(5)
    void viewersAndAnonymousCallersAreRefused() throws Exception {
        HttpResponse<InputStream> viewer = download(viewerToken, data.resolve("readme.txt").toString(), "file");
        try (InputStream in = viewer.body()) {
            assertThat(viewer.statusCode(), is(403));
            assertThat(viewer.headers().firstValue("content-type").orElse(""), containsString("problem+json"));
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8), not(containsString("hello from")));
        }
        HttpResponse<InputStream> anonymous = download(null, data.resolve("readme.txt").toString(), "file");
        anonymous.body().close();
        assertThat(anonymous.statusCode(), is(401));
    }

    @Test
    @Order(6)
    void badPathsAndFormatsAreProblemsBeforeAnyByte() throws Exception {
        Object[][] cases = {
                {data + "/../../etc/passwd", "file", 400},
                {"etc/passwd", "file", 400},
                {"/etc/passwd", "file", 404},
                {data + "/nope.txt", "file", 404},
                {data.resolve("readme.txt").toString(), "rar", 400},
        };
        for (Object[] c : cases) {
            HttpResponse<InputStream> r = download(operatorToken, (String) c[0], (String) c[1]);
            try (InputStream in = r.body()) {
                String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                assertThat(c[0] + " " + body, r.statusCode(), is(c[2]));
                assertThat(r.headers().firstValue("content-type").orElse(""), containsString("problem+json"));
            }
        }
        // the repository password reaches restic through its environment only: no log of any process has it
        try (var logs = Files.list(stack.logDir())) {
            for (Path log : logs.toList()) {
                assertThat(log.toString(), Files.readString(log), not(containsString(PASSWORD)));
            }
        }
    }

    @Test
    @Order(7)
    void everyDownloadIsAuditedWithItsOutcome() {
        JsonNode items = admin.get("/api/audit?action=snapshot.download").expect(200).json().path("items");
        List<String> rows = new java.util.ArrayList<>();
        items.forEach(i -> rows.add(i.path("user").asText() + " | " + i.path("target").asText() + " | "
                                            + i.path("result").asText()));
        String all = String.join("\n", rows);
        System.out.println("[download] audit:\n" + all);
        assertThat(all, containsString("path=" + data.resolve("docs") + " format=zip bytes="));
        assertThat(all, containsString("path=" + big + " format=file bytes=" + BIG + " outcome=complete | ok"));
        assertThat(all, containsString("outcome=incomplete | failed"));
        assertThat(all, containsString("host=" + hostId + " snapshot=" + snapshot.substring(0, 8)));
        assertThat(all, not(containsString(PASSWORD)));
    }

    @Test
    @Order(8)
    void anAgentThatDiesMidStreamLeavesAVisiblyBrokenDownload() throws Exception {
        HttpResponse<InputStream> r = download(operatorToken, big.toString(), "file");
        assertThat(r.statusCode(), is(200));
        InputStream in = r.body();
        assertThat(in.readNBytes(512 * 1024).length, is(512 * 1024));
        agent.kill();
        long killedAt = System.nanoTime();
        long[] total = {512 * 1024};
        IOException broken = assertThrows(IOException.class, () -> {
            byte[] buf = new byte[64 * 1024];
            int n;
            while ((n = in.read(buf)) >= 0) {
                total[0] += n;
            }
        });
        System.out.println("[download] agent killed: client saw " + total[0] + " of " + BIG + " bytes, then "
                                   + broken);
        long brokenMs = (System.nanoTime() - killedAt) / 1_000_000;
        System.out.println("[download] agent killed → client saw the broken download after " + brokenMs + " ms");
        assertThat(total[0] < BIG, is(true));
        // heartbeats every 2 s here: the hub notices a silent agent after 10 s, not after the 120 s idle timeout
        assertThat(brokenMs < 30_000, is(true));
        resticDumps().forEach(ProcessHandle::destroyForcibly);
        agent.start();
        Await.until(Duration.ofSeconds(30), "host online again", () ->
                "online".equals(admin.get("/api/hosts/" + hostId).json().path("status").asText()));
    }

    @Test
    @Order(9)
    void theWizardShowsTheSizeAndTheButtonsToAnAdminAndNothingToAViewer() throws Exception {
        Assumptions.assumeTrue(Browser.chromium().isPresent() && Browser.chromedriver().isPresent(),
                               "chromium and chromium-driver are not installed (script/test installs them)");
        String docs = data.resolve("docs").toString();
        WebDriver browser = Browser.start();
        try {
            Page web = new Page(browser, stack.gateway(), Duration.ofMillis(25), "download-failure-");
            web.login("admin", ADMIN_PASSWORD);
            web.open("/hosts/" + hostId + "/restore?snapshot=" + snapshot + "&path=" + data);
            web.waitFor(Duration.ofSeconds(20), d -> !d.findElements(
                    By.cssSelector(".tree-row[data-path='" + docs + "'] .tree-download")).isEmpty());
            Browser.screenshot(browser, "download-01-wizard");
            web.click(".tree-row[data-path='" + docs + "'] .tree-download");
            web.waitFor(Duration.ofSeconds(20), d -> !d.findElements(By.id("download-size")).isEmpty());
            Browser.screenshot(browser, "download-02-confirm");
            long expected = tree(data.resolve("docs")).values().stream().mapToLong(b -> b.length).sum();
            assertThat(browser.findElement(By.id("download-size")).getAttribute("data-bytes"),
                       is(String.valueOf(expected)));
            assertThat(web.text("#download-size"), containsString("5 files"));
            assertThat(browser.findElements(By.id("download-zip")).size(), is(1));
            assertThat(browser.findElements(By.id("download-tar")).size(), is(1));
            web.open("/hosts/" + hostId + "/restore/download?snapshot=" + snapshot + "&path="
                             + data.resolve("readme.txt"));
            web.waitFor(Duration.ofSeconds(20), d -> !d.findElements(By.id("download-size")).isEmpty());
            assertThat(browser.findElement(By.id("download-size")).getAttribute("data-bytes"),
                       is(String.valueOf(Files.size(data.resolve("readme.txt")))));
            assertThat(browser.findElements(By.id("download-file")).size(), is(1));
            assertThat(browser.getPageSource(), not(containsString(PASSWORD)));
        } finally {
            browser.quit();
        }

        WebDriver viewerBrowser = Browser.start();
        try {
            Page web = new Page(viewerBrowser, stack.gateway(), Duration.ofMillis(25), "download-viewer-failure-");
            web.login("vera", VIEWER_PASSWORD);
            web.open("/hosts/" + hostId + "/restore?snapshot=" + snapshot + "&path=" + data);
            web.waitFor(Duration.ofSeconds(20), d -> !d.findElements(By.id("restore-not-allowed")).isEmpty());
            assertThat(viewerBrowser.findElements(By.cssSelector(".tree-download")).isEmpty(), is(true));
            web.open("/hosts/" + hostId + "/restore/download?snapshot=" + snapshot + "&path=" + docs);
            web.waitFor(Duration.ofSeconds(20), d -> !d.findElements(By.id("download-not-allowed")).isEmpty());
            Browser.screenshot(viewerBrowser, "download-03-viewer");
            assertThat(viewerBrowser.findElements(By.cssSelector("#download-zip, #download-tar, #download-file"))
                               .isEmpty(), is(true));
        } finally {
            viewerBrowser.quit();
        }
    }
}
