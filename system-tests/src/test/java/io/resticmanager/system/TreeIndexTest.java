package io.resticmanager.system;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;

/**
 * Issue 25 across the real stack, a real agent and real restic: a backup is indexed after it finished; its snapshot is
 * browsed from the index with the agent stopped; the next backup with one changed file uploads only the trees on that
 * file's path; search finds both versions of the file with the snapshots holding each; forget drops the forgotten
 * snapshot's index and the sweep drops the trees no snapshot reaches any more.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TreeIndexTest {
    private static final String PASSWORD = "index-repo-password-5e1";
    private static final Pattern INDEXED = Pattern.compile("indexed snapshot (\\w+): .* (\\d+) of (\\d+) trees were new");
    private static Stack stack;
    private static Api admin;
    private static AgentProcess agent;
    private static String host;
    private static Path home;
    private static Path agentLog;

    @BeforeAll
    static void start() throws Exception {
        // a sweep may drop unreferenced trees at once (no upload runs while the test forgets)
        stack = Stack.start("tree-index", "rm.hub.heartbeat-interval-s=2", "rm.inventory.index.sweep-grace=PT0S");
        admin = Api.setupAdmin(stack, "admin", "index-admin-password");
        home = Files.createDirectories(stack.dataDir().resolve("home/alice"));
        for (int d = 0; d < 6; d++) {
            Path dir = Files.createDirectories(home.resolve("projects/p" + d + "/src"));
            for (int f = 0; f < 30; f++) {
                Files.writeString(dir.resolve("file-" + f + ".txt"), "project " + d + " file " + f + "\n");
            }
        }
        Files.writeString(Files.createDirectories(home.resolve("finance")).resolve("invoices.xlsx"), "v1 numbers\n");
        agentLog = stack.logDir().resolve("agent.log");
        agent = new AgentProcess(stack.dataDir().resolve("agent"), agentLog);
        host = Fleet.enrollWithRepo(stack, admin, agent, stack.dataDir().resolve("repo"), PASSWORD);
        assertThat(Fleet.runAndWait(admin, host, Map.of("kind", "init")).path("status").asText(), is("succeeded"));
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

    private static String backup() {
        JsonNode job = Fleet.runAndWait(admin, host, Map.of("kind", "backup", "paths", List.of(home.toString())));
        assertThat(job.toString(), job.path("status").asText(), is("succeeded"));
        return job.at("/summary/snapshot_id").asText();
    }

    private static JsonNode tree(String snapshot, String path) {
        return admin.get("/api/snapshots/" + snapshot + "/tree?host_id=" + host + "&path=" + path).expect(200).json();
    }

    /** The agent's log line for the snapshot's indexing: {uploaded trees, all trees}. */
    private static int[] indexed(String snapshot) throws Exception {
        int[] out = new int[2];
        Await.until(Duration.ofSeconds(60), "snapshot " + snapshot + " indexed", () -> {
            Matcher m = INDEXED.matcher(Files.readString(agentLog));
            while (m.find()) {
                if (snapshot.startsWith(m.group(1))) {
                    out[0] = Integer.parseInt(m.group(2));
                    out[1] = Integer.parseInt(m.group(3));
                    return true;
                }
            }
            return false;
        });
        return out;
    }

    private static long count(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + stack.dataDir().resolve("inventory.db"));
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static String first;
    private static String second;

    @Test
    @Order(1)
    void aBackupIsIndexedAndBrowsedWithTheAgentStopped() throws Exception {
        first = backup();
        int[] one = indexed(first);
        assertThat("every tree of the first snapshot is new", one[0], is(one[1]));
        Await.until(Duration.ofSeconds(30), "the snapshot answers from the index", () ->
                "index".equals(tree(first, home.toString()).path("source").asText()));

        JsonNode listed = admin.get("/api/hosts/" + host + "/snapshots").expect(200).json().path("items");
        assertThat(listed.toString(), listed.get(0).path("id").asText().startsWith(first), is(true));
        assertThat("the snapshot list says the snapshot is indexed", listed.get(0).path("indexed").asBoolean(),
                   is(true));

        agent.close(); // the agent process is gone: nothing can be listed live
        JsonNode src = tree(first, home + "/projects/p3/src");
        assertThat(src.path("source").asText(), is("index"));
        assertThat(src.path("items").size(), is(30));
        assertThat(src.at("/items/0/path").asText(), is(home + "/projects/p3/src/file-0.txt"));
        long started = System.nanoTime();
        tree(first, home + "/projects/p4/src");
        assertThat("browsing from the index is quick", (System.nanoTime() - started) / 1_000_000, lessThan(2_000L));

        // a huge directory comes a page at a time, in the same order
        List<String> paged = new java.util.ArrayList<>();
        String cursor = "";
        do {
            JsonNode page = admin.get("/api/snapshots/" + first + "/tree?host_id=" + host + "&path=" + home
                                              + "/projects/p3/src&limit=12&cursor=" + cursor).expect(200).json();
            assertThat(page.path("items").size() <= 12, is(true));
            page.path("items").forEach(e -> paged.add(e.path("name").asText()));
            cursor = page.path("next_cursor").asText("");
        } while (!cursor.isEmpty());
        List<String> whole = new java.util.ArrayList<>();
        src.path("items").forEach(e -> whole.add(e.path("name").asText()));
        assertThat(paged, is(whole));

        // a viewer previews what a restore of a selection brings back, counted from the index (agent still stopped)
        Api viewer = Api.bearer(stack.gateway(), admin.post("/api/tokens", Map.of("name", "index-viewer", "role",
                "viewer")).expect(201).json().path("token").asText());
        long srcBytes = 0;
        try (var files = Files.list(home.resolve("projects/p3/src"))) {
            for (Path f : files.toList()) {
                srcBytes += Files.size(f);
            }
        }
        String previewPath = "/api/hosts/" + host + "/snapshots/" + first + "/restore-preview";
        JsonNode preview = viewer.post(previewPath, Map.of("paths", List.of(home + "/projects/p3/src",
                home + "/projects/p3/src/file-1.txt", home + "/finance/invoices.xlsx"), "target", "/tmp/r"))
                .expect(200).json();
        assertThat(preview.toString(), preview.path("files").asLong(), is(31L));
        assertThat(preview.path("bytes").asLong(), is(srcBytes + Files.size(home.resolve("finance/invoices.xlsx"))));
        assertThat(preview.path("source").asText(), is("index"));
        assertThat(viewer.post(previewPath, Map.of("paths", List.of(home + "/nope"))).status(), is(404));
        assertThat(viewer.post(previewPath, Map.of("paths", "nope")).status(), is(400));
        assertThat(viewer.post("/api/hosts/" + java.util.UUID.randomUUID() + "/snapshots/" + first
                                       + "/restore-preview", Map.of("paths", List.of("/"))).status(), is(404));
        agent.start();
        Await.until(Duration.ofSeconds(30), "host online again", () ->
                "online".equals(admin.get("/api/hosts/" + host).json().path("status").asText()));
    }

    @Test
    @Order(2)
    void theNextBackupUploadsOnlyTheChangedTreesAndSearchFindsBothVersions() throws Exception {
        long treesBefore = count("SELECT COUNT(*) FROM index_trees");
        Files.writeString(home.resolve("finance/invoices.xlsx"), "v2 numbers, corrected\n");
        second = backup();
        int[] two = indexed(second);
        // finance, alice, home and its ancestors up to the root: the six projects are not sent again
        int onPath = home.getNameCount() + 2;
        assertThat("trees uploaded for one changed file", two[0], is(onPath));
        assertThat(count("SELECT COUNT(*) FROM index_trees") - treesBefore, is((long) onPath));
        Await.until(Duration.ofSeconds(30), "the second snapshot answers from the index", () ->
                "index".equals(tree(second, home + "/finance").path("source").asText()));

        JsonNode found = admin.get("/api/hosts/" + host + "/files?q=invoices").expect(200).json();
        JsonNode item = found.at("/items/0");
        assertThat(item.path("path").asText(), is(home + "/finance/invoices.xlsx"));
        assertThat(item.path("versions").size(), is(2));
        assertThat(item.at("/versions/0/size").asLong(), is(22L));
        // the job summary names snapshots by restic 0.14's short id; search answers the full one
        assertThat(item.at("/versions/0/snapshots/0/id").asText().startsWith(second), is(true));
        assertThat(item.at("/versions/1/snapshots/0/id").asText().startsWith(first), is(true));
        JsonNode glob = admin.get("/api/files?q=file-2?.txt").expect(200).json();
        assertThat(glob.path("items").size(), is(6 * 10));
        assertThat(glob.at("/items/0/versions/0/snapshots").size(), is(2));
    }

    @Test
    @Order(3)
    void forgetDropsTheIndexOfForgottenSnapshotsAndTheTreesOnlyTheyUsed() throws Exception {
        long trees = count("SELECT COUNT(*) FROM index_trees");
        JsonNode forget = Fleet.runAndWait(admin, host, Map.of("kind", "forget", "policy",
                                                               Map.of("keep_last", 1, "prune", false)));
        assertThat(forget.toString(), forget.path("status").asText(), is("succeeded"));
        int onPath = home.getNameCount() + 2;
        Await.until(Duration.ofSeconds(30), "the first snapshot's own trees swept", () ->
                count("SELECT COUNT(*) FROM index_snapshots") == 1
                        && count("SELECT COUNT(*) FROM index_trees") == trees - onPath);
        JsonNode found = admin.get("/api/hosts/" + host + "/files?q=invoices").expect(200).json();
        assertThat(found.at("/items/0/versions").size(), is(1));
        assertThat(tree(second, home + "/projects/p1/src").path("items").size(), is(30));
    }
}
