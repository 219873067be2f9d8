package io.resticmanager.inventory;

import com.fasterxml.jackson.databind.JsonNode;
import io.resticmanager.proto.Message;
import io.resticmanager.proto.Role;
import io.resticmanager.proto.TreeIndex;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.resticmanager.inventory.TestEnv.event;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.is;

/** The tree index: uploads relayed by the hub, browsing without the agent, search, and what a hostile agent can't do. */
class FileIndexTest {
    private static final String SNAP_1 = "11111111" + "0".repeat(56);
    private static final String SNAP_2 = "22222222" + "0".repeat(56);
    private static final String SNAP_3 = "33333333" + "0".repeat(56);
    /** Reported, never indexed. */
    private static final String SNAP_4 = "44444444" + "0".repeat(56);
    private static TestEnv env;
    private static String repo;
    private static String host;
    private static String other;

    @BeforeAll
    static void setUp() {
        env = TestEnv.start();
        repo = env.createRepo(Map.of("name", "r", "url", "/srv/restic-index", "password", "index-s3cret"));
        host = env.enroll("files-1");
        other = env.enroll("files-2");
        env.assign(host, repo);
        env.assign(other, repo);
        report(List.of(SNAP_1, SNAP_2, SNAP_3, SNAP_4));
    }

    private static void report(List<String> ids) {
        List<Map<String, Object>> snaps = new ArrayList<>();
        int i = 0;
        for (String id : ids) {
            snaps.add(Map.of("id", id, "short_id", id.substring(0, 8), "time", "2026-11-2" + (++i) + "T10:00:00Z",
                             "hostname", "files-1", "paths", List.of("/home"), "tags", List.of()));
        }
        TestEnv.Reply r = env.events(event("ev-" + UUID.randomUUID(), host, "snapshots.report", Instant.now(),
                                           Map.of("job_id", "j-1", "repo_id", repo, "snapshots", snaps)));
        assertThat(r.body(), r.status(), is(200));
    }

    @AfterAll
    static void tearDown() {
        env.close();
    }

    private static Message.IndexNode file(String name, long size, long mtime) {
        return new Message.IndexNode(name, "file", size, mtime, null);
    }

    private static Message.IndexNode dir(String name, List<Message.IndexNode> content) {
        return new Message.IndexNode(name, "dir", 0, 1000L, TreeIndex.contentId(content));
    }

    private static TestEnv.Reply post(String host, String what, Object body) {
        return env.call("POST", "/internal/hosts/" + host + "/index/" + what, body, null);
    }

    private static TestEnv.Reply upload(String host, List<Message.IndexNode> nodes) {
        return post(host, "upload", new Message.IndexUpload(List.of(new Message.IndexTree(
                TreeIndex.contentId(nodes), 1, 1, nodes))));
    }

    @Test
    void indexedSnapshotsAreBrowsedAndSearchedWithoutTheAgent() {
        List<Message.IndexNode> docs1 = List.of(file("invoices.xlsx", 100, 5000), file("notes.txt", 7, 5000));
        List<Message.IndexNode> docs2 = List.of(file("invoices.xlsx", 120, 9000), file("notes.txt", 7, 5000));
        List<Message.IndexNode> alice1 = List.of(dir("docs", docs1));
        List<Message.IndexNode> alice2 = List.of(dir("docs", docs2));
        List<Message.IndexNode> home1 = List.of(dir("alice", alice1));
        List<Message.IndexNode> home2 = List.of(dir("alice", alice2));
        List<Message.IndexNode> root1 = List.of(dir("home", home1));
        List<Message.IndexNode> root2 = List.of(dir("home", home2));

        // a parent before its subtree is refused, and nothing of the frame is kept
        assertThat(upload(host, root1).status(), is(422));
        JsonNode missing = post(host, "have", new Message.IndexHave(List.of(TreeIndex.contentId(root1)))).json();
        assertThat(missing.get("missing").size(), is(1));
        for (var tree : List.of(docs1, alice1, home1, root1)) {
            TestEnv.Reply r = upload(host, tree);
            assertThat(r.body(), r.status(), is(200));
        }
        assertThat(post(host, "root", new Message.IndexRoot(repo, SNAP_1, TreeIndex.contentId(root1), 2, 4)).status(),
                   is(200));
        // the second snapshot shares notes.txt's … nothing but needs only its changed trees
        JsonNode have = post(host, "have", new Message.IndexHave(List.of(
                TreeIndex.contentId(docs2), TreeIndex.contentId(alice2), TreeIndex.contentId(home2),
                TreeIndex.contentId(root2), TreeIndex.contentId(docs1)))).json();
        assertThat(have.get("missing").size(), is(4));
        for (var tree : List.of(docs2, alice2, home2, root2)) {
            assertThat(upload(host, tree).status(), is(200));
        }
        assertThat(post(host, "root", new Message.IndexRoot(repo, SNAP_2, TreeIndex.contentId(root2), 2, 4)).status(),
                   is(200));

        // browsing answers from the index: the stub hub would fail any agent request
        env.hubRequests.set((h, body) -> new TestEnv.Reply(409, "{\"detail\":\"offline\"}", Map.of()));
        TestEnv.Reply tree = env.call("GET", "/api/snapshots/11111111/tree?host_id=" + host + "&path=/home/alice/docs",
                                      null, Role.VIEWER);
        assertThat(tree.body(), tree.status(), is(200));
        assertThat(tree.json().get("source").asText(), is("index"));
        assertThat(tree.json().at("/items/0/path").asText(), is("/home/alice/docs/invoices.xlsx"));
        assertThat(tree.json().at("/items/0/size").asLong(), is(100L));
        assertThat(env.call("GET", "/api/snapshots/11111111/tree?host_id=" + host + "&path=/home/nobody", null,
                            Role.VIEWER).status(), is(404));

        // the snapshot lists say which snapshots are indexed (the host's and the repository's)
        for (String list : List.of("/api/hosts/" + host + "/snapshots", "/api/repos/" + repo + "/snapshots")) {
            JsonNode items = env.call("GET", list, null, Role.VIEWER).json().get("items");
            java.util.Map<String, Boolean> indexed = new java.util.HashMap<>();
            items.forEach(i -> indexed.put(i.get("id").asText(), i.get("indexed").asBoolean()));
            assertThat(list, indexed.get(SNAP_1), is(true));
            assertThat(list, indexed.get(SNAP_2), is(true));
            assertThat(list, indexed.get(SNAP_4), is(false));
        }

        // a restore's selection previewed from the index (the hub still fails every agent request)
        JsonNode one = preview(host, "11111111", List.of("/home/alice/docs/invoices.xlsx"));
        assertThat(one.get("files").asLong(), is(1L));
        assertThat(one.get("bytes").asLong(), is(100L));
        JsonNode all = preview(host, "11111111", List.of("/home"));
        assertThat(all.get("files").asLong(), is(2L));
        assertThat(all.get("dirs").asLong(), is(3L));
        assertThat(all.get("bytes").asLong(), is(107L));
        // a path inside another selected one is counted once
        JsonNode nested = preview(host, "22222222", List.of("/home/alice/docs/notes.txt", "/home/alice"));
        assertThat(nested.get("files").asLong(), is(2L));
        assertThat(nested.get("bytes").asLong(), is(127L));
        assertThat(nested.get("paths").size(), is(1));
        // another host cannot preview this host's snapshot; bad selections are the caller's mistake
        assertThat(previewCall(other, "11111111", Map.of("paths", List.of("/home"))).status(), is(404));
        assertThat(previewCall(host, "11111111", Map.of("paths", List.of("/home/nobody"))).status(), is(404));
        assertThat(previewCall(host, "11111111", Map.of("paths", List.of("home"))).status(), is(400));
        assertThat(previewCall(host, "11111111", Map.of("paths", List.of())).status(), is(422));
        assertThat(previewCall(host, "11111111", Map.of("paths", "/home")).status(), is(400));
        assertThat(previewCall(host, "11111111", "[1]").status(), is(400));
        // a snapshot not indexed yet: the preview says so instead of guessing
        TestEnv.Reply notIndexed = previewCall(host, "44444444", Map.of("paths", List.of("/home")));
        assertThat(notIndexed.body(), notIndexed.status(), is(409));

        // search finds both versions with the snapshots holding each
        TestEnv.Reply found = env.call("GET", "/api/hosts/" + host + "/files?q=invoices", null, Role.VIEWER);
        assertThat(found.body(), found.status(), is(200));
        JsonNode item = found.json().at("/items/0");
        assertThat(item.get("path").asText(), is("/home/alice/docs/invoices.xlsx"));
        assertThat(item.get("versions").size(), is(2));
        assertThat(item.at("/versions/0/size").asLong(), is(120L));
        assertThat(item.at("/versions/0/snapshot_count").asInt(), is(1));
        assertThat(item.at("/versions/0/snapshots/0/id").asText(), is(SNAP_2));
        assertThat(item.at("/versions/1/snapshots/0/id").asText(), is(SNAP_1));
        JsonNode notes = env.call("GET", "/api/hosts/" + host + "/files?q=n*s.txt", null, Role.VIEWER).json();
        assertThat(notes.at("/items/0/versions").size(), is(1));
        assertThat(notes.at("/items/0/versions/0/snapshots").size(), is(2));
        assertThat(notes.at("/items/0/versions/0/snapshot_count").asInt(), is(2));
        // across hosts: admins only
        assertThat(env.call("GET", "/api/files?q=invoices", null, Role.VIEWER).status(), is(403));
        assertThat(env.call("GET", "/api/files?q=invoices", null, Role.ADMIN).json().get("items").size(), is(1));
        assertThat(env.call("GET", "/api/hosts/" + host + "/files?q=a/b", null, Role.VIEWER).status(), is(400));
    }

    private static TestEnv.Reply previewCall(String host, String snapshot, Object body) {
        return env.call("POST", "/api/hosts/" + host + "/snapshots/" + snapshot + "/restore-preview", body,
                        Role.VIEWER);
    }

    private static JsonNode preview(String host, String snapshot, List<String> paths) {
        TestEnv.Reply r = previewCall(host, snapshot, Map.of("paths", paths, "target", "/tmp/restore"));
        assertThat(r.body(), r.status(), is(200));
        return r.json();
    }

    @Test
    void aLargeDirectoryIsListedInPagesDirectoriesFirst() {
        List<Message.IndexNode> empty = List.of();
        assertThat(upload(host, empty).status(), is(200));
        List<Message.IndexNode> root = new ArrayList<>(List.of(dir("c-dir", empty), dir("a-dir", empty),
                                                               dir("b-dir", empty)));
        for (String name : List.of("z.txt", "a.txt", "m.txt", "b.txt", "y.txt")) {
            root.add(file(name, 1, 1));
        }
        assertThat(upload(host, root).status(), is(200));
        assertThat(post(host, "root", new Message.IndexRoot(repo, SNAP_3, TreeIndex.contentId(root), 5, 3)).status(),
                   is(200));
        String base = "/api/snapshots/33333333/tree?host_id=" + host + "&path=/&limit=3";
        List<String> names = new ArrayList<>();
        String cursor = "";
        int pages = 0;
        do {
            TestEnv.Reply page = env.call("GET", base + "&cursor=" + cursor, null, Role.VIEWER);
            assertThat(page.body(), page.status(), is(200));
            page.json().get("items").forEach(e -> names.add(e.get("name").asText()));
            assertThat(page.json().get("items").size() <= 3, is(true));
            cursor = page.json().path("next_cursor").asText("");
            assertThat(page.json().get("truncated").asBoolean(), is(!cursor.isEmpty()));
            pages++;
        } while (!cursor.isEmpty());
        assertThat(pages, is(3));
        assertThat(names, contains("a-dir", "b-dir", "c-dir", "a.txt", "b.txt", "m.txt", "y.txt", "z.txt"));
        // without a limit the whole directory comes in one answer, in the same order
        JsonNode all = env.call("GET", "/api/snapshots/33333333/tree?host_id=" + host + "&path=/", null,
                                Role.VIEWER).json();
        assertThat(all.get("items").size(), is(8));
        assertThat(all.path("next_cursor").asText(""), is(""));
        // a cursor this server never handed out, or a limit out of range, is the caller's mistake
        assertThat(env.call("GET", base + "&cursor=!!!", null, Role.VIEWER).status(), is(400));
        assertThat(env.call("GET", base + "&cursor=eA", null, Role.VIEWER).status(), is(400));
        assertThat(env.call("GET", base.replace("limit=3", "limit=0"), null, Role.VIEWER).status(), is(400));
        assertThat(env.call("GET", base.replace("limit=3", "limit=20001"), null, Role.VIEWER).status(), is(400));
    }

    @Test
    void aHostileAgentCannotForgeIdsRootOthersSnapshotsOrReachAnotherHostsTrees() {
        List<Message.IndexNode> nodes = List.of(file("evil", 1, 1));
        String realId = TreeIndex.contentId(nodes);
        // the listing filed under another id
        TestEnv.Reply forged = post(other, "upload", new Message.IndexUpload(List.of(new Message.IndexTree(
                "f".repeat(64), 1, 1, nodes))));
        assertThat(forged.body(), forged.status(), is(422));
        assertThat(post(other, "have", new Message.IndexHave(List.of("f".repeat(64)))).json().get("missing").size(),
                   is(1));
        assertThat(upload(other, nodes).status(), is(200));
        // host files-2 has no snapshot SNAP_1 (it is files-1's)
        assertThat(post(other, "root", new Message.IndexRoot(repo, SNAP_1, realId, 1, 1)).status(), is(409));
        // another host's trees are not this host's: files-1 still lacks what files-2 uploaded
        assertThat(post(host, "have", new Message.IndexHave(List.of(realId))).json().get("missing").size(), is(1));
        // malformed frames are 4xx
        assertThat(post(other, "upload", "{\"trees\":[{\"id\":\"zz\",\"part\":1,\"parts\":1,\"nodes\":[]}]}").status(),
                   is(422));
        assertThat(post(other, "upload", "not json").status(), is(400));
    }
}
