package io.resticmanager.system;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;

/**
 * Nothing is lost: the hub dies in the middle of a backup (the agent's connection is cut) and the agent
 * itself is killed mid-backup; after reconnecting, every event arrives exactly once and the job ends in
 * its true state.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AgentResilienceTest {
    private static final String PASSWORD = "resilience-password";
    private static Stack stack;
    private static Api admin;
    private static AgentProcess agent;
    private static String hostId;
    private static Path source;

    @BeforeAll
    static void start() throws Exception {
        stack = Stack.start("resilience", "rm.hub.heartbeat-interval-s=1", "rm.hub.offline-after-s=5");
        admin = Api.setupAdmin(stack, "admin", "resilience-admin-pw");
        source = stack.dataDir().resolve("big");
        Fleet.randomFiles(source, 24, 1024 * 1024, 7);
        agent = new AgentProcess(stack.dataDir().resolve("agent"), stack.logDir().resolve("agent.log"));
        hostId = Fleet.enrollWithRepo(stack, admin, agent, stack.dataDir().resolve("repo"), PASSWORD);
        assertThat(Fleet.runAndWait(admin, hostId, Map.of("kind", "init")).path("status").asText(), is("succeeded"));
    }

    @AfterAll
    static void stop() throws Exception {
        agent.close();
        stack.close();
    }

    @Test
    @Order(1)
    void connectionCutMidBackupLosesNothing() throws Exception {
        // 24 MiB at 3 MiB/s: about 8 s of backup
        String jobId = Fleet.run(admin, hostId, Map.of("kind", "backup", "paths", List.of(source.toString()),
                                                       "limit_upload_kib", 3072));
        Await.until(Duration.ofSeconds(20), "backup running with progress", () ->
                Fleet.seqs(admin, jobId).size() >= 3);
        stack.kill("agent-hub");
        Thread.sleep(2000); // an outage, not a blip: the agent's reconnects fail for 2 s while it keeps backing up
        stack.restart("agent-hub");

        JsonNode job = Fleet.awaitEnd(admin, jobId, Duration.ofSeconds(90));
        assertThat(job.toString(), job.path("status").asText(), is("succeeded"));
        assertThat(job.path("summary").path("files_new").asInt(), is(24));
        assertContiguous(Fleet.seqs(admin, jobId));
    }

    @Test
    @Order(2)
    void agentKilledMidBackupReportsTheTruthAfterRestart() throws Exception {
        // new data, so this backup uploads (and takes seconds) instead of deduplicating the first one's
        Path fresh = stack.dataDir().resolve("big-2");
        Fleet.randomFiles(fresh, 24, 1024 * 1024, 8);
        String jobId = Fleet.run(admin, hostId, Map.of("kind", "backup", "paths", List.of(fresh.toString()),
                                                       "limit_upload_kib", 2048, "tags", List.of("killed")));
        Await.until(Duration.ofSeconds(20), "backup running with progress", () ->
                Fleet.seqs(admin, jobId).size() >= 3);
        agent.kill();
        // restic is a child of the killed agent; let whatever it does finish or die, then start the agent again
        agent.start();
        JsonNode job = Fleet.awaitEnd(admin, jobId, Duration.ofSeconds(90));
        // the agent cannot know restic's result any more: it says so instead of guessing
        assertThat(job.toString(), job.path("status").asText(), is("failed"));
        assertThat(job.path("error").asText(), org.hamcrest.Matchers.containsString("agent restarted"));
        assertContiguous(Fleet.seqs(admin, jobId));
        Await.until(Duration.ofSeconds(20), "host online again", () ->
                "online".equals(admin.get("/api/hosts/" + hostId).json().path("status").asText()));
        // and the host keeps working
        String unlock = Fleet.run(admin, hostId, Map.of("kind", "unlock"));
        assertThat(Fleet.awaitEnd(admin, unlock, Duration.ofSeconds(60)).path("status").asText(), is("succeeded"));
    }

    private static void assertContiguous(List<Long> seqs) {
        assertThat(seqs.size(), greaterThan(2));
        assertThat("no gap and no duplicate in " + seqs, seqs, is(LongStream.rangeClosed(1, seqs.size()).boxed().toList()));
    }
}
