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
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;

/** Run-now for every job kind, real agent and real restic: each reaches its true terminal state and summary. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class JobKindsTest {
    private static final String PASSWORD = "job-kinds-password";
    private static Stack stack;
    private static Api admin;
    private static Api operator;
    private static AgentProcess agent;
    private static String hostId;
    private static Path repo;
    private static Path source;

    @BeforeAll
    static void start() throws Exception {
        stack = Stack.start("job-kinds");
        admin = Api.setupAdmin(stack, "admin", "job-kinds-admin-pw");
        admin.post("/api/users", Map.of("username", "otto", "password", "operator-password-1", "role", "operator"))
                .expect(201);
        operator = Api.login(stack.gateway(), "otto", "operator-password-1");
        repo = stack.dataDir().resolve("repo");
        source = stack.dataDir().resolve("src");
        Fleet.randomFiles(source, 5, 4096, 1);
        agent = new AgentProcess(stack.dataDir().resolve("agent"), stack.logDir().resolve("agent.log"));
        hostId = Fleet.enrollWithRepo(stack, admin, agent, repo, PASSWORD);
    }

    @AfterAll
    static void stop() throws Exception {
        agent.close();
        stack.close();
    }

    @Test
    @Order(1)
    void initTwiceIsNotAnError() {
        assertThat(Fleet.runAndWait(operator, hostId, Map.of("kind", "init")).path("status").asText(), is("succeeded"));
        JsonNode again = Fleet.runAndWait(operator, hostId, Map.of("kind", "init"));
        assertThat(again.path("status").asText(), is("succeeded"));
        assertThat(again.path("summary").path("already_existed").asBoolean(), is(true));
    }

    @Test
    @Order(2)
    void backupsThenSnapshotsStatsCheckUnlock() throws Exception {
        for (int i = 0; i < 3; i++) {
            Files.writeString(source.resolve("changing.txt"), "version " + i);
            JsonNode backup = Fleet.runAndWait(operator, hostId, Map.of("kind", "backup", "paths", List.of(source.toString())));
            assertThat(backup.path("status").asText(), is("succeeded"));
        }
        assertThat(Restic.snapshots(repo, PASSWORD).size(), is(3));

        JsonNode snapshots = Fleet.runAndWait(operator, hostId, Map.of("kind", "snapshots"));
        assertThat(snapshots.path("status").asText(), is("succeeded"));
        Await.until(Duration.ofSeconds(10), "3 snapshots listed", () ->
                admin.get("/api/hosts/" + hostId + "/snapshots").json().path("items").size() == 3);

        JsonNode stats = Fleet.runAndWait(operator, hostId, Map.of("kind", "stats"));
        assertThat(stats.path("status").asText(), is("succeeded"));
        assertThat(stats.path("summary").path("total_size").asLong(), greaterThan(0L));

        JsonNode check = Fleet.runAndWait(operator, hostId, Map.of("kind", "check", "read_data_subset", "50%"));
        assertThat(check.path("status").asText(), is("succeeded"));
        assertThat(check.path("command_line").asText(), containsString("--read-data-subset"));

        assertThat(Fleet.runAndWait(operator, hostId, Map.of("kind", "unlock")).path("status").asText(), is("succeeded"));
    }

    @Test
    @Order(3)
    void forgetWithPolicyThenPruneRemovesSnapshots() throws Exception {
        JsonNode forget = Fleet.runAndWait(operator, hostId, Map.of("kind", "forget", "policy", Map.of("keep_last", 1)));
        assertThat(forget.toString(), forget.path("status").asText(), is("succeeded"));
        assertThat(Restic.snapshots(repo, PASSWORD).size(), is(1));
        // prune deletes for good: an operator may forget, only an admin may prune
        assertThat(operator.post("/api/hosts/" + hostId + "/jobs", Map.of("kind", "prune")).status(), is(403));
        JsonNode prune = Fleet.runAndWait(admin, hostId, Map.of("kind", "prune"));
        assertThat(prune.path("status").asText(), is("succeeded"));
        Await.until(Duration.ofSeconds(10), "1 snapshot listed", () ->
                admin.get("/api/hosts/" + hostId + "/snapshots").json().path("items").size() == 1);
    }

    @Test
    @Order(4)
    void failuresAreTold() {
        JsonNode missing = Fleet.runAndWait(operator, hostId, Map.of("kind", "backup",
                                                                   "paths", List.of("/definitely/not/here")));
        assertThat(missing.path("status").asText(), is("failed"));
        assertThat(missing.path("error").asText().isBlank(), is(false));
        // bad input never reaches the agent
        assertThat(operator.post("/api/hosts/" + hostId + "/jobs", Map.of("kind", "backup", "paths", List.of())).status(),
                   is(422));
        assertThat(operator.post("/api/hosts/" + hostId + "/jobs", Map.of("kind", "format-disk")).status() / 100, is(4));
        assertThat(operator.post("/api/hosts/" + hostId + "/jobs", Map.of("kind", "forget", "policy", Map.of())).status(),
                   is(422));
    }
}
