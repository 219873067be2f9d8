package io.resticmanager.system;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/**
 * Background indexing with a real agent and real restic: snapshots made with plain {@code restic backup}, outside
 * restic-manager, are indexed without any user action once the server knows them (the next backup's snapshot list
 * names them), and are then browsed from the index with the agent stopped.
 */
class IndexBackfillTest {
    private static final String PASSWORD = "backfill-repo-password-7c2";
    private static final String HOSTNAME = "backfill-host";

    @Test
    void snapshotsMadeOutsideTheProductAreIndexedInTheBackgroundAndBrowsedOffline() throws Exception {
        try (Stack stack = Stack.start("index-backfill", "rm.hub.heartbeat-interval-s=2",
                                       "rm.inventory.index.backfill-interval=PT1S",
                                       "rm.inventory.index.backfill-retry=PT10S");
             AgentProcess agent = new AgentProcess(stack.dataDir().resolve("agent"), stack.logDir().resolve("agent.log"),
                                                   HOSTNAME)) {
            Api admin = Api.setupAdmin(stack, "admin", "backfill-admin-password");
            Path repo = stack.dataDir().resolve("repo");
            Path home = Files.createDirectories(stack.dataDir().resolve("home"));
            String host = Fleet.enrollWithRepo(stack, admin, agent, repo, PASSWORD);
            assertThat(Fleet.runAndWait(admin, host, Map.of("kind", "init")).path("status").asText(),
                       is("succeeded"));

            // three snapshots made with plain restic, as a script or another tool on the host would
            List<String> outside = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Path dir = Files.createDirectories(home.resolve("outside-" + i));
                Files.writeString(dir.resolve("report-" + i + ".txt"), "made outside restic-manager " + i + "\n");
                outside.add(plainBackup(repo, home));
            }
            // the next backup (a schedule's, say) lists the repository's snapshots: the outside ones among them
            JsonNode job = Fleet.runAndWait(admin, host, Map.of("kind", "backup", "paths", List.of(home.toString())));
            assertThat(job.toString(), job.path("status").asText(), is("succeeded"));

            Await.until(Duration.ofSeconds(120), "every snapshot indexed in the background", () -> {
                JsonNode list = admin.get("/api/hosts/" + host + "/snapshots").expect(200).json();
                if (list.path("items").size() != 4 || list.path("index_pending").asLong(-1) != 0) {
                    return false;
                }
                for (JsonNode s : list.path("items")) {
                    if (!s.path("indexed").asBoolean()) {
                        return false;
                    }
                }
                return true;
            });

            agent.close(); // the agent process is gone: nothing can be listed live
            for (int i = 0; i < 3; i++) {
                JsonNode tree = admin.get("/api/snapshots/" + outside.get(i) + "/tree?host_id=" + host + "&path="
                                                  + home + "/outside-" + i).expect(200).json();
                assertThat(tree.toString(), tree.path("source").asText(), is("index"));
                assertThat(tree.at("/items/0/name").asText(), is("report-" + i + ".txt"));
            }
            JsonNode found = admin.get("/api/hosts/" + host + "/files?q=report-0.txt").expect(200).json();
            assertThat("the oldest outside snapshot and the three after it hold report-0.txt", found.at(
                    "/items/0/versions/0/snapshot_count").asInt(), is(4));
        }
    }

    /** {@code restic backup} run directly, as the host's hostname; returns the new snapshot's id. */
    private static String plainBackup(Path repo, Path dir) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("restic", "--repo", repo.toString(), "backup", "--json", "--host",
                                               HOSTNAME, dir.toString());
        pb.environment().put("RESTIC_PASSWORD", PASSWORD);
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError("restic backup failed: " + out);
        }
        String summary = out.lines().filter(l -> l.contains("\"summary\"")).findFirst().orElseThrow();
        return io.resticmanager.proto.Json.MAPPER.readTree(summary).path("snapshot_id").asText();
    }
}
