package io.resticmanager.proto;

/** A schedule as the agent keeps it: when (cron + zone) and what (kind + params). */
public record ScheduleSpec(String id, String cron, String timezone, JobKind kind, JobParams params,
                           String repoId, boolean enabled) {
    public ScheduleSpec {
        Require.text(id, "id");
        Require.text(cron, "cron");
        Require.present(kind, "kind");
        timezone = timezone == null || timezone.isBlank() ? "UTC" : timezone;
        params = params == null ? JobParams.empty() : params;
    }
}
