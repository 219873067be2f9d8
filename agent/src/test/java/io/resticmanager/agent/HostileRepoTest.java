package io.resticmanager.agent;

import io.resticmanager.proto.Frames;
import io.resticmanager.proto.JobKind;
import io.resticmanager.proto.JobParams;
import io.resticmanager.proto.Message;
import io.resticmanager.proto.RepoAccess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

/**
 * A compromised server (or a forged internal call) sends a job whose repository plants a program: the agent
 * refuses it before restic starts, so the planted {@code ssh} never runs as root. Real restic, real files.
 */
class HostileRepoTest {
    @TempDir
    Path dir;

    @Test
    void aPathWithAPlantedSshNeverRuns() throws Exception {
        Path marker = dir.resolve("pwned");
        Path evil = plantedSsh(marker);
        Message.JobAck ack = run("j-path", new RepoAccess("r1", "sftp:backup@localhost:/srv/repo", "repo-password-1",
                                                          Map.of("PATH", evil + ":/usr/bin:/bin")));
        assertThat(ack.accepted(), is(false));
        assertThat(ack.reason(), containsString("PATH"));
        assertThat(Files.exists(marker), is(false));
    }

    @Test
    void anSftpHostThatIsAnSshOptionIsRefused() throws Exception {
        Path marker = dir.resolve("pwned-opt");
        Message.JobAck ack = run("j-opt", new RepoAccess("r1", "sftp:-oProxyCommand=touch " + marker + ":/srv",
                                                         "repo-password-1", Map.of()));
        assertThat(ack.accepted(), is(false));
        assertThat(ack.reason(), containsString("must not start with"));
        assertThat(Files.exists(marker), is(false));
    }

    @Test
    void preloadAndAskpassAreRefusedForEveryBackend() throws Exception {
        for (String key : new String[] {"LD_PRELOAD", "SSH_ASKPASS", "RCLONE_CONFIG_X_TYPE", "RESTIC_PASSWORD_COMMAND"}) {
            Message.JobAck ack = run("j-" + key, new RepoAccess("r1", dir.resolve("repo").toString(), "repo-password-1",
                                                                Map.of(key, "/tmp/x")));
            assertThat(key, ack.accepted(), is(false));
            assertThat(ack.reason(), containsString(key));
        }
    }

    /** Starts the job on a real Jobs with real restic and returns its ack once the job has finished. */
    private Message.JobAck run(String jobId, RepoAccess repo) throws Exception {
        Spool spool = Spool.open(dir.resolve("spool-" + jobId.hashCode()));
        Jobs jobs = new Jobs(spool, TestRepo.restic(), () -> { }, m -> { });
        jobs.start(new Message.JobStart(jobId, JobKind.SNAPSHOTS, repo, JobParams.empty()));
        await("job " + jobId + " to finish").atMost(Duration.ofSeconds(30))
                .until(() -> spool.finished(jobId).isPresent());
        jobs.stopAll(Duration.ofSeconds(5));
        return (Message.JobAck) Frames.decode(spool.pending(jobId, 0).getFirst().text()).payload();
    }

    private Path plantedSsh(Path marker) throws Exception {
        Path bin = Files.createDirectories(dir.resolve("evil-bin"));
        Path ssh = bin.resolve("ssh");
        Files.writeString(ssh, "#!/bin/sh\ntouch '" + marker + "'\nexit 1\n");
        Files.setPosixFilePermissions(ssh, PosixFilePermissions.fromString("rwxr-xr-x"));
        return bin;
    }
}
