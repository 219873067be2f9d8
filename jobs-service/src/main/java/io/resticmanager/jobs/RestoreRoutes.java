package io.resticmanager.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.resticmanager.kit.Http;
import io.resticmanager.kit.InternalAuth;
import io.resticmanager.kit.Problem;
import io.resticmanager.proto.Checks;
import io.resticmanager.proto.Principal;
import io.resticmanager.proto.Role;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /api/hosts/{id}/restores} (operator): restore paths of one of host {id}'s snapshots, to their
 * original location or a directory, on that host or on {@code target_host_id} → 202 {@code {job_id, status,
 * source_host_id, target_host_id, repo_id}}.
 */
final class RestoreRoutes implements HttpService {
    private final Restores restores;
    private final List<String> operatorRoots;

    RestoreRoutes(Restores restores, List<String> operatorRoots) {
        this.restores = restores;
        this.operatorRoots = List.copyOf(operatorRoots);
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/api/hosts/{id}/restores", this::create);
    }

    private void create(ServerRequest req, ServerResponse res) {
        Principal principal = InternalAuth.require(req, Role.OPERATOR);
        String hostId = req.path().pathParameters().get("id");
        if (!Checks.id(hostId)) {
            throw Problem.notFound("no host " + hostId);
        }
        RestoreRequest request = RestoreRequest.parse(Http.body(req, JsonNode.class));
        request.requireAllowed(principal, hostId, operatorRoots);
        Restores.Created created = restores.create(hostId, request, principal);
        Job job = created.job();
        Http.audit(res, "job.restore", "host=" + hostId + " job=" + job.id() + " snapshot=" + request.snapshotId()
                + " target_host=" + created.source().targetHostId() + " target=" + request.target());
        res.header("Location", "/api/jobs/" + job.id());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("job_id", job.id());
        body.put("status", job.status().wire());
        if (job.queuedReason() != null) {
            body.put("queued_reason", job.queuedReason());
        }
        body.put("source_host_id", created.source().sourceHostId());
        body.put("target_host_id", created.source().targetHostId());
        body.put("repo_id", created.source().sourceRepoId());
        Http.json(res, 202, body);
    }
}
