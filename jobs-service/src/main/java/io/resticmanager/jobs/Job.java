package io.resticmanager.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import io.resticmanager.proto.JobKind;
import io.resticmanager.proto.JobParams;
import io.resticmanager.proto.JobStatus;
import io.resticmanager.proto.view.JobView;

import java.time.Instant;
import java.util.Map;

/**
 * One job as stored; the API shows it as a {@link JobView} ({@link #view()}), without the dispatch bookkeeping
 * ({@code seq}, {@code dispatchedAt}, {@code cancelRequested}).
 */
record Job(String id,
           String hostId,
           String repoId,
           JobKind kind,
           JobStatus status,
           String queuedReason,
           String createdBy,
           String createdById,
           Instant createdAt,
           Instant startedAt,
           Instant finishedAt,
           Integer exitCode,
           Map<String, Object> summary,
           String error,
           String commandLine,
           JsonNode progress,
           JobParams params,
           String scheduleId,
           Instant scheduledFor,
           String runnerHostId,
           long seq,
           Instant dispatchedAt,
           boolean cancelRequested) {

    /** What the API shows of the job. */
    JobView view() {
        return new JobView(id, hostId, repoId, kind, status, queuedReason, createdBy, createdById, createdAt, startedAt,
                           finishedAt, exitCode, summary, error, commandLine, progress, params, scheduleId,
                           scheduledFor, runnerHostId, offline());
    }

    /** Run by the agent itself from its schedule while the server was unreachable (API field {@code offline}). */
    boolean offline() {
        return createdBy != null && createdBy.endsWith(JobStore.OFFLINE_SUFFIX);
    }

    /** The host whose agent runs the job: the maintenance host where one runs it, else the job's own host. */
    String runsOn() {
        return runnerHostId != null ? runnerHostId : hostId;
    }

    /** Handed to the agent already (waiting for its ack) but not yet acknowledged. */
    boolean dispatched() {
        return dispatchedAt != null;
    }
}
