package io.resticmanager.ui;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.resticmanager.proto.Feature;
import io.resticmanager.proto.view.HostView;
import io.resticmanager.ui.HostActionForms.BackupForm;
import io.resticmanager.ui.HostActionForms.Confirm;
import io.resticmanager.ui.HostActionForms.DrillForm;
import io.resticmanager.ui.HostActionForms.ForgetForm;
import io.resticmanager.ui.HostActionForms.SettingsForm;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.resticmanager.ui.HostActionForms.backupBody;
import static io.resticmanager.ui.HostActionForms.drillBody;
import static io.resticmanager.ui.HostActionForms.forgetBody;
import static io.resticmanager.ui.HostActionForms.forgetConfirm;
import static io.resticmanager.ui.HostActionForms.forgetForm;

/**
 * The actions tab of {@code /hosts/{id}}, for operators: every action is one form posting to
 * {@code /hosts/{id}/actions}; a job action runs the job and goes to it, a destructive one asks first
 * ({@link Confirm}), a host change (name, tags, repository, disabled) patches the host and comes back saying so. A
 * failure re-renders the tab with the problem next to the form and the user's input kept.
 */
final class HostActionRoutes implements HttpService {
    private final GatewayApi api;
    private final Pages pages;

    HostActionRoutes(GatewayApi api, Pages pages) {
        this.api = api;
        this.pages = pages;
    }

    record ActionsPanel(String failedAction, Views.ProblemView problem, BackupForm backup, ForgetForm forget,
                        String checkSubset, Confirm confirm, SettingsForm settings, List<Views.Option> repoOptions,
                        boolean hostDisabled, String saved, boolean allowed, FeatureGates gates, DrillForm drill,
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
        rules.get("/hosts/{id}/actions", Pages.signedIn(this::actionsTab))
                .post("/hosts/{id}/actions", Pages.signedIn(this::act));
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

    private FeatureGates gates(Session session, String hostId) {
        try {
            JsonNode agent = api.get(session, "/api/agents/" + Urls.enc(hostId));
            JsonNode protocol = agent.path("protocol_version");
            return FeatureGates.of(protocol.isNumber() ? protocol.asInt() : null);
        } catch (ApiException e) {
            if (e.unauthenticated()) {
                throw e;
            }
            // the buttons stay usable; the job itself still fails with the agent's reason if it cannot run it
            return FeatureGates.NONE;
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
            for (HostView other : api.get(session, "/api/hosts", Map.of(), GatewayApi.HOSTS).items()) {
                String otherId = other.id() != null ? other.id() : "";
                if (!otherId.isEmpty() && !otherId.equals(host.id())) {
                    String name = other.name() != null ? other.name() : Views.shortId(otherId);
                    drillHosts.add(new Views.Option(otherId, name,
                                                    otherId.equals(drill.targetHostId())));
                }
            }
        }
        ActionsPanel panel = new ActionsPanel(failedAction, problem, backup, forget, subset, confirm, settings,
                                              repoOptions, host.disabled(), saved, session.operator(),
                                              session.operator() ? gates(session, host.id()) : FeatureGates.NONE,
                                              drill, drillHosts);
        HostPage.actions(host, panel).render(api, pages, req, res, status, session);
    }

    private Views.HostSummary host(Session session, String id) {
        return HostPage.summary(api, session, id);
    }
}
