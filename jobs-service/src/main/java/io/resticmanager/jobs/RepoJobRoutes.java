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
import io.resticmanager.proto.JobKind;
import io.resticmanager.proto.JobParams;
import io.resticmanager.proto.Principal;
import io.resticmanager.proto.Role;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code POST /api/repos/{id}/jobs {kind: "unlock"|"stats", host_id?}} (operator): a job on a repository rather than on
 * a host — remove its stale locks, or measure it now (the full stats, restore size included). It runs like any job
 * on one of the hosts that back up to the repository: {@code host_id} when given, else the first of them that is
 * online (else the first; it waits for it). 202 {@code {job_id, status, host_id, repo_id}}; 409 when no host uses it.
 */
final class RepoJobRoutes implements HttpService {
    private final HostPresenceStore presence;
    private final JobLifecycle lifecycle;
    private final InventoryClient inventory;

    RepoJobRoutes(HostPresenceStore presence, JobLifecycle lifecycle, InventoryClient inventory) {
        this.presence = presence;
        this.lifecycle = lifecycle;
        this.inventory = inventory;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/api/repos/{id}/jobs", this::create);
    }

    private void create(ServerRequest req, ServerResponse res) {
        Principal principal = InternalAuth.require(req, Role.OPERATOR);
        String repoId = req.path().pathParameters().get("id");
        if (!Checks.id(repoId)) {
            throw Problem.notFound("no repository " + repoId);
        }
        JsonNode body = Http.body(req, JsonNode.class);
        if (!body.isObject()) {
            throw Problem.badRequest("request body must be a JSON object");
        }
        JsonNode kindNode = body.path("kind");
        if (!kindNode.isMissingNode() && !kindNode.isNull() && !kindNode.isTextual()) {
            throw Problem.badRequest("wrong JSON type (field kind)");
        }
        JobKind kind = switch (kindNode.asText("")) {
            case "unlock" -> JobKind.UNLOCK;
            case "stats" -> JobKind.STATS;
            default -> throw Problem.unprocessable("kind must be unlock or stats");
        };
        List<String> hosts = inventory.repoHosts(repoId, principal);
        Optional<String> asked = JobRequest.repoId(body, "host_id");
        String hostId;
        if (asked.isPresent()) {
            if (!hosts.contains(asked.get())) {
                throw Problem.unprocessable("host " + asked.get() + " does not back up to repository " + repoId);
            }
            hostId = asked.get();
        } else {
            hostId = hosts.stream().filter(h -> presence.online(h).orElse(false)).findFirst()
                    .or(() -> hosts.stream().findFirst())
                    .orElseThrow(() -> Problem.conflict("no host backs up to repository " + repoId
                                                                + "; link one to run jobs on it"));
        }
        JobParams params = kind == JobKind.STATS ? JobParams.stats(false) : JobParams.empty();
        Job job = lifecycle.create(hostId, new JobRequest(kind, params, Optional.of(repoId)), principal);
        Http.audit(res, "job.run_now", "repo=" + repoId + " host=" + hostId + " job=" + job.id() + " kind="
                + kind.wire());
        res.header("Location", "/api/jobs/" + job.id());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("job_id", job.id());
        out.put("status", job.status().wire());
        if (job.queuedReason() != null) {
            out.put("queued_reason", job.queuedReason());
        }
        out.put("host_id", hostId);
        out.put("repo_id", repoId);
        Http.json(res, 202, out);
    }
}
