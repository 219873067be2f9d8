package io.resticmanager.agent;

import io.resticmanager.proto.JobParams;

import java.io.IOException;
import java.util.List;

/** {@code restic unlock}: removes stale locks only (restic's own rule); text goes to the log. */
final class UnlockRunner implements Runner {
    @Override
    public List<String> args(JobParams params, ResticVersion version) {
        return List.of("unlock");
    }

    @Override
    public Outcome run(Restic restic, List<String> args, JobSink sink, Cancellation cancel) throws IOException {
        return ExitCodes.classify(restic.run(args, new TextOutput(sink), cancel));
    }
}
