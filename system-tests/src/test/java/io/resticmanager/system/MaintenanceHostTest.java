package io.resticmanager.system;

import com.fasterxml.jackson.databind.JsonNode;
import io.resticmanager.proto.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

/**
 * The append-only promise, proven with a real append-only backend: {@code rclone serve restic --append-only} in front
 * of one repository directory (what backed-up hosts get) and a second, full-access {@code rclone serve restic} in
 * front of the same directory (the repository's full credential). Two real agents back up into it as two hosts; a
 * third real agent is the repository's maintenance host. The backed-up hosts' backups succeed; a forget with the
 * credential a backed-up host holds is refused by the backend; the server never hands a backed-up host the full
 * credential; the maintenance host's forget + prune, scoped to one host, removes exactly what its preview listed and
 * leaves the other host's snapshots intact.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MaintenanceHostTest {
    private static final String PASSWORD = "append-only-repo-password";
    private static Stack stack;
    private static Api admin;
    private static final List<AgentProcess> agents = new ArrayList<>();
    private static final List<Process> servers = new ArrayList<>();
    private static String appendOnlyUrl;
    private static String fullUrl;
    private static String hostA;
    private static String hostB;
    private static String maintainer;
    private static String repoId;

    @BeforeAll
    static void start() throws Exception {
        stack = Stack.start("maintenance-host");
        admin = Api.setupAdmin(stack, "admin", "maintenance-admin-password");
        Path dir = Files.createDirectories(stack.dataDir().resolve("rest-repo"));
        appendOnlyUrl = "rest:http://127.0.0.1:" + serve(dir, true) + "/";
        fullUrl = "rest:http://127.0.0.1:" + serve(dir, false) + "/";
        assertThat("restic init through the full-access server", Restic.exitCode(fullUrl, PASSWORD, "init"), is(0));
        hostA = enroll("backed-up-a");
        hostB = enroll("backed-up-b");
        maintainer = enroll("maintenance-m");
        repoId = admin.post("/api/repos", Map.of("name", "append-only", "url", appendOnlyUrl, "password", PASSWORD,
                                                 "prune_url", fullUrl)).expect(201).json().path("id").asText();
        for (String host : List.of(hostA, hostB)) {
            admin.patch("/api/hosts/" + host, Map.of("repo_id", repoId)).expect(200);
            Path source = Files.createDirectories(stack.dataDir().resolve("source-" + host));
            Files.writeString(source.resolve("notes.txt"), "notes of " + host + "\n");
        }
    }

    private static int serve(Path dir, boolean appendOnly) throws Exception {
        int port = Stack.freePort();
        List<String> cmd = new ArrayList<>(List.of("rclone", "serve", "restic", "--addr", "127.0.0.1:" + port));
        if (appendOnly) {
            cmd.add("--append-only");
        }
        cmd.add(dir.toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(stack.logDir().resolve("rclone-" + port + ".log")
                                                                         .toFile()))
                .start();
        servers.add(p);
        Await.until(Duration.ofSeconds(20), "rclone serve restic on " + port, () -> {
            try (var s = new java.net.Socket("127.0.0.1", port)) {
                return true;
            } catch (IOException e) {
                return false;
            }
        });
        return port;
    }

    private static String enroll(String hostname) throws Exception {
        AgentProcess agent = new AgentProcess(stack.dataDir().resolve("agent-" + hostname),
                                              stack.logDir().resolve("agent-" + hostname + ".log"), hostname);
        agents.add(agent);
        String token = admin.post("/api/enrollment-tokens", Map.of("name", hostname)).expect(201).json()
                .path("token").asText();
        if (agent.enroll(stack.gateway(), token) != 0) {
            throw new AssertionError("enroll of " + hostname + " failed; see its log");
        }
        String id = agent.hostId();
        agent.start();
        Await.until(Duration.ofSeconds(30), hostname + " online", () ->
                "online".equals(admin.get("/api/hosts/" + id).json().path("status").asText()));
        return id;
    }

    @AfterAll
    static void stop() throws Exception {
        for (AgentProcess agent : agents) {
            agent.close();
        }
        for (Process p : servers) {
            p.destroy();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    @Order(1)
    void backedUpHostsBackUpThroughTheAppendOnlyServer() {
        for (String host : List.of(hostA, hostB)) {
            for (int i = 0; i < 2; i++) {
                JsonNode job = Fleet.runAndWait(admin, host, Map.of("kind", "backup",
                        "paths", List.of(stack.dataDir().resolve("source-" + host).toString())));
                assertThat(job.path("error").asText(), job.path("status").asText(), is("succeeded"));
            }
        }
    }

    @Test
    @Order(2)
    void theCredentialABackedUpHostHoldsCannotDelete() throws Exception {
        // what a stolen host can do with its credential: the backend refuses, nothing is removed
        int before = snapshots().size();
        int exit = Restic.exitCode(appendOnlyUrl, PASSWORD, "forget", "--host", "backed-up-a", "--keep-last", "1");
        assertThat("forget through the append-only server must fail", exit, not(is(0)));
        assertThat(snapshots().size(), is(before));
        // and the server never sends a backed-up host the full credential: without a maintenance host, no forget
        var refused = admin.post("/api/hosts/" + hostA + "/jobs", Map.of("kind", "forget",
                "policy", Map.of("keep_last", 1)));
        assertThat(refused.status(), is(409));
        assertThat(refused.json().path("detail").asText(), containsString("maintenance host"));
    }

    @Test
    @Order(3)
    void theMaintenanceHostForgetsAndPrunesOneHostExactlyAsPreviewed() throws Exception {
        JsonNode repo = admin.patch("/api/repos/" + repoId, Map.of("maintenance_host_id", maintainer)).expect(200)
                .json();
        assertThat(admin.get("/api/repos/" + repoId).json().path("maintenance_host_id").asText(), is(maintainer));
        JsonNode preview = Fleet.runAndWait(admin, hostA, Map.of("kind", "forget",
                "policy", Map.of("keep_last", 1, "dry_run", true)));
        assertThat(preview.path("error").asText(), preview.path("status").asText(), is("succeeded"));
        assertThat(preview.path("runner_host_id").asText(), is(maintainer));
        assertThat(preview.path("summary").path("removed").asInt(), is(1));
        List<String> bBefore = ids("backed-up-b");

        JsonNode forget = Fleet.runAndWait(admin, hostA, Map.of("kind", "forget",
                "policy", Map.of("keep_last", 1, "prune", true)));
        assertThat(forget.path("error").asText(), forget.path("status").asText(), is("succeeded"));
        assertThat(forget.path("host_id").asText(), is(hostA));
        assertThat(forget.path("runner_host_id").asText(), is(maintainer));
        assertThat(forget.path("command_line").asText(), containsString("--host backed-up-a"));
        assertThat(forget.path("summary").path("removed_ids"), is(preview.path("summary").path("removed_ids")));
        // restic's own list: A keeps one, B keeps both of its own
        assertThat(ids("backed-up-a").size(), is(1));
        assertThat(ids("backed-up-b"), is(bBefore));
        assertThat(bBefore.size(), is(2));
        // the maintenance host's check runs with the full credential too
        JsonNode check = Fleet.runAndWait(admin, hostB, Map.of("kind", "check"));
        assertThat(check.path("error").asText(), check.path("status").asText(), is("succeeded"));
        assertThat(check.path("runner_host_id").asText(), is(maintainer));
        // a backup still runs on the backed-up host itself
        JsonNode backup = Fleet.runAndWait(admin, hostA, Map.of("kind", "backup",
                "paths", List.of(stack.dataDir().resolve("source-" + hostA).toString())));
        assertThat(backup.path("status").asText(), is("succeeded"));
        assertThat(backup.has("runner_host_id"), is(false));
        assertThat(repo.path("id").asText(), is(repoId));
    }

    private static JsonNode snapshots() throws Exception {
        return Json.MAPPER.readTree(output("snapshots", "--json"));
    }

    private static List<String> ids(String hostname) throws Exception {
        List<String> ids = new ArrayList<>();
        for (JsonNode s : snapshots()) {
            if (s.path("hostname").asText().equals(hostname)) {
                ids.add(s.path("id").asText());
            }
        }
        return ids;
    }

    private static String output(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("restic", "--repo", fullUrl));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("RESTIC_PASSWORD", PASSWORD);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError("restic " + String.join(" ", args) + " failed");
        }
        return out;
    }
}
