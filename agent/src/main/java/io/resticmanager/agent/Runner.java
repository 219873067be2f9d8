package io.resticmanager.agent;

import io.resticmanager.proto.JobKind;
import io.resticmanager.proto.JobParams;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * One job kind (like Backrest's tasks): which restic arguments it needs and how its output becomes
 * progress, log lines and a summary. Runners hold no state; one instance serves every job of its kind.
 */
interface Runner {
    /**
     * restic's arguments for these parameters (the binary not included, secrets never included).
     *
     * @throws IllegalArgumentException when the parameters do not make a valid job (the job is refused)
     */
    List<String> args(JobParams params, ResticVersion version);

    /** Runs restic (blocking) and reports through {@code sink}; the exit code decides the status. */
    Outcome run(Restic restic, List<String> args, JobSink sink, Cancellation cancel) throws IOException;

    /** Whether a successful run changed the snapshot list, so the agent refreshes and reports it. */
    default boolean refreshesSnapshots() {
        return false;
    }

    /** The runner for a kind, empty when this agent cannot run it yet. */
    static Optional<Runner> forKind(JobKind kind) {
        return Optional.ofNullable(switch (kind) {
            case BACKUP -> new BackupRunner();
            case FORGET -> new ForgetRunner();
            case PRUNE -> new PruneRunner();
            case CHECK -> new CheckRunner();
            case UNLOCK -> new UnlockRunner();
            case SNAPSHOTS -> new SnapshotsRunner();
            case STATS -> new StatsRunner();
            case INIT -> new InitRunner();
            case RESTORE -> new RestoreRunner(HostInfo.current().runsAsRoot());
            case COPY -> new CopyRunner();
            case DIFF, LS -> null;
        });
    }
}
