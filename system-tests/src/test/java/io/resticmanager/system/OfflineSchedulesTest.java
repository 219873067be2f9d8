package io.resticmanager.system;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;

/**
 * Backups keep running while the whole server is down: a real agent with an every-minute schedule runs its backup
 * with the in-memory credential lease while all five services are stopped; restarted mid-outage it has no lease
 * and its next run fails with a clear message. When the server is back, every run is there with its log, none
 * doubled, and the snapshot list equals restic's.
 */
// mostly waiting for cron minutes: runs beside the other classes (junit-platform.properties)
@Execution(ExecutionMode.CONCURRENT)
class OfflineSchedulesTest {
    private static final String PASSWORD = "offline-schedules-password";
    private static Stack stack;
    private static Api admin;
    private static AgentProcess agent;

    @BeforeAll
    static void start() {
        stack = Stack.start("offline-schedules");
        admin = Api.setupAdmin(stack, "admin", "offline-admin-password");
    }

    @AfterAll
    static void stop() throws Exception {
        if (agent != null) {
            agent.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void schedulesRunWhileTheServerIsDownAndEveryRunIsReportedWhenItReturns() throws Exception {
        Path repo = stack.dataDir().resolve("repo");
        Path source = Files.createDirectories(stack.dataDir().resolve("source"));
        Files.writeString(source.resolve("a.txt"), "offline ".repeat(500));
        Path log = stack.logDir().resolve("agent.log");
        Files.deleteIfExists(log); // what an earlier run wrote there must not satisfy this one
        agent = new AgentProcess(stack.dataDir().resolve("agent"), log);
        String hostId = Fleet.enrollWithRepo(stack, admin, agent, repo, PASSWORD);
        assertThat(Fleet.runAndWait(admin, hostId, Map.of("kind", "init")).path("status").asText(), is("succeeded"));
        String scheduleId = admin.post("/api/schedules", Map.of("host_id", hostId, "cron", "* * * * *",
                "timezone", "UTC", "kind", "backup", "paths", List.of(source.toString()), "tags", List.of("every-minute")))
                .expect(201).json().path("id").asText();
        Await.until(Duration.ofSeconds(30), "the lease at the agent", () -> read(log).contains("credential lease"));

        // the whole server goes away
        List<String> services = new ArrayList<>(Stack.SERVICES.keySet());
        for (String service : services) {
            stack.kill(service);
        }
        Instant downSince = Instant.now();
        int before = Restic.snapshots(repo, PASSWORD).size();
        Await.until(Duration.ofSeconds(120), "a backup run by the agent alone", () ->
                snapshots(repo) > before && read(log).contains("running schedule " + scheduleId));
        int offlineSnapshots = snapshots(repo);

        // restarted during the outage: the lease is gone with the process, and the next run says so
        agent.kill();
        int restartedAt = read(log).length();
        agent.start();
        Await.until(Duration.ofSeconds(120), "the lease-less run's failure", () ->
                read(log).substring(restartedAt).contains("schedule " + scheduleId + ": the server was unreachable "
                                                                  + "and this agent holds no valid credential"));
        assertThat(snapshots(repo), is(offlineSnapshots));

        // the server stays away for 2¼ minutes in all: at least two fires land strictly inside the outage
        long left = Duration.ofSeconds(135).minus(Duration.between(downSince, Instant.now())).toMillis();
        if (left > 0) {
            Thread.sleep(left);
        }
        Instant backAt = Instant.now();
        stack.restartAll(services);
        // every run is reported: the offline backup with its log, the failure with its reason
        JsonNode[] jobs = new JsonNode[1];
        Await.until(Duration.ofSeconds(90), "the offline runs reported", () -> {
            jobs[0] = admin.get("/api/jobs?host_id=" + hostId + "&limit=200").json().path("items");
            boolean ran = false;
            boolean refused = false;
            for (JsonNode j : jobs[0]) {
                String by = j.path("created_by").asText();
                ran |= by.contains("(offline)") && j.path("status").asText().equals("succeeded");
                refused |= by.contains("(offline)") && j.path("status").asText().equals("failed")
                        && j.path("error").asText().contains("holds no valid credential");
            }
            return ran && refused;
        });
        Set<Instant> slots = new HashSet<>();
        for (JsonNode j : jobs[0]) {
            if (scheduleId.equals(j.path("schedule_id").asText())) {
                assertThat("one job per fire: " + j, slots.add(Instant.parse(j.path("scheduled_for").asText())),
                           is(true));
            }
            if (j.path("created_by").asText().contains("(offline)") && j.path("status").asText().equals("succeeded")) {
                JsonNode lines = admin.get("/api/jobs/" + j.path("id").asText() + "/logs").json().path("items");
                assertThat(lines.size(), greaterThanOrEqualTo(2));
                assertThat(lines.toString(), containsString("job started"));
            }
        }
        // no fire of the outage is lost: every minute of it has its job (run, or failed for want of a lease)
        Instant minute = downSince.truncatedTo(java.time.temporal.ChronoUnit.MINUTES).plusSeconds(60);
        int minutes = 0;
        for (; minute.isBefore(backAt.minusSeconds(5)); minute = minute.plusSeconds(60)) {
            if (minute.isAfter(downSince.plusSeconds(5))) {
                assertThat("a job for the fire at " + minute + " in " + slots, slots.contains(minute), is(true));
                minutes++;
            }
        }
        assertThat(minutes, greaterThanOrEqualTo(2));
        assertThat(admin.delete("/api/schedules/" + scheduleId).status(), is(204));
        // the server's snapshot list is restic's
        Await.until(Duration.ofSeconds(60), "snapshot lists agree", () ->
                admin.get("/api/hosts/" + hostId + "/snapshots?limit=500").json().path("items").size() == snapshots(repo));
        assertThat(read(log).contains(PASSWORD), is(false));
    }

    private static int snapshots(Path repo) {
        try {
            return Restic.snapshots(repo, PASSWORD).size();
        } catch (Exception e) {
            return -1;
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            return "";
        }
    }
}
