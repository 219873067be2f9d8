package io.resticmanager.ui;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.resticmanager.kit.Http;
import io.resticmanager.proto.view.HostView;

import java.util.Map;

/**
 * "Update agent" (admins): {@code POST /hosts/{id}/agent-update} asks the host's agent to upgrade itself from the
 * server's APT repository ({@code POST /api/hosts/{id}/update}); {@code GET /hosts/{id}/agent-update?from=V} is
 * the progress, polled by htmx until the agent is back online with another version than {@code V}. The fleet's
 * {@code POST /versions/agent-update} asks every online host ({@code POST /api/hosts/update}) and lists each
 * outcome, a started one linking to its progress.
 */
final class AgentUpdateRoutes implements HttpService {
    private final GatewayApi api;
    private final Pages pages;

    /** The progress: which host, the version it had, what it reports now, and whether that is the end. */
    record Progress(String hostId, String hostName, String from, String now, String status, boolean done,
                    Views.ProblemView problem) {
        boolean polling() {
            return !done && problem == null;
        }
    }

    /** One host's answer to "update all". */
    record FleetRow(String hostId, String from, boolean started, String reason) {
    }

    /** The answer of "update all". */
    record Fleet(int started, int refused, java.util.List<FleetRow> rows, boolean empty, Views.ProblemView problem) {
    }

    AgentUpdateRoutes(GatewayApi api, Pages pages) {
        this.api = api;
        this.pages = pages;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/hosts/{id}/agent-update", Pages.signedIn(this::start))
                .get("/hosts/{id}/agent-update", Pages.signedIn(this::progress))
                .post("/versions/agent-update", Pages.signedIn(this::startAll));
    }

    private void startAll(ServerRequest req, ServerResponse res, Session session) {
        Form.read(req);
        Fleet fleet;
        int status = 200;
        try {
            JsonNode answer = api.post(session, "/api/hosts/update", null).body();
            java.util.List<FleetRow> rows = new java.util.ArrayList<>();
            for (JsonNode item : answer.path("items")) {
                rows.add(new FleetRow(Nodes.text(item, "host_id", ""), Nodes.text(item, "from_version", ""),
                                      "started".equals(Nodes.text(item, "status", "")),
                                      Nodes.text(item, "reason", Nodes.text(item, "error", ""))));
            }
            fleet = new Fleet(answer.path("started").asInt(), answer.path("refused").asInt(), rows, rows.isEmpty(),
                              null);
        } catch (ApiException e) {
            if (e.unauthenticated() || e.unavailable()) {
                throw e;
            }
            status = e.status();
            fleet = new Fleet(0, 0, java.util.List.of(), true, Views.ProblemView.of(e));
        }
        pages.page(res, status, session, "Update agents", "versions", "versions/agent_update", fleet);
    }

    private void start(ServerRequest req, ServerResponse res, Session session) {
        String id = req.path().pathParameters().get("id");
        Form.read(req); // the CSRF token was checked by the gateway; nothing else is read
        try {
            JsonNode started = api.post(session, "/api/hosts/" + Urls.enc(id) + "/update", null).body();
            Pages.redirect(req, res, "/hosts/" + Urls.enc(id) + "/agent-update?from="
                    + Urls.enc(Nodes.text(started, "from_version", "")));
        } catch (ApiException e) {
            if (e.unauthenticated() || e.unavailable()) {
                throw e;
            }
            render(req, res, e.status(), session, id, "", Views.ProblemView.of(e));
        }
    }

    private void progress(ServerRequest req, ServerResponse res, Session session) {
        String id = req.path().pathParameters().get("id");
        render(req, res, 200, session, id, Http.query(req, "from").orElse(""), null);
    }

    private void render(ServerRequest req, ServerResponse res, int status, Session session, String id, String from,
                        Views.ProblemView problem) {
        HostView host = api.get(session, "/api/hosts/" + Urls.enc(id), Map.of(), GatewayApi.HOST);
        String now = host.agentVersion() != null ? host.agentVersion() : "";
        String hostStatus = host.status() != null ? host.status() : "unknown";
        boolean done = problem == null && HostView.ONLINE.equals(hostStatus) && !now.isEmpty() && !now.equals(from);
        Progress progress = new Progress(id, host.name() != null ? host.name() : id, from, now, hostStatus, done,
                                         problem);
        if (Pages.fragmentRequested(req)) {
            pages.fragment(res, status, session, "hosts/_agent_update", progress);
        } else {
            pages.page(res, status, session, "Update agent · " + progress.hostName(), "dashboard",
                       "hosts/agent_update", progress);
        }
    }
}
