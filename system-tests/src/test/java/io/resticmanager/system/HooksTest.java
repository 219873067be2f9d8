package io.resticmanager.system;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

/**
 * A consistent database backup with hooks, for real: a real MariaDB server (from apt) holds a shop's orders; the
 * host's pre-hook puts it read-only and dumps it, restic (through a real agent and the real stack) backs the dump
 * up, the post-hook puts it back to read-write whatever the outcome; the dump restored to another directory loads
 * into a fresh database with the same rows. A failing pre-hook fails the backup before restic runs, and the
 * post-hook still runs.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HooksTest {
    private static final String PASSWORD = "hooks-repo-password";
    private static Stack stack;
    private static Api admin;
    private static AgentProcess agent;
    private static String hostId;
    private static Path dumps;
    private static Path socket;
    private static Process mariadb;

    @BeforeAll
    static void start() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/sbin/mariadbd")),
                               "mariadb-server is not installed (script/test installs it with apt as root)");
        stack = Stack.start("hooks");
        Path data = Files.createDirectories(stack.dataDir().resolve("mariadb"));
        socket = data.resolve("mysqld.sock");
        run(List.of("mariadb-install-db", "--no-defaults", "--datadir=" + data.resolve("db"), "--user=root",
                    "--auth-root-authentication-method=socket", "--skip-test-db"));
        mariadb = new ProcessBuilder("/usr/sbin/mariadbd", "--no-defaults", "--datadir=" + data.resolve("db"),
                                     "--socket=" + socket, "--skip-networking", "--user=root",
                                     "--pid-file=" + data.resolve("mysqld.pid"))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(stack.logDir().resolve("mariadb.log").toFile()))
                .start();
        Await.until(Duration.ofSeconds(60), "MariaDB accepting connections", () -> sql("SELECT 1").contains("1"));
        sql("CREATE DATABASE shop; CREATE TABLE shop.orders (id INT PRIMARY KEY, item VARCHAR(40), qty INT);"
                    + "INSERT INTO shop.orders VALUES (1,'tent',2),(2,'stove',1),(3,'lamp',5);");

        admin = Api.setupAdmin(stack, "admin", "hooks-admin-password");
        dumps = Files.createDirectories(stack.dataDir().resolve("dumps"));
        agent = new AgentProcess(stack.dataDir().resolve("agent"), stack.logDir().resolve("agent.log"));
        hostId = Fleet.enrollWithRepo(stack, admin, agent, stack.dataDir().resolve("repo"), PASSWORD);
        assertThat(Fleet.runAndWait(admin, hostId, Map.of("kind", "init")).path("status").asText(), is("succeeded"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (agent != null) {
            agent.close();
        }
        if (mariadb != null) {
            mariadb.destroy();
            mariadb.waitFor(30, TimeUnit.SECONDS);
        }
        if (stack != null) {
            stack.close();
        }
    }

    /** The recipe in docs/HOOKS.md, with this test's socket and dump directory. */
    private static Map<String, Object> hooks(String pre) {
        String client = "mariadb --socket=" + socket;
        return Map.of(
                "pre_hook", pre != null ? pre : "set -e\n"
                        + client + " -e 'SET GLOBAL read_only = ON'\n"
                        + "mariadb-dump --socket=" + socket + " --single-transaction --databases shop > " + dumps
                        + "/shop.sql\n"
                        + "echo \"dumped $(wc -l < " + dumps + "/shop.sql) lines for job $RM_JOB_ID\"",
                "post_hook", client + " -e 'SET GLOBAL read_only = OFF'\n"
                        + "echo \"database writable again after a $RM_JOB_STATUS backup\"");
    }

    @Test
    @Order(1)
    void aDumpTakenByThePreHookIsBackedUpAndRestoresIntoAFreshDatabase() throws Exception {
        admin.put("/api/hosts/" + hostId + "/hooks", hooks(null)).expect(200);
        JsonNode job = Fleet.runAndWait(admin, hostId, Map.of("kind", "backup", "paths", List.of(dumps.toString())));
        assertThat(job.path("error").asText(), job.path("status").asText(), is("succeeded"));
        String log = admin.get("/api/jobs/" + job.path("id").asText() + "/logs?limit=1000").json().toString();
        assertThat(log, containsString("[pre] dumped"));
        assertThat(log, containsString("[post] database writable again after a succeeded backup"));
        assertThat(sql("SELECT @@global.read_only"), containsString("0"));

        // restored to another directory, the dump loads into a fresh database with the same rows
        String snapshot = job.path("summary").path("snapshot_id").asText();
        Await.until(Duration.ofSeconds(30), "the snapshot listed", () -> admin.get("/api/hosts/" + hostId
                + "/snapshots").json().path("items").toString().contains(snapshot));
        Path into = stack.dataDir().resolve("restored");
        JsonNode restore = admin.post("/api/hosts/" + hostId + "/restores", Map.of(
                "snapshot_id", snapshot, "paths", List.of(dumps.toString()),
                "target", into.toString()))
                .expect(202).json();
        assertThat(Fleet.awaitEnd(admin, restore.path("job_id").asText(), Duration.ofSeconds(60)).path("status")
                           .asText(), is("succeeded"));
        Path dump;
        try (Stream<Path> files = Files.walk(into)) {
            dump = files.filter(p -> p.getFileName().toString().equals("shop.sql")).findFirst().orElseThrow();
        }
        String restored = Files.readString(dump).replace("`shop`", "`shop_restored`");
        run(List.of("sh", "-c", "mariadb --socket=" + socket + " < " + write(restored)));
        assertThat(sql("SELECT id, item, qty FROM shop_restored.orders ORDER BY id"),
                   is(sql("SELECT id, item, qty FROM shop.orders ORDER BY id")));
        assertThat(sql("SELECT COUNT(*) FROM shop_restored.orders"), containsString("3"));
    }

    @Test
    @Order(2)
    void aFailingPreHookStopsTheBackupAndThePostHookStillRuns() throws Exception {
        int snapshots = admin.get("/api/hosts/" + hostId + "/snapshots").json().path("items").size();
        admin.put("/api/hosts/" + hostId + "/hooks", hooks("mariadb --socket=" + socket
                + " -e 'SET GLOBAL read_only = ON'\necho 'disk full' >&2\nexit 3")).expect(200);
        JsonNode job = Fleet.runAndWait(admin, hostId, Map.of("kind", "backup", "paths", List.of(dumps.toString())));
        assertThat(job.path("status").asText(), is("failed"));
        assertThat(job.path("error").asText(), containsString("pre-hook failed: exit 3"));
        String log = admin.get("/api/jobs/" + job.path("id").asText() + "/logs?limit=1000").json().toString();
        assertThat(log, containsString("[pre] disk full"));
        assertThat(log, containsString("[post] database writable again after a failed backup"));
        assertThat(log, not(containsString(PASSWORD)));
        // the post-hook undid the pre-hook's read-only, and restic never ran
        assertThat(sql("SELECT @@global.read_only"), containsString("0"));
        Await.within(Duration.ofSeconds(10), "no new snapshot").during(Duration.ofSeconds(2)).untilAsserted(() ->
                assertThat(admin.get("/api/hosts/" + hostId + "/snapshots").json().path("items").size(), is(snapshots)));
    }

    private static String sql(String statements) {
        try {
            return run(List.of("mariadb", "--socket=" + socket, "--batch", "--skip-column-names", "-e", statements));
        } catch (IOException | InterruptedException e) {
            return "";
        }
    }

    private static Path write(String text) throws IOException {
        Path file = Files.createTempFile(stack.dataDir(), "load", ".sql");
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return file;
    }

    private static String run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(new ArrayList<>(cmd)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
        return out;
    }
}
