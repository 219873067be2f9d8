package io.resticmanager.agent;

import io.resticmanager.proto.Envelope;
import io.resticmanager.proto.JobParams;
import io.resticmanager.proto.JobStatus;
import io.resticmanager.proto.Message;
import io.resticmanager.proto.RepoAccess;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Restore and snapshot browsing against the real restic binary (0.14 here) and a real repository. */
class RestoreTest {
    @TempDir
    static Path dir;
    static Path repo;
    static Path src;
    static String snapshot;

    @BeforeAll
    static void backup() throws Exception {
        repo = TestRepo.create(dir);
        src = Files.createDirectories(dir.resolve("home/alice"));
        Files.createDirectories(src.resolve("docs/deep"));
        Files.writeString(src.resolve("notes.txt"), "remember the milk\n");
        Files.writeString(src.resolve("docs/a.txt"), "alpha");
        Files.writeString(src.resolve("docs/deep/b.txt"), "beta beta");
        Files.writeString(src.resolve("we*ird [1].txt"), "glob characters are literal");
        Files.writeString(src.resolve("we-ird 11.txt"), "must not match the pattern above");
        Files.createSymbolicLink(src.resolve("link"), Path.of("notes.txt"));
        Restic restic = TestRepo.wrapper(repo);
        BackupRunner backup = new BackupRunner();
        JobParams params = new JobParams(List.of(src.toString()), null, null, null, null, null, null, null, null, null,
                                         null, null);
        Outcome o = backup.run(restic, backup.args(params, restic.version()), new RecordingSink(), new Cancellation());
        assertThat(o.status(), is(JobStatus.SUCCEEDED));
        snapshot = (String) o.summary().get("snapshot_id");
    }

    private static JobParams restore(String target, String... include) {
        return new JobParams(null, null, null, null, null, null, null, snapshot, null, List.of(include), target, null);
    }

    private static Outcome run(RestoreRunner runner, JobParams params, RecordingSink sink) throws Exception {
        Restic restic = TestRepo.wrapper(repo);
        return runner.run(restic, runner.args(params, restic.version()), sink, new Cancellation());
    }

    @Test
    void aSubsetRestoresIntoADirectoryWithIdenticalContentAndNothingElse() throws Exception {
        Path target = dir.resolve("restore-subset");
        RecordingSink sink = new RecordingSink();
        Outcome o = run(new RestoreRunner(true), restore(target.toString(), src.resolve("docs").toString(),
                                                        src.resolve("we*ird [1].txt").toString()), sink);
        assertThat(sink.text(), o.status(), is(JobStatus.SUCCEEDED));
        Path back = target.resolve(src.toString().substring(1));
        assertThat(Files.readString(back.resolve("docs/a.txt")), is("alpha"));
        assertThat(Files.readString(back.resolve("docs/deep/b.txt")), is("beta beta"));
        assertThat(Files.readString(back.resolve("we*ird [1].txt")), is("glob characters are literal"));
        assertThat(Files.exists(back.resolve("notes.txt")), is(false));
        assertThat(Files.exists(back.resolve("we-ird 11.txt")), is(false));
        // restic 0.14 says nothing: the agent counted the restored files on disk
        assertThat(o.summary().get("files_restored"), is(3L));
        assertThat(o.summary().get("bytes_restored"), is((long) ("alpha" + "beta beta" + "glob characters are literal")
                .length()));
        assertThat(o.summary().get("target"), is(target.toString()));
        assertThat(sink.text(), containsString("progress is unknown"));
        assertThat(sink.text(), not(containsString("does not run as root")));
    }

    @Test
    void aDeletedFileComesBackToItsOriginalLocation() throws Exception {
        Path notes = src.resolve("notes.txt");
        Files.delete(notes);
        RecordingSink sink = new RecordingSink();
        RestoreRunner runner = new RestoreRunner(true);
        Outcome o = run(runner, restore("original", notes.toString()), sink);
        assertThat(sink.text(), o.status(), is(JobStatus.SUCCEEDED));
        assertThat(Files.readString(notes), is("remember the milk\n"));
        assertThat(o.summary().get("target"), is("/"));
        assertThat(o.summary().get("files_restored"), is(1L));
        assertThat(runner.args(restore("original", notes.toString()), TestRepo.restic().version().orElseThrow()),
                   contains("restore", "--target", "/", "--include", notes.toString(), "--", snapshot));
    }

    @Test
    void aNonRootAgentWarnsWhenTheSnapshotSaysThePathsAreRoots() throws Exception {
        // the test runs as root, so the snapshot's files belong to uid 0; a non-root agent must say so
        org.junit.jupiter.api.Assumptions.assumeTrue(HostInfo.current().runsAsRoot());
        RecordingSink sink = new RecordingSink();
        Outcome o = run(new RestoreRunner(false), restore(dir.resolve("restore-warn").toString(),
                                                          src.resolve("docs").toString()), sink);
        assertThat(o.status(), is(JobStatus.SUCCEEDED));
        assertThat(sink.text(), containsString("does not run as root"));
    }

    @Test
    void invalidParametersAreRefusedBeforeResticRuns() {
        RestoreRunner runner = new RestoreRunner(true);
        ResticVersion v014 = new ResticVersion(0, 14, 0);
        JobParams relative = new JobParams(null, null, null, null, null, null, null, snapshot, null, List.of("etc"),
                                           "original", null);
        assertThrows(IllegalArgumentException.class, () -> runner.args(relative, v014));
        JobParams badId = new JobParams(null, null, null, null, null, null, null, "--help", null, List.of("/etc"),
                                        "original", null);
        assertThrows(IllegalArgumentException.class, () -> runner.args(badId, v014));
        assertThrows(IllegalArgumentException.class, () -> runner.args(restore("tmp/x", "/etc"), v014));
        assertThrows(IllegalArgumentException.class, () -> runner.args(restore("original"), v014));
        // newer restic reports progress as JSON
        assertThat(runner.args(restore("/srv/r", "/etc"), new ResticVersion(0, 16, 0)), hasItem("--json"));
        assertThat(runner.args(restore("/srv/r", "/etc"), v014), not(hasItem("--json")));
    }

    @Test
    void aWindowsAgentRestoresIntoDriveAndUncDirectoriesALinuxOneRefusesThem() {
        ResticVersion v016 = new ResticVersion(0, 16, 0);
        RestoreRunner windows = new RestoreRunner(true, Platform.of("Windows Server 2022", Map.of()));
        assertThat(windows.args(restore("D:\\Restore", "/C/Users/alice"), v016),
                   contains("restore", "--json", "--target", "D:\\Restore", "--include", "/C/Users/alice", "--",
                            snapshot));
        assertThat(windows.args(restore("\\\\nas\\backups\\host-1", "/C/Users"), v016),
                   hasItem("\\\\nas\\backups\\host-1"));
        assertThrows(IllegalArgumentException.class, () -> windows.args(restore("C:Restore", "/C/Users"), v016));
        // restic would put C:\Users back as <target>\C\Users: "original" cannot be honoured there
        IllegalArgumentException original = assertThrows(IllegalArgumentException.class,
                () -> windows.args(restore("original", "/C/Users"), v016));
        assertThat(original.getMessage(), containsString("original location does not work on Windows hosts"));
        assertThrows(IllegalArgumentException.class,
                     () -> windows.args(restore("C:\\Restore\\..\\Windows", "/C/Users"), v016));
        // on Linux "C:\Restore" would be a relative directory restic makes wherever the agent runs
        RestoreRunner linux = new RestoreRunner(true, Platform.of("Linux", Map.of()));
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> linux.args(restore("C:\\Restore", "/C/Users"), v016));
        assertThat(refused.getMessage(), containsString("absolute directory of this linux host"));
        assertThrows(IllegalArgumentException.class, () -> linux.args(restore("/srv/../etc", "/etc"), v016));
    }

    private static Message.SnapshotLs ls(String path) {
        return new Message.SnapshotLs(new RepoAccess("r-1", repo.toString(), TestRepo.PASSWORD, Map.of()), snapshot, path);
    }

    @Test
    void browsingListsExactlyOneDirectoryLevel() {
        SnapshotBrowser browser = new SnapshotBrowser(TestRepo.restic());
        Message.SnapshotLsResult result = browser.list(ls(src.toString() + "/"));
        assertThat(result.error(), is(nullValue()));
        assertThat(result.path(), is(src.toString()));
        assertThat(result.entries().stream().map(Message.SnapshotEntry::name).toList(),
                   contains("docs", "link", "notes.txt", "we*ird [1].txt", "we-ird 11.txt"));
        Message.SnapshotEntry notes = result.entries().get(2);
        assertThat(notes.type(), is("file"));
        assertThat(notes.path(), is(src.resolve("notes.txt").toString()));
        assertThat(notes.size(), is(18L));
        assertThat(notes.mtime(), is(notNullValue()));
        assertThat(result.entries().get(0).type(), is("dir"));
        assertThat(result.entries().get(1).type(), is("symlink"));

        // the root shows the first component of the backed-up path, nothing deeper
        Message.SnapshotLsResult root = browser.list(ls("/"));
        assertThat(root.entries().stream().map(Message.SnapshotEntry::path).toList(),
                   contains("/" + dir.getName(0)));

        Message.SnapshotLsResult missing = browser.list(ls(src.resolve("nope").toString()));
        assertThat(missing.entries(), is(empty()));
        assertThat(missing.error(), containsString("no such path"));
    }

    @Test
    void aWrongPasswordIsAnErrorThatNeverContainsThePassword() {
        SnapshotBrowser browser = new SnapshotBrowser(TestRepo.restic());
        Message.SnapshotLsResult r = browser.list(new Message.SnapshotLs(
                new RepoAccess("r-1", repo.toString(), "wrong-password-123", Map.of()), snapshot, "/"));
        assertThat(r.error(), containsString("password"));
        assertThat(r.error(), not(containsString("wrong-password-123")));
    }

    @Test
    void theAgentAnswersSnapshotLsWithAReplyCorrelatedToTheRequest() throws Exception {
        AgentConfig config = new AgentConfig(URI.create("http://127.0.0.1:9"), "host-1", "rma_test_token",
                                             Optional.empty(), Optional.empty(), dir.resolve("spool"),
                                             OptionalInt.empty(), dir.resolve("agent.yaml"));
        Agent agent = new Agent(config, HostInfo.detect(), TestRepo.restic(),
                                new Backoff(Duration.ofMillis(50), Duration.ofMillis(300)));
        try {
            CompletableFuture<Envelope> reply = new CompletableFuture<>();
            Envelope request = Envelope.of(ls(src.resolve("docs").toString()));
            agent.received(request, e -> reply.complete(e));
            Envelope answer = reply.get(15, TimeUnit.SECONDS);
            assertThat(answer.corr(), is(request.id()));
            assertThat(answer.payload().toString(), answer.payload() instanceof Message.SnapshotLsResult, is(true));
            Message.SnapshotLsResult result = answer.payloadAs(Message.SnapshotLsResult.class);
            assertThat(result.entries().stream().map(Message.SnapshotEntry::name).toList(), contains("deep", "a.txt"));
        } finally {
            agent.stop(Duration.ofSeconds(1));
        }
    }
}
