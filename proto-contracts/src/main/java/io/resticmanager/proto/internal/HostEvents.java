package io.resticmanager.proto.internal;

import io.resticmanager.proto.Message;

import java.time.Instant;
import java.util.List;

/** Payloads of the hub-made host events (see {@link HubEvent}). */
public final class HostEvents {
    private HostEvents() {
    }

    public record Enrolled(String hostname, String os, String arch, String agentVersion) {
    }

    public record Online(String hostname, String os, String arch, String agentVersion, String resticVersion,
                         int protocolVersion, List<Message.JobReport> jobs) {
        public Online {
            jobs = jobs == null ? List.of() : List.copyOf(jobs);
        }
    }

    public record Offline(Instant lastSeenAt) {
    }

    /** jobs-service → inventory: {@code POST /internal/hosts/{id}/job-result}. */
    public record JobResult(String jobId, String kind, String status, Instant finishedAt,
                            java.util.Map<String, Object> summary, String repoId) {
    }
}
