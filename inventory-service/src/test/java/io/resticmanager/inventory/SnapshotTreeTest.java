package io.resticmanager.inventory;

import com.fasterxml.jackson.databind.JsonNode;
import io.resticmanager.proto.Json;
import io.resticmanager.proto.Message;
import io.resticmanager.proto.Role;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.resticmanager.inventory.TestEnv.event;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

/** {@code GET /api/snapshots/{id}/tree}: one level asked of the host's agent through a stub hub. */
class SnapshotTreeTest {
    private static final String FULL_ID = "ab12cd34" + "0".repeat(56);
    private static TestEnv env;
    private static String host;

    @BeforeAll
    static void setUp() {
        env = TestEnv.start();
        String repo = env.createRepo(Map.of("name", "r", "url", "/srv/restic-tree", "password", "tree-s3cret"));
        host = env.enroll("files-1");
        env.assign(host, repo);
        TestEnv.Reply r = env.events(event("ev-" + UUID.randomUUID(), host, "snapshots.report", Instant.now(),
                                           Map.of("job_id", "j-1", "repo_id", repo, "snapshots", List.of(Map.of(
                                                   "id", FULL_ID, "short_id", "ab12cd34",
                                                   "time", "2026-11-25T10:00:00Z", "hostname", "files-1",
                                                   "paths", List.of("/home"), "tags", List.of())))));
        assertThat(r.body(), r.status(), is(200));
    }

    @AfterAll
    static void tearDown() {
        env.close();
    }

    private static TestEnv.Reply tree(String snapshot, String query) {
        return env.call("GET", "/api/snapshots/" + snapshot + "/tree?" + query, null, Role.VIEWER);
    }

    @Test
    void theAgentsAnswerIsOneDirectoryLevelAndTheRequestCarriesTheRepoAndFullSnapshotId() {
        List<JsonNode> asked = new CopyOnWriteArrayList<>();
        env.hubRequests.set((h, body) -> {
            asked.add(body);
            Message.SnapshotLsResult result = new Message.SnapshotLsResult("/home", List.of(
                    new Message.SnapshotEntry("alice", "dir", "/home/alice", 0, Instant.parse("2026-11-25T09:00:00Z")),
                    new Message.SnapshotEntry("notes.txt", "file", "/home/notes.txt", 42, null)), null, false);
            return new TestEnv.Reply(200, Json.write(result), Map.of());
        });
        TestEnv.Reply r = tree("ab12cd34", "host_id=" + host + "&path=/home/");
        assertThat(r.body(), r.status(), is(200));
        JsonNode body = r.json();
        assertThat(body.get("items").size(), is(2));
        assertThat(body.at("/items/0/name").asText(), is("alice"));
        assertThat(body.at("/items/0/type").asText(), is("dir"));
        assertThat(body.at("/items/1/size").asLong(), is(42L));
        assertThat(body.get("snapshot_id").asText(), is(FULL_ID));
        // the hub was asked for snapshot.ls with the host's repository and the normalized path
        assertThat(asked, hasSize(1));
        JsonNode req = asked.getFirst();
        assertThat(req.get("type").asText(), is("snapshot.ls"));
        assertThat(req.at("/payload/snapshot_id").asText(), is(FULL_ID));
        assertThat(req.at("/payload/path").asText(), is("/home"));
        assertThat(req.at("/payload/repo/url").asText(), is("/srv/restic-tree"));
        assertThat(req.at("/payload/repo/password").asText(), is("tree-s3cret"));
        // the secret went to the hub only, never back to the browser
        assertThat(r.body(), not(containsString("tree-s3cret")));
    }

    @Test
    void unknownSnapshotsAndHostsAre404AndBadPaths400() {
        env.hubRequests.set((h, body) -> {
            throw new AssertionError("the agent must not be asked");
        });
        TestEnv.Reply known = env.get("/api/snapshots/ab12cd34?host_id=" + host);
        assertThat(known.body(), known.status(), is(200));
        assertThat(known.json().get("id").asText(), is(FULL_ID));
        assertThat(env.get("/api/snapshots/ffffffff?host_id=" + host).status(), is(404));
        assertThat(tree("ffffffff", "host_id=" + host).status(), is(404));
        assertThat(tree("not-hex!", "host_id=" + host).status(), is(404));
        assertThat(tree("ab12cd34", "host_id=no-such-host").status(), is(404));
        String stranger = env.enroll("stranger");
        assertThat(tree("ab12cd34", "host_id=" + stranger).status(), is(404));
        assertThat(tree("ab12cd34", "host_id=" + host + "&path=home").status(), is(400));
        assertThat(tree("ab12cd34", "host_id=" + host + "&path=/home/../etc").status(), is(400));
        assertThat(tree("ab12cd34", "").status(), is(400));
        assertThat(env.call("GET", "/api/snapshots/ab12cd34/tree?host_id=" + host, null, null).status(), is(401));
    }

    @Test
    void offlineIs409TimeoutIs504AndAgentErrorsAre502Or404() {
        env.hubRequests.set((h, body) -> new TestEnv.Reply(409, "{\"detail\":\"host " + h + " is offline\"}", Map.of()));
        TestEnv.Reply offline = tree("ab12cd34", "host_id=" + host);
        assertThat(offline.status(), is(409));
        assertThat(offline.body(), containsString("offline"));

        env.hubRequests.set((h, body) -> new TestEnv.Reply(504, "{\"detail\":\"did not answer within 20 s\"}", Map.of()));
        assertThat(tree("ab12cd34", "host_id=" + host).status(), is(504));

        env.hubRequests.set((h, body) -> new TestEnv.Reply(200, Json.write(new Message.SnapshotLsResult(
                "/nope", List.of(), "no such path in snapshot ab12cd34: /nope", false)), Map.of()));
        assertThat(tree("ab12cd34", "host_id=" + host + "&path=/nope").status(), is(404));

        env.hubRequests.set((h, body) -> new TestEnv.Reply(200, Json.write(new Message.SnapshotLsResult(
                "/", List.of(), "wrong repository password (restic exit 1)", false)), Map.of()));
        TestEnv.Reply failed = tree("ab12cd34", "host_id=" + host);
        assertThat(failed.status(), is(502));
        assertThat(failed.body(), containsString("wrong repository password"));
    }
}
