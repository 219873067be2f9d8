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
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

/**
 * The manager protects itself, across the real stack, a real agent and real restic: an admin's {@code self_backup}
 * job streams every service's database (a consistent online copy) and the secret files into
 * {@code restic backup --stdin} on the chosen agent; operators cannot start or schedule one; an agent's credential
 * never fetches the state outside a self backup it runs (the attack replayed with its own credential, another
 * host's, finished and foreign jobs); no secret reaches a job log or the agent's disk.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SelfBackupTest {
    private static final String ADMIN_PASSWORD = "selfbak-admin-password";
    private static final String HOST_PASSWORD = "selfbak-host-repo-password-1";
    private static final String STATE_PASSWORD = "selfbak-state-repo-password-2";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static Stack stack;
    private static Api admin;
    private static Api operator;
    private static AgentProcess agent;
    private static AgentProcess other;
    private static String hostId;
    private static String otherHostId;
    private static String stateRepoId;
    private static Path stateRepo;
    private static String selfJob;

    @BeforeAll
    static void start() throws Exception {
        stack = Stack.start("selfbak", "rm.hub.heartbeat-interval-s=2");
        admin = Api.setupAdmin(stack, "admin", ADMIN_PASSWORD);
        String operatorToken = admin.post("/api/tokens", Map.of("name", "ops", "role", "operator")).expect(201).json()
                .path("token").asText();
        operator = Api.bearer(stack.gateway(), operatorToken);

        Path data = Files.createDirectories(stack.dataDir().resolve("srv/data"));
        Files.writeString(data.resolve("readme.txt"), "protected by restic-manager\n");
        agent = new AgentProcess(stack.dataDir().resolve("agent"), stack.logDir().resolve("agent.log"));
        hostId = Fleet.enrollWithRepo(stack, admin, agent, stack.dataDir().resolve("host-repo"), HOST_PASSWORD);
        assertThat(Fleet.runAndWait(admin, hostId, Map.of("kind", "init")).path("status").asText(), is("succeeded"));
        assertThat(Fleet.runAndWait(admin, hostId, Map.of("kind", "backup", "paths", List.of(data.toString())))
                           .path("status").asText(), is("succeeded"));
        other = new AgentProcess(stack.dataDir().resolve("other"), stack.logDir().resolve("other.log"), "other-host");
        otherHostId = Fleet.enrollWithRepo(stack, admin, other, stack.dataDir().resolve("other-repo"), HOST_PASSWORD);

        // the repository the admin chose for the server's own state, linked to the agent that runs the self backup
        stateRepo = stack.dataDir().resolve("state-repo");
        stateRepoId = admin.post("/api/repos", Map.of("name", "server-state", "url", stateRepo.toString(),
                                                      "password", STATE_PASSWORD)).expect(201).json().path("id").asText();
        admin.post("/api/hosts/" + hostId + "/repos", Map.of("repo_id", stateRepoId, "role", "server-state"))
                .expect(201);
        assertThat(Fleet.runAndWait(admin, hostId, Map.of("kind", "init", "repo_id", stateRepoId)).path("status")
                           .asText(), is("succeeded"));
    }

    @AfterAll
    static void stop() throws Exception {
        for (AgentProcess a : new AgentProcess[] {agent, other}) {
            if (a != null) {
                a.close();
            }
        }
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    @Order(1)
    void onlyAdminsStartOrScheduleASelfBackup() {
        Api.Reply runNow = operator.post("/api/hosts/" + hostId + "/jobs", Map.of("kind", "self_backup",
                                                                                  "repo_id", stateRepoId));
        assertThat(runNow.body(), runNow.status(), is(403));
        Api.Reply schedule = operator.post("/api/schedules", Map.of("host_id", hostId, "kind", "self_backup",
                                                                    "cron", "0 3 * * *", "repo_id", stateRepoId));
        assertThat(schedule.body(), schedule.status(), is(403));
        String id = admin.post("/api/schedules", Map.of("host_id", hostId, "kind", "self_backup", "cron", "0 3 * * *",
                                                        "repo_id", stateRepoId)).expect(201).json().path("id").asText();
        assertThat(operator.patch("/api/schedules/" + id, Map.of("enabled", false)).status(), is(403));
        assertThat(operator.delete("/api/schedules/" + id).status(), is(403));
        assertThat(admin.get("/api/schedules/" + id).json().path("kind").asText(), is("self_backup"));
    }

    @Test
    @Order(2)
    void theStateLandsInTheChosenRepositoryWholeAndConsistent() throws Exception {
        JsonNode job = Fleet.runAndWait(admin, hostId, Map.of("kind", "self_backup", "repo_id", stateRepoId));
        selfJob = job.path("id").asText();
        assertThat(job.toString(), job.path("status").asText(), is("succeeded"));

        JsonNode snapshots = Restic.snapshots(stateRepo, STATE_PASSWORD);
        assertThat(snapshots.size(), is(1));
        assertThat(snapshots.get(0).path("tags").toString(), containsString("restic-manager-state"));
        assertThat(snapshots.get(0).path("paths").get(0).asText(), is("/restic-manager-state.tar"));
        Map<String, byte[]> entries = untar(dump(stateRepo, STATE_PASSWORD));
        assertThat(entries.keySet(), hasItems("agent-hub.db", "inventory.db", "jobs.db", "gateway.db", "internal-token",
                                              "secret.key", "release.key", "restic-manager-state.json"));
        // the secret files are the stack's own, byte for byte
        for (String secret : List.of("internal-token", "secret.key", "release.key")) {
            assertThat(secret, Arrays.equals(entries.get(secret), Files.readAllBytes(stack.dataDir().resolve(secret))),
                       is(true));
        }
        // every database is whole and holds what the API shows
        Path copies = Files.createTempDirectory(stack.dataDir(), "copies-");
        for (String db : List.of("agent-hub.db", "inventory.db", "jobs.db", "gateway.db")) {
            Path file = Files.write(copies.resolve(db), entries.get(db));
            assertThat(db, query(file, "PRAGMA integrity_check"), is("ok"));
        }
        assertThat(query(copies.resolve("inventory.db"), "SELECT COUNT(*) FROM hosts"), is("2"));
        assertThat(query(copies.resolve("gateway.db"), "SELECT username FROM users"), is("admin"));
        assertThat(query(copies.resolve("agent-hub.db"), "SELECT COUNT(*) FROM agents"), is("2"));
        JsonNode manifest = Json.MAPPER.readTree(entries.get("restic-manager-state.json"));
        assertThat(manifest.path("job_id").asText(), is(selfJob));
        // every entry comes from exactly one part (a secret file two services hold is stored once)
        List<String> listed = new java.util.ArrayList<>();
        manifest.path("parts").forEach(part -> part.forEach(n -> listed.add(n.asText())));
        listed.add("restic-manager-state.json");
        assertThat(listed.size(), is(entries.size()));
        assertThat(new java.util.HashSet<>(listed), is(entries.keySet()));
    }

    @Test
    @Order(3)
    void noSecretReachesTheJobLogOrTheAgentsDisk() throws Exception {
        String key = Files.readString(stack.dataDir().resolve("secret.key")).strip();
        String keyMaterial = key.substring(key.indexOf(':') + 1);
        String internal = Files.readString(stack.dataDir().resolve("internal-token")).strip();
        String logs = admin.get("/api/jobs/" + selfJob + "/logs?include=progress&limit=10000").expect(200).body();
        String shown = admin.get("/api/jobs/" + selfJob).expect(200).body();
        for (String secret : List.of(keyMaterial, internal, STATE_PASSWORD)) {
            assertThat(logs, not(containsString(secret)));
            assertThat(shown, not(containsString(secret)));
        }
        try (var files = Files.walk(stack.dataDir().resolve("agent"))) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String content = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
                assertThat(f.toString(), content, not(containsString(keyMaterial)));
                assertThat(f.toString(), content, not(containsString(internal)));
                assertThat(f.toString(), content, not(containsString("SQLite format 3")));
            }
        }
    }

    @Test
    @Order(4)
    void anAgentNeverFetchesTheStateOutsideASelfBackupItRuns() throws Exception {
        String own = agentToken(agent);
        String foreign = agentToken(other);
        String backupJob = admin.get("/api/jobs?host_id=" + hostId + "&kind=backup").json().path("items").get(0)
                .path("id").asText();
        // replays of the agent's own request once its job is over, with another job, another host, no credential
        assertThat(fetch(own, selfJob), is(403));
        assertThat(fetch(own, backupJob), is(403));
        assertThat(fetch(foreign, selfJob), is(403));
        assertThat(fetch(foreign, "no-such-job"), is(403));
        assertThat(fetch(null, selfJob), is(401));
        assertThat(fetch("rma_forged", selfJob), is(401));
        assertThat(fetch(own, "../../internal/state"), is(400));
        // and the parts behind it are not reachable from outside at all
        assertThat(Stack.status(stack.gateway() + "/internal/state"), is(404));
        // the refusals are logged with the host that asked
        Await.until(Duration.ofSeconds(5), "refusal logged", () -> Files.readString(
                stack.logDir().resolve("agent-hub.log")).contains("host " + otherHostId + " asked for the server's state"));
    }

    private static int fetch(String agentToken, String jobId) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(stack.gateway() + "/api/agents/state?job_id="
                + java.net.URLEncoder.encode(jobId, StandardCharsets.UTF_8))).GET();
        if (agentToken != null) {
            b.header("Authorization", "Bearer " + agentToken);
        }
        HttpResponse<byte[]> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(new String(r.body(), StandardCharsets.UTF_8), not(containsString("SQLite")));
        return r.statusCode();
    }

    private static String agentToken(AgentProcess a) throws IOException {
        for (String line : Files.readAllLines(a.config())) {
            if (line.startsWith("agent_token:")) {
                return line.substring("agent_token:".length()).strip().replace("\"", "").replace("'", "");
            }
        }
        throw new AssertionError("no agent_token in " + a.config());
    }

    /** {@code restic dump latest /restic-manager-state.tar}: the state as stored. */
    static byte[] dump(Path repo, String password) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("restic", "--repo", repo.toString(), "dump", "latest",
                                               "/restic-manager-state.tar");
        pb.environment().put("RESTIC_PASSWORD", password);
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError("restic dump failed");
        }
        return out;
    }

    static String query(Path db, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    /** Entries of a ustar archive by name, in order. */
    static Map<String, byte[]> untar(byte[] tar) {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        int at = 0;
        while (at + 512 <= tar.length) {
            byte[] header = Arrays.copyOfRange(tar, at, at + 512);
            if (Arrays.equals(header, new byte[512])) {
                break;
            }
            int end = 0;
            while (end < 100 && header[end] != 0) {
                end++;
            }
            String name = new String(header, 0, end, StandardCharsets.UTF_8);
            int size = Integer.parseInt(new String(header, 124, 11, StandardCharsets.US_ASCII).trim(), 8);
            entries.put(name, Arrays.copyOfRange(tar, at + 512, at + 512 + size));
            at += 512 + (size + 511) / 512 * 512;
        }
        return entries;
    }
}
