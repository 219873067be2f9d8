package io.resticmanager.system;

import com.fasterxml.jackson.databind.JsonNode;
import io.resticmanager.proto.JobKind;
import io.resticmanager.proto.JobParams;
import io.resticmanager.proto.JobStatus;
import io.resticmanager.proto.Json;
import io.resticmanager.proto.Message;
import io.resticmanager.proto.RepoAccess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

/**
 * The security review's attacks, replayed against the real stack (five service processes on loopback), a real
 * agent process and simulated hostile agents speaking the real protocol. Each attack is refused, nothing is
 * written, and every process stays up.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SecurityAttacksTest {
    private static final String REPO_PASSWORD = "security-attacks-repo-password";
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static Stack stack;
    private static Api admin;

    @BeforeAll
    static void start() {
        // the test's own loopback address stands in for a TLS-terminating proxy in front of the gateway
        stack = Stack.start("security-attacks", "rm.trusted-proxy=127.0.0.1");
        admin = Api.setupAdmin(stack, "admin", "security-admin-password");
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    @Order(1)
    void aRepositoryThatPlantsAProgramIsRefusedByName() {
        int before = admin.get("/api/repos").json().path("items").size();
        for (Map<String, Object> evil : List.of(
                Map.<String, Object>of("name", "r1", "url", "sftp:backup@nas:/srv", "password", REPO_PASSWORD,
                                       "env", Map.of("PATH", "/tmp/planted")),
                Map.<String, Object>of("name", "r2", "url", "/srv/r2", "password", REPO_PASSWORD,
                                       "env", Map.of("LD_PRELOAD", "/tmp/x.so")),
                Map.<String, Object>of("name", "r3", "url", "rclone:remote:bucket", "password", REPO_PASSWORD,
                                       "env", Map.of("RCLONE_CONFIG_X_TYPE", "sftp")),
                Map.<String, Object>of("name", "r4", "url", "sftp:-oProxyCommand=touch${IFS}/tmp/p:/srv",
                                       "password", REPO_PASSWORD))) {
            Api.Reply r = admin.post("/api/repos", evil);
            assertThat(r.body(), r.status(), is(422));
            assertThat(r.json().path("type").isTextual(), is(true));
        }
        assertThat(admin.post("/api/repos", Map.of("name", "r5", "url", "/srv/r5", "password", "short"))
                           .status(), is(422));
        assertThat(admin.get("/api/repos").json().path("items").size(), is(before));
    }

    @Test
    @Order(2)
    void aForgedJobStartStillCannotMakeTheAgentRunAPlantedSsh() throws Exception {
        // a compromised server or anyone holding the internal token speaks to the hub directly
        Path marker = stack.dataDir().resolve("pwned");
        Path bin = Files.createDirectories(stack.dataDir().resolve("planted-bin"));
        Path ssh = bin.resolve("ssh");
        Files.writeString(ssh, "#!/bin/sh\ntouch '" + marker + "'\nexit 1\n");
        Files.setPosixFilePermissions(ssh, PosixFilePermissions.fromString("rwxr-xr-x"));
        AgentProcess agent = new AgentProcess(stack.dataDir().resolve("agent-forged"),
                                              stack.logDir().resolve("agent-forged.log"));
        try {
            String hostId = Fleet.enrollWithRepo(stack, admin, agent, stack.dataDir().resolve("repo-forged"),
                                                 REPO_PASSWORD);
            Api hub = Api.internal(stack.url("agent-hub"), stack.internalToken(), BenchSetup.PRINCIPAL);
            Message.JobStart start = new Message.JobStart("0193a4f0-dead-7000-8000-000000000001", JobKind.SNAPSHOTS,
                    new RepoAccess("r", "sftp:backup@localhost:/srv", REPO_PASSWORD,
                                   Map.of("PATH", bin + ":/usr/bin:/bin")), JobParams.empty());
            Api.Reply sent = hub.post("/internal/agents/" + hostId + "/commands",
                                      Map.of("type", "job.start", "payload", Json.MAPPER.valueToTree(start)));
            assertThat(sent.body(), sent.status(), is(200));
            Await.until(Duration.ofSeconds(20), "the agent's refusal in its log", () -> {
                try {
                    return Files.readString(stack.logDir().resolve("agent-forged.log")).contains("repository refused");
                } catch (java.io.IOException e) {
                    return false;
                }
            });
            assertThat(Files.exists(marker), is(false));
            assertThat(agent.alive(), is(true));
            // the refusal names the key, never the password
            assertThat(Files.readString(stack.logDir().resolve("agent-forged.log")), not(containsString(REPO_PASSWORD)));
        } finally {
            agent.close();
        }
    }

    @Test
    @Order(3)
    void oneEnrolledHostCannotFinishOrWriteIntoAnotherHostsJob() throws Exception {
        Api hubAdmin = Api.internal(stack.url("agent-hub"), stack.internalToken(), BenchSetup.PRINCIPAL);
        BenchSetup.Enrolled victim = BenchSetup.enroll(hubAdmin, "victim");
        BenchSetup.Enrolled attacker = BenchSetup.enroll(hubAdmin, "attacker");
        String repoId = BenchSetup.createRepo(admin, "victim-repo", stack.dataDir().resolve("victim-repo").toString(),
                                              REPO_PASSWORD);
        BenchSetup.assignRepo(admin, victim.hostId(), repoId);
        try (SimAgent victimAgent = SimAgent.connect(HTTP, stack.gateway(), victim.agentToken(), null).join();
             SimAgent attackerAgent = SimAgent.connect(HTTP, stack.gateway(), attacker.agentToken(), null).join()) {
            victimAgent.hello("victim");
            attackerAgent.hello("attacker");
            Await.until(Duration.ofSeconds(20), "both online", () ->
                    "online".equals(admin.get("/api/hosts/" + victim.hostId()).json().path("status").asText())
                            && "online".equals(admin.get("/api/hosts/" + attacker.hostId()).json().path("status").asText()));
            double foreignBefore = dropped("foreign_host");
            double unknownBefore = dropped("unknown_job");
            String jobId = Fleet.run(admin, victim.hostId(), Map.of("kind", "backup", "paths", List.of("/srv")));
            Message.JobStart start = victimAgent.await(Message.JobStart.class, Duration.ofSeconds(20));
            assertThat(start.jobId(), is(jobId));
            victimAgent.send(new Message.JobAck(jobId, 1, true, null, "restic backup", Instant.now()));
            Await.until(Duration.ofSeconds(10), "running", () ->
                    "running".equals(admin.get("/api/jobs/" + jobId).json().path("status").asText()));

            // the attacker claims the victim's backup succeeded, with a fake snapshot and its own log lines
            attackerAgent.send(new Message.JobLog(jobId, 2, List.of(new Message.LogLine(2, Instant.now(), "stdout",
                                                                                           "INJECTED by attacker"))));
            attackerAgent.send(new Message.JobFinished(jobId, 3, JobStatus.SUCCEEDED, 0,
                                                       Map.of("snapshot_id", "deadbeefdeadbeef"), null, Instant.now()));
            // and pours lines into a job nobody created
            String invented = "0193a4f0-beef-7000-8000-000000000002";
            attackerAgent.send(new Message.JobLog(invented, 1, List.of(new Message.LogLine(1, Instant.now(), "stdout",
                                                                                             "x".repeat(1000)))));
            Await.until(Duration.ofSeconds(20), "the forged events dropped and counted", () ->
                    dropped("foreign_host") == foreignBefore + 2 && dropped("unknown_job") == unknownBefore + 1);

            JsonNode job = admin.get("/api/jobs/" + jobId).json();
            assertThat(job.path("status").asText(), is("running"));
            assertThat(admin.get("/api/jobs/" + jobId + "/logs").body(), not(containsString("INJECTED")));
            assertThat(admin.get("/api/jobs/" + invented).status(), is(404));
            assertThat(admin.get("/api/hosts/" + victim.hostId() + "/snapshots").json().path("items").size(), is(0));

            // the real agent's own events still land
            victimAgent.send(new Message.JobFinished(jobId, 2, JobStatus.FAILED, 1, Map.of(), "real end", Instant.now()));
            Await.until(Duration.ofSeconds(20), "the victim's own finish", () ->
                    "failed".equals(admin.get("/api/jobs/" + jobId).json().path("status").asText()));
        }
        assertThat(Stack.status(stack.url("jobs-service") + "/health"), is(200));
        assertThat(Stack.status(stack.url("agent-hub") + "/health"), is(200));
    }

    @Test
    @Order(4)
    void theDashboardLoginIsSecureBehindTlsAndRefusesCrossSitePosts() throws Exception {
        String form = "username=admin&password=security-admin-password";
        HttpResponse<String> viaTls = HTTP.send(HttpRequest.newBuilder(URI.create(stack.gateway() + "/login"))
                .header("Content-Type", "application/x-www-form-urlencoded").header("X-Forwarded-Proto", "https")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(viaTls.statusCode(), is(303));
        String cookie = viaTls.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith("rm_session="))
                .findFirst().orElseThrow();
        assertThat(cookie, containsString("; Secure"));

        HttpResponse<String> crossSite = HTTP.send(HttpRequest.newBuilder(URI.create(stack.gateway() + "/login"))
                .header("Content-Type", "application/x-www-form-urlencoded").header("Origin", "https://evil.example")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(crossSite.statusCode(), is(403));
        assertThat(crossSite.headers().allValues("Set-Cookie"), is(empty()));

        Api.Reply huge = Api.anonymous(stack.gateway()).post("/api/login", Map.of("username", "u".repeat(900_000),
                                                                                  "password", "x"));
        assertThat(huge.status(), is(422));
        JsonNode audit = admin.get("/api/audit?limit=200").json().path("items");
        for (JsonNode row : audit) {
            assertThat(row.path("user").asText().length() < 200, is(true));
            assertThat(row.path("target").asText().length() < 1100, is(true));
        }
        assertThat(Stack.status(stack.url("gateway") + "/health"), is(200));
    }

    @Test
    @Order(5)
    void nothingInTheDataDirectoryIsReadableByOtherUsersAndNoLogHoldsTheSetupToken() throws Exception {
        List<String> open = new ArrayList<>();
        try (var files = Files.walk(stack.dataDir(), 1)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Set<PosixFilePermission> mode = Files.getPosixFilePermissions(f);
                if (mode.contains(PosixFilePermission.GROUP_READ) || mode.contains(PosixFilePermission.OTHERS_READ)) {
                    open.add(f.getFileName() + " " + PosixFilePermissions.toString(mode));
                }
            }
        }
        assertThat(open, is(empty()));
        try (var logs = Files.list(stack.logDir())) {
            for (Path log : logs.toList()) {
                assertThat(log.toString(), Files.readString(log), not(containsString("rms_")));
            }
        }
    }

    @Test
    @Order(6)
    void productionRefusesToStartBehindAPlainHttpPublicUrl() throws Exception {
        Path jar = Stack.ROOT.resolve("gateway/target/restic-manager-gateway.jar");
        ProcessBuilder pb = new ProcessBuilder(Stack.javaBin(), "-jar", jar.toString()).redirectErrorStream(true);
        pb.environment().put("RM_MODE", "production");
        pb.environment().put("RM_PUBLIC_URL", "http://backup.example.com");
        pb.environment().put("RM_DATA_DIR", stack.dataDir().resolve("prod").toString());
        pb.environment().put("RM_PORT", String.valueOf(Stack.freePort()));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS), is(true));
        assertThat(out, p.exitValue() != 0, is(true));
        assertThat(out, containsString("https:// RM_PUBLIC_URL"));
    }

    /** {@code job_events_dropped_total} for one reason, from jobs-service's metrics fragment. */
    private static double dropped(String reason) {
        String prefix = "job_events_dropped_total{reason=\"" + reason + "\"} ";
        return jobsMetrics().lines().filter(l -> l.contains(prefix))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.indexOf(prefix) + prefix.length()).strip()))
                .findFirst().orElse(-1);
    }

    private static String jobsMetrics() {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(stack.url("jobs-service") + "/internal/metrics"))
                                     .header("X-RM-Internal-Token", stack.internalToken()).build(),
                             HttpResponse.BodyHandlers.ofString()).body();
        } catch (Exception e) {
            return "";
        }
    }
}
