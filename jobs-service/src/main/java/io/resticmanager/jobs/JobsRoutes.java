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
import io.resticmanager.proto.JobStatus;
import io.resticmanager.proto.Principal;
import io.resticmanager.proto.Role;
import io.resticmanager.proto.view.Page;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The public jobs API (reached through the gateway): run now, list, show, logs, cancel. */
final class JobsRoutes implements HttpService {
    private final JobStore store;
    private final JobLogStore logs;
    private final JobLifecycle lifecycle;
    private final LogFanout fanout;

    JobsRoutes(JobStore store, JobLogStore logs, JobLifecycle lifecycle, LogFanout fanout) {
        this.store = store;
        this.logs = logs;
        this.lifecycle = lifecycle;
        this.fanout = fanout;
    }

    /** A page of a job's log; pass {@code next_after_seq} as {@code after_seq} to continue. */
    record LogPage(List<LogEntry> items, long nextAfterSeq) {
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/api/hosts/{id}/jobs", this::create)
                .get("/api/jobs", this::list)
                .get("/api/jobs/{id}", this::show)
                .get("/api/jobs/{id}/logs", this::logs)
                .get("/api/jobs/{id}/stream", this::streamWithoutUpgrade)
                .post("/api/jobs/{id}/cancel", this::cancel);
    }

    private void create(ServerRequest req, ServerResponse res) {
        Principal principal = InternalAuth.require(req, Role.OPERATOR);
        String hostId = id(req, "host");
        JobRequest request = JobRequest.parse(Http.body(req, JsonNode.class));
        JobRequest.requirePruneRight(principal, request.kind(), request.params());
        JobRequest.requireDrillRight(principal, hostId, request.kind(), request.params());
        JobRequest.requireSelfBackupRight(principal, request.kind());
        Job job = lifecycle.create(hostId, request, principal);
        Http.audit(res, "job.run_now", "host=" + hostId + " job=" + job.id() + " kind=" + job.kind().wire());
        res.header("Location", "/api/jobs/" + job.id());
        Http.json(res, 202, job.queuedReason() == null
                ? Map.of("job_id", job.id(), "status", job.status().wire())
                : Map.of("job_id", job.id(), "status", job.status().wire(), "queued_reason", job.queuedReason()));
    }

    private void list(ServerRequest req, ServerResponse res) {
        InternalAuth.require(req, Role.VIEWER);
        Optional<JobStatus> status = Http.query(req, "status").map(s -> JobStatus.parse(s).orElseThrow(
                () -> Problem.badRequest("unknown status " + s)));
        Optional<JobKind> kind = Http.query(req, "kind").map(k -> JobKind.parse(k).orElseThrow(
                () -> Problem.badRequest("unknown kind " + k)));
        long cursor = Http.query(req, "cursor").map(JobsRoutes::cursor).orElse(0L);
        int limit = Http.intQuery(req, "limit", 50, 1, 500);
        List<Job> items = store.list(Http.query(req, "host_id"), status, kind, cursor, limit).stream()
                .map(this::live).toList();
        String next = items.size() == limit ? Long.toString(items.getLast().seq()) : null;
        Http.json(res, new Page<>(items.stream().map(Job::view).toList(), next));
    }

    private void show(ServerRequest req, ServerResponse res) {
        InternalAuth.require(req, Role.VIEWER);
        Http.json(res, live(job(req)).view());
    }

    private void logs(ServerRequest req, ServerResponse res) {
        InternalAuth.require(req, Role.VIEWER);
        Job job = job(req);
        long after = Http.query(req, "after_seq").map(s -> {
            try {
                return Long.parseLong(s);
            } catch (NumberFormatException e) {
                throw Problem.badRequest("after_seq must be a number");
            }
        }).orElse(0L);
        int limit = Http.intQuery(req, "limit", 1000, 1, 10_000);
        boolean progress = Http.query(req, "include").map(s -> List.of(s.split(",")).contains("progress")).orElse(false);
        List<LogEntry> items = logs.after(job.id(), after, limit, progress);
        Http.json(res, new LogPage(items, items.isEmpty() ? after : items.getLast().seq()));
    }

    /** Reached only without an upgrade request (StreamGuard has checked the caller and the job). */
    private void streamWithoutUpgrade(ServerRequest req, ServerResponse res) {
        throw new Problem(426, "Upgrade Required", "this endpoint is a WebSocket; connect with an upgrade request");
    }

    private void cancel(ServerRequest req, ServerResponse res) {
        InternalAuth.require(req, Role.OPERATOR);
        String jobId = id(req, "job");
        Job job = lifecycle.cancel(jobId);
        Http.audit(res, "job.cancel", "host=" + job.hostId() + " job=" + job.id());
        Http.json(res, 202, Map.of("job_id", job.id(), "status", job.status().wire()));
    }

    private Job job(ServerRequest req) {
        String id = id(req, "job");
        return store.find(id).orElseThrow(() -> Problem.notFound("no job " + id));
    }

    /** The job with its in-memory progress, which is fresher than the stored one. */
    private Job live(Job job) {
        if (job.status().terminal()) {
            return job;
        }
        return fanout.progress(job.id()).map(p -> new Job(job.id(), job.hostId(), job.repoId(), job.kind(),
                job.status(), job.queuedReason(), job.createdBy(), job.createdById(), job.createdAt(), job.startedAt(),
                job.finishedAt(), job.exitCode(), job.summary(), job.error(), job.commandLine(), (JsonNode) p,
                job.params(), job.scheduleId(), job.scheduledFor(), job.runnerHostId(), job.seq(), job.dispatchedAt(),
                job.cancelRequested())).orElse(job);
    }

    private static String id(ServerRequest req, String what) {
        String id = req.path().pathParameters().get("id");
        if (!Checks.id(id)) {
            throw Problem.notFound("no " + what + " " + id);
        }
        return id;
    }

    private static long cursor(String raw) {
        try {
            long value = Long.parseLong(raw);
            if (value < 1) {
                throw Problem.badRequest("invalid cursor");
            }
            return value;
        } catch (NumberFormatException e) {
            throw Problem.badRequest("invalid cursor");
        }
    }
}
