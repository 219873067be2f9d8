package io.resticmanager.agent;

import io.resticmanager.proto.JobStatus;
import io.resticmanager.proto.SnapshotInfo;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How a job ended: terminal status, restic's exit code (-1 when restic never ran), parsed summary,
 * an error text when it did not fully succeed, and the snapshot list when the job produced one.
 */
record Outcome(JobStatus status, int exitCode, Map<String, Object> summary, Optional<String> error,
               Optional<List<SnapshotInfo>> snapshots) {

    Outcome {
        summary = Map.copyOf(summary);
    }

    Outcome withSummary(Map<String, Object> s) {
        return new Outcome(status, exitCode, s, error, snapshots);
    }

    Outcome withSnapshots(List<SnapshotInfo> list) {
        return new Outcome(status, exitCode, summary, error, Optional.of(list));
    }

    boolean successful() {
        return status == JobStatus.SUCCEEDED || status == JobStatus.SUCCEEDED_WITH_WARNINGS;
    }

    static Outcome failed(String error) {
        return new Outcome(JobStatus.FAILED, -1, Map.of(), Optional.of(error), Optional.empty());
    }
}
