package io.resticmanager.ui;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The rows of a host's schedules tab ({@link HostScheduleRoutes}), read from {@code GET /api/schedules}. */
final class ScheduleRows {
    private ScheduleRows() {
    }

    record LastRun(String jobId, Views.Badge badge, Format.When when) {
    }

    /** {@code hooksLabel}: which hooks the schedule runs (the row's "hooks" badge), null for none. */
    record ScheduleRow(String id, String name, String kind, String cron, String timezone, String what,
                       Format.When nextRun, LastRun lastRun, boolean enabled, String hooksLabel) {
    }

    static ScheduleRow row(JsonNode s, Instant now) {
        JsonNode last = s.path("last_run");
        LastRun lastRun = last.isObject() ? new LastRun(Nodes.text(last, "job_id"),
                                                        Views.jobBadge(Nodes.text(last, "status")),
                                                        Format.when(Nodes.instant(last, "at"), now)) : null;
        String kind = Nodes.text(s, "kind", "");
        return new ScheduleRow(Nodes.text(s, "id", ""), Nodes.text(s, "name", kind), Views.kindLabel(kind),
                               Nodes.text(s, "cron", ""), Nodes.text(s, "timezone", "UTC"), what(s, kind),
                               Format.when(Nodes.instant(s, "next_run_at"), now), lastRun,
                               s.path("enabled").asBoolean(true), Hooks.State.of(s).label());
    }

    /** A short "what it does": paths and limits for backups, keep rules for forget, the subset for check. */
    private static String what(JsonNode s, String kind) {
        List<String> parts = new ArrayList<>();
        switch (kind) {
            case "backup" -> {
                List<String> paths = Nodes.strings(s, "paths");
                if (!paths.isEmpty()) {
                    parts.add(String.join(", ", paths));
                }
                Nodes.number(s, "limit_upload_kib").ifPresent(n -> parts.add("upload ≤ " + n + " KiB/s"));
                Nodes.number(s, "limit_download_kib").ifPresent(n -> parts.add("download ≤ " + n + " KiB/s"));
                if (s.path("use_fs_snapshot").asBoolean(false)) {
                    parts.add("VSS");
                }
            }
            case "forget" -> {
                JsonNode policy = s.path("policy");
                List<String> rules = new ArrayList<>();
                for (String[] rule : JobFields.KEEP_COUNTS) {
                    Nodes.number(policy, rule[0]).ifPresent(n -> rules.add(rule[0].substring(5) + " " + n));
                }
                String within = Nodes.text(policy, "keep_within");
                if (within != null && !within.isBlank()) {
                    rules.add("within " + within);
                }
                List<String> keepTags = Nodes.strings(policy, "keep_tags");
                if (!keepTags.isEmpty()) {
                    rules.add("tagged " + String.join(", ", keepTags));
                }
                if (!rules.isEmpty()) {
                    parts.add("keep " + String.join(", ", rules));
                }
                if (policy.path("prune").asBoolean(false)) {
                    parts.add("then prune");
                }
            }
            case "check" -> {
                String subset = Nodes.text(s, "read_data_subset");
                if (subset != null && !subset.isBlank()) {
                    parts.add("read " + subset + " of the data");
                }
            }
            default -> {
                // the kind says it all
            }
        }
        return parts.isEmpty() ? null : String.join(" · ", parts);
    }
}
