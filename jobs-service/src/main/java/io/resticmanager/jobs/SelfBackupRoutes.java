package io.resticmanager.jobs;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.resticmanager.kit.Http;
import io.resticmanager.kit.Problem;
import io.resticmanager.proto.Checks;
import io.resticmanager.proto.JobKind;
import io.resticmanager.proto.JobStatus;


/**
 * {@code GET /internal/jobs/{id}/state-grant?host_id=} (agent-hub, before it streams the server's state to an agent):
 * 204 when the job is a self backup handed to that host's agent and not finished, 403 otherwise (404 for no such
 * job). The job's status is the grant: an agent that runs no self backup never gets the state.
 */
final class SelfBackupRoutes implements HttpService {
    private final JobStore store;

    SelfBackupRoutes(JobStore store) {
        this.store = store;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/internal/jobs/{id}/state-grant", this::grant);
    }

    private void grant(ServerRequest req, ServerResponse res) {
        String id = req.path().pathParameters().get("id");
        String host = Http.query(req, "host_id").orElseThrow(() -> Problem.badRequest("host_id is required"));
        if (!Checks.id(id) || !Checks.id(host)) {
            throw Problem.badRequest("malformed job or host id");
        }
        Job job = store.find(id).orElseThrow(() -> Problem.notFound("no job " + id));
        boolean handedOver = job.status() == JobStatus.RUNNING || job.status() == JobStatus.QUEUED && job.dispatched();
        if (job.kind() != JobKind.SELF_BACKUP || !handedOver || !job.runsOn().equals(host)) {
            throw Problem.forbidden("job " + id + " is no self backup this host is running");
        }
        res.status(204).send();
    }
}
