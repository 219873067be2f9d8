package io.resticmanager.ui;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code /hosts/{id}/schedules}: the host's schedules (cron, time zone, kind, next and last run, enabled)
 * and, for operators, a form to add one (presets or a custom cron) and per-row edit, enable/disable and delete.
 * Edit ({@code ?edit=<schedule id>}) is the same form, filled in from the schedule, saved with a PATCH.
 * Every change is one form posting to {@code /hosts/{id}/schedules}; a failure re-renders the tab with the
 * problem next to the form and the input kept. Schedules live in jobs-service ({@code /api/schedules}).
 */
final class HostScheduleRoutes implements HttpService {
    private static final List<String> KINDS = List.of("backup", "forget", "prune", "check", "unlock", "stats",
                                                      "snapshots", "copy", "drill");
    private final GatewayApi api;
    private final Pages pages;

    HostScheduleRoutes(GatewayApi api, Pages pages) {
        this.api = api;
        this.pages = pages;
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
    record SchedulesPanel(List<ScheduleRows.ScheduleRow> rows, boolean empty, boolean allowed,
                          List<Views.Option> kindOptions, List<Views.Option> presetOptions,
                          List<Views.Option> repoOptions, ScheduleForm form, Editing editing,
                          Views.ProblemView problem, String saved, Hooks.State hookState) {
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
               new Draft(kind, ScheduleForm.presetOf(cron), ScheduleForm.of(schedule), editing(editId, kind)), null,
               null);
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
                    api.post(session, "/api/schedules",
                             ScheduleForm.body(hostId, kind, preset, form, false, session.admin()));
                    Pages.redirect(req, res, "/hosts/" + Urls.enc(hostId) + "/schedules?saved=added");
                }
                case "edit" -> {
                    api.patch(session, "/api/schedules/" + Urls.enc(required(scheduleId)),
                              ScheduleForm.body(hostId, kind, preset, form, true, session.admin()));
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

    private JsonNode schedules(Session session, String hostId) {
        return api.get(session, "/api/schedules", Map.of("host_id", hostId));
    }

    /** The tab with the schedules {@code page} (read now when null) and the form as {@code draft} has it. */
    private void render(ServerRequest req, ServerResponse res, int status, Session session, String hostId,
                        JsonNode page, Draft draft, Views.ProblemView problem, String saved) {
        JsonNode schedules = page != null ? page : schedules(session, hostId);
        Views.HostSummary host = HostPage.summary(api, session, hostId, nextRuns(schedules));
        Instant now = Instant.now();
        List<ScheduleRows.ScheduleRow> rows = new ArrayList<>();
        for (JsonNode s : Nodes.items(schedules)) {
            rows.add(ScheduleRows.row(s, now));
        }
        List<Views.Option> kinds = new ArrayList<>();
        KINDS.forEach(k -> kinds.add(new Views.Option(k, Views.kindLabel(k), k.equals(draft.kind()))));
        List<Views.Option> presets = new ArrayList<>();
        ScheduleForm.PRESETS.forEach(p -> presets.add(new Views.Option(p[0], p[1] + " — " + p[0],
                                                                       p[0].equals(draft.preset()))));
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

    private static String id(ServerRequest req) {
        return req.path().pathParameters().get("id");
    }
}
