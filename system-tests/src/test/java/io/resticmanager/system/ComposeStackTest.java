package io.resticmanager.system;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

/**
 * The compose stack as users start it (compose/README.md): the repository's own compose file, images built from this
 * checkout's jars, secrets from deploy/gen-secrets.sh, a real container engine (rootful podman behind its Docker API,
 * driven by docker-compose). One stack lifecycle: up with the {@code tls} profile (Caddy in front), first-run setup
 * over HTTPS, the {@code demo} profile's agent container enrolled over TLS backing up to the append-only REST
 * backend container, a service killed with SIGKILL, then down and up again with every volume kept.
 *
 * <p>Skipped (with the reason printed) where podman cannot run: not root, podman or docker-compose missing, or no
 * Debian base image and no mirror to debootstrap one.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ComposeStackTest {
    private static final String PASSWORD = "compose-admin-password-7f3";
    private static final String REPO_PASSWORD = "compose-demo-repo-password-2b1";
    private static final String AGENT_CONFIG = "/var/lib/restic-manager-agent/agent.yaml";
    private static final String CADDY = "172.30.80.10";
    private static final List<String> SERVICES = List.of("agent-hub", "jobs", "inventory", "ui", "gateway");
    private static final Duration HEALTHY = Duration.ofMinutes(3);
    private static final long T0 = System.nanoTime();

    private static ComposeEngine engine;
    private static Path logDir;
    private static String direct;
    private static String https;
    private static SSLContext tls;
    private static Api admin;
    private static String hostId;
    private static final List<String> snapshots = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        Optional<String> why = ComposeEngine.unavailable();
        if (why.isPresent()) {
            System.out.println("[compose] skipped: " + why.get());
            Assumptions.abort(why.get());
        }
        for (String built : List.of("gateway/target/restic-manager-gateway.jar", "agent/target/restic-manager-agent.jar",
                                    "deploy/target/healthcheck/HealthCheck.class", "deploy/target/server-runtime/bin/java")) {
            if (!Files.exists(Stack.ROOT.resolve(built))) {
                throw new AssertionError(built + " is missing: the images are built from `mvn package`'s output");
            }
        }
        logDir = Files.createDirectories(Stack.ROOT.resolve("system-tests/target/system-logs/compose"));
        int gatewayPort = Stack.freePort();
        int httpsPort = Stack.freePort();
        direct = "http://127.0.0.1:" + gatewayPort;
        https = "https://localhost:" + httpsPort;
        String project = "rmtest" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(0, 6);
        engine = ComposeEngine.start(project, logDir, Map.of(
                "RM_GATEWAY_PUBLISH", "127.0.0.1:" + gatewayPort,
                "RM_HTTPS_PUBLISH", "127.0.0.1:" + httpsPort,
                "RM_HTTP_PUBLISH", "127.0.0.1:" + Stack.freePort(),
                "RM_DOMAIN", "localhost",
                "RM_PUBLIC_URL", https));

        long t = System.nanoTime();
        engine.ensureDebianImage();
        lap("Debian base image ready", t);
        t = System.nanoTime();
        engine.buildImages();
        lap("images built", t);
        System.out.println("[compose] image sizes:\n" + engine.podman("images", "--format",
                "{{.Repository}}:{{.Tag}} {{.Size}}", "--filter", "reference=*/restic-manager/*").out()
                + "\n" + engine.podman("images", "--format", "{{.Repository}}:{{.Tag}} {{.Size}}", "--filter",
                "reference=" + ComposeEngine.DEBIAN_IMAGE).out());

        ok(engine.run(List.of("deploy/gen-secrets.sh", "compose/secrets"), Duration.ofSeconds(30)));
        engine.tickHealth();
        t = System.nanoTime();
        // the gateway starts once the other four are healthy (depends_on); `up` returns when it is created
        ok(engine.compose(HEALTHY, "--profile", "tls", "up", "-d"));
        awaitHealthy();
        lap("up → all five healthy", t);
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (engine != null) {
                Files.writeString(logDir.resolve("compose.log"), engine.compose(Duration.ofMinutes(1), "--profile", "tls",
                        "--profile", "demo", "logs", "--no-color", "--timestamps").output());
                engine.close();
            }
        } finally {
            lap("whole test class", T0);
        }
    }

    @Test
    @Order(1)
    void everyServiceRunsAsUid10001OnAReadOnlyRootWithNoCapabilities() {
        for (String service : SERVICES) {
            String status = engine.compose(Duration.ofSeconds(30), "exec", "-T", service, "sh", "-c",
                    "grep -E '^(Uid|CapEff|NoNewPrivs):' /proc/1/status; touch /probe 2>&1 || true").output();
            assertThat(service + ": " + status, status, containsString("Uid:\t10001\t10001\t10001\t10001"));
            assertThat(service + ": " + status, status, containsString("CapEff:\t0000000000000000"));
            assertThat(service + ": " + status, status, containsString("NoNewPrivs:\t1"));
            assertThat(service + ": " + status, status, containsString("Read-only file system"));
            assertThat(service, engine.inspect(service, "{{.HostConfig.RestartPolicy.Name}}"), is("unless-stopped"));
        }
    }

    @Test
    @Order(2)
    void firstRunSetupAndLoginWorkOverHttpsThroughCaddy() throws Exception {
        long t = System.nanoTime();
        String root = ok(engine.compose(Duration.ofSeconds(30), "exec", "-T", "caddy", "cat",
                                        "/data/caddy/pki/authorities/local/root.crt"));
        tls = trusting(root);
        String token = ok(engine.compose(Duration.ofSeconds(30), "exec", "-T", "gateway", "cat", "/data/setup-token")).strip();
        Api.anonymous(https, tls).post("/api/setup", Map.of("setup_token", token, "username", "admin",
                                                           "password", PASSWORD)).expect(201);

        admin = Api.login(https, "admin", PASSWORD, tls);
        // a browser's login over HTTPS: the session cookie is Secure, Caddy adds HSTS, the dashboard answers
        HttpClient browser = HttpClient.newBuilder().sslContext(tls).cookieHandler(new java.net.CookieManager()).build();
        HttpResponse<String> login = browser.send(HttpRequest.newBuilder(URI.create(https + "/api/login"))
                .header("Content-Type", "application/json").header("X-Forwarded-For", "203.0.113.7")
                .POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"admin\",\"password\":\"" + PASSWORD + "\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(login.body(), login.statusCode(), is(200));
        String cookie = login.headers().allValues("set-cookie").stream().filter(c -> c.startsWith("rm_session="))
                .findFirst().orElseThrow(() -> new AssertionError("no session cookie: " + login.headers()));
        assertThat(cookie, containsString("; Secure"));
        assertThat(login.headers().firstValue("strict-transport-security").orElse(""), containsString("max-age="));
        HttpResponse<String> dashboard = browser.send(HttpRequest.newBuilder(URI.create(https + "/")).build(),
                                                      HttpResponse.BodyHandlers.ofString());
        assertThat(dashboard.statusCode(), is(200));
        assertThat(dashboard.body(), containsString("<html"));

        // Caddy's X-Forwarded-For is believed (the client as Caddy saw it, not Caddy, not what the client claimed)
        String viaCaddy = lastLoginSource();
        assertThat(viaCaddy, not(is("203.0.113.7")));
        assertThat(viaCaddy, not(is(CADDY)));
        // the same header straight at the gateway's own port is not
        HttpResponse<String> spoofed = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(direct + "/api/login"))
                .header("Content-Type", "application/json").header("X-Forwarded-For", "203.0.113.9")
                .POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"admin\",\"password\":\"" + PASSWORD + "\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(spoofed.statusCode(), is(200));
        assertThat(lastLoginSource(), not(is("203.0.113.9")));
        lap("first-run setup and login over HTTPS", t);

        System.out.println("[compose] memory at idle (podman stats):\n"
                                   + engine.podman("stats", "--no-stream", "--format", "{{.Name}} {{.MemUsage}}").out());
    }

    @Test
    @Order(3)
    void theDemoAgentEnrollsOverTlsAndBacksUpToTheAppendOnlyBackendWhichRefusesForget() throws Exception {
        long t = System.nanoTime();
        String token = admin.post("/api/enrollment-tokens", Map.of("name", "demo-agent")).expect(201).json()
                .path("token").asText();
        ok(engine.compose(Duration.ofMinutes(1), "--profile", "tls", "--profile", "demo", "up", "-d", "restic-rest"));
        // the agent trusts Caddy's certificate by its pin (Caddy's local CA is nobody's trust anchor)
        String leaf = ok(engine.compose(Duration.ofSeconds(30), "exec", "-T", "caddy", "cat",
                                        "/data/caddy/certificates/local/caddy.localhost/caddy.localhost.crt"));
        String pin = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(certificate(leaf).getEncoded()));
        String enrolled = ok(engine.compose(Duration.ofMinutes(2), "--profile", "tls", "--profile", "demo", "run", "--rm",
                                            "-e", "RM_ENROLL_TOKEN=" + token, "demo-agent", "enroll", "--server",
                                            "https://caddy.localhost", "--tls-pin-sha256", pin, "--config", AGENT_CONFIG));
        assertThat(enrolled, containsString("enrolled as host"));
        ok(engine.compose(Duration.ofMinutes(1), "--profile", "tls", "--profile", "demo", "up", "-d", "demo-agent"));
        hostId = admin.get("/api/hosts").expect(200).json().path("items").get(0).path("id").asText();
        awaitStatus("online", Duration.ofSeconds(60));
        lap("demo agent enrolled and online over wss through Caddy", t);

        t = System.nanoTime();
        String repoId = admin.post("/api/repos", Map.of("name", "demo", "url", "rest:http://restic-rest:8000/demo",
                                                        "password", REPO_PASSWORD)).expect(201).json().path("id").asText();
        admin.patch("/api/hosts/" + hostId, Map.of("repo_id", repoId)).expect(200);
        succeeded(Fleet.runAndWait(admin, hostId, Map.of("kind", "init")));
        for (int i = 0; i < 2; i++) {
            JsonNode backup = succeeded(Fleet.runAndWait(admin, hostId, Map.of("kind", "backup", "paths", List.of("/app/libs"))));
            snapshots.add(backup.path("summary").path("snapshot_id").asText());
        }
        lap("init + two backups to the REST backend", t);

        t = System.nanoTime();
        JsonNode forget = Fleet.runAndWait(admin, hostId, Map.of("kind", "forget", "policy", Map.of("keep_last", 1)));
        assertThat(forget.toString(), forget.path("status").asText(), is("failed"));
        succeeded(Fleet.runAndWait(admin, hostId, Map.of("kind", "snapshots")));
        assertThat(snapshotIds(), hasItems(snapshots.toArray(String[]::new)));
        lap("forget refused by the append-only backend", t);
    }

    @Test
    @Order(4)
    void aServiceKilledWithSigkillComesBackAndItsQueuedJobStillRuns() {
        long t = System.nanoTime();
        // a job that must wait in the queue: its host's agent is stopped
        ok(engine.compose(Duration.ofMinutes(1), "--profile", "demo", "stop", "-t", "10", "demo-agent"));
        String jobId = Fleet.run(admin, hostId, Map.of("kind", "backup", "paths", List.of("/app/libs")));
        assertThat(admin.get("/api/jobs/" + jobId).json().path("status").asText(), is("queued"));

        String before = engine.inspect("jobs", "{{.State.StartedAt}}");
        long pid = Long.parseLong(engine.inspect("jobs", "{{.State.Pid}}"));
        assertThat("killed", ProcessHandle.of(pid).map(ProcessHandle::destroyForcibly).orElse(false), is(true));
        Await.until(Duration.ofSeconds(60), "jobs restarted by its restart policy", () ->
                !engine.inspect("jobs", "{{.State.StartedAt}}").equals(before)
                        && "running".equals(engine.inspect("jobs", "{{.State.Status}}")));
        Await.until(HEALTHY, "jobs healthy again", () -> "healthy".equals(engine.health("jobs")));
        lap("SIGKILL → restarted and healthy", t);

        ok(engine.compose(Duration.ofMinutes(1), "--profile", "demo", "start", "demo-agent"));
        JsonNode job = succeeded(Fleet.awaitEnd(admin, jobId, Duration.ofSeconds(120)));
        snapshots.add(job.path("summary").path("snapshot_id").asText());
        lap("the job queued before the kill ran once the agent was back", t);
    }

    @Test
    @Order(5)
    void downThenUpKeepsUsersHostsJobsAndSnapshots() {
        long t = System.nanoTime();
        List<String> jobs = new ArrayList<>();
        admin.get("/api/jobs?host_id=" + hostId).expect(200).json().path("items").forEach(j -> jobs.add(j.path("id").asText()));
        ok(engine.compose(Duration.ofMinutes(2), "--profile", "tls", "--profile", "demo", "down", "-t", "10"));
        assertThat(engine.compose(Duration.ofSeconds(30), "ps", "-q").out(), is(""));
        long up = System.nanoTime();
        ok(engine.compose(HEALTHY, "--profile", "tls", "--profile", "demo", "up", "-d"));
        awaitHealthy();
        lap("down → up → all five healthy again", up);

        admin = Api.login(https, "admin", PASSWORD, tls);
        awaitStatus("online", Duration.ofSeconds(60));
        List<String> after = new ArrayList<>();
        admin.get("/api/jobs?host_id=" + hostId).expect(200).json().path("items").forEach(j -> after.add(j.path("id").asText()));
        assertThat(after, hasItems(jobs.toArray(String[]::new)));
        assertThat(snapshotIds(), hasItems(snapshots.toArray(String[]::new)));
        // and the restarted stack still works end to end
        succeeded(Fleet.runAndWait(admin, hostId, Map.of("kind", "snapshots")));
        lap("down → up: users, hosts, jobs, snapshots kept", t);
    }

    // --- helpers ------------------------------------------------------------------------------------------------

    private static void awaitHealthy() {
        Await.until(HEALTHY, "all five services healthy", () -> {
            for (String service : SERVICES) {
                if (!"healthy".equals(engine.health(service))) {
                    return false;
                }
            }
            return true;
        });
    }

    private static String lastLoginSource() {
        return admin.get("/api/audit?action=login.ok").expect(200).json().path("items").get(0).path("source_ip").asText();
    }

    private static void awaitStatus(String status, Duration timeout) {
        Await.until(timeout, "host " + hostId + " " + status, () ->
                status.equals(admin.get("/api/hosts/" + hostId).json().path("status").asText()));
    }

    /** Short ids of the host's snapshots as the server lists them. */
    private static List<String> snapshotIds() {
        List<String> ids = new ArrayList<>();
        admin.get("/api/hosts/" + hostId + "/snapshots").expect(200).json().path("items")
                .forEach(s -> ids.add(s.path("short_id").asText()));
        return ids;
    }

    private static JsonNode succeeded(JsonNode job) {
        if (!"succeeded".equals(job.path("status").asText())) {
            String logs = admin.get("/api/jobs/" + job.path("id").asText() + "/logs?limit=1000").body();
            throw new AssertionError(job.path("kind").asText() + " job " + job.path("status").asText() + ": " + job
                                             + "\nlog: " + logs);
        }
        return job;
    }

    private static X509Certificate certificate(String pem) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
    }

    /** TLS that trusts exactly Caddy's local CA, with the JDK's usual host name check. */
    private static SSLContext trusting(String rootPem) throws Exception {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        store.setCertificateEntry("caddy-local-root", certificate(rootPem));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }

    private static String ok(ComposeEngine.Result result) {
        assertThat(result.output(), result.exit(), is(0));
        return result.output();
    }

    private static void lap(String what, long since) {
        System.out.printf("[compose] %s: %.1f s%n", what, (System.nanoTime() - since) / 1e9);
    }
}
