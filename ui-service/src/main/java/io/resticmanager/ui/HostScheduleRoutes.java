package io.resticmanager.ui;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * {@code /hosts/{id}/schedules}: the host's schedules (cron, time zone, kind, next and last run, enabled)
 * and, for operators, a form to add one (presets or a custom cron) and per-row edit, enable/disable and delete.
 * Edit ({@code ?edit=<schedule id>}) is the same form, filled in from the schedule, saved with a PATCH.
 * Every change is one form posting to {@code /hosts/{id}/schedules}; a failure re-renders the tab with the
 * problem next to the form and the input kept. Schedules live in jobs-service ({@code /api/schedules}).
 */
final class HostScheduleRoutes implements HttpService {
    static final List<String[]> PRESETS = List.of(new String[] {"0 * * * *", "Hourly"},
                                                  new String[] {"0 2 * * *", "Daily at 02:00"},
                                                  new String[] {"0 3 * * 0", "Weekly (Sunday 03:00)"});
    private static final List<String> KINDS = List.of("backup", "forget", "prune", "check", "unlock", "stats",
                                                      "snapshots", "copy", "drill");
    private final GatewayApi api;
    private final Pages pages;

    HostScheduleRoutes(GatewayApi api, Pages pages) {
        this.api = api;
        this.pages = pages;
    }

    record LastRun(String jobId, Views.Badge badge, Format.When when) {
    }

    /** {@code hooksLabel}: which hooks the schedule runs (the row's "hooks" badge), null for none. */
    record ScheduleRow(String id, String name, String kind, String cron, String timezone, String what,
                       Format.When nextRun, LastRun lastRun, boolean enabled, String hooksLabel) {
    }

    /**
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
    }

    /**
     * The schedule being edited. Its kind stays: the API would take a new kind, but it merges the PATCH onto the
     * stored fields of the old one, so a changed kind is a new schedule (add it, delete the old one).
     */
    record Editing(String id, String kind, String kindLabel) {
    }

    /** What the form shows: the kind and preset chosen, the fields, and whether it adds or edits. */
    record Draft(String kind, String preset, ScheduleForm form, Editing editing) {
        static final Draft NEW = new Draft("backup", "0 2 * * *", ScheduleForm.EMPTY, null);
    }

    /** {@code hookState}: whether the schedule being edited has hooks (the line non-admins get instead of the text). */
    record SchedulesPanel(List<ScheduleRow> rows, boolean empty, boolean allowed, List<Views.Option> kindOptions,
                          List<Views.Option> presetOptions, List<Views.Option> repoOptions, ScheduleForm form,
                          Editing editing, Views.ProblemView problem, String saved, Hooks.State hookState) {
        /** Adding shows every kind's fields (the kind is picked in the same form); editing only its own. */
        boolean showBackup() {
            return shows("backup");
        }

        boolean showForget() {
            return shows("forget");
        }

        boolean showCheck() {
            return shows("check");
        }

        private boolean shows(String kind) {
            return editing == null || editing.kind().equals(kind);
        }

        /** A host with one repository needs no choice. */
        boolean hasRepoOptions() {
            return !repoOptions.isEmpty();
        }
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/hosts/{id}/schedules", Pages.signedIn(this::tab))
                .post("/hosts/{id}/schedules", Pages.signedIn(this::act));
    }

    /** Earliest {@code next_run_at} per host (one API call); empty when schedules cannot be read right now. */
    static Map<String, Instant> nextRuns(GatewayApi api, Session session, Optional<String> hostId) {
        try {
            return nextRuns(api.get(session, "/api/schedules", hostId.map(h -> Map.of("host_id", h)).orElse(Map.of())));
        } catch (ApiException e) {
            if (e.unauthenticated()) {
                throw e;
            }
            // the cards and the header still show everything else
            return Map.of();
        }
    }

    static Map<String, Instant> nextRuns(JsonNode schedules) {
        Map<String, Instant> result = new HashMap<>();
        for (JsonNode s : Nodes.items(schedules)) {
            String host = Nodes.text(s, "host_id");
            Instant next = Nodes.instant(s, "next_run_at");
            if (host != null && next != null) {
                result.merge(host, next, (a, b) -> a.isBefore(b) ? a : b);
            }
        }
        return result;
    }

    private void tab(ServerRequest req, ServerResponse res, Session session) {
        String hostId = id(req);
        String saved = switch (req.query().first("saved").orElse("")) {
            case "added" -> "Schedule added; the agent fires it on time, also while the server is down.";
            case "edited" -> "Schedule saved; the agent gets the change at once, or when it is back online.";
            case "enabled" -> "Schedule enabled.";
            case "disabled" -> "Schedule disabled.";
            case "deleted" -> "Schedule deleted.";
            default -> null;
        };
        JsonNode page = schedules(session, hostId);
        String editId = req.query().first("edit").orElse("");
        if (editId.isEmpty() || !session.operator()) {
            render(req, res, 200, session, hostId, page, Draft.NEW, null, saved);
            return;
        }
        JsonNode schedule = Nodes.items(page).stream().filter(s -> editId.equals(Nodes.text(s, "id")))
                .findFirst().orElse(null);
        if (schedule == null) {
            render(req, res, 404, session, hostId, page, Draft.NEW,
                   new Views.ProblemView("Not found", "That schedule is gone (deleted meanwhile?); the list is current."),
                   null);
            return;
        }
        String kind = Nodes.text(schedule, "kind", "");
        String cron = Nodes.text(schedule, "cron", "");
        render(req, res, 200, session, hostId, page,
               new Draft(kind, presetOf(cron), ScheduleForm.of(schedule), editing(editId, kind)), null, null);
    }

    private void act(ServerRequest req, ServerResponse res, Session session) {
        String hostId = id(req);
        Form form = Form.read(req);
        String action = form.get("action");
        String kind = KINDS.contains(form.get("kind")) ? form.get("kind") : "backup";
        String preset = form.get("cron_preset");
        String scheduleId = form.get("schedule_id");
        Draft draft = switch (action) {
            case "add" -> new Draft(kind, preset, ScheduleForm.read(form), null);
            case "edit" -> new Draft(kind, preset, ScheduleForm.read(form), editing(scheduleId, kind));
            default -> Draft.NEW;
        };
        if (!session.operator()) {
            render(req, res, 403, session, hostId, null, draft,
                   new Views.ProblemView("Not allowed", "Editing schedules needs the operator role."), null);
            return;
        }
        Form.act(() -> {
            switch (action) {
                case "add" -> {
                    api.post(session, "/api/schedules", body(hostId, kind, preset, form, false, session.admin()));
                    Pages.redirect(req, res, "/hosts/" + Urls.enc(hostId) + "/schedules?saved=added");
                }
                case "edit" -> {
                    api.patch(session, "/api/schedules/" + Urls.enc(required(scheduleId)),
                              body(hostId, kind, preset, form, true, session.admin()));
                    Pages.redirect(req, res, "/hosts/" + Urls.enc(hostId) + "/schedules?saved=edited");
                }
                case "enable", "disable" -> {
                    api.patch(session, "/api/schedules/" + Urls.enc(required(scheduleId)),
                              Map.of("enabled", action.equals("enable")));
                    Pages.redirect(req, res, "/hosts/" + Urls.enc(hostId) + "/schedules?saved=" + action + "d");
                }
                case "delete" -> {
                    api.delete(session, "/api/schedules/" + Urls.enc(required(scheduleId)));
                    Pages.redirect(req, res, "/hosts/" + Urls.enc(hostId) + "/schedules?saved=deleted");
                }
                default -> throw new Form.Invalid("Unknown action.");
            }
        }, (status, problem) -> render(req, res, status, session, hostId, null, draft, problem, null));
    }

    private static Editing editing(String scheduleId, String kind) {
        return new Editing(scheduleId, kind, Views.kindLabel(kind));
    }

    private static String required(String scheduleId) {
        if (scheduleId.isEmpty()) {
            throw new Form.Invalid("Which schedule? The form is missing it; reload the page.");
        }
        return scheduleId;
    }

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
    private static Map<String, Object> body(String hostId, String kind, String preset, Form form, boolean edit,
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

    private JsonNode schedules(Session session, String hostId) {
        return api.get(session, "/api/schedules", Map.of("host_id", hostId));
    }

    /** The tab with the schedules {@code page} (read now when null) and the form as {@code draft} has it. */
    private void render(ServerRequest req, ServerResponse res, int status, Session session, String hostId,
                        JsonNode page, Draft draft, Views.ProblemView problem, String saved) {
        JsonNode schedules = page != null ? page : schedules(session, hostId);
        Views.HostSummary host = HostPage.summary(api, session, hostId, nextRuns(schedules));
        Instant now = Instant.now();
        List<ScheduleRow> rows = new ArrayList<>();
        for (JsonNode s : Nodes.items(schedules)) {
            rows.add(row(s, now));
        }
        List<Views.Option> kinds = new ArrayList<>();
        KINDS.forEach(k -> kinds.add(new Views.Option(k, Views.kindLabel(k), k.equals(draft.kind()))));
        List<Views.Option> presets = new ArrayList<>();
        PRESETS.forEach(p -> presets.add(new Views.Option(p[0], p[1] + " — " + p[0], p[0].equals(draft.preset()))));
        presets.add(new Views.Option("", "Custom (enter it below)", draft.preset().isEmpty()));
        List<Views.Option> repos = new ArrayList<>();
        if (host.multiRepo()) {
            String chosen = draft.form().repoId();
            repos.add(new Views.Option("", draft.editing() == null ? "Primary" : "Unchanged", chosen.isEmpty()));
            host.repos().forEach(r -> repos.add(new Views.Option(r.repoId(), r.name() + " (" + r.role() + ")",
                                                                 r.repoId().equals(chosen))));
        }
        // whether the schedule being edited has hooks, from the list just read (also after a failed save)
        Hooks.State hookState = draft.editing() == null ? Hooks.State.NONE
                : Nodes.items(schedules).stream().filter(s -> draft.editing().id().equals(Nodes.text(s, "id")))
                        .findFirst().map(Hooks.State::of).orElse(Hooks.State.NONE);
        SchedulesPanel panel = new SchedulesPanel(rows, rows.isEmpty(), session.operator(), kinds, presets, repos,
                                                  draft.form(), draft.editing(), problem, saved, hookState);
        HostPage.schedules(host, panel).render(api, pages, req, res, status, session);
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

    private static String id(ServerRequest req) {
        return req.path().pathParameters().get("id");
    }
}
