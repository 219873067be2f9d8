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
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;

/**
 * 3-2-1 with real restic, a real agent and the real stack: one host backs up to a local repository and an off-site
 * one, side by side; a {@code copy} job makes the off-site repository hold the local one's snapshots without
 * reading the host's disk again; each repository's snapshots are listed and restorable; unlinking takes the
 * credential away.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MultiRepoTest {
    private static final String LOCAL_PASSWORD = "multi-repo-local-password";
    private static final String OFFSITE_PASSWORD = "multi-repo-offsite-password";
    private static Stack stack;
    private static Api admin;
    private static AgentProcess agent;
    private static String hostId;
    private static String local;
    private static String offsite;
    private static Path source;

    @BeforeAll
    static void start() throws Exception {
        stack = Stack.start("multi-repo");
        admin = Api.setupAdmin(stack, "admin", "multi-repo-admin-password");
        source = Files.createDirectories(stack.dataDir().resolve("source"));
        for (int i = 0; i < 20; i++) {
            Files.writeString(source.resolve("doc-" + i + ".txt"), ("document " + i + "\n").repeat(50));
        }
        agent = new AgentProcess(stack.dataDir().resolve("agent"), stack.logDir().resolve("agent.log"));
        hostId = Fleet.enrollWithRepo(stack, admin, agent, stack.dataDir().resolve("repo-local"), LOCAL_PASSWORD);
        local = admin.get("/api/hosts/" + hostId).json().path("repo_id").asText();
        offsite = admin.post("/api/repos", Map.of("name", "offsite", "url", stack.dataDir().resolve("repo-offsite")
                .toString(), "password", OFFSITE_PASSWORD)).expect(201).json().path("id").asText();
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
    @Order(1)
    void aSecondRepositoryIsOneCallAndThePrimaryStaysFirst() {
        JsonNode link = admin.post("/api/hosts/" + hostId + "/repos", Map.of("repo_id", offsite, "role", "off-site"))
                .expect(201).json();
        assertThat(link.path("role").asText(), is("off-site"));
        assertThat(link.path("primary").asBoolean(), is(false));
        JsonNode host = admin.get("/api/hosts/" + hostId).expect(200).json();
        assertThat(host.path("repo_id").asText(), is(local));
        assertThat(host.path("repos").size(), is(2));
        assertThat(host.path("repos").get(0).path("repo_id").asText(), is(local));
        assertThat(host.path("repos").get(0).path("role").asText(), is("primary"));
        assertThat(host.path("repos").get(1).path("repo_id").asText(), is(offsite));
        // a role is a short label; a repository that does not exist is refused
        assertThat(admin.post("/api/hosts/" + hostId + "/repos", Map.of("repo_id", offsite, "role", "Off Site!"))
                           .status(), is(422));
        assertThat(admin.post("/api/hosts/" + hostId + "/repos", Map.of("repo_id", "no-such-repo")).status(), is(422));
    }

    @Test
    @Order(2)
    void backupsGoToEachRepositorySideBySide() throws Exception {
        assertThat(Fleet.runAndWait(admin, hostId, Map.of("kind", "init")).path("status").asText(), is("succeeded"));
        assertThat(Fleet.runAndWait(admin, hostId, Map.of("kind", "init", "repo_id", offsite)).path("status").asText(),
                   is("succeeded"));
        // one job per repository at a time: these two do not wait for each other
        String toLocal = Fleet.run(admin, hostId, Map.of("kind", "backup", "paths", List.of(source.toString())));
        String toOffsite = Fleet.run(admin, hostId, Map.of("kind", "backup", "paths", List.of(source.toString()),
                                                           "repo_id", offsite, "tags", List.of("direct")));
        JsonNode a = Fleet.awaitEnd(admin, toLocal, Duration.ofSeconds(90));
        JsonNode b = Fleet.awaitEnd(admin, toOffsite, Duration.ofSeconds(90));
        assertThat(a.toString(), a.path("status").asText(), is("succeeded"));
        assertThat(b.toString(), b.path("status").asText(), is("succeeded"));
        assertThat(a.path("repo_id").asText(), is(local));
        assertThat(b.path("repo_id").asText(), is(offsite));
        assertThat(Restic.snapshots(stack.dataDir().resolve("repo-local"), LOCAL_PASSWORD).size(), is(1));
        assertThat(Restic.snapshots(stack.dataDir().resolve("repo-offsite"), OFFSITE_PASSWORD).size(), is(1));
    }

    @Test
    @Order(3)
    void aCopyJobMakesTheOffsiteRepositoryHoldTheLocalSnapshots() throws Exception {
        JsonNode copy = Fleet.runAndWait(admin, hostId, Map.of("kind", "copy", "repo_id", offsite));
        assertThat(copy.toString(), copy.path("status").asText(), is("succeeded"));
        assertThat(copy.path("summary").path("snapshots_copied").asInt(), is(1));
        assertThat(copy.path("summary").path("bytes_added").asLong(), greaterThanOrEqualTo(1L));
        assertThat(copy.path("command_line").asText(), containsString("restic copy"));
        assertThat(copy.path("command_line").asText().contains(LOCAL_PASSWORD), is(false));
        JsonNode offsiteSnapshots = Restic.snapshots(stack.dataDir().resolve("repo-offsite"), OFFSITE_PASSWORD);
        assertThat(offsiteSnapshots.size(), is(2));
        // a second copy (named as the API documents it) has nothing new to copy
        JsonNode again = Fleet.runAndWait(admin, hostId, Map.of("kind", "copy", "from_repo_id", local,
                                                                "to_repo_id", offsite));
        assertThat(again.path("summary").path("snapshots_copied").asInt(), is(0));
        assertThat(again.path("summary").path("snapshots_skipped").asInt(), is(1));
        // a copy onto itself is refused before it is queued
        assertThat(admin.post("/api/hosts/" + hostId + "/jobs", Map.of("kind", "copy", "repo_id", local)).status(),
                   is(422));
    }

    @Test
    @Order(4)
    void eachRepositoryListsItsOwnSnapshotsAndEitherRestores() throws Exception {
        Await.until(Duration.ofSeconds(20), "snapshot lists reported", () ->
                admin.get("/api/hosts/" + hostId + "/snapshots?repo_id=" + offsite).json().path("items").size() == 2
                        && admin.get("/api/hosts/" + hostId + "/snapshots").json().path("items").size() == 1);
        assertThat(admin.get("/api/hosts/" + hostId + "/snapshots?repo_id=no-such").status(), is(404));
        JsonNode host = admin.get("/api/hosts/" + hostId).json();
        assertThat(host.path("repos").get(1).path("snapshot_count").asInt(), is(2));
        // each link shows its own newest backup and copy
        Await.until(Duration.ofSeconds(20), "per-repository results", () -> {
            JsonNode links = admin.get("/api/hosts/" + hostId).json().path("repos");
            return "succeeded".equals(links.get(1).path("last_copy").path("status").asText())
                    && "succeeded".equals(links.get(1).path("last_backup").path("status").asText())
                    && "succeeded".equals(links.get(0).path("last_backup").path("status").asText())
                    && links.get(0).path("last_copy").isNull();
        });

        // restore the snapshot that exists only off-site (the direct backup, tagged "direct")
        String onlyOffsite = null;
        for (JsonNode s : admin.get("/api/hosts/" + hostId + "/snapshots?repo_id=" + offsite).json().path("items")) {
            if (s.path("tags").toString().contains("direct")) {
                onlyOffsite = s.path("id").asText();
            }
        }
        Path into = stack.dataDir().resolve("restored-from-offsite");
        JsonNode created = admin.post("/api/hosts/" + hostId + "/restores", Map.of("snapshot_id", onlyOffsite,
                "paths", List.of(source.toString()), "target", into.toString())).expect(202).json();
        assertThat(created.path("repo_id").asText(), is(offsite));
        JsonNode restore = Fleet.awaitEnd(admin, created.path("job_id").asText(), Duration.ofSeconds(90));
        assertThat(restore.toString(), restore.path("status").asText(), is("succeeded"));
        Path restored = into.resolve(source.toString().substring(1)).resolve("doc-7.txt");
        assertThat(Files.readString(restored), is(Files.readString(source.resolve("doc-7.txt"))));
    }

    @Test
    @Order(5)
    void aScheduleBacksUpIntoTheRepositoryItNames() throws Exception {
        String scheduleId = admin.post("/api/schedules", Map.of("host_id", hostId, "cron", "* * * * *",
                "timezone", "UTC", "kind", "backup", "paths", List.of(source.toString()), "tags", List.of("scheduled"),
                "repo_id", offsite)).expect(201).json().path("id").asText();
        JsonNode[] job = new JsonNode[1];
        Await.until(Duration.ofSeconds(150), "a scheduled backup into the off-site repository", () -> {
            for (JsonNode j : admin.get("/api/jobs?host_id=" + hostId + "&limit=50").json().path("items")) {
                if (scheduleId.equals(j.path("schedule_id").asText())
                        && "succeeded".equals(j.path("status").asText())) {
                    job[0] = j;
                    return true;
                }
            }
            return false;
        });
        assertThat(job[0].path("repo_id").asText(), is(offsite));
        assertThat(admin.delete("/api/schedules/" + scheduleId).status(), is(204));
        JsonNode offsiteSnapshots = Restic.snapshots(stack.dataDir().resolve("repo-offsite"), OFFSITE_PASSWORD);
        assertThat(offsiteSnapshots.toString(), containsString("scheduled"));
    }

    @Test
    @Order(6)
    void unlinkingARepositoryTakesItsCredentialAway() {
        assertThat(admin.delete("/api/hosts/" + hostId + "/repos/" + offsite).status(), is(204));
        Api.Reply refused = admin.post("/api/hosts/" + hostId + "/jobs", Map.of("kind", "snapshots", "repo_id", offsite));
        assertThat(refused.body(), refused.status(), is(409));
        assertThat(admin.get("/api/hosts/" + hostId).json().path("repos").size(), is(1));
        // the repository itself can go now that no host uses it
        assertThat(admin.delete("/api/repos/" + offsite).status(), is(204));
    }
}
