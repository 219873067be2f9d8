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

/**
 * {@code /hosts/{id}/schedules}: the host's schedules (cron, time zone, kind, next and last run, enabled)
 * and, for operators, a form to add one (presets or a custom cron) and per-row enable/disable and delete.
 * Every change is one form posting to {@code /hosts/{id}/schedules}; a failure re-renders the tab with the
 * problem next to the form and the input kept. Schedules live in jobs-service ({@code /api/schedules}).
 */
final class HostScheduleRoutes implements HttpService {
    static final List<String[]> PRESETS = List.of(new String[] {"0 * * * *", "Hourly"},
                                                  new String[] {"0 2 * * *", "Daily at 02:00"},
                                                  new String[] {"0 3 * * 0", "Weekly (Sunday 03:00)"});
    private static final List<String> KINDS = List.of("backup", "forget", "prune", "check", "unlock", "stats",
                                                      "snapshots", "copy");
    private static final List<String[]> KEEP_RULES = List.of(new String[] {"keep_last", "Keep last"},
                                                             new String[] {"keep_daily", "Keep daily"},
                                                             new String[] {"keep_weekly", "Keep weekly"},
                                                             new String[] {"keep_monthly", "Keep monthly"});

    private final GatewayApi api;
    private final Pages pages;

    HostScheduleRoutes(GatewayApi api, Pages pages) {
        this.api = api;
        this.pages = pages;
    }

    record LastRun(String jobId, Views.Badge badge, Format.When when) {
    }

    record ScheduleRow(String id, String name, String kind, String cron, String timezone, String what,
                       Format.When nextRun, LastRun lastRun, boolean enabled) {
    }

    /** The add form as the user filled it in (kept on errors). */
    record ScheduleForm(String name, String cron, String timezone, String paths, String excludes, String tags,
                        String limitUploadKib, String keepLast, String keepDaily, String keepWeekly,
                        String keepMonthly, String checkSubset) {
        static final ScheduleForm EMPTY = new ScheduleForm("", "", "UTC", "", "", "", "", "", "7", "4", "6", "");
    }

    record SchedulesPanel(List<ScheduleRow> rows, boolean empty, boolean allowed, List<Views.Option> kindOptions,
                          List<Views.Option> presetOptions, ScheduleForm form, Views.ProblemView problem,
                          String saved) {
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/hosts/{id}/schedules", this::tab)
                .post("/hosts/{id}/schedules", this::act);
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

    private void tab(ServerRequest req, ServerResponse res) {
        Session session = Pages.signedIn(req, res);
        if (session == null) {
            return;
        }
        String saved = switch (req.query().first("saved").orElse("")) {
            case "added" -> "Schedule added; the agent fires it on time, also while the server is down.";
            case "enabled" -> "Schedule enabled.";
            case "disabled" -> "Schedule disabled.";
            case "deleted" -> "Schedule deleted.";
            default -> null;
        };
        render(req, res, 200, session, id(req), "backup", "0 2 * * *", ScheduleForm.EMPTY, null, saved);
    }

    private void act(ServerRequest req, ServerResponse res) {
        Session session = Pages.signedIn(req, res);
        if (session == null) {
            return;
        }
        String hostId = id(req);
        Form form = Form.read(req);
        String action = form.get("action");
        String kind = KINDS.contains(form.get("kind")) ? form.get("kind") : "backup";
        String preset = form.get("cron_preset");
        ScheduleForm input = action.equals("add") ? new ScheduleForm(
                form.get("name"), form.get("cron"), form.get("timezone"), form.raw("paths"), form.raw("excludes"),
                form.get("tags"), form.get("limit_upload_kib"), form.get("keep_last"), form.get("keep_daily"),
                form.get("keep_weekly"), form.get("keep_monthly"), form.get("read_data_subset"))
                : ScheduleForm.EMPTY;
        if (!session.operator()) {
            render(req, res, 403, session, hostId, kind, preset, input,
                   new Views.ProblemView("Not allowed", "Editing schedules needs the operator role."), null);
            return;
        }
        try {
            String scheduleId = form.get("schedule_id");
            switch (action) {
                case "add" -> {
                    api.post(session, "/api/schedules", body(hostId, kind, preset, form));
                    Pages.redirect(req, res, "/hosts/" + HostRoutes.enc(hostId) + "/schedules?saved=added");
                }
                case "enable", "disable" -> {
                    api.patch(session, "/api/schedules/" + HostRoutes.enc(required(scheduleId)),
                              Map.of("enabled", action.equals("enable")));
                    Pages.redirect(req, res, "/hosts/" + HostRoutes.enc(hostId) + "/schedules?saved=" + action + "d");
                }
                case "delete" -> {
                    api.delete(session, "/api/schedules/" + HostRoutes.enc(required(scheduleId)));
                    Pages.redirect(req, res, "/hosts/" + HostRoutes.enc(hostId) + "/schedules?saved=deleted");
                }
                default -> throw new Form.Invalid("Unknown action.");
            }
        } catch (Form.Invalid e) {
            render(req, res, 422, session, hostId, kind, preset, input, Views.ProblemView.invalid(e.getMessage()), null);
        } catch (ApiException e) {
            if (e.unauthenticated() || e.unavailable()) {
                throw e;
            }
            render(req, res, e.status(), session, hostId, kind, preset, input, Views.ProblemView.of(e), null);
        }
    }

    private static String required(String scheduleId) {
        if (scheduleId.isEmpty()) {
            throw new Form.Invalid("Which schedule? The form is missing it; reload the page.");
        }
        return scheduleId;
    }

    /** The API body; the custom cron wins over the preset, and each kind sends only its own fields. */
    private static Map<String, Object> body(String hostId, String kind, String preset, Form form) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("host_id", hostId);
        if (!form.get("name").isEmpty()) {
            body.put("name", form.get("name"));
        }
        String cron = form.get("cron").isEmpty() ? preset : form.get("cron");
        if (cron.isEmpty()) {
            throw new Form.Invalid("Choose when it runs: a preset, or a cron expression like 30 1 * * *.");
        }
        body.put("cron", cron);
        body.put("timezone", form.get("timezone").isEmpty() ? "UTC" : form.get("timezone"));
        body.put("kind", kind);
        // which of the host's repositories (none chosen: the primary one); a copy's is where it copies to
        if (!form.get("repo_id").isEmpty()) {
            body.put("repo_id", form.get("repo_id"));
        } else if (kind.equals("copy")) {
            throw new Form.Invalid("A copy schedule needs the repository to copy to.");
        }
        switch (kind) {
            case "backup" -> HostRoutes.putBackupParams(form, body,
                                                       "A backup schedule needs at least one path (one per line).");
            case "forget" -> {
                Map<String, Object> policy = new LinkedHashMap<>();
                for (String[] rule : KEEP_RULES) {
                    Integer n = form.positive(rule[0], rule[1]);
                    if (n != null) {
                        policy.put(rule[0], n);
                    }
                }
                if (policy.isEmpty()) {
                    throw new Form.Invalid("Set at least one keep rule; without one, forget would remove every snapshot.");
                }
                body.put("policy", policy);
            }
            case "check" -> {
                if (!form.get("read_data_subset").isEmpty()) {
                    body.put("read_data_subset", form.get("read_data_subset"));
                }
            }
            default -> {
                // prune, unlock, stats and snapshots take no parameters
            }
        }
        return body;
    }

    private void render(ServerRequest req, ServerResponse res, int status, Session session, String hostId, String kind,
                        String preset, ScheduleForm form, Views.ProblemView problem, String saved) {
        JsonNode page = api.get(session, "/api/schedules", Map.of("host_id", hostId));
        Views.HostSummary host = HostRoutes.summary(api, session, hostId, nextRuns(page));
        Instant now = Instant.now();
        List<ScheduleRow> rows = new ArrayList<>();
        for (JsonNode s : Nodes.items(page)) {
            rows.add(row(s, now));
        }
        List<Views.Option> kinds = new ArrayList<>();
        KINDS.forEach(k -> kinds.add(new Views.Option(k, Views.kindLabel(k), k.equals(kind))));
        List<Views.Option> presets = new ArrayList<>();
        PRESETS.forEach(p -> presets.add(new Views.Option(p[0], p[1] + " — " + p[0], p[0].equals(preset))));
        presets.add(new Views.Option("", "Custom (enter it below)", preset.isEmpty()));
        SchedulesPanel panel = new SchedulesPanel(rows, rows.isEmpty(), session.operator(), kinds, presets, form,
                                                  problem, saved);
        HostRoutes.HostPage hostPage = new HostRoutes.HostPage(host, false, false, false, null, null, null, true, panel);
        if (Pages.fragmentRequested(req)) {
            pages.fragment(res, status, session, "hosts/_tabs", hostPage);
        } else {
            pages.page(res, status, session, host.name(), "dashboard", "hosts/show", hostPage);
        }
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
                               s.path("enabled").asBoolean(true));
    }

    /** A short "what it does": paths for backups, keep rules for forget. */
    private static String what(JsonNode s, String kind) {
        return switch (kind) {
            case "backup" -> String.join(", ", Nodes.strings(s, "paths"));
            case "forget" -> {
                List<String> rules = new ArrayList<>();
                s.path("policy").fields().forEachRemaining(e -> {
                    if (e.getKey().startsWith("keep_") && (e.getValue().isNumber() || e.getValue().isTextual())) {
                        rules.add(e.getKey().substring(5) + " " + e.getValue().asText());
                    }
                });
                yield rules.isEmpty() ? null : "keep " + String.join(", ", rules);
            }
            case "check" -> Nodes.text(s, "read_data_subset") == null ? null
                    : "read " + Nodes.text(s, "read_data_subset") + " of the data";
            default -> null;
        };
    }

    private static String id(ServerRequest req) {
        return req.path().pathParameters().get("id");
    }
}
