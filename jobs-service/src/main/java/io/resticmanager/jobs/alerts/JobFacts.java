package io.resticmanager.jobs.alerts;

import io.resticmanager.proto.JobKind;
import io.resticmanager.proto.JobStatus;

import java.time.Instant;

/**
 * What the alert rules need of a job that just finished. {@code preview}: a forget dry run, which deletes nothing
 * and so never counts as maintenance.
 */
public record JobFacts(String jobId, String hostId, String repoId, String scheduleId, JobKind kind, JobStatus status,
                       String error, Instant finishedAt, boolean preview) {
}
