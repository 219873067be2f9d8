package io.resticmanager.agent;

import io.resticmanager.proto.JobParams;

import java.io.IOException;
import java.util.List;

/** {@code restic prune}: plain text, every line goes to the job log. */
final class PruneRunner implements Runner {
    @Override
    public List<String> args(JobParams params, ResticVersion version) {
        return List.of("prune");
    }

    @Override
    public Outcome run(Restic restic, List<String> args, JobSink sink, Cancellation cancel) throws IOException {
        return ExitCodes.classify(restic.run(args, new TextOutput(sink), cancel));
    }

    @Override
    public boolean refreshesSnapshots() {
        return true;
    }
}
