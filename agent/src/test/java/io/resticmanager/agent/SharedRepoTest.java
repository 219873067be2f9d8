package io.resticmanager.agent;

import io.resticmanager.proto.JobParams;
import io.resticmanager.proto.JobStatus;
import io.resticmanager.proto.RepoAccess;
import io.resticmanager.proto.RepoPolicy;
import io.resticmanager.proto.RetentionPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Real restic on a repository shared with another host, and copy's two-repository environment. */
class SharedRepoTest {
    @TempDir
    Path dir;

    @Test
    void forgetNeverTouchesAnotherHostsSnapshots() throws Exception {
        Path repo = TestRepo.create(dir);
        Path data = TestRepo.data(dir, "data", 2, 1000);
        // another machine's history in the same repository
        for (int i = 0; i < 3; i++) {
            restic(repo, "backup", "--host", "someone-else", data.toString());
        }
        Restic restic = TestRepo.wrapper(repo);
        for (int i = 0; i < 2; i++) {
            Outcome b = new BackupRunner().run(restic, new BackupRunner().args(new JobParams(List.of(data.toString()),
                    null, null, null, null, null, null, null, null, null, null, null), restic.version()),
                    new RecordingSink(), new Cancellation());
            assertThat(b.status(), is(JobStatus.SUCCEEDED));
        }
        RetentionPolicy keepOne = new RetentionPolicy(1, null, null, null, null, null, null, null, false);
        JobParams params = new JobParams(null, null, null, null, null, keepOne, null, null, null, null, null, null);
        List<String> args = new ForgetRunner().args(params, restic.version());
        assertThat(String.join(" ", args), containsString("--host " + HostInfo.current().hostname()));
        Outcome forget = new ForgetRunner().run(restic, args, new RecordingSink(), new Cancellation());
        assertThat(forget.status(), is(JobStatus.SUCCEEDED));

        String list = restic(repo, "snapshots", "--host", "someone-else", "--json");
        assertThat(list.split("\"hostname\"").length - 1, is(3));
        String mine = restic(repo, "snapshots", "--host", HostInfo.current().hostname(), "--json");
        assertThat(mine.split("\"hostname\"").length - 1, is(1));
    }

    @Test
    void theDryRunListsExactlyWhatTheRealRunThenRemoves() throws Exception {
        Path repo = TestRepo.create(dir.resolve("preview"));
        Path data = TestRepo.data(dir, "preview-data", 2, 500);
        restic(repo, "backup", "--host", "someone-else", data.toString());
        Restic restic = TestRepo.wrapper(repo);
        for (int i = 0; i < 3; i++) {
            new BackupRunner().run(restic, new BackupRunner().args(new JobParams(List.of(data.toString()), null, null,
                    null, null, null, null, null, null, null, null, null), restic.version()), new RecordingSink(),
                    new Cancellation());
        }
        RetentionPolicy keepOne = new RetentionPolicy(1, null, null, null, null, null, null, null, false);
        JobParams preview = new JobParams(null, null, null, null, null, keepOne.preview(), null, null, null, null, null,
                                          null);
        Outcome dry = new ForgetRunner().run(restic, new ForgetRunner().args(preview, restic.version()),
                                             new RecordingSink(), new Cancellation());
        assertThat(dry.summary().get("dry_run"), is(true));
        assertThat(dry.summary().get("removed"), is(2));
        // nothing was deleted by the preview
        String before = restic(repo, "snapshots", "--json");
        assertThat(before.split("\"hostname\"").length - 1, is(4));

        JobParams real = new JobParams(null, null, null, null, null, keepOne, null, null, null, null, null, null);
        Outcome forget = new ForgetRunner().run(restic, new ForgetRunner().args(real, restic.version()),
                                                new RecordingSink(), new Cancellation());
        assertThat(forget.summary().get("removed_ids"), is(dry.summary().get("removed_ids")));
        assertThat(forget.summary().get("kept_ids"), is(dry.summary().get("kept_ids")));
    }

    @Test
    void aCopyPassesTheSourceOnlyThroughTheEnvironmentAndRefusesClashingCredentials() {
        Restic dest = new Restic(Path.of("/usr/bin/restic"), new ResticVersion(0, 14, 0), "s3:s3.amazonaws.com/offsite",
                                 "dest-password-1", Map.of("AWS_ACCESS_KEY_ID", "AKIA-DEST"));
        Restic copy = dest.copyingFrom(new RepoAccess("src", "/srv/local-repo", "source-password-2", Map.of()));
        Map<String, String> env = copy.environment(Map.of("RESTIC_FROM_PASSWORD_COMMAND", "cat /etc/shadow"));
        assertThat(env.get("RESTIC_FROM_REPOSITORY"), is("/srv/local-repo"));
        assertThat(env.get("RESTIC_FROM_PASSWORD"), is("source-password-2"));
        assertThat(env.containsKey("RESTIC_FROM_PASSWORD_COMMAND"), is(false));
        List<String> args = new CopyRunner().args(JobParams.empty(), copy.version());
        assertThat(String.join(" ", copy.argv(args)), not(containsString("source-password-2")));
        assertThat(copy.redactor().apply("wrong password source-password-2"), is("wrong password ***"));

        assertThrows(RepoPolicy.Violation.class, () -> dest.copyingFrom(new RepoAccess("src",
                "s3:s3.amazonaws.com/local", "source-password-2", Map.of("AWS_ACCESS_KEY_ID", "AKIA-OTHER"))));
        assertThrows(RepoPolicy.Violation.class, () -> dest.copyingFrom(new RepoAccess("src", "/srv/x",
                "source-password-2", Map.of("LD_PRELOAD", "/tmp/x.so"))));
    }

    private static String restic(Path repo, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(TestRepo.restic().binary().orElseThrow().toString(),
                                                             "-r", repo.toString(), "-q"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("RESTIC_PASSWORD", TestRepo.PASSWORD);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor(60, TimeUnit.SECONDS);
        if (p.exitValue() != 0) {
            throw new AssertionError("restic " + String.join(" ", args) + ": " + out);
        }
        return out;
    }
}
