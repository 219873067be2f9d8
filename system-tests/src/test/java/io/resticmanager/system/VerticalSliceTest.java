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
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.not;

/**
 * The thinnest end-to-end path, all real: enroll an agent → it comes online → add a repository →
 * run init and a backup from the API → see the log, the summary and the snapshot (checked with restic).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class VerticalSliceTest {
    private static final String REPO_PASSWORD = "vertical-slice-repo-password-7f3a";
    private static Stack stack;
    private static Api admin;
    private static AgentProcess agent;
    private static String hostId;
    private static Path repoDir;
    private static Path sourceDir;

    @BeforeAll
    static void startStack() throws Exception {
        stack = Stack.start("vertical-slice", "rm.hub.offline-after-s=3", "rm.hub.heartbeat-interval-s=1");
        admin = Api.setupAdmin(stack, "admin", "correct-horse-battery");
        repoDir = stack.dataDir().resolve("repo");
        sourceDir = Files.createDirectories(stack.dataDir().resolve("source/docs"));
        for (int i = 0; i < 50; i++) {
            Files.writeString(sourceDir.resolve("file-" + i + ".txt"), ("line " + i + "\n").repeat(100 + i));
        }
        agent = new AgentProcess(stack.dataDir().resolve("agent"), stack.logDir().resolve("agent.log"));
    }

    @AfterAll
    static void stopStack() throws Exception {
        if (agent != null) {
            agent.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    @Order(1)
    void agentEnrollsAndComesOnlineWithinTwoSeconds() throws Exception {
        JsonNode token = admin.post("/api/enrollment-tokens", Map.of("name", "slice")).expect(201).json();
        assertThat(token.path("install_command").asText(), org.hamcrest.Matchers.containsString("install.sh"));
        assertThat(agent.enroll(stack.gateway(), token.path("token").asText()), is(0));
        hostId = agent.hostId();

        // the token is one-time
        Api.anonymous(stack.gateway()).post("/api/agents/enroll", Map.of("token", token.path("token").asText(),
                "hostname", "intruder", "os", "linux", "arch", "amd64", "agent_version", "0")).expect(401);

        long start = System.nanoTime();
        agent.start();
        Await.until(Duration.ofSeconds(10), "host online", () ->
                "online".equals(admin.get("/api/hosts/" + hostId).json().path("status").asText()));
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.println("agent online after " + millis + " ms (includes JVM start)");
        assertThat(millis, lessThan(10_000L));
    }

    @Test
    @Order(2)
    void backupFromTheApiProducesARealSnapshot() throws Exception {
        String repoId = admin.post("/api/repos", Map.of("name", "slice-repo", "url", repoDir.toString(),
                                                        "password", REPO_PASSWORD)).expect(201).json().path("id").asText();
        admin.patch("/api/hosts/" + hostId, Map.of("repo_id", repoId)).expect(200);

        JsonNode init = runAndWait(Map.of("kind", "init"));
        assertThat(init.toString(), init.path("status").asText(), is("succeeded"));

        JsonNode backup = runAndWait(Map.of("kind", "backup", "paths", List.of(sourceDir.toString()),
                                            "tags", List.of("slice")));
        assertThat(backup.toString(), backup.path("status").asText(), is("succeeded"));
        assertThat(backup.path("exit_code").asInt(), is(0));
        assertThat(backup.path("summary").path("files_new").asInt(), is(50));
        String snapshotId = backup.path("summary").path("snapshot_id").asText();
        assertThat(snapshotId.length(), greaterThan(7));
        assertThat(backup.path("command_line").asText(), not(org.hamcrest.Matchers.containsString(REPO_PASSWORD)));

        JsonNode logs = admin.get("/api/jobs/" + backup.path("id").asText() + "/logs").expect(200).json();
        assertThat(logs.path("items").size(), greaterThan(0));
        assertThat(logs.toString(), not(org.hamcrest.Matchers.containsString(REPO_PASSWORD)));

        // restic itself agrees the snapshot exists
        JsonNode real = Restic.snapshots(repoDir, REPO_PASSWORD);
        assertThat(real.size(), is(1));
        assertThat(real.get(0).path("id").asText(), org.hamcrest.Matchers.startsWith(snapshotId));

        // and the product shows it
        Await.until(Duration.ofSeconds(10), "snapshot listed", () -> {
            JsonNode items = admin.get("/api/hosts/" + hostId + "/snapshots").json().path("items");
            return items.size() == 1 && items.get(0).path("id").asText().equals(real.get(0).path("id").asText());
        });
        JsonNode host = admin.get("/api/hosts/" + hostId).expect(200).json();
        assertThat(host.path("last_backup").path("status").asText(), is("succeeded"));
    }

    @Test
    @Order(3)
    void stoppedAgentIsMarkedOffline() throws Exception {
        agent.kill();
        Await.until(Duration.ofSeconds(15), "host offline", () ->
                "offline".equals(admin.get("/api/hosts/" + hostId).json().path("status").asText()));
        List<String> statuses = admin.get("/api/hosts").json().path("items").findValuesAsText("status");
        assertThat(statuses, hasItem("offline"));
    }

    @Test
    @Order(4)
    void theRepositoryPasswordIsNowhereOnDiskOrInLogs() throws Exception {
        byte[] secret = REPO_PASSWORD.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        List<Path> places = List.of(stack.dataDir(), stack.logDir());
        List<String> leaks = new java.util.ArrayList<>();
        for (Path place : places) {
            try (var files = Files.walk(place)) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    if (file.startsWith(repoDir)) {
                        continue; // restic's own repository is encrypted with it, not by us
                    }
                    byte[] content = Files.readAllBytes(file);
                    if (indexOf(content, secret) >= 0) {
                        leaks.add(file.toString());
                    }
                }
            }
        }
        assertThat("files containing the repository password: " + leaks, leaks.isEmpty(), is(true));
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static JsonNode runAndWait(Map<String, Object> body) {
        String jobId = admin.post("/api/hosts/" + hostId + "/jobs", body).expect(202).json().path("job_id").asText();
        JsonNode[] job = new JsonNode[1];
        Await.until(Duration.ofSeconds(60), body.get("kind") + " job finished", () -> {
            job[0] = admin.get("/api/jobs/" + jobId).json();
            String status = job[0].path("status").asText();
            return !status.equals("queued") && !status.equals("running");
        });
        return job[0];
    }
}
