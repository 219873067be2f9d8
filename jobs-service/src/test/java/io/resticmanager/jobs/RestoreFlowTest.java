package io.resticmanager.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpServer;
import io.resticmanager.proto.JobStatus;
import io.resticmanager.proto.Message;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.List;
import java.util.Map;

import static io.resticmanager.jobs.TestSupport.OPERATOR;
import static io.resticmanager.jobs.TestSupport.VIEWER;
import static io.resticmanager.jobs.TestSupport.ack;
import static org.awaitility.Awaitility.await;
import static io.resticmanager.jobs.TestSupport.backup;
import static io.resticmanager.jobs.TestSupport.event;
import static io.resticmanager.jobs.TestSupport.host;
import static io.resticmanager.jobs.TestSupport.offline;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

/** {@code POST /api/hosts/{id}/restores} against a real server and stub hub/inventory servers. */
@ServerTest
class RestoreFlowTest {
    private static final String SNAP = "0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9";
    private static TestSupport.Stack stack;
    private final TestSupport.Api api;

    RestoreFlowTest(URI uri) {
        this.api = TestSupport.Api.create(uri);
    }

    @SetUpServer
    static void server(WebServerConfig.Builder server) throws Exception {
        stack = TestSupport.Stack.serve(server, "jobs-restore");
    }

    @AfterAll
    static void stop() {
        stack.close();
    }

    private String hostWithSnapshot() {
        String host = host();
        stack.inventory.host(host, "repo-" + host);
        stack.inventory.snapshots.add(host + "/" + SNAP);
        return host;
    }

    private TestSupport.Api.Reply restore(String host, Object body) {
        return api.post("/api/hosts/" + host + "/restores", TestSupport.ADMIN, body);
    }

    @Test
    void aRestoreToTheOriginalLocationRunsOnTheHostWithItsOwnRepository() {
        String host = hostWithSnapshot();
        TestSupport.Api.Reply r = restore(host, Map.of("snapshot_id", "0A1B2C3D", "paths", List.of("/home/alice/notes.txt"),
                                                       "target", "original"));
        assertThat(r.body().toString(), r.status(), is(202));
        String jobId = r.body().path("job_id").asText();
        assertThat(r.body().path("source_host_id").asText(), is(host));
        assertThat(r.body().path("target_host_id").asText(), is(host));
        assertThat(r.header("X-RM-Audit-Action"), is("job.restore"));

        await("job.start").until(() -> !stack.hub.starts(jobId).isEmpty());
        Stubs.Hub.Command start = stack.hub.starts(jobId).getFirst();
        assertThat(start.hostId(), is(host));
        assertThat(start.payload().path("kind").asText(), is("restore"));
        assertThat(start.payload().at("/repo/repo_id").asText(), is("repo-" + host));
        assertThat(start.payload().at("/params/snapshot_id").asText(), is("0a1b2c3d"));
        assertThat(start.payload().at("/params/include/0").asText(), is("/home/alice/notes.txt"));
        assertThat(start.payload().at("/params/target").asText(), is("original"));
        // restore only reads: the backup credential, never the prune one
        assertThat(stack.inventory.accesses.stream().filter(a -> a.hostId().equals(host)).map(Stubs.Inventory.Access::purpose)
                           .distinct().toList(), contains("backup"));

        JsonNode job = api.job(jobId);
        assertThat(job.path("kind").asText(), is("restore"));
        assertThat(job.path("host_id").asText(), is(host));
        assertThat(job.path("repo_id").asText(), is("repo-" + host));
    }

    @Test
    void aCrossHostRestoreRunsOnTheTargetWithTheSourceRepositoryForThatJobOnly() {
        String source = hostWithSnapshot();
        String target = host();
        stack.inventory.host(target, "repo-" + target);
        TestSupport.Api.Reply r = restore(source, Map.of("snapshot_id", SNAP, "paths", List.of("/etc/nginx", "/srv/www/"),
                                                         "target", "/var/tmp/restore", "target_host_id", target));
        assertThat(r.body().toString(), r.status(), is(202));
        String jobId = r.body().path("job_id").asText();
        assertThat(r.body().path("repo_id").asText(), is("repo-" + source));

        await("job.start").until(() -> !stack.hub.starts(jobId).isEmpty());
        Stubs.Hub.Command start = stack.hub.starts(jobId).getFirst();
        assertThat(start.hostId(), is(target));
        assertThat(start.payload().at("/repo/repo_id").asText(), is("repo-" + source));
        assertThat(start.payload().at("/repo/password").asText(), is("pw-repo-" + source + "-SECRET"));
        assertThat(start.payload().at("/params/include").toString(), is("[\"/etc/nginx\",\"/srv/www\"]"));
        assertThat(start.payload().at("/params/target").asText(), is("/var/tmp/restore"));
        // the target's own repository was never asked for
        assertThat(stack.inventory.accesses.stream().filter(a -> a.hostId().equals(target)).toList(), hasSize(0));

        JsonNode job = api.job(jobId);
        assertThat(job.path("host_id").asText(), is(target));
        assertThat(job.toString(), not(containsString("SECRET")));

        // the finished job says whose repository it read
        api.events(ack(target, jobId, 1), event(target, "job.finished", new Message.JobFinished(
                jobId, 2, JobStatus.SUCCEEDED, 0, Map.of("files_restored", 3), null, java.time.Instant.now())));
        await("finished").until(() -> api.status(jobId).equals("succeeded"));
        JsonNode done = api.job(jobId);
        assertThat(done.at("/summary/files_restored").asInt(), is(3));
        assertThat(done.at("/summary/source_host_id").asText(), is(source));
        assertThat(done.at("/summary/source_repo_id").asText(), is("repo-" + source));
        assertThat(done.at("/summary/cross_host").asBoolean(), is(true));
    }

    @Test
    void aRestoreWaitsForTheSourceRepositoryNotTheTargets() {
        String source = hostWithSnapshot();
        String target = host();
        stack.inventory.host(target, "repo-" + target);
        String backupId = api.runNow(source, backup("/etc"));
        await("backup started").until(() -> !stack.hub.starts(backupId).isEmpty());
        api.events(ack(source, backupId, 1));
        await("backup running").until(() -> api.status(backupId).equals("running"));

        String jobId = restore(source, Map.of("snapshot_id", SNAP, "paths", List.of("/etc"), "target", "/restore",
                                              "target_host_id", target)).body().path("job_id").asText();
        await("queued behind the backup").until(() -> Dispatcher.REPO_BUSY.equals(api.job(jobId).path("queued_reason")
                                                                                  .asText()));
        assertThat(stack.hub.starts(jobId), hasSize(0));
        // a backup on the TARGET's own repository does not hold it up
        String targetBackup = api.runNow(target, backup("/data"));
        await("target backup started").until(() -> !stack.hub.starts(targetBackup).isEmpty());
        assertThat(stack.hub.starts(jobId), hasSize(0));

        api.events(event(source, "job.finished", new Message.JobFinished(backupId, 2, JobStatus.SUCCEEDED, 0, Map.of(),
                                                                           null, java.time.Instant.now())));
        await("restore started after the backup").until(() -> !stack.hub.starts(jobId).isEmpty());
    }

    @Test
    void aWindowsHostRestoresIntoADriveOrUncDirectoryFromItsSlashDrivePaths() {
        String host = hostWithSnapshot();
        // restic lists a Windows snapshot's files as /C/Users/…: POSIX-absolute, taken as they are
        TestSupport.Api.Reply r = restore(host, Map.of("snapshot_id", SNAP, "paths", List.of("/C/Users/alice/Documents"),
                                                       "target", "D:\\Restore\\"));
        assertThat(r.body().toString(), r.status(), is(202));
        String jobId = r.body().path("job_id").asText();
        await("job.start").until(() -> !stack.hub.starts(jobId).isEmpty());
        Stubs.Hub.Command start = stack.hub.starts(jobId).getFirst();
        assertThat(start.payload().at("/params/include").toString(), is("[\"/C/Users/alice/Documents\"]"));
        assertThat(start.payload().at("/params/target").asText(), is("D:\\Restore"));
        finish(host, jobId);

        for (String target : List.of("C:\\", "c:/restore/today", "\\\\nas\\backups\\host-1")) {
            TestSupport.Api.Reply accepted = restore(host, Map.of("snapshot_id", SNAP, "paths", List.of("/C/Users"),
                                                                  "target", target));
            assertThat(target, accepted.status(), is(202));
            String id = accepted.body().path("job_id").asText();
            await("job.start " + target).until(() -> !stack.hub.starts(id).isEmpty());
            assertThat(stack.hub.starts(id).getFirst().payload().at("/params/target").asText(), is(target));
            // one restore at a time on the repository: the next waits for this one
            finish(host, id);
        }
    }

    private void finish(String host, String jobId) {
        api.events(ack(host, jobId, 1), event(host, "job.finished", new Message.JobFinished(
                jobId, 2, JobStatus.SUCCEEDED, 0, Map.of(), null, java.time.Instant.now())));
        await("finished " + jobId).until(() -> api.status(jobId).equals("succeeded"));
    }

    @Test
    void windowsTargetsThatAreRelativeTraverseOrNameADeviceAreRefused() {
        String host = hostWithSnapshot();
        Map<String, Object> ok = Map.of("snapshot_id", SNAP, "paths", List.of("/C/Users"), "target", "C:\\Restore");
        for (String bad : List.of("C:Restore", "C:", "\\Restore", "C:\\Restore\\..\\Windows", "C:/Restore/../Windows",
                                  "\\\\?\\C:\\Restore", "\\\\.\\pipe\\x", "\\\\nas", "C:\\a\u0000b")) {
            TestSupport.Api.Reply refused = restore(host, with(ok, "target", bad));
            assertThat(bad, refused.status(), is(422));
            assertThat(refused.body().path("detail").asText(), containsString("target must be \"original\" or an "
                                                                                      + "absolute path"));
        }
        // a path in the snapshot is restic's, always with '/': a drive path names nothing there
        TestSupport.Api.Reply drivePath = restore(host, with(ok, "paths", List.of("C:\\Users\\alice")));
        assertThat(drivePath.status(), is(422));
        assertThat(drivePath.body().path("detail").asText(), containsString("/C/Users on Windows"));
        // operators keep their restore roots: a Windows directory is not under them
        assertThat(api.post("/api/hosts/" + host + "/restores", OPERATOR, ok).status(), is(403));
    }

    @Test
    void invalidRequestsAreRefusedWithClearProblems() {
        String host = hostWithSnapshot();
        Map<String, Object> ok = Map.of("snapshot_id", SNAP, "paths", List.of("/etc"), "target", "original");
        assertThat(restore(host, with(ok, "snapshot_id", "xyz")).status(), is(422));
        assertThat(restore(host, with(ok, "snapshot_id", "0a1b2c3")).status(), is(422));
        assertThat(restore(host, with(ok, "snapshot_id", "0".repeat(65))).status(), is(422));
        assertThat(restore(host, with(ok, "paths", List.of())).status(), is(422));
        assertThat(restore(host, with(ok, "paths", List.of("etc/passwd"))).status(), is(422));
        assertThat(restore(host, with(ok, "paths", List.of("/etc/../root"))).status(), is(422));
        assertThat(restore(host, with(ok, "paths", "/etc")).status(), is(400));
        assertThat(restore(host, with(ok, "target", "relative/dir")).status(), is(422));
        assertThat(restore(host, with(ok, "target", 5)).status(), is(400));
        TestSupport.Api.Reply unknownSnapshot = restore(host, with(ok, "snapshot_id", "ffffffff"));
        assertThat(unknownSnapshot.status(), is(404));
        assertThat(unknownSnapshot.body().path("detail").asText(), containsString("no snapshot ffffffff"));
        assertThat(restore(host, with(ok, "target_host_id", "no-such-host")).status(), is(422));
        assertThat(restore("unknown-host", ok).status(), is(404));
        String bare = host();
        stack.inventory.withoutRepo.add(bare);
        assertThat(restore(bare, ok).status(), is(409));
        assertThat(api.post("/api/hosts/" + host + "/restores", VIEWER, ok).status(), is(403));
        // restore is not a run-now kind
        assertThat(api.post("/api/hosts/" + host + "/jobs", OPERATOR, Map.of("kind", "restore")).status(), is(422));
    }

    @Test
    void operatorsRestoreOnlyIntoTheRestoreRootOfTheSameHost() {
        String host = hostWithSnapshot();
        String other = host();
        stack.inventory.host(other, "repo-" + other);
        Map<String, Object> base = Map.of("snapshot_id", SNAP, "paths", List.of("/etc"));
        // over /etc as root, into a system directory, onto another host: admins only
        TestSupport.Api.Reply original = api.post("/api/hosts/" + host + "/restores", OPERATOR, with(base, "target",
                                                                                                     "original"));
        assertThat(original.status(), is(403));
        assertThat(original.body().path("detail").asText(), containsString("admins only"));
        assertThat(api.post("/api/hosts/" + host + "/restores", OPERATOR, with(base, "target", "/etc")).status(),
                   is(403));
        assertThat(api.post("/api/hosts/" + host + "/restores", OPERATOR,
                            with(base, "target", "/var/lib/restic-manager-agent/restores-evil")).status(), is(403));
        Map<String, Object> cross = new java.util.HashMap<>(with(base, "target", "/var/lib/restic-manager-agent/restores/x"));
        cross.put("target_host_id", other);
        assertThat(api.post("/api/hosts/" + host + "/restores", OPERATOR, cross).status(), is(403));
        assertThat(stack.hub.commands(other, "job.start"), hasSize(0));
        // what operators may do
        TestSupport.Api.Reply ok = api.post("/api/hosts/" + host + "/restores", OPERATOR,
                                            with(base, "target", "/var/lib/restic-manager-agent/restores/today"));
        assertThat(ok.body().toString(), ok.status(), is(202));
    }

    @Test
    void aRestoreToAnOfflineTargetQueuesWithAClearReason() {
        String source = hostWithSnapshot();
        String target = host();
        stack.inventory.host(target, "repo-" + target);
        api.events(offline(target));
        stack.hub.offline.add(target);
        TestSupport.Api.Reply r = restore(source, Map.of("snapshot_id", SNAP, "paths", List.of("/etc"),
                                                         "target_host_id", target));
        assertThat(r.status(), is(202));
        assertThat(r.body().path("queued_reason").asText(), is(Dispatcher.HOST_OFFLINE));
    }

    private static Map<String, Object> with(Map<String, Object> base, String key, Object value) {
        Map<String, Object> m = new java.util.HashMap<>(base);
        m.put(key, value);
        return m;
    }
}
