package io.resticmanager.ui;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.resticmanager.proto.Json;
import io.resticmanager.proto.view.JobView;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * {@code /jobs/{id}}: status, progress, summary and the log so far. {@code /assets/live-log.js} then tails
 * the job over the API's WebSocket; without JavaScript the page offers a refresh link instead.
 * An htmx partial request gets only {@code #job-head} (status, summary, cancel), polled while the job runs.
 */
final class JobRoutes implements HttpService {
    /** Lines rendered server-side; the live view fills in the rest. */
    static final int MAX_LOG_LINES = 5000;
    private static final int MAX_LOG_PAGES = 10;

    private final GatewayApi api;
    private final Pages pages;

    JobRoutes(GatewayApi api, Pages pages) {
        this.api = api;
        this.pages = pages;
    }

    record LogLine(long seq, String stream, String ts, String line) {
    }

    record Stat(String label, String value) {
    }

    record Progress(int percent, String files, String bytes, String eta) {
    }

    record JobHead(String id, String kind, Views.Badge badge, boolean terminal, String hostId, String hostName,
                   String createdBy, Format.When created, Format.When started, Format.When finished,
                   String duration, String exitCode, String error, List<Stat> summary, String snapshotId,
                   boolean cancellable, Views.ProblemView problem) {
        boolean hasSummary() {
            return !summary.isEmpty() || snapshotId != null;
        }

        /** A diff job's result page (its log holds the entries as JSON lines). */
        String diffUrl() {
            return kind.equalsIgnoreCase("diff") && hostId != null ? "/hosts/" + hostId + "/diffs/" + id : null;
        }
    }

    record JobPage(JobHead head, Progress progress, List<LogLine> log, long lastSeq, boolean truncated,
                   boolean emptyLog) {
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/jobs/{id}", Pages.signedIn(this::show))
                .post("/jobs/{id}/cancel", Pages.signedIn(this::cancel));
    }

    private void show(ServerRequest req, ServerResponse res, Session session) {
        String id = req.path().pathParameters().get("id");
        if (Pages.fragmentRequested(req)) {
            try {
                pages.fragment(res, 200, session, "jobs/_status", head(session, id, null));
            } catch (ApiException e) {
                if (!e.unavailable()) {
                    throw e;
                }
                // A poll while the API restarts: keep what the page shows (htmx swaps nothing on 204).
                res.status(204).send();
            }
            return;
        }
        render(res, 200, session, id, null);
    }

    private void cancel(ServerRequest req, ServerResponse res, Session session) {
        String id = req.path().pathParameters().get("id");
        try {
            api.post(session, "/api/jobs/" + Urls.enc(id) + "/cancel", null);
            Pages.redirect(req, res, "/jobs/" + Urls.enc(id));
        } catch (ApiException e) {
            if (e.unauthenticated() || e.unavailable()) {
                throw e;
            }
            // Keep the address bar on the job, not on the POST-only cancel URL.
            res.header(HeaderNames.create("HX-Push-Url"), "/jobs/" + Urls.enc(id));
            render(res, e.status(), session, id, Views.ProblemView.of(e));
        }
    }

    private void render(ServerResponse res, int status, Session session, String id, Views.ProblemView problem) {
        JobView job = api.get(session, "/api/jobs/" + Urls.enc(id), Map.of(), GatewayApi.JOB);
        JobHead head = head(job, hostName(session, job), session.operator(), problem, Instant.now());
        List<LogLine> log = new ArrayList<>();
        long lastSeq = 0;
        boolean truncated = false;
        for (int page = 0; page < MAX_LOG_PAGES; page++) {
            List<JsonNode> items = Nodes.items(api.get(session, "/api/jobs/" + Urls.enc(id) + "/logs",
                                                       Map.of("after_seq", String.valueOf(lastSeq))));
            boolean advanced = false;
            for (JsonNode item : items) {
                long seq = Nodes.number(item, "seq").orElse(0);
                if (seq <= lastSeq) {
                    continue;
                }
                if (log.size() >= MAX_LOG_LINES) {
                    truncated = true;
                    break;
                }
                log.add(new LogLine(seq, Nodes.text(item, "stream", "stdout"), Nodes.text(item, "ts", ""),
                                    Nodes.text(item, "line", "")));
                lastSeq = seq;
                advanced = true;
            }
            if (!advanced || truncated) {
                break;
            }
        }
        pages.page(res, status, session, head.kind() + " job", "dashboard", "jobs/show",
                   new JobPage(head, progress(job.progress()), log, lastSeq, truncated, log.isEmpty()));
    }

    static Progress progress(JsonNode p) {
        if (p == null || !p.isObject()) {
            return new Progress(0, null, null, null);
        }
        Double percent = Nodes.decimal(p, "percent");
        OptionalLong filesDone = Nodes.number(p, "files_done");
        OptionalLong totalFiles = Nodes.number(p, "total_files");
        OptionalLong bytesDone = Nodes.number(p, "bytes_done");
        OptionalLong totalBytes = Nodes.number(p, "total_bytes");
        OptionalLong eta = Nodes.number(p, "eta_s");
        return new Progress(percent == null ? 0 : Format.percent(percent),
                            filesDone.isPresent() ? Format.count(filesDone.getAsLong())
                                    + (totalFiles.isPresent() ? " / " + Format.count(totalFiles.getAsLong()) : "")
                                    : null,
                            bytesDone.isPresent() ? Format.bytes(bytesDone.getAsLong())
                                    + (totalBytes.isPresent() ? " / " + Format.bytes(totalBytes.getAsLong()) : "")
                                    : null,
                            eta.isPresent() ? Format.duration(java.time.Duration.ofSeconds(eta.getAsLong())) : null);
    }

    private JobHead head(Session session, String id, Views.ProblemView problem) {
        JobView job = api.get(session, "/api/jobs/" + Urls.enc(id), Map.of(), GatewayApi.JOB);
        return head(job, hostName(session, job), session.operator(), problem, Instant.now());
    }

    /** The host's name for the heading; a job whose host was removed still shows, with the short id. */
    private String hostName(Session session, JobView job) {
        String hostId = job.hostId();
        if (hostId == null) {
            return null;
        }
        try {
            return api.get(session, "/api/hosts/" + Urls.enc(hostId), Map.of(), GatewayApi.HOST).name();
        } catch (ApiException e) {
            if (e.unauthenticated()) {
                throw e;
            }
            return null;
        }
    }

    static JobHead head(JobView job, String hostName, boolean operator, Views.ProblemView problem, Instant now) {
        String status = job.status() == null ? null : job.status().wire();
        boolean terminal = Views.terminal(status);
        Instant started = job.startedAt();
        Instant finished = job.finishedAt();
        String hostId = job.hostId();
        // the summary's fields depend on the job's kind (restic's, a restore's, a drill's): read as a tree
        JsonNode summary = Json.MAPPER.valueToTree(job.summary() == null ? Map.of() : job.summary());
        List<Stat> stats = new ArrayList<>();
        addCount(stats, summary, "files_new", "New files");
        addCount(stats, summary, "files_changed", "Changed files");
        addCount(stats, summary, "files_unmodified", "Unmodified files");
        addCount(stats, summary, "dirs_new", "New directories");
        OptionalLong added = Nodes.number(summary, "data_added");
        if (added.isPresent()) {
            stats.add(new Stat("Data added", Format.bytes(added.getAsLong())));
        }
        OptionalLong processed = Nodes.number(summary, "total_bytes_processed");
        if (processed.isPresent()) {
            stats.add(new Stat("Data processed", Format.bytes(processed.getAsLong())));
        }
        Double took = Nodes.decimal(summary, "total_duration");
        if (took != null) {
            stats.add(new Stat("Duration (restic)", Format.durationSeconds(took)));
        }
        // restore: what came back, where to, and whose repository it read
        addCount(stats, summary, "files_restored", "Files restored");
        OptionalLong restored = Nodes.number(summary, "bytes_restored");
        if (restored.isPresent()) {
            stats.add(new Stat("Data restored", Format.bytes(restored.getAsLong())));
        }
        String target = Nodes.text(summary, "target");
        if (target != null) {
            stats.add(new Stat("Restored to", target.equals("/") ? "original location" : target));
        }
        if (summary.path("cross_host").asBoolean(false)) {
            stats.add(new Stat("From the repository of host", Nodes.text(summary, "source_host_id", "?")));
        }
        // drill: what was sampled, proved against the live files, and what did not come back intact
        addCount(stats, summary, "files_sampled", "Files sampled");
        addCount(stats, summary, "verified", "Verified against live files");
        addCount(stats, summary, "not_compared", "Restored, not compared");
        OptionalLong mismatched = Nodes.number(summary, "mismatched_count");
        if (mismatched.isPresent()) {
            List<String> paths = Nodes.strings(summary, "mismatched");
            stats.add(new Stat("Mismatched", Format.count(mismatched.getAsLong())
                    + (paths.isEmpty() ? "" : ": " + String.join(", ", paths))));
        }
        OptionalLong rate = Nodes.number(summary, "bytes_per_second");
        if (rate.isPresent()) {
            stats.add(new Stat("Throughput", Format.bytes(rate.getAsLong()) + "/s"));
        }
        OptionalLong drillMs = Nodes.number(summary, "duration_ms");
        if (drillMs.isPresent()) {
            stats.add(new Stat("Drill took", Format.durationSeconds(drillMs.getAsLong() / 1000.0)));
        }
        if (summary.has("scratch_removed")) {
            stats.add(new Stat("Scratch copy", summary.path("scratch_removed").asBoolean() ? "removed" : "NOT removed"));
        }
        String snapshot = Nodes.text(summary, "snapshot_id");
        String error = job.error();
        String kind = job.kind() == null ? null : job.kind().wire();
        return new JobHead(job.id() == null ? "" : job.id(), Views.kindLabel(kind),
                           Views.jobBadge(status), terminal, hostId,
                           hostName != null ? hostName : hostId == null ? null : Views.shortId(hostId),
                           job.createdBy(), Format.when(job.createdAt(), now),
                           Format.when(started, now), Format.when(finished, now),
                           Views.duration(started, finished, now),
                           job.exitCode() == null ? null : String.valueOf(job.exitCode()),
                           error == null || error.isBlank() ? null : error, stats, snapshot,
                           operator && !terminal, problem);
    }

    private static void addCount(List<Stat> stats, JsonNode summary, String field, String label) {
        OptionalLong n = Nodes.number(summary, field);
        if (n.isPresent()) {
            stats.add(new Stat(label, Format.count(n.getAsLong())));
        }
    }
}
