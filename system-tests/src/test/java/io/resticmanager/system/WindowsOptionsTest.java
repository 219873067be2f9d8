package io.resticmanager.system;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

/**
 * The Windows-only job options on this Linux host, real agent and real restic: a VSS backup fails with the reason
 * before restic runs (restic here would reject the flag, and dropping it would back up without the snapshot asked
 * for), the same backup without VSS succeeds, and a restore into a Windows directory is refused by the agent.
 */
class WindowsOptionsTest {
    private static final String PASSWORD = "windows-options-password";
    private static final String VSS_REFUSED = "use_fs_snapshot (Windows VSS) works on Windows hosts only; this host "
            + "runs linux — edit the schedule";
    private static OneHost host;
    private static Stack stack;
    private static Api admin;
    private static String hostId;
    private static Path repo;
    private static Path source;

    @BeforeAll
    static void start() throws Exception {
        host = OneHost.start("windows-options", PASSWORD);
        stack = host.stack;
        admin = host.admin;
        hostId = host.hostId;
        repo = host.repo;
        source = stack.dataDir().resolve("src");
        Fleet.randomFiles(source, 3, 4096, 1);
    }

    @AfterAll
    static void stop() throws Exception {
        host.close();
    }

    @Test
    void aVssBackupFailsWithTheReasonOnLinuxAndTheSameBackupWithoutItSucceeds() throws Exception {
        // the API refuses a wrong type before any agent sees it
        assertThat(admin.post("/api/hosts/" + hostId + "/jobs", Map.of("kind", "backup", "paths",
                List.of(source.toString()), "use_fs_snapshot", "yes")).status(), is(400));

        int before = Restic.snapshots(repo, PASSWORD).size();
        JsonNode vss = Fleet.runAndWait(admin, hostId, Map.of("kind", "backup", "paths", List.of(source.toString()),
                                                              "use_fs_snapshot", true));
        assertThat(vss.toString(), vss.path("status").asText(), is("failed"));
        assertThat(vss.path("error").asText(), containsString(VSS_REFUSED));
        // the job log says it too, as "agent refused the job: …" and in the finished line
        assertThat(logText(vss.path("id").asText()), containsString("agent refused the job: invalid job parameters: "
                                                                    + VSS_REFUSED));
        // restic never ran: no command line of its own, no snapshot
        assertThat(vss.path("command_line").asText(""), not(containsString("--use-fs-snapshot")));
        assertThat(Restic.snapshots(repo, PASSWORD).size(), is(before));
        assertThat(Files.readString(stack.logDir().resolve("agent.log")), containsString(VSS_REFUSED));

        JsonNode plain = Fleet.runAndWait(admin, hostId, Map.of("kind", "backup", "paths", List.of(source.toString()),
                                                                "use_fs_snapshot", false));
        assertThat(plain.toString(), plain.path("status").asText(), is("succeeded"));
        assertThat(Restic.snapshots(repo, PASSWORD).size(), is(before + 1));

        // a schedule keeps the option and shows it, so the operator sees which schedule to edit
        JsonNode schedule = admin.post("/api/schedules", Map.of("host_id", hostId, "cron", "0 2 * * *", "kind",
                "backup", "paths", List.of(source.toString()), "use_fs_snapshot", true)).expect(201).json();
        assertThat(schedule.path("use_fs_snapshot").asBoolean(), is(true));
        JsonNode off = admin.patch("/api/schedules/" + schedule.path("id").asText(), Map.of("use_fs_snapshot", false))
                .expect(200).json();
        assertThat(off.path("use_fs_snapshot").asBoolean(), is(false));
    }

    @Test
    void aRestoreIntoAWindowsDirectoryIsAcceptedByTheServerAndRefusedByThisLinuxAgent() throws Exception {
        JsonNode backup = Fleet.runAndWait(admin, hostId, Map.of("kind", "backup", "paths", List.of(source.toString())));
        assertThat(backup.path("status").asText(), is("succeeded"));
        String snapshot = backup.path("summary").path("snapshot_id").asText();
        Await.until(Duration.ofSeconds(20), "snapshot listed", () -> admin.get("/api/hosts/" + hostId + "/snapshots")
                .json().path("items").toString().contains(snapshot));
        // the server cannot know the host's system, so it takes every absolute form; the agent knows
        JsonNode created = admin.post("/api/hosts/" + hostId + "/restores", Map.of("snapshot_id", snapshot,
                "paths", List.of(source.toString()), "target", "C:\\Restore")).expect(202).json();
        JsonNode job = Fleet.awaitEnd(admin, created.path("job_id").asText(), Duration.ofSeconds(60));
        assertThat(job.toString(), job.path("status").asText(), is("failed"));
        assertThat(job.path("error").asText(), containsString("absolute directory of this linux host, got: C:\\Restore"));
        // nothing was made in the agent's working directory (this JVM's): restic never saw the relative name
        assertThat(Files.exists(Path.of("C:\\Restore")), is(false));
        // traversal never reaches an agent at all
        assertThat(admin.post("/api/hosts/" + hostId + "/restores", Map.of("snapshot_id", snapshot,
                "paths", List.of(source.toString()), "target", "C:\\Restore\\..\\Windows")).status(), is(422));
    }

    private static String logText(String jobId) {
        List<String> lines = new ArrayList<>();
        admin.get("/api/jobs/" + jobId + "/logs").json().path("items").forEach(l -> lines.add(l.path("line").asText()));
        return String.join("\n", lines);
    }
}
