package io.resticmanager.proto.view;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import io.resticmanager.proto.JobKind;
import io.resticmanager.proto.JobParams;
import io.resticmanager.proto.JobStatus;

import java.time.Instant;
import java.util.Map;

/**
 * One job as the public API shows it ({@code GET /api/jobs/{id}}, and the items of {@code GET /api/jobs}). Fields that
 * have no value yet are sent as {@code null} (clients may rely on them being present); {@code queued_reason},
 * {@code progress} and {@code runner_host_id} only when set, {@code offline} only when true (the agent ran it from its
 * schedule while the server was unreachable). {@code schedule_id}/{@code scheduled_for}: the schedule that fired the
 * job and the cron time it stands for; {@code runner_host_id}: the host that runs it for its host (the repository's
 * maintenance host).
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record JobView(String id,
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
                      @JsonInclude(JsonInclude.Include.NON_DEFAULT) Boolean offline) {
}
