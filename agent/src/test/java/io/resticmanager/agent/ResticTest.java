package io.resticmanager.agent;

import io.resticmanager.proto.JobParams;
import io.resticmanager.proto.JobStatus;
import io.resticmanager.proto.RetentionPolicy;
import io.resticmanager.proto.SnapshotInfo;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

/** The wrapper and runners against the real restic binary and one real repository. */
class ResticTest {
    @TempDir
    static Path dir;
    static Path repo;
    static Path data;

    @BeforeAll
    static void setUp() throws Exception {
        repo = TestRepo.create(dir);
        data = TestRepo.data(dir, "data", 3, 2_000);
    }

    private static JobParams backupParams(List<String> paths, List<String> tags) {
        return new JobParams(paths, List.of("*.tmp"), tags, null, null, null, null, null, null, null, null, null);
    }

    private static Outcome run(Runner runner, Restic restic, JobParams params, RecordingSink sink) throws Exception {
        return runner.run(restic, runner.args(params, restic.version()), sink, new Cancellation());
    }

    @Test
    void backupThenSnapshotsForgetAndStatsParseRealOutput() throws Exception {
        Restic restic = TestRepo.wrapper(repo);
        RecordingSink sink = new RecordingSink();
        Outcome first = run(new BackupRunner(), restic, backupParams(List.of(data.toString()), List.of("nightly")), sink);
        assertThat(sink.text(), first.status(), is(JobStatus.SUCCEEDED));
        assertThat(first.exitCode(), is(0));
        assertThat(first.summary().get("files_new"), is(3L));
        assertThat(first.summary().get("total_files_processed"), is(3L));
        assertThat((Long) first.summary().get("data_added"), greaterThan(0L));
        assertThat(first.summary(), hasKey("total_duration"));
        assertThat((String) first.summary().get("snapshot_id"), not(equalTo("")));
        assertThat(sink.progress.isEmpty(), is(false));

        Outcome second = run(new BackupRunner(), restic, backupParams(List.of(data.toString()), List.of("nightly")),
                             new RecordingSink());
        assertThat(second.summary().get("files_unmodified"), is(3L));
        assertThat(second.summary().get("files_new"), is(0L));

        Outcome list = run(new SnapshotsRunner(), restic, JobParams.empty(), new RecordingSink());
        List<SnapshotInfo> snapshots = list.snapshots().orElseThrow();
        assertThat(snapshots.size(), greaterThanOrEqualTo(2));
        assertThat(snapshots.stream().map(SnapshotInfo::shortId).toList(),
                   hasItem((String) second.summary().get("snapshot_id")));
        SnapshotInfo s = snapshots.getLast();
        assertThat(s.paths(), hasItem(data.toString()));
        assertThat(s.tags(), hasItem("nightly"));
        assertThat(s.id().length(), is(64));

        RetentionPolicy keepOne = new RetentionPolicy(1, null, null, null, null, null, null, null, false);
        JobParams forgetParams = new JobParams(null, null, List.of("nightly"), null, null, keepOne, null, null, null,
                                               null, null, null);
        Outcome forget = run(new ForgetRunner(), restic, forgetParams, new RecordingSink());
        assertThat(forget.status(), is(JobStatus.SUCCEEDED));
        assertThat(forget.summary().get("kept"), is(1));
        assertThat((Integer) forget.summary().get("removed"), greaterThanOrEqualTo(1));
        assertThat(String.valueOf(forget.summary().get("kept_ids")),
                   containsString((String) second.summary().get("snapshot_id")));

        Outcome stats = run(new StatsRunner(), restic, JobParams.empty(), new RecordingSink());
        assertThat(stats.status(), is(JobStatus.SUCCEEDED));
        assertThat((Long) stats.summary().get("total_size"), greaterThanOrEqualTo(6_000L));
        assertThat(stats.summary(), hasKey("snapshots_count"));
        assertThat(stats.summary(), hasKey("raw_data_size"));
        assertThat(stats.summary(), hasKey("dedup_ratio"));
    }

    @Test
    void forgetWithPruneParsesTheJsonThenLogsThePruneText() throws Exception {
        Restic restic = TestRepo.wrapper(repo);
        for (int i = 0; i < 2; i++) {
            run(new BackupRunner(), restic, backupParams(List.of(data.toString()), List.of("prune-me")),
                new RecordingSink());
        }
        RetentionPolicy policy = new RetentionPolicy(1, null, null, null, null, null, null, null, true);
        JobParams params = new JobParams(null, null, List.of("prune-me"), null, null, policy, null, null, null, null,
                                         null, null);
        assertThat(new ForgetRunner().args(params, restic.version()), hasItem("--prune"));
        RecordingSink sink = new RecordingSink();
        Outcome o = run(new ForgetRunner(), restic, params, sink);
        assertThat(sink.text(), o.status(), is(JobStatus.SUCCEEDED));
        assertThat(o.summary().get("kept"), is(1));
        assertThat(o.summary().get("removed"), is(1));
        // restic 0.14 follows the JSON array with the prune's plain text
        assertThat(sink.text(), containsString("stdout: "));
    }

    @Test
    void wrongPasswordFailsWithAClearError() throws Exception {
        Jobs.ResticSetup setup = TestRepo.restic();
        Restic wrong = new Restic(setup.binary().orElseThrow(), setup.version().orElseThrow(), repo.toString(),
                                  "not-the-password", Map.of());
        Outcome o = run(new SnapshotsRunner(), wrong, JobParams.empty(), new RecordingSink());
        assertThat(o.status(), is(JobStatus.FAILED));
        assertThat(o.exitCode(), is(setup.version().get().hasDetailedExitCodes() ? 12 : 1));
        assertThat(o.error().orElseThrow(), containsString("wrong repository password"));
        assertThat(o.error().orElseThrow(), not(containsString("not-the-password")));
    }

    @Test
    void missingRepositoryIsReportedAsSuch() throws Exception {
        Restic restic = TestRepo.wrapper(dir.resolve("no-such-repo"));
        Outcome o = run(new SnapshotsRunner(), restic, JobParams.empty(), new RecordingSink());
        assertThat(o.status(), is(JobStatus.FAILED));
        assertThat(o.error().orElseThrow(), containsString("repository does not exist"));
    }

    @Test
    void missingSourcePathFails() throws Exception {
        Restic restic = TestRepo.wrapper(repo);
        RecordingSink sink = new RecordingSink();
        Outcome o = run(new BackupRunner(), restic, backupParams(List.of(dir.resolve("missing").toString()), List.of()),
                        sink);
        assertThat(o.status(), is(JobStatus.FAILED));
        assertThat(o.exitCode(), is(1));
        assertThat(o.error().orElseThrow(), containsString("do not exist"));
        assertThat(sink.text(), containsString("stderr: "));
    }

    @Test
    void initOnAnExistingRepositoryIsAlreadyExistedNotAFailure() throws Exception {
        Outcome o = run(new InitRunner(), TestRepo.wrapper(repo), JobParams.empty(), new RecordingSink());
        assertThat(o.status(), is(JobStatus.SUCCEEDED));
        assertThat(o.summary().get("already_existed"), is(true));
    }

    @Test
    void checkAndUnlockSucceedOnAHealthyRepository() throws Exception {
        Restic restic = TestRepo.wrapper(repo);
        RecordingSink sink = new RecordingSink();
        JobParams params = new JobParams(null, null, null, null, null, null, "1/10", null, null, null, null, null);
        assertThat(new CheckRunner().args(params, restic.version()), hasItem("--read-data-subset=1/10"));
        Outcome check = run(new CheckRunner(), restic, params, sink);
        assertThat(sink.text(), check.status(), is(JobStatus.SUCCEEDED));
        assertThat(check.summary().get("errors_found"), is(false));
        assertThat(run(new UnlockRunner(), restic, JobParams.empty(), new RecordingSink()).status(),
                   is(JobStatus.SUCCEEDED));
    }

    @Test
    void secretsStayOutOfTheCommandLineAndInheritedPasswordSourcesAreRemoved() {
        Jobs.ResticSetup setup = TestRepo.restic();
        Restic restic = new Restic(setup.binary().orElseThrow(), setup.version().orElseThrow(),
                                   "rest:https://backup:s3cr3t-pass@rest.example.com/host1", "repo-password-xyz",
                                   Map.of("RESTIC_REST_PASSWORD", "aws-secret-value"));
        List<String> args = new BackupRunner().args(new JobParams(List.of("/data"), null, List.of("x"), 100, null,
                                                                  null, null, null, null, null, null, null),
                                                    restic.version());
        String argv = String.join(" ", restic.argv(args));
        for (String secret : List.of("s3cr3t-pass", "repo-password-xyz", "aws-secret-value")) {
            assertThat(argv, not(containsString(secret)));
        }
        assertThat(restic.commandLine(args), is("restic backup --json --host " + HostInfo.current().hostname()
                + " --tag x --limit-upload 100 -- /data"));
        assertThat(restic.redactedRepo(), is("rest:https://***@rest.example.com/host1"));
        // every other kind gets the limits as restic's global flags, before any "--"
        JobParams limited = JobParams.empty().withLimits(64, 512);
        Runner check = new CheckRunner();
        assertThat(String.join(" ", Runner.withBandwidthLimits(check, check.args(limited, restic.version()), limited)),
                   startsWith("check --limit-upload 64 --limit-download 512"));
        Runner unlock = new UnlockRunner();
        assertThat(Runner.withBandwidthLimits(unlock, unlock.args(JobParams.empty(), restic.version()),
                                              JobParams.empty()), is(unlock.args(JobParams.empty(), restic.version())));

        Map<String, String> env = restic.environment(Map.of("RESTIC_PASSWORD_FILE", "/etc/pw",
                                                            "RESTIC_PASSWORD_COMMAND", "cat /etc/pw",
                                                            "RESTIC_REPOSITORY_FILE", "/etc/repo", "PATH", "/usr/bin"));
        assertThat(env.get("RESTIC_PASSWORD"), is("repo-password-xyz"));
        assertThat(env.get("RESTIC_REPOSITORY"), startsWith("rest:https://backup:"));
        assertThat(env.get("RESTIC_REST_PASSWORD"), is("aws-secret-value"));
        assertThat(env.get("PATH"), is("/usr/bin"));
        assertThat(env.keySet(), everyItem(not(equalTo("RESTIC_PASSWORD_FILE"))));
        assertThat(env, not(hasKey("RESTIC_PASSWORD_COMMAND")));
        assertThat(env, not(hasKey("RESTIC_REPOSITORY_FILE")));
        assertThat(restic.redactor().apply("Fatal: open rest:https://backup:s3cr3t-pass@rest.example.com/host1: "
                                                   + "aws-secret-value"),
                   is("Fatal: open rest:https://***@rest.example.com/host1: ***"));
    }

    @Test
    void versionIsDetectedFromTheBinary() {
        ResticVersion v = TestRepo.restic().version().orElseThrow();
        assertThat(v.atLeast(0, 9), is(true));
        assertThat(ResticVersion.parse("restic 0.14.0 compiled with go1.19.8 on linux/amd64").orElseThrow(),
                   is(new ResticVersion(0, 14, 0)));
        assertThat(ResticVersion.parse("restic 0.17.3 compiled with go1.23").orElseThrow().hasDetailedExitCodes(),
                   is(true));
        assertThat(ResticVersion.parse("bash: restic: not found").isPresent(), is(false));
        assertThat(Files.exists(repo.resolve("config")), is(true));
    }

    @Test
    void vssIsAskedOfResticOnWindowsAndRefusedWithTheReasonElsewhere() {
        JobParams vss = new JobParams(List.of("C:\\Users", "D:\\Data"), null, null, 100, null, null, null, null,
                                      null, null, null, null).withFsSnapshot(true);
        ResticVersion version = new ResticVersion(0, 17, 3);
        List<String> windows = new BackupRunner(Platform.of("Windows Server 2022", Map.of())).args(vss, version);
        assertThat(windows.subList(windows.indexOf("--use-fs-snapshot"), windows.size()),
                   is(List.of("--use-fs-snapshot", "--", "C:\\Users", "D:\\Data")));
        // without the option a Windows backup is the plain one
        assertThat(new BackupRunner(Platform.of("Windows 11", Map.of())).args(vss.withFsSnapshot(false), version),
                   not(hasItem("--use-fs-snapshot")));
        IllegalArgumentException linux = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new BackupRunner(Platform.of("Linux", Map.of())).args(vss, version));
        assertThat(linux.getMessage(), is("use_fs_snapshot (Windows VSS) works on Windows hosts only; this host runs "
                                                  + "linux — edit the schedule"));
    }

    @Test
    void emptyPathsAreRefused() {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new BackupRunner().args(JobParams.empty(), new ResticVersion(0, 14, 0)));
        assertThat(Runner.forKind(io.resticmanager.proto.JobKind.LS).isPresent(), is(false));
        assertThat(List.of(io.resticmanager.proto.JobKind.BACKUP, io.resticmanager.proto.JobKind.INIT).stream()
                           .map(Runner::forKind).filter(java.util.Optional::isPresent).toList(), hasSize(2));
    }
}
