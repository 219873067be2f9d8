package io.resticmanager.jobs;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import io.resticmanager.proto.JobKind;
import io.resticmanager.proto.JobParams;
import io.resticmanager.proto.JobStatus;

import java.time.Instant;
import java.util.Map;

/**
 * One job as stored and as the API shows it. Fields that have no value yet are sent as {@code null}
 * (clients may rely on them being present); {@code queued_reason} and {@code progress} only when set.
 * {@code schedule_id}/{@code scheduled_for}: the schedule that fired the job and the cron time it stands for.
 * {@code runner_host_id}, only when set: the host that runs the job for its host (the repository's maintenance host).
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
record Job(String id,
           String hostId,
           String repoId,
           JobKind kind,
           JobStatus status,
           @JsonInclude(JsonInclude.Include.NON_NULL) String queuedReason,
           String createdBy,
           String createdById,
           Instant createdAt,
           Instant startedAt,
           Instant finishedAt,
           Integer exitCode,
           Map<String, Object> summary,
           String error,
           String commandLine,
           @JsonInclude(JsonInclude.Include.NON_NULL) JsonNode progress,
           JobParams params,
           String scheduleId,
           Instant scheduledFor,
           @JsonInclude(JsonInclude.Include.NON_NULL) String runnerHostId,
           @JsonIgnore long seq,
           @JsonIgnore Instant dispatchedAt,
           @JsonIgnore boolean cancelRequested) {

    /** Run by the agent itself from its schedule while the server was unreachable (API field {@code offline}). */
    @com.fasterxml.jackson.annotation.JsonProperty("offline")
    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_DEFAULT)
    boolean offline() {
        return createdBy != null && createdBy.endsWith(JobStore.OFFLINE_SUFFIX);
    }

    /** The host whose agent runs the job: the maintenance host where one runs it, else the job's own host. */
    @JsonIgnore
    String runsOn() {
        return runnerHostId != null ? runnerHostId : hostId;
    }

    /** Handed to the agent already (waiting for its ack) but not yet acknowledged. */
    @JsonIgnore
    boolean dispatched() {
        return dispatchedAt != null;
    }
}
