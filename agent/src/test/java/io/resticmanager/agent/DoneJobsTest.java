package io.resticmanager.agent;

import io.resticmanager.proto.JobKind;
import io.resticmanager.proto.JobParams;
import io.resticmanager.proto.Message;
import io.resticmanager.proto.RepoAccess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/** A job whose events the server has all stored is never run again, even after an agent restart. */
class DoneJobsTest {
    @TempDir
    Path dir;

    @Test
    void aRedeliveredStartAfterARestartIsRefused() {
        Spool first = Spool.open(dir);
        first.rememberDone("job-1");
        assertThat(first.isDone("job-1"), is(true));

        Spool afterRestart = Spool.open(dir);
        assertThat(afterRestart.isDone("job-1"), is(true));
        assertThat(afterRestart.isDone("job-2"), is(false));

        Jobs jobs = new Jobs(afterRestart, Jobs.ResticSetup.missing("not needed"), () -> { }, (List<Message> m) -> { });
        var refusal = jobs.start(new Message.JobStart("job-1", JobKind.UNLOCK,
                new RepoAccess("r", "/repo", "pw", null), JobParams.empty()));
        assertThat(refusal.isPresent(), is(true));
        assertThat(refusal.get().accepted(), is(false));
    }

    @Test
    void theFileStaysBounded() throws Exception {
        Spool spool = Spool.open(dir);
        int n = 2 * Spool.DONE_REMEMBERED + 5;
        for (int i = 0; i < n; i++) {
            spool.rememberDone("j" + i);
        }
        long lines = java.nio.file.Files.readAllLines(dir.resolve("done-jobs.txt")).size();
        assertThat(lines <= 2L * Spool.DONE_REMEMBERED, is(true));
        Spool reopened = Spool.open(dir);
        assertThat(reopened.isDone("j" + (n - 1)), is(true));
        assertThat(reopened.isDone("j0"), is(false));
    }
}
