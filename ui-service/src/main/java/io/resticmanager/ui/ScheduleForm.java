package io.resticmanager.ui;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The schedules tab's form ({@link HostScheduleRoutes}): its cron presets, and the API body it posts.
 * <p>
 * The form as the user filled it in (kept on errors), or as the schedule being edited stands. The hooks are an
 * admin's (the API gives their text to admins only), with the text the edit form was shown with ({@code was…}).
 */
record ScheduleForm(String name, String cron, String timezone, String paths, String excludes, String tags,
                    String limitUploadKib, String limitDownloadKib, String keepLast, String keepHourly,
                    String keepDaily, String keepWeekly, String keepMonthly, String keepYearly,
                    String keepWithin, String keepTags, boolean prune, String checkSubset, String repoId,
                    String preHook, String postHook, String wasPreHook, String wasPostHook,
                    boolean useFsSnapshot) {
    static final ScheduleForm EMPTY = new ScheduleForm("", "", "UTC", "", "", "", "", "", "", "", "7", "4", "6",
                                                       "", "", "", false, "", "", "", "", "", "", false);

    static ScheduleForm read(Form f) {
        return new ScheduleForm(f.get("name"), f.get("cron"), f.get("timezone"), f.raw("paths"),
                                f.raw("excludes"), f.get("tags"), f.get("limit_upload_kib"),
                                f.get("limit_download_kib"), f.get("keep_last"), f.get("keep_hourly"),
                                f.get("keep_daily"), f.get("keep_weekly"), f.get("keep_monthly"),
                                f.get("keep_yearly"), f.get("keep_within"), f.get("keep_tags"), f.checked("prune"),
                                f.get("read_data_subset"), f.get("repo_id"), f.raw("pre_hook"),
                                f.raw("post_hook"), f.raw("was_pre_hook"), f.raw("was_post_hook"),
                                f.checked("use_fs_snapshot"));
    }

    /**
     * A stored schedule as the edit form shows it. A cron a preset covers stays in the preset (the custom field
     * would override it), and the API's default name ("kind cron") is left empty so it follows a changed cron.
     */
    static ScheduleForm of(JsonNode s) {
        String kind = Nodes.text(s, "kind", "");
        String cron = Nodes.text(s, "cron", "");
        String name = Nodes.text(s, "name", "");
        JsonNode policy = s.path("policy");
        String preHook = Nodes.text(s, "pre_hook", "");
        String postHook = Nodes.text(s, "post_hook", "");
        return new ScheduleForm(name.equals(kind + " " + cron) ? "" : name, presetOf(cron).isEmpty() ? cron : "",
                                Nodes.text(s, "timezone", "UTC"), String.join("\n", Nodes.strings(s, "paths")),
                                String.join("\n", Nodes.strings(s, "excludes")),
                                String.join(", ", Nodes.strings(s, "tags")), number(s, "limit_upload_kib"),
                                number(s, "limit_download_kib"), number(policy, "keep_last"),
                                number(policy, "keep_hourly"), number(policy, "keep_daily"),
                                number(policy, "keep_weekly"), number(policy, "keep_monthly"),
                                number(policy, "keep_yearly"), Nodes.text(policy, "keep_within", ""),
                                String.join(", ", Nodes.strings(policy, "keep_tags")),
                                policy.path("prune").asBoolean(false), Nodes.text(s, "read_data_subset", ""),
                                // not in every API version's schedule view; unknown means "leave it unchanged"
                                Nodes.text(s, "repo_id", ""), preHook, postHook, preHook, postHook,
                                s.path("use_fs_snapshot").asBoolean(false));
    }

    private static String number(JsonNode node, String field) {
        OptionalLong n = Nodes.number(node, field);
        return n.isPresent() ? String.valueOf(n.getAsLong()) : "";
    }

    static final List<String[]> PRESETS = List.of(new String[] {"0 * * * *", "Hourly"},
                                                  new String[] {"0 2 * * *", "Daily at 02:00"},
                                                  new String[] {"0 3 * * 0", "Weekly (Sunday 03:00)"});

    /** The preset whose cron this is, or "" (custom). */
    static String presetOf(String cron) {
        return PRESETS.stream().map(p -> p[0]).filter(cron::equals).findFirst().orElse("");
    }

    /**
     * The API body; the custom cron wins over the preset, and each kind sends only its own fields. Adding leaves
     * empty optional fields out. Editing (PATCH) sends neither host nor kind, and sends an emptied optional field as
     * null: the API merges a PATCH onto the stored schedule, so leaving it out would keep the old value. A backup's
     * hooks are an admin's ({@code admin}) and only sent when changed ({@link Hooks#putScheduleHooks}).
     */
    static Map<String, Object> body(String hostId, String kind, String preset, Form form, boolean edit,
                                    boolean admin) {
        Map<String, Object> body = new LinkedHashMap<>();
        if (!edit) {
            body.put("host_id", hostId);
        }
        // an emptied name falls back to the API's default, "kind cron"
        JobFields.put(body, "name", form.get("name").isEmpty() ? null : form.get("name"), edit);
        String cron = form.get("cron").isEmpty() ? preset : form.get("cron");
        if (cron.isEmpty()) {
            throw new Form.Invalid("Choose when it runs: a preset, or a cron expression like 30 1 * * *.");
        }
        body.put("cron", cron);
        body.put("timezone", form.get("timezone").isEmpty() ? "UTC" : form.get("timezone"));
        if (!edit) {
            body.put("kind", kind);
        }
        // which of the host's repositories (none chosen: the primary one, or on edit unchanged); a copy's is
        // where it copies to
        if (!form.get("repo_id").isEmpty()) {
            body.put("repo_id", form.get("repo_id"));
        } else if (kind.equals("copy") && !edit) {
            throw new Form.Invalid("A copy schedule needs the repository to copy to.");
        }
        switch (kind) {
            case "backup" -> {
                JobFields.putBackupParams(form, body, "A backup schedule needs at least one path (one per line).",
                                           edit);
                if (admin) {
                    Hooks.putScheduleHooks(form, body, edit);
                }
            }
            case "forget" -> body.put("policy", JobFields.policy(form));
            case "check" -> JobFields.put(body, "read_data_subset", JobFields.subset(form), edit);
            default -> {
                // prune, unlock, stats, snapshots and copy take no parameters here; a drill samples the defaults
                // (20 files, at most 256 MiB) on the host itself
            }
        }
        return body;
    }
}
