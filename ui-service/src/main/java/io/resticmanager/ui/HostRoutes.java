package io.resticmanager.ui;

import com.fasterxml.jackson.databind.JsonNode;
import io.resticmanager.proto.Feature;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.resticmanager.kit.Http;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.BiFunction;

/**
 * {@code /hosts/{id}} with four tabs (real links; htmx swaps just {@code #host-tabs}): snapshots (default),
 * jobs, schedules ({@link HostScheduleRoutes}) and actions for operators. Every action is one form posting
 * to {@code /hosts/{id}/actions}; a failure re-renders that tab with the problem next to the form and the
 * user's input kept. Above the tabs, the host's default backup hooks ({@link Hooks}); admins change them with a
 * form posting to {@code /hosts/{id}/hooks}.
 */
final class HostRoutes implements HttpService {
    private static final int PAGE = 25;

    private final GatewayApi api;
    private final Pages pages;

    HostRoutes(GatewayApi api, Pages pages) {
        this.api = api;
        this.pages = pages;
    }

    /** {@code hooksCard}: the host's default backup hooks, on the whole page only (null: not shown). */
    record HostPage(Views.HostSummary host, boolean tabSnapshots, boolean tabJobs, boolean tabActions,
                    SnapshotsPanel snapshots, JobsPanel jobs, ActionsPanel actions, boolean tabSchedules,
                    HostScheduleRoutes.SchedulesPanel schedules, Hooks.HostCard hooksCard) {
        HostPage(Views.HostSummary host, boolean tabSnapshots, boolean tabJobs, boolean tabActions,
                 SnapshotsPanel snapshots, JobsPanel jobs, ActionsPanel actions, boolean tabSchedules,
                 HostScheduleRoutes.SchedulesPanel schedules) {
            this(host, tabSnapshots, tabJobs, tabActions, snapshots, jobs, actions, tabSchedules, schedules, null);
        }

        /**
         * The same page with the host's firing alerts in its header: one
         * {@code GET /api/alerts?host_id=…&state=firing}, only for the whole page (a tab fragment has no header);
         * left out when that call fails.
         */
        HostPage withAlerts(Pages pages, Session session) {
            return new HostPage(host.withAlerts(pages.alerts().forHost(session, host.id())), tabSnapshots, tabJobs,
                                tabActions, snapshots, jobs, actions, tabSchedules, schedules, hooksCard);
        }

        /** The same page with the "Backup hooks" card (whole pages only: a tab swap leaves the card in place). */
        HostPage withHooks(Hooks.HostCard card) {
            return new HostPage(host, tabSnapshots, tabJobs, tabActions, snapshots, jobs, actions, tabSchedules,
                                schedules, card);
        }
    }

    record SnapshotRow(String id, String shortId, Format.When when, String paths, List<String> tags,
                       String hostname, String sizeAdded, String files) {
    }

    record SnapshotsPanel(List<SnapshotRow> rows, String nextUrl, boolean empty, boolean laterPage) {
    }

    record JobRow(String id, String kind, Views.Badge badge, Format.When started, String duration,
                  String createdBy) {
    }

    record JobsPanel(List<JobRow> rows, String nextUrl, boolean empty) {
    }

    record BackupForm(String paths, String excludes, String tags, String limitUploadKib, String limitDownloadKib,
                      boolean useFsSnapshot) {
        static final BackupForm EMPTY = new BackupForm("", "", "", "", "", false);
    }

    record ForgetForm(String keepLast, String keepHourly, String keepDaily, String keepWeekly, String keepMonthly,
                      String keepYearly, String keepWithin, String keepTags, boolean prune) {
        static final ForgetForm EMPTY = new ForgetForm("", "", "7", "4", "6", "", "", "", false);
    }

    record Hidden(String name, String value) {
    }

    /** The second step of a destructive action: what will happen, and the button that really does it. */
    record Confirm(String action, String title, String message, List<String> details, List<Hidden> fields,
                   String button) {
        boolean hasDetails() {
            return !details.isEmpty();
        }

        /** Forget can be previewed first: restic forget --dry-run lists what it would remove, deleting nothing. */
        boolean preview() {
            return action.equals("forget");
        }
    }

    record SettingsForm(String name, String tags) {
    }

    /** The restore drill form: how many files, at most how many MiB, and (admins) on which host. */
    record DrillForm(String sampleFiles, String maxMib, String targetHostId) {
        static final DrillForm EMPTY = new DrillForm("20", "256", "");
    }

    record ActionsPanel(String failedAction, Views.ProblemView problem, BackupForm backup, ForgetForm forget,
                        String checkSubset, Confirm confirm, SettingsForm settings, List<Views.Option> repoOptions,
                        boolean hostDisabled, String saved, boolean allowed, Gates gates, DrillForm drill,
                        List<Views.Option> drillHosts) {
        Views.ProblemView drillProblem() {
            return problemFor("drill");
        }

        /** Admins may run a drill on another enrolled host (it lends that host this host's repository). */
        boolean drillElsewhere() {
            return drillHosts.size() > 1;
        }

        private Views.ProblemView problemFor(String action) {
            return action.equals(failedAction) ? problem : null;
        }

        Views.ProblemView backupProblem() {
            return problemFor("backup");
        }

        Views.ProblemView forgetProblem() {
            return problemFor("forget");
        }

        Views.ProblemView pruneProblem() {
            return problemFor("prune");
        }

        Views.ProblemView checkProblem() {
            return problemFor("check");
        }

        Views.ProblemView maintenanceProblem() {
            return failedAction != null && List.of("unlock", "init", "snapshots").contains(failedAction)
                    ? problem : null;
        }

        Views.ProblemView settingsProblem() {
            return problemFor("settings");
        }

        Views.ProblemView repoProblem() {
            return problemFor("repo");
        }

        Views.ProblemView linkProblem() {
            return failedAction != null && failedAction.startsWith("repo-") ? problem : null;
        }

        Views.ProblemView copyProblem() {
            return problemFor("copy");
        }

        Views.ProblemView disableProblem() {
            return failedAction != null && (failedAction.equals("disable") || failedAction.equals("enable"))
                    ? problem : null;
        }
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/hosts/{id}", Pages.signedIn(this::snapshotsTab))
                .get("/hosts/{id}/jobs", Pages.signedIn(this::jobsTab))
                .get("/hosts/{id}/actions", Pages.signedIn(this::actionsTab))
                .post("/hosts/{id}/actions", Pages.signedIn(this::act))
                .post("/hosts/{id}/hooks", Pages.signedIn(this::saveHooks));
    }

    private void snapshotsTab(ServerRequest req, ServerResponse res, Session session) {
        String id = req.path().pathParameters().get("id");
        renderSnapshots(req, res, 200, session, id, Http.query(req, "cursor").orElse(""), null);
    }

    /** The snapshots tab; {@code hooks}: the hooks card to show (null: read as usual for a whole page). */
    private void renderSnapshots(ServerRequest req, ServerResponse res, int status, Session session, String id,
                                 String cursor, Hooks.HostCard hooks) {
        Views.HostSummary host = host(session, id);
        JsonNode page = api.get(session, "/api/hosts/" + Urls.enc(id) + "/snapshots",
                                Map.of("limit", String.valueOf(PAGE), "cursor", cursor));
        List<SnapshotRow> rows = rows(page, HostRoutes::snapshotRow);
        SnapshotsPanel panel = new SnapshotsPanel(rows, nextPage(page, "/hosts/" + Urls.enc(id)), rows.isEmpty(),
                                                  !cursor.isEmpty());
        render(req, res, status, session, new HostPage(host, true, false, false, panel, null, null, false, null, hooks));
    }

    /**
     * The "Backup hooks" form (admin): {@code PUT /api/hosts/{id}/hooks} with only the fields it changed (nothing
     * changed: no call), 303 back to the host page; a problem re-renders it with the detail in the card and the
     * input kept.
     */
    private void saveHooks(ServerRequest req, ServerResponse res, Session session) {
        String id = req.path().pathParameters().get("id");
        Hooks.HostForm input = Hooks.HostForm.read(Form.read(req));
        if (!session.admin()) {
            renderSnapshots(req, res, 403, session, id, "", Hooks.card(api, session, id, null, null,
                    new Views.ProblemView("Not allowed", "Changing a host's hooks needs the admin role.")));
            return;
        }
        try {
            Map<String, Object> body = Hooks.hostBody(input);
            if (body.isEmpty()) {
                Pages.redirect(req, res, "/hosts/" + Urls.enc(id) + "?saved=hooks-unchanged");
                return;
            }
            api.put(session, "/api/hosts/" + Urls.enc(id) + "/hooks", body);
            Pages.redirect(req, res, "/hosts/" + Urls.enc(id) + "?saved=hooks");
        } catch (Form.Invalid e) {
            renderSnapshots(req, res, 422, session, id, "",
                            Hooks.card(api, session, id, null, input, Views.ProblemView.invalid(e.getMessage())));
        } catch (ApiException e) {
            if (e.unauthenticated() || e.unavailable()) {
                throw e;
            }
            renderSnapshots(req, res, e.status(), session, id, "",
                            Hooks.card(api, session, id, null, input, Views.ProblemView.of(e)));
        }
    }

    static SnapshotRow snapshotRow(JsonNode s, Instant now) {
        JsonNode summary = s.path("summary");
        OptionalLong added = Nodes.number(summary, "data_added");
        OptionalLong files = Nodes.number(summary, "total_files_processed");
        String id = Nodes.text(s, "id", "");
        return new SnapshotRow(id, Nodes.text(s, "short_id", Views.shortId(id)),
                               Format.when(Nodes.instant(s, "time"), now),
                               String.join(", ", Nodes.strings(s, "paths")), Nodes.strings(s, "tags"),
                               Nodes.text(s, "hostname"),
                               added.isPresent() ? Format.bytes(added.getAsLong()) : null,
                               files.isPresent() ? Format.count(files.getAsLong()) : null);
    }

    private void jobsTab(ServerRequest req, ServerResponse res, Session session) {
        String id = req.path().pathParameters().get("id");
        Views.HostSummary host = host(session, id);
        String cursor = Http.query(req, "cursor").orElse("");
        JsonNode page = api.get(session, "/api/jobs",
                                Map.of("host_id", id, "limit", String.valueOf(PAGE), "cursor", cursor));
        List<JobRow> rows = rows(page, HostRoutes::jobRow);
        JobsPanel panel = new JobsPanel(rows, nextPage(page, "/hosts/" + Urls.enc(id) + "/jobs"), rows.isEmpty());
        render(req, res, 200, session, new HostPage(host, false, true, false, null, panel, null, false, null));
    }

    /** One row per item of a listing page, all timed against the same now. */
    private static <R> List<R> rows(JsonNode page, BiFunction<JsonNode, Instant, R> row) {
        Instant now = Instant.now();
        List<R> rows = new ArrayList<>();
        for (JsonNode item : Nodes.items(page)) {
            rows.add(row.apply(item, now));
        }
        return rows;
    }

    /** The link to the listing's next page at {@code path}, or null on the last page. */
    private static String nextPage(JsonNode page, String path) {
        String next = Nodes.text(page, "next_cursor");
        return next == null || next.isBlank() ? null : path + "?cursor=" + Urls.enc(next);
    }

    static JobRow jobRow(JsonNode j, Instant now) {
        Instant started = Nodes.instant(j, "started_at");
        return new JobRow(Nodes.text(j, "id", ""), Views.kindLabel(Nodes.text(j, "kind")),
                          Views.jobBadge(Nodes.text(j, "status")),
                          Format.when(started != null ? started : Nodes.instant(j, "created_at"), now),
                          Views.duration(started, Nodes.instant(j, "finished_at"), now),
                          Nodes.text(j, "created_by"));
    }

    private void actionsTab(ServerRequest req, ServerResponse res, Session session) {
        String id = req.path().pathParameters().get("id");
        String saved = switch (req.query().first("saved").orElse("")) {
            case "settings" -> "Host name and tags saved.";
            case "repo" -> "Repository assigned.";
            case "repo-link" -> "Repository added: this host now also backs up to it.";
            case "repo-unlink" -> "Repository removed from this host (its snapshots stay in the repository).";
            case "disable" -> "Host disabled: its agent is refused until you enable it again.";
            case "enable" -> "Host enabled.";
            default -> null;
        };
        renderActions(req, res, session.operator() ? 200 : 403, session, host(session, id), null, null,
                      BackupForm.EMPTY, ForgetForm.EMPTY, "", null, saved);
    }

    private void act(ServerRequest req, ServerResponse res, Session session) {
        String id = req.path().pathParameters().get("id");
        Form form = Form.read(req);
        String action = form.get("action");
        BackupForm backup = action.equals("backup") ? new BackupForm(form.raw("paths"), form.raw("excludes"),
                form.get("tags"), form.get("limit_upload_kib"), form.get("limit_download_kib"),
                form.checked("use_fs_snapshot")) : BackupForm.EMPTY;
        ForgetForm forget = action.equals("forget") ? forgetForm(form) : ForgetForm.EMPTY;
        String subset = action.equals("check") ? form.get("read_data_subset") : "";
        DrillForm drill = action.equals("drill") ? new DrillForm(form.get("sample_files"), form.get("max_mib"),
                                                                 form.get("target_host_id")) : DrillForm.EMPTY;
        try {
            if (session.operator() && Feature.of(action).isPresent()) {
                String refused = gates(session, id).reasons().get(action);
                if (refused != null) {
                    throw new Form.Invalid(refused);
                }
            }
            switch (action) {
                case "drill" -> runJob(req, res, session, id, drillBody(form));
                case "backup" -> {
                    Map<String, Object> body = new LinkedHashMap<>(backupBody(form));
                    if (!form.get("repo_id").isEmpty()) {
                        body.put("repo_id", form.get("repo_id"));
                    }
                    runJob(req, res, session, id, body);
                }
                case "copy" -> {
                    if (form.get("repo_id").isEmpty()) {
                        throw new Form.Invalid("Choose the repository to copy to.");
                    }
                    runJob(req, res, session, id, Map.of("kind", "copy", "repo_id", form.get("repo_id")));
                }
                case "repo-link" -> {
                    if (form.get("repo_id").isEmpty()) {
                        throw new Form.Invalid("Choose a repository.");
                    }
                    Map<String, Object> body = new LinkedHashMap<>();
                    body.put("repo_id", form.get("repo_id"));
                    if (!form.get("role").isEmpty()) {
                        body.put("role", form.get("role"));
                    }
                    api.post(session, "/api/hosts/" + Urls.enc(id) + "/repos", body);
                    Pages.redirect(req, res, "/hosts/" + Urls.enc(id) + "/actions?saved=repo-link");
                }
                case "repo-unlink" -> {
                    api.delete(session, "/api/hosts/" + Urls.enc(id) + "/repos/" + Urls.enc(form.get("repo_id")));
                    Pages.redirect(req, res, "/hosts/" + Urls.enc(id) + "/actions?saved=repo-unlink");
                }
                case "forget" -> {
                    Map<String, Object> body = forgetBody(form);
                    if (form.get("dry_run").equals("yes")) {
                        Map<String, Object> preview = new LinkedHashMap<>(body);
                        preview.put("dry_run", true);
                        runJob(req, res, session, id, preview);
                        return;
                    }
                    if (!form.get("confirm").equals("yes")) {
                        confirm(req, res, session, id, forgetConfirm(forget));
                        return;
                    }
                    runJob(req, res, session, id, body);
                }
                case "prune" -> {
                    if (!form.get("confirm").equals("yes")) {
                        confirm(req, res, session, id, new Confirm("prune", "Prune the repository?",
                                "Prune deletes data that no snapshot references any more. It cannot be undone, "
                                        + "and it locks the repository while it runs.",
                                List.of(), List.of(), "Yes, prune now"));
                        return;
                    }
                    runJob(req, res, session, id, Map.of("kind", "prune"));
                }
                case "check" -> {
                    Map<String, Object> body = new LinkedHashMap<>();
                    body.put("kind", "check");
                    JobFields.put(body, "read_data_subset", JobFields.subset(form), false);
                    runJob(req, res, session, id, body);
                }
                case "unlock", "init", "snapshots" -> runJob(req, res, session, id, Map.of("kind", action));
                case "settings" -> {
                    String name = form.get("name");
                    if (name.isEmpty()) {
                        throw new Form.Invalid("The host needs a name.");
                    }
                    Map<String, Object> body = new LinkedHashMap<>();
                    body.put("name", name);
                    body.put("tags", form.words("tags"));
                    patch(req, res, session, id, body, "settings");
                }
                case "repo" -> {
                    String repoId = form.get("repo_id");
                    if (repoId.isEmpty()) {
                        throw new Form.Invalid("Choose a repository.");
                    }
                    patch(req, res, session, id, Map.of("repo_id", repoId), "repo");
                }
                case "disable", "enable" -> patch(req, res, session, id, Map.of("disabled", action.equals("disable")),
                                                   action);
                default -> throw new Form.Invalid("Unknown action.");
            }
        } catch (Form.Invalid e) {
            renderActions(req, res, 422, session, host(session, id), action, Views.ProblemView.invalid(e.getMessage()),
                          backup, forget, subset, null, null, drill);
        } catch (ApiException e) {
            if (e.unauthenticated() || e.unavailable()) {
                throw e;
            }
            renderActions(req, res, e.status(), session, host(session, id), action, Views.ProblemView.of(e),
                          backup, forget, subset, null, null, drill);
        }
    }

    private void runJob(ServerRequest req, ServerResponse res, Session session, String hostId, Map<String, Object> body) {
        GatewayApi.Reply reply = api.post(session, "/api/hosts/" + Urls.enc(hostId) + "/jobs", body);
        String jobId = Nodes.text(reply.body(), "job_id", Nodes.text(reply.body(), "id", ""));
        Pages.redirect(req, res, jobId.isEmpty() ? "/hosts/" + Urls.enc(hostId) + "/jobs" : "/jobs/" + Urls.enc(jobId));
    }

    private void patch(ServerRequest req, ServerResponse res, Session session, String hostId, Map<String, Object> body,
                       String saved) {
        api.patch(session, "/api/hosts/" + Urls.enc(hostId), body);
        Pages.redirect(req, res, "/hosts/" + Urls.enc(hostId) + "/actions?saved=" + saved);
    }

    private void confirm(ServerRequest req, ServerResponse res, Session session, String hostId, Confirm confirm) {
        renderActions(req, res, 200, session, host(session, hostId), null, null, BackupForm.EMPTY,
                      ForgetForm.EMPTY, "", confirm, null);
    }

    /** A run-now drill: the sample's size and byte cap, the repository (several) and the host that restores it. */
    private static Map<String, Object> drillBody(Form form) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("kind", "drill");
        Integer files = form.between("sample_files", "Files to sample", 1, 1000);
        if (files != null) {
            body.put("sample_files", files);
        }
        Integer mib = form.between("max_mib", "Size cap", 1, 65536);
        if (mib != null) {
            body.put("max_bytes", (long) mib << 20);
        }
        if (!form.get("target_host_id").isEmpty()) {
            body.put("target_host_id", form.get("target_host_id"));
        }
        if (!form.get("repo_id").isEmpty()) {
            body.put("repo_id", form.get("repo_id"));
        }
        return body;
    }

    private static Map<String, Object> backupBody(Form form) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("kind", "backup");
        JobFields.putBackupParams(form, body, "Enter at least one path to back up (one per line).", false);
        return body;
    }

    private static ForgetForm forgetForm(Form form) {
        return new ForgetForm(form.get("keep_last"), form.get("keep_hourly"), form.get("keep_daily"),
                              form.get("keep_weekly"), form.get("keep_monthly"), form.get("keep_yearly"),
                              form.get("keep_within"), form.get("keep_tags"), form.checked("prune"));
    }

    private static Map<String, Object> forgetBody(Form form) {
        return Map.of("kind", "forget", "policy", JobFields.policy(form));
    }

    private static Confirm forgetConfirm(ForgetForm f) {
        List<String> details = new ArrayList<>();
        List<Hidden> fields = new ArrayList<>();
        String[][] values = {{"keep_last", "Keep the last", f.keepLast(), "snapshots"},
                {"keep_hourly", "Keep", f.keepHourly(), "hourly snapshots"},
                {"keep_daily", "Keep", f.keepDaily(), "daily snapshots"},
                {"keep_weekly", "Keep", f.keepWeekly(), "weekly snapshots"},
                {"keep_monthly", "Keep", f.keepMonthly(), "monthly snapshots"},
                {"keep_yearly", "Keep", f.keepYearly(), "yearly snapshots"}};
        for (String[] v : values) {
            if (!v[2].isEmpty()) {
                details.add(v[1] + " " + v[2] + " " + v[3]);
                fields.add(new Hidden(v[0], v[2]));
            }
        }
        if (!f.keepWithin().isEmpty()) {
            details.add("Keep everything within " + f.keepWithin());
            fields.add(new Hidden("keep_within", f.keepWithin()));
        }
        if (!f.keepTags().isEmpty()) {
            details.add("Keep every snapshot tagged " + f.keepTags());
            fields.add(new Hidden("keep_tags", f.keepTags()));
        }
        if (f.prune()) {
            details.add("Then prune: unreferenced data is deleted from the repository");
            fields.add(new Hidden("prune", "on"));
        }
        return new Confirm("forget", "Forget snapshots?",
                           "Every snapshot not kept by these rules is removed from the repository. "
                                   + "This cannot be undone.", details, fields, "Yes, forget snapshots");
    }

    /**
     * Why each job button is disabled for this host's agent (its protocol too old for the feature), from the hub's
     * record of the agent; nothing is disabled when the hub does not know the protocol yet (jobs wait for the agent).
     */
    record Gates(Map<String, String> reasons) {
        static final Gates NONE = new Gates(Map.of());

        static Gates of(Integer protocol) {
            Map<String, String> reasons = new LinkedHashMap<>();
            for (Feature f : Feature.values()) {
                f.refusal(protocol).ifPresent(r -> reasons.put(f.key(), r));
            }
            return new Gates(reasons);
        }

        String backup() {
            return reasons.get("backup");
        }

        String copy() {
            return reasons.get("copy");
        }

        String forget() {
            return reasons.get("forget");
        }

        String prune() {
            return reasons.get("prune");
        }

        String check() {
            return reasons.get("check");
        }

        String unlock() {
            return reasons.get("unlock");
        }

        String snapshots() {
            return reasons.get("snapshots");
        }

        String init() {
            return reasons.get("init");
        }
    }

    private Gates gates(Session session, String hostId) {
        try {
            JsonNode agent = api.get(session, "/api/agents/" + Urls.enc(hostId));
            return Gates.of(agent.path("protocol_version").isNumber() ? agent.path("protocol_version").asInt() : null);
        } catch (ApiException e) {
            if (e.unauthenticated()) {
                throw e;
            }
            // the buttons stay usable; the job itself still fails with the agent's reason if it cannot run it
            return Gates.NONE;
        }
    }

    private void renderActions(ServerRequest req, ServerResponse res, int status, Session session,
                               Views.HostSummary host, String failedAction, Views.ProblemView problem,
                               BackupForm backup, ForgetForm forget, String subset, Confirm confirm, String saved) {
        renderActions(req, res, status, session, host, failedAction, problem, backup, forget, subset, confirm, saved,
                      DrillForm.EMPTY);
    }

    private void renderActions(ServerRequest req, ServerResponse res, int status, Session session,
                               Views.HostSummary host, String failedAction, Views.ProblemView problem,
                               BackupForm backup, ForgetForm forget, String subset, Confirm confirm, String saved,
                               DrillForm drill) {
        List<Views.Option> repoOptions = new ArrayList<>();
        SettingsForm settings = new SettingsForm(host.name(), String.join(", ", host.tags()));
        if (session.admin()) {
            repoOptions.add(new Views.Option("", "Choose a repository…", host.repoId() == null));
            for (JsonNode repo : RepoRoutes.items(api.get(session, "/api/repos"))) {
                String repoId = Nodes.text(repo, "id", "");
                repoOptions.add(new Views.Option(repoId, Nodes.text(repo, "name", Views.shortId(repoId))
                        + " — " + Nodes.text(repo, "url", ""), repoId.equals(host.repoId())));
            }
        }
        List<Views.Option> drillHosts = new ArrayList<>();
        if (session.admin()) {
            drillHosts.add(new Views.Option("", "This host", drill.targetHostId().isEmpty()));
            for (JsonNode other : Nodes.items(api.get(session, "/api/hosts"))) {
                String otherId = Nodes.text(other, "id", "");
                if (!otherId.isEmpty() && !otherId.equals(host.id())) {
                    drillHosts.add(new Views.Option(otherId, Nodes.text(other, "name", Views.shortId(otherId)),
                                                    otherId.equals(drill.targetHostId())));
                }
            }
        }
        ActionsPanel panel = new ActionsPanel(failedAction, problem, backup, forget, subset, confirm, settings,
                                              repoOptions, host.disabled(), saved, session.operator(),
                                              session.operator() ? gates(session, host.id()) : Gates.NONE, drill,
                                              drillHosts);
        render(req, res, status, session, new HostPage(host, false, false, true, null, null, panel, false, null));
    }

    private void render(ServerRequest req, ServerResponse res, int status, Session session, HostPage page) {
        if (Pages.fragmentRequested(req)) {
            pages.fragment(res, status, session, "hosts/_tabs", page);
        } else {
            HostPage whole = page.hooksCard() != null ? page : page.withHooks(Hooks.card(
                    api, session, page.host().id(), req.query().first("saved").orElse(null), null, null));
            pages.page(res, status, session, page.host().name(), "dashboard", "hosts/show",
                       whole.withAlerts(pages, session));
        }
    }

    private Views.HostSummary host(Session session, String id) {
        return summary(api, session, id, HostScheduleRoutes.nextRuns(api, session, java.util.Optional.of(id)));
    }

    /** The page header's host facts, with the next run its schedules give ({@code nextRuns} by host id). */
    static Views.HostSummary summary(GatewayApi api, Session session, String id, Map<String, Instant> nextRuns) {
        JsonNode host = api.get(session, "/api/hosts/" + Urls.enc(id));
        Map<String, String> repoNames = RepoRoutes.repoNames(api, session);
        Instant now = Instant.now();
        return Views.HostSummary.of(host, repoNames, now).withNextRun(Format.when(nextRuns.get(id), now));
    }

}
