package io.resticmanager.inventory;

import com.fasterxml.jackson.databind.JsonNode;
import io.resticmanager.proto.Message;
import io.resticmanager.proto.TreeIndex;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.resticmanager.inventory.TestEnv.event;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;

/**
 * Background indexing: the snapshots the tree index lacks are asked of their own host's agent while it is online, a
 * few at a time, with a back-off per snapshot; a hostile host sharing the repository is never asked for another host's
 * snapshots and cannot index them.
 */
class IndexBackfillTest {
    private static final String A1 = "a1a1a1a1" + "0".repeat(56);
    private static final String A2 = "a2a2a2a2" + "0".repeat(56);
    private static final String A3 = "a3a3a3a3" + "0".repeat(56);
    private static final String B1 = "b1b1b1b1" + "0".repeat(56);
    private TestEnv env;
    private String repo;
    private String alice;
    private String mallory;
    /** Requests the stub hub received: "host snapshot". */
    private final List<String> asked = Collections.synchronizedList(new ArrayList<>());
    private Instant now = Instant.parse("2026-12-01T10:00:00Z");
    private IndexBackfill backfill;

    @BeforeEach
    void setUp() {
        env = TestEnv.start();
        repo = env.createRepo(Map.of("name", "shared", "url", "/srv/restic-shared", "password", "shared-s3cret"));
        alice = env.enroll("alice-pc");
        mallory = env.enroll("mallory-pc");
        env.assign(alice, repo);
        env.assign(mallory, repo);
        report(alice, List.of(A1, A2, A3), List.of());
        online(alice, "alice-pc");
        online(mallory, "mallory-pc");
        env.hubRequests.set((host, body) -> {
            if (!body.path("type").asText().equals("snapshot.index")) { // live browsing: the agent is away
                return new TestEnv.Reply(409, "{\"detail\":\"host " + host + " is offline\"}", Map.of());
            }
            String snapshot = body.at("/payload/snapshot_id").asText();
            asked.add(host + " " + snapshot);
            return new TestEnv.Reply(200, "{\"snapshot_id\":\"" + snapshot + "\",\"accepted\":true}", Map.of());
        });
        Clock clock = new Clock() {
            @Override
            public java.time.ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now;
            }
        };
        InventoryMain.Parts p = env.parts;
        backfill = InventoryMain.backfill(new InventoryMain.Parts(p.store(), p.box(), p.auth(), p.hub(), clock,
                                                                  p.hubRequests()), Duration.ofMinutes(10));
    }

    @AfterEach
    void tearDown() {
        env.close();
    }

    /** The repository's whole list (a report replaces it): alice's snapshots, then mallory's, oldest first. */
    private void report(String host, List<String> alices, List<String> mallorys) {
        List<Map<String, Object>> snaps = new ArrayList<>();
        int i = 0;
        for (String id : alices) {
            snaps.add(snapshot(id, ++i, "alice-pc"));
        }
        for (String id : mallorys) {
            snaps.add(snapshot(id, ++i, "mallory-pc"));
        }
        TestEnv.Reply r = env.events(event("ev-" + UUID.randomUUID(), host, "snapshots.report", Instant.now(),
                                           Map.of("job_id", "j-" + UUID.randomUUID(), "repo_id", repo,
                                                  "snapshots", snaps)));
        assertThat(r.body(), r.status(), is(200));
    }

    private static Map<String, Object> snapshot(String id, int day, String hostname) {
        return Map.of("id", id, "short_id", id.substring(0, 8), "time", "2026-11-1" + day + "T10:00:00Z",
                      "hostname", hostname, "paths", List.of("/home"), "tags", List.of());
    }

    private void online(String host, String hostname) {
        env.events(event("ev-" + UUID.randomUUID(), host, "host.online", Instant.now(),
                         Map.of("hostname", hostname, "os", "linux", "arch", "amd64", "agent_version", "0.2.0",
                                "restic_version", "0.17.3", "protocol_version", 1, "jobs", List.of())));
    }

    private void offline(String host) {
        env.events(event("ev-" + UUID.randomUUID(), host, "host.offline", Instant.now(), Map.of()));
    }

    private JsonNode list(String host) {
        return env.get("/api/hosts/" + host + "/snapshots").json();
    }

    /** What the host's agent does after a backup: uploads the snapshot's tree and names its root. */
    private TestEnv.Reply index(String host, String snapshot) {
        List<Message.IndexNode> nodes = List.of(new Message.IndexNode("notes-" + snapshot.substring(0, 4) + ".txt",
                                                                      "file", 5, 1000L, null));
        String id = TreeIndex.contentId(nodes);
        TestEnv.Reply up = env.call("POST", "/internal/hosts/" + host + "/index/upload", new Message.IndexUpload(
                List.of(new Message.IndexTree(id, 1, 1, nodes))), null);
        assertThat(up.body(), up.status(), is(200));
        return env.call("POST", "/internal/hosts/" + host + "/index/root",
                        new Message.IndexRoot(repo, snapshot, id, 1, 1), null);
    }

    @Test
    void theOwnHostIsAskedAFewAtATimeNewestFirstUntilEveryOneIsIndexed() {
        assertThat(list(alice).path("index_pending").asLong(), is(3L));
        assertThat(backfill.once(), is(IndexBackfill.IN_FLIGHT));
        assertThat(asked, containsInAnyOrder(alice + " " + A3, alice + " " + A2));

        // while those two are in flight nothing more is asked
        asked.clear();
        now = now.plusSeconds(60);
        assertThat(backfill.once(), is(0));

        // the agent indexed one: a place is free for the next
        assertThat(index(alice, A3).status(), is(200));
        assertThat(backfill.once(), is(1));
        assertThat(asked, containsInAnyOrder(alice + " " + A1));
        assertThat(index(alice, A2).status(), is(200));
        assertThat(index(alice, A1).status(), is(200));
        JsonNode listed = list(alice);
        assertThat(listed.path("index_pending").asLong(), is(0L));
        for (JsonNode s : listed.path("items")) {
            assertThat(s.path("id").asText(), s.path("indexed").asBoolean(), is(true));
        }
        asked.clear();
        now = now.plus(Duration.ofDays(3));
        assertThat("nothing is left to ask", backfill.once(), is(0));
    }

    @Test
    void aSnapshotThatFailsIsAskedAgainOnlyAfterAGrowingBackOff() {
        env.hubRequests.set((host, body) -> {
            asked.add(host + " " + body.at("/payload/snapshot_id").asText());
            return new TestEnv.Reply(502, "{\"detail\":\"the agent refused snapshot.index\"}", Map.of());
        });
        backfill.once();
        assertThat(asked.size(), is(2));
        asked.clear();
        // failing requests hold their place for the back-off: no tight loop, also not over the other snapshot
        for (int i = 0; i < 5; i++) {
            now = now.plusSeconds(30);
            backfill.once();
        }
        assertThat(asked, is(empty()));
        now = now.plus(Duration.ofMinutes(10));
        backfill.once();
        assertThat("after the first back-off: asked again", asked.size(), is(2));
        asked.clear();
        now = now.plus(Duration.ofMinutes(11));
        backfill.once();
        assertThat("the second back-off is twice as long", asked.stream().filter(a -> !a.endsWith(A1)).toList(),
                   is(empty()));
        now = now.plus(Duration.ofMinutes(10));
        backfill.once();
        assertThat(asked.stream().anyMatch(a -> a.endsWith(A3)), is(true));
    }

    @Test
    void anOfflineHostIsNotAsked() {
        offline(alice);
        assertThat(backfill.once(), is(0));
        assertThat(asked, is(empty()));
        assertThat("progress stays visible while it waits", list(alice).path("index_pending").asLong(), is(3L));
    }

    /**
     * The attack replayed: mallory's agent shares alice's repository. It is never asked for alice's snapshots, and
     * when it indexes one of them on its own (upload + root, as after a backup) the server refuses the root, so the
     * snapshot stays unindexed and is still asked of alice.
     */
    @Test
    void aHostileHostSharingTheRepositoryCannotIndexAnotherHostsSnapshots() {
        report(mallory, List.of(A1, A2, A3), List.of(B1));
        backfill.once();
        assertThat(asked.stream().filter(a -> a.startsWith(mallory)).toList(), is(List.of(mallory + " " + B1)));
        assertThat(asked.stream().filter(a -> a.startsWith(alice)).count(), is(2L));

        TestEnv.Reply attack = index(mallory, A3);
        assertThat(attack.body(), attack.status(), is(409));
        JsonNode listed = list(alice);
        assertThat(listed.path("items").get(0).path("id").asText(), is(A3));
        assertThat(listed.path("items").get(0).path("indexed").asBoolean(), is(false));
        assertThat(listed.path("index_pending").asLong(), is(3L));
        TestEnv.Reply browse = env.get("/api/snapshots/" + A3 + "/tree?host_id=" + alice + "&path=/");
        assertThat("the snapshot is not browsed from what mallory uploaded (alice's agent is asked live)",
                   browse.status(), is(409));
    }
}
