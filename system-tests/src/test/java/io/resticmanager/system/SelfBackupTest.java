package io.resticmanager.system;

import com.fasterxml.jackson.databind.JsonNode;
import io.resticmanager.proto.Json;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.ByteArrayInputStream;
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
    private static Path data;
    private static Map<String, String> before;

    @BeforeAll
    static void start() throws Exception {
        stack = Stack.start("selfbak", "rm.hub.heartbeat-interval-s=2");
        admin = Api.setupAdmin(stack, "admin", ADMIN_PASSWORD);
        String operatorToken = admin.post("/api/tokens", Map.of("name", "ops", "role", "operator")).expect(201).json()
                .path("token").asText();
        operator = Api.bearer(stack.gateway(), operatorToken);

        data = Files.createDirectories(stack.dataDir().resolve("srv/data"));
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
        // a job in flight while the copy is made is restored in flight (and ends lost): start from a quiet stack
        Await.until(Duration.ofSeconds(60), "no job in flight", () ->
                admin.get("/api/jobs?status=running").json().path("items").isEmpty()
                        && admin.get("/api/jobs?status=queued").json().path("items").isEmpty());
        before = listings(admin);
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

    @Test
    @Order(5)
    void aFreshStackRestoredFromTheRepositoryHasEverythingBackAndTheHostsReconnect() throws Exception {
        String agentConfig = Files.readString(agent.config());
        Path old = stack.dataDir();
        stack.close();
        // the server's disk dies: every database, WAL and secret file of the services is gone
        try (var files = Files.list(old)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Files.delete(f);
            }
        }
        Path restored = Files.createTempDirectory("rm-selfbak-restored-").resolve("data");
        Path passwordFile = Files.writeString(Files.createTempFile("state-password", ""), STATE_PASSWORD + "\n");
        ProcessBuilder pb = new ProcessBuilder(Stack.ROOT.resolve("script/restore-state").toString(),
                                               stateRepo.toString(), restored.toString()).redirectErrorStream(true);
        pb.environment().put("RM_RESTORE_PASSWORD_FILE", passwordFile.toString());
        pb.environment().remove("RESTIC_PASSWORD");
        Process restore = pb.start();
        String output = new String(restore.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(restore.waitFor(120, TimeUnit.SECONDS), is(true));
        assertThat(output, restore.exitValue(), is(0));
        assertThat(output, not(containsString(STATE_PASSWORD)));
        // a second restore never overwrites a data directory
        Process again = new ProcessBuilder(pb.command()).redirectErrorStream(true).start();
        again.getInputStream().readAllBytes();
        assertThat(again.waitFor(), is(1));

        stack = Stack.startOn(stack, "selfbak-restored", restored);
        admin = Api.login(stack.gateway(), "admin", ADMIN_PASSWORD);
        // the host comes back with the credential it has: no re-enrollment
        Await.until(Duration.ofSeconds(150), "host reconnected", () ->
                "online".equals(admin.get("/api/hosts/" + hostId).json().path("status").asText()));
        assertThat(Files.readString(agent.config()), is(agentConfig));
        Map<String, String> after = listings(admin);
        for (String listing : before.keySet()) {
            assertThat(listing, after.get(listing), is(before.get(listing)));
        }

        // repository passwords open with the restored sealing key: a restore from the host's repository works
        String snapshot = null;
        for (JsonNode s : admin.get("/api/hosts/" + hostId + "/snapshots").json().path("items")) {
            if (!s.path("tags").toString().contains("restic-manager-state")) {
                snapshot = s.path("id").asText();
            }
        }
        Path into = Files.createTempDirectory("rm-selfbak-into-");
        JsonNode created = admin.post("/api/hosts/" + hostId + "/restores", Map.of(
                "snapshot_id", snapshot, "paths", List.of(data.toString()), "target", into.toString())).expect(202)
                .json();
        JsonNode job = Fleet.awaitEnd(admin, created.path("job_id").asText(), Duration.ofSeconds(90));
        assertThat(job.toString(), job.path("status").asText(), is("succeeded"));
        try (var found = Files.walk(into)) {
            Path readme = found.filter(p -> p.getFileName().toString().equals("readme.txt")).findFirst().orElseThrow();
            assertThat(Files.readString(readme), is("protected by restic-manager\n"));
        }
    }

    @Test
    @Order(6)
    void theSealingKeysEscrowOpensToTheKeyFileWithTheRealTool() throws Exception {
        String passphrase = "escrow passphrase typed by the admin";
        Api.Reply info = admin.get("/api/escrow/sealing-key").expect(200);
        assertThat(info.json().path("warning").asText(), containsString("cannot open"));
        Api.Reply escrow = admin.post("/api/escrow/sealing-key", Map.of("passphrase", passphrase)).expect(200);
        assertThat(escrow.body(), not(containsString(passphrase)));
        Path file = Files.writeString(Files.createTempFile("escrow", ".json"), escrow.body());
        Path passFile = Files.writeString(Files.createTempFile("escrow-pass", ""), passphrase + "\n");
        Path out = Files.createTempDirectory("rm-escrow-").resolve("secret.key");
        ProcessBuilder pb = new ProcessBuilder(Stack.javaBin(), "-cp",
                                               Stack.ROOT.resolve("gateway/target/restic-manager-gateway.jar").toString(),
                                               "io.resticmanager.gateway.OpenEscrow", file.toString(), out.toString())
                .redirectErrorStream(true);
        pb.environment().put("RM_ESCROW_PASSPHRASE_FILE", passFile.toString());
        Process open = pb.start();
        String said = new String(open.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(said, open.waitFor(), is(0));
        assertThat(Files.readString(out), is(Files.readString(stack.dataDir().resolve("secret.key"))));
        // a wrong passphrase opens nothing and writes nothing
        Files.writeString(passFile, "not the passphrase at all\n");
        Path wrong = out.resolveSibling("wrong.key");
        ProcessBuilder bad = new ProcessBuilder(Stack.javaBin(), "-cp",
                                                Stack.ROOT.resolve("gateway/target/restic-manager-gateway.jar").toString(),
                                                "io.resticmanager.gateway.OpenEscrow", file.toString(), wrong.toString())
                .redirectErrorStream(true);
        bad.environment().put("RM_ESCROW_PASSPHRASE_FILE", passFile.toString());
        Process p = bad.start();
        String refusal = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(), is(1));
        assertThat(refusal, containsString("wrong passphrase"));
        assertThat(Files.exists(wrong), is(false));
    }

    /**
     * What every listing shows that a restore must bring back, without what moves by itself (presence, times,
     * counters): hosts, repositories and links, schedules, users, tokens, agents, jobs (but the self backup's own,
     * which was running when its copy was made, and the system's timed stats refreshes), the host's snapshots.
     */
    private static Map<String, String> listings(Api api) {
        Map<String, String> out = new LinkedHashMap<>();
        out.put("hosts", project(api.get("/api/hosts").expect(200).json().path("items"), "id", "name", "hostname",
                                 "os", "arch", "tags"));
        out.put("host", project(api.get("/api/hosts/" + hostId).expect(200).json().path("repos"), "repo_id", "role"));
        out.put("repos", project(api.get("/api/repos").expect(200).json().path("items"), "id", "name", "url",
                                 "env_keys", "has_prune_credential", "maintenance_host_id"));
        out.put("schedules", project(api.get("/api/schedules").expect(200).json().path("items"), "id", "host_id",
                                     "name", "cron", "timezone", "kind", "enabled", "repo_id"));
        out.put("users", project(api.get("/api/users").expect(200).json().path("items"), "id", "username", "role"));
        out.put("tokens", project(api.get("/api/tokens").expect(200).json().path("items"), "id", "name", "role"));
        out.put("agents", project(api.get("/api/agents").expect(200).json().path("items"), "host_id"));
        List<JsonNode> jobs = new java.util.ArrayList<>();
        api.get("/api/jobs?limit=500").expect(200).json().path("items").forEach(j -> {
            // the stats refresh the server queues by itself a few seconds after a backup may land either side of
            // the copy: it is the system's own bookkeeping, not history a restore must bring back
            if (!j.path("kind").asText().equals("self_backup")
                    && !j.path("created_by").asText().equals("system (stats refresh)")) {
                jobs.add(j);
            }
        });
        out.put("jobs", project(Json.MAPPER.valueToTree(jobs), "id", "host_id", "repo_id", "kind", "status",
                                "exit_code", "created_by", "created_at", "finished_at", "summary"));
        JsonNode snapshots = api.get("/api/hosts/" + hostId + "/snapshots").expect(200).json().path("items");
        List<JsonNode> own = new java.util.ArrayList<>();
        snapshots.forEach(s -> {
            if (!s.path("tags").toString().contains("restic-manager-state")) {
                own.add(s);
            }
        });
        out.put("snapshots", project(Json.MAPPER.valueToTree(own), "id", "time", "paths", "hostname", "tags"));
        return out;
    }

    /** The named fields of each item, in order, as text (so two listings compare as strings). */
    private static String project(JsonNode items, String... fields) {
        List<Map<String, String>> rows = new java.util.ArrayList<>();
        for (JsonNode item : items) {
            Map<String, String> row = new LinkedHashMap<>();
            for (String f : fields) {
                row.put(f, item.path(f).toString());
            }
            rows.add(row);
        }
        rows.sort(java.util.Comparator.comparing(Map::toString));
        assertThat("no items in a listing: " + items, items.isArray(), is(true));
        return rows.toString();
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

    /** Entries of a tar archive by name, in order. */
    static Map<String, byte[]> untar(byte[] tar) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar))) {
            for (TarArchiveEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                entries.put(e.getName(), in.readAllBytes());
            }
        }
        return entries;
    }
}
