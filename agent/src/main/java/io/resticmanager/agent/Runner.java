package io.resticmanager.agent;

import io.resticmanager.proto.JobKind;
import io.resticmanager.proto.JobParams;

import java.io.IOException;
import java.nio.file.Path;
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

    /** Whether {@link #args} already carries the job's bandwidth limits (else they are added for it). */
    default boolean placesLimits() {
        return false;
    }

    /**
     * The job's upload/download limits as restic's global flags, right after the command word (before any
     * {@code --}), for every kind that talks to the repository: a restore, check, prune or copy over a thin line
     * is throttled like a backup.
     */
    static List<String> withBandwidthLimits(Runner runner, List<String> args, JobParams params) {
        if (runner.placesLimits() || args.isEmpty()
                || params.limitUploadKib() == null && params.limitDownloadKib() == null) {
            return args;
        }
        List<String> limited = new java.util.ArrayList<>(args);
        int at = 1;
        if (params.limitUploadKib() != null) {
            limited.addAll(at, List.of("--limit-upload", params.limitUploadKib().toString()));
            at += 2;
        }
        if (params.limitDownloadKib() != null) {
            limited.addAll(at, List.of("--limit-download", params.limitDownloadKib().toString()));
        }
        return limited;
    }

    /** Whether a successful run changed the snapshot list, so the agent refreshes and reports it. */
    default boolean refreshesSnapshots() {
        return false;
    }

    /** The runner for a kind, empty when this agent cannot run it yet. */
    static Optional<Runner> forKind(JobKind kind) {
        return forKind(kind, HostInfo.current().hostname());
    }

    /**
     * As above; {@code snapshotsOf} is the hostname whose snapshots a forget applies to: this host's own, or, on a
     * repository's maintenance host, the backed-up host's the server names.
     */
    static Optional<Runner> forKind(JobKind kind, String snapshotsOf) {
        return forKind(kind, snapshotsOf, DEFAULT_DRILLS_DIR);
    }

    /** Where drills make their scratch directories when the agent names no state directory (tests, tools). */
    Path DEFAULT_DRILLS_DIR = Path.of(System.getProperty("java.io.tmpdir"), "restic-manager-drills");

    /**
     * As above; {@code drillsDir} is where a drill makes its scratch directory (the agent's state directory), and a
     * drill restores {@code snapshotsOf}'s latest snapshot (its live files are this host's only when that is its own
     * hostname).
     */
    static Optional<Runner> forKind(JobKind kind, String snapshotsOf, Path drillsDir) {
        return Optional.ofNullable(switch (kind) {
            case BACKUP -> new BackupRunner();
            case FORGET -> new ForgetRunner(snapshotsOf);
            case PRUNE -> new PruneRunner();
            case CHECK -> new CheckRunner();
            case UNLOCK -> new UnlockRunner();
            case SNAPSHOTS -> new SnapshotsRunner();
            case STATS -> new StatsRunner();
            case INIT -> new InitRunner();
            case RESTORE -> new RestoreRunner(HostInfo.current().runsAsRoot());
            case COPY -> new CopyRunner();
            case DIFF -> new DiffRunner();
            case DRILL -> new DrillRunner(drillsDir, snapshotsOf, snapshotsOf.equals(HostInfo.current().hostname()));
            // the self backup reads the server's stream for one job: Jobs builds it with that job's source
            case LS, SELF_BACKUP -> null;
        });
    }
}
