package io.resticmanager.jobs;

import io.resticmanager.common.Cron;
import io.resticmanager.proto.JobKind;
import io.resticmanager.proto.JobParams;
import io.resticmanager.proto.ScheduleSpec;

import java.time.Instant;
import java.time.ZoneId;
import java.util.Optional;

/** A schedule as stored: when (5-field cron in an IANA time zone) and what (a job kind and its parameters). */
record Schedule(String id, String hostId, String name, String cron, String timezone, JobKind kind, JobParams params,
                boolean enabled, String createdBy, Instant createdAt, Instant updatedAt, String repoId) {

    /** What the agent keeps and fires by (it needs no repository: the server resolves it per fire). */
    ScheduleSpec spec() {
        return new ScheduleSpec(id, cron, timezone, kind, params, null, enabled);
    }

    /** The next fire strictly after {@code after}; empty when disabled. Same computation as the agent's. */
    Optional<Instant> nextRun(Instant after) {
        if (!enabled) {
            return Optional.empty();
        }
        return Cron.parse(cron).next(after, ZoneId.of(timezone));
    }
}
