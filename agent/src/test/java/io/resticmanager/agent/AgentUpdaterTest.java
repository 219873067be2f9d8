package io.resticmanager.agent;

import io.resticmanager.proto.Message;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;

class AgentUpdaterTest {
    private static final Message.AgentUpdate UPDATE = new Message.AgentUpdate("u-1");

    @Test
    void withoutThePackageThereIsNothingToUpdateWith(@TempDir Path root) {
        Message answer = new AgentUpdater(new AgentUpdater.Host(root), () -> 0).update(UPDATE);
        assertThat(answer.toString(), ((Message.Error) answer).code(), is("update_unavailable"));
    }

    @Test
    void theUpdateRunsAsItsOwnSystemdUnitOutsideTheAgent(@TempDir Path root) throws Exception {
        Path calls = packaged(root, "echo \"$@\" > '" + root.resolve("calls") + "'");
        Message answer = new AgentUpdater(new AgentUpdater.Host(root), () -> 0).update(UPDATE);
        assertThat(answer.toString(), answer, instanceOf(Message.AgentUpdateStarted.class));
        Message.AgentUpdateStarted started = (Message.AgentUpdateStarted) answer;
        assertThat(started.updateId(), is("u-1"));
        assertThat(started.fromVersion(), is(AgentVersion.current()));
        assertThat(Files.readString(calls).strip(), is("--unit=restic-manager-agent-update --collect --no-block --quiet "
                + "--description=restic-manager agent update u-1 " + root.resolve("usr/bin/restic-manager-agent")
                + " update"));
    }

    @Test
    void neverWhileJobsRunNorTwiceAtOnce(@TempDir Path root) throws Exception {
        packaged(root, "echo 'Failed to start transient service unit: Unit restic-manager-agent-update.service "
                + "already exists.' >&2; exit 1");
        Message busy = new AgentUpdater(new AgentUpdater.Host(root), () -> 2).update(UPDATE);
        assertThat(((Message.Error) busy).code(), is("busy"));
        assertThat(((Message.Error) busy).message(), containsString("2 job(s) running"));
        Message twice = new AgentUpdater(new AgentUpdater.Host(root), () -> 0).update(UPDATE);
        assertThat(((Message.Error) twice).code(), is("busy"));
    }

    /** A host with the package installed from the APT source, and a systemd-run stand-in running {@code body}. */
    private static Path packaged(Path root, String body) throws Exception {
        Files.createDirectories(root.resolve("var/lib/dpkg/info"));
        Files.writeString(root.resolve("var/lib/dpkg/info/restic-manager-agent.list"), "/.\n");
        Files.createDirectories(root.resolve("etc/apt/sources.list.d"));
        Files.writeString(root.resolve("etc/apt/sources.list.d/restic-manager.list"), "deb ...\n");
        Files.createDirectories(root.resolve("usr/bin"));
        executable(root.resolve("usr/bin/restic-manager-agent"), "#!/bin/sh\nexit 0\n");
        executable(root.resolve("usr/bin/systemd-run"), "#!/bin/sh\n" + body + "\n");
        return root.resolve("calls");
    }

    private static void executable(Path file, String text) throws Exception {
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}
