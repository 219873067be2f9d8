package io.resticmanager.jobs;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.resticmanager.kit.Http;
import io.resticmanager.kit.InternalAuth;
import io.resticmanager.kit.Problem;
import io.resticmanager.proto.Checks;
import io.resticmanager.proto.DiffEntry;
import io.resticmanager.proto.JobKind;
import io.resticmanager.proto.JobParams;
import io.resticmanager.proto.Principal;
import io.resticmanager.proto.Role;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Snapshot diffs. {@code POST /api/hosts/{id}/diffs {snapshot_id, other_snapshot_id}} (operator) queues a {@code diff}
 * job on the host, in the repository that holds both snapshots → 202 {@code {job_id, status, repo_id}}.
 * {@code GET /api/jobs/{id}/diff?cursor=&limit=} (viewer) pages its entries in path order, at most 500 a page; the
 * agent keeps at most 20,000 per diff ({@code summary.truncated} says when there were more).
 */
final class DiffRoutes implements HttpService {
    private final JobStore store;
    private final JobLogStore logs;
    private final JobLifecycle lifecycle;
    private final InventoryClient inventory;

    DiffRoutes(JobStore store, JobLogStore logs, JobLifecycle lifecycle, InventoryClient inventory) {
        this.store = store;
        this.logs = logs;
        this.lifecycle = lifecycle;
        this.inventory = inventory;
    }

    /** A page of a diff; {@code next_cursor} is null on the last page (and while the job still runs). */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    record DiffPage(String jobId, String hostId, String repoId, String status, String snapshotId,
                    String otherSnapshotId, Map<String, Object> summary, List<DiffEntry> items, String nextCursor) {
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/api/hosts/{id}/diffs", this::create)
                .get("/api/jobs/{id}/diff", this::page);
    }

    private void create(ServerRequest req, ServerResponse res) {
        Principal principal = InternalAuth.require(req, Role.OPERATOR);
        String hostId = req.path().pathParameters().get("id");
        if (!Checks.id(hostId)) {
            throw Problem.notFound("no host " + hostId);
        }
        JsonNode body = Http.body(req, JsonNode.class);
        if (!body.isObject()) {
            throw Problem.badRequest("request body must be a JSON object");
        }
        String from = snapshot(body, "snapshot_id");
        String to = snapshot(body, "other_snapshot_id");
        if (from.startsWith(to) || to.startsWith(from)) {
            throw Problem.unprocessable("pick two different snapshots");
        }
        String fromRepo = inventory.snapshotRepo(hostId, from, principal)
                .orElseThrow(() -> Problem.notFound("host " + hostId + " has no snapshot " + from));
        String toRepo = inventory.snapshotRepo(hostId, to, principal)
                .orElseThrow(() -> Problem.notFound("host " + hostId + " has no snapshot " + to));
        if (!fromRepo.equals(toRepo)) {
            throw Problem.unprocessable("the two snapshots are in different repositories; restic compares snapshots "
                                                + "of one repository");
        }
        Job job = lifecycle.create(hostId, new JobRequest(JobKind.DIFF, JobParams.diff(from, to),
                                                          fromRepo.isEmpty() ? Optional.empty() : Optional.of(fromRepo)),
                                   principal);
        Http.audit(res, "job.diff", "host=" + hostId + " job=" + job.id() + " snapshots=" + from + ".." + to);
        res.header("Location", "/api/jobs/" + job.id() + "/diff");
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("job_id", job.id());
        out.put("status", job.status().wire());
        if (job.queuedReason() != null) {
            out.put("queued_reason", job.queuedReason());
        }
        out.put("repo_id", job.repoId());
        Http.json(res, 202, out);
    }

    private void page(ServerRequest req, ServerResponse res) {
        InternalAuth.require(req, Role.VIEWER);
        String id = req.path().pathParameters().get("id");
        Job job = (Checks.id(id) ? store.find(id) : Optional.<Job>empty())
                .filter(j -> j.kind() == JobKind.DIFF)
                .orElseThrow(() -> Problem.notFound("no diff job " + id));
        int limit = Http.intQuery(req, "limit", 100, 1, 500);
        long after = Http.query(req, "cursor").map(DiffRoutes::cursor).orElse(0L);
        List<DiffEntry> items = new ArrayList<>();
        long last = after;
        // only a finished diff is paged: its entries are complete, so a cursor never skips one written later
        if (job.status().terminal()) {
            for (JobLogStore.DiffLine line : logs.diffLines(job.id(), after, limit + 1)) {
                if (items.size() == limit) {
                    break;
                }
                last = line.seq();
                DiffEntry.parse(line.line()).ifPresent(items::add);
            }
        }
        boolean more = job.status().terminal() && logs.diffLines(job.id(), last, 1).size() == 1;
        Http.json(res, new DiffPage(job.id(), job.hostId(), job.repoId(), job.status().wire(), job.params().snapshotId(),
                                    job.params().otherSnapshotId(), job.summary(), items,
                                    more ? Long.toString(last) : null));
    }

    private static String snapshot(JsonNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            throw Problem.unprocessable(field + " is required");
        }
        if (!node.isTextual()) {
            throw Problem.badRequest("wrong JSON type (field " + field + "): expected a string");
        }
        String id = node.asText().strip().toLowerCase(Locale.ROOT);
        if (!Checks.snapshotId(id)) {
            throw Problem.unprocessable(field + " must be 8 to 64 hex characters");
        }
        return id;
    }

    private static long cursor(String raw) {
        try {
            long value = Long.parseLong(raw);
            if (value < 0) {
                throw Problem.badRequest("invalid cursor");
            }
            return value;
        } catch (NumberFormatException e) {
            throw Problem.badRequest("invalid cursor");
        }
    }
}
