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
import io.resticmanager.proto.JobKind;
import io.resticmanager.proto.Principal;
import io.resticmanager.proto.RetentionPolicy;
import io.resticmanager.proto.Role;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The public schedules API (through the gateway, {@code /api/schedules/**}): create, list (optionally per
 * host), show, change and delete. Every change bumps the host's schedule list, which the schedule worker
 * pushes to its agent ({@code schedules.sync}) at once or when the host comes online.
 */
final class ScheduleRoutes implements HttpService {
    private final ScheduleStore schedules;
    private final JobStore store;
    private final InventoryClient inventory;
    private final Signals signals;

    ScheduleRoutes(ScheduleStore schedules, JobStore store, InventoryClient inventory, Signals signals) {
        this.schedules = schedules;
        this.store = store;
        this.inventory = inventory;
        this.signals = signals;
    }

    /** A schedule as the API shows it: the request's fields, plus the next fire time and the last run. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    record View(String id, String hostId, String name, String cron, String timezone, JobKind kind, List<String> paths,
                List<String> excludes, List<String> tags, RetentionPolicy policy, String readDataSubset,
                Integer limitUploadKib, Integer limitDownloadKib, boolean enabled, Instant nextRunAt,
                ScheduleStore.LastRun lastRun, String createdBy, Instant createdAt, Instant updatedAt,
                @JsonInclude(JsonInclude.Include.ALWAYS) String repoId) {
        static View of(Schedule s, Optional<ScheduleStore.LastRun> lastRun, Instant now) {
            var p = s.params();
            return new View(s.id(), s.hostId(), s.name(), s.cron(), s.timezone(), s.kind(), p.paths(), p.excludes(),
                            p.tags(), p.policy(), p.readDataSubset(), p.limitUploadKib(), p.limitDownloadKib(),
                            s.enabled(), s.nextRun(now).orElse(null), lastRun.orElse(null), s.createdBy(),
                            s.createdAt(), s.updatedAt(), s.repoId());
        }
    }

    @JsonInclude(JsonInclude.Include.ALWAYS)
    record Page(List<View> items) {
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/api/schedules", this::create)
                .get("/api/schedules", this::list)
                .get("/api/schedules/{id}", this::show)
                .patch("/api/schedules/{id}", this::update)
                .delete("/api/schedules/{id}", this::delete);
    }

    private void create(ServerRequest req, ServerResponse res) {
        Principal principal = InternalAuth.require(req, Role.OPERATOR);
        ScheduleRequest request = ScheduleRequest.parse(Http.body(req, JsonNode.class));
        JobRequest.requirePruneRight(principal, request.job().kind(), request.job().params());
        if (!inventory.hostExists(request.hostId(), principal)) {
            throw Problem.notFound("unknown host " + request.hostId());
        }
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        Schedule schedule = schedule(UUID.randomUUID().toString(), request, principal.username(), now, now);
        store.write(tx -> {
            ScheduleStore.insert(tx, schedule);
            return null;
        });
        signals.schedules();
        audit(res, "schedule.create", schedule);
        res.header("Location", "/api/schedules/" + schedule.id());
        Http.json(res, 201, View.of(schedule, Optional.empty(), Instant.now()));
    }

    private void list(ServerRequest req, ServerResponse res) {
        InternalAuth.require(req, Role.VIEWER);
        Optional<String> hostId = Http.query(req, "host_id").filter(h -> !h.isBlank());
        Map<String, ScheduleStore.LastRun> lastRuns = schedules.lastRuns(hostId);
        Instant now = Instant.now();
        Http.json(res, new Page(schedules.list(hostId).stream()
                                        .map(s -> View.of(s, Optional.ofNullable(lastRuns.get(s.id())), now))
                                        .toList()));
    }

    private void show(ServerRequest req, ServerResponse res) {
        InternalAuth.require(req, Role.VIEWER);
        Schedule s = find(req);
        Http.json(res, View.of(s, Optional.ofNullable(schedules.lastRuns(Optional.of(s.hostId())).get(s.id())),
                               Instant.now()));
    }

    private void update(ServerRequest req, ServerResponse res) {
        Principal principal = InternalAuth.require(req, Role.OPERATOR);
        Schedule stored = find(req);
        ScheduleRequest request = ScheduleRequest.merge(stored, Http.body(req, JsonNode.class));
        JobRequest.requirePruneRight(principal, request.job().kind(), request.job().params());
        Schedule changed = schedule(stored.id(), request, stored.createdBy(), stored.createdAt(),
                                    Instant.now().truncatedTo(ChronoUnit.MILLIS));
        if (!store.write(tx -> ScheduleStore.update(tx, changed))) {
            throw Problem.notFound("no schedule " + stored.id());
        }
        signals.schedules();
        audit(res, "schedule.update", changed);
        Http.json(res, View.of(changed, Optional.ofNullable(schedules.lastRuns(Optional.of(changed.hostId()))
                                                                     .get(changed.id())), Instant.now()));
    }

    private void delete(ServerRequest req, ServerResponse res) {
        InternalAuth.require(req, Role.OPERATOR);
        Schedule stored = find(req);
        if (!store.write(tx -> ScheduleStore.delete(tx, stored))) {
            throw Problem.notFound("no schedule " + stored.id());
        }
        signals.schedules();
        audit(res, "schedule.delete", stored);
        res.status(204).send();
    }

    private Schedule find(ServerRequest req) {
        String id = req.path().pathParameters().get("id");
        if (!ScheduleRequest.ID.matcher(id).matches()) {
            throw Problem.notFound("no schedule " + id);
        }
        return schedules.find(id).orElseThrow(() -> Problem.notFound("no schedule " + id));
    }

    private static Schedule schedule(String id, ScheduleRequest r, String createdBy, Instant createdAt,
                                     Instant updatedAt) {
        return new Schedule(id, r.hostId(), r.name(), r.cron().expression(), r.zone().getId(), r.job().kind(),
                            r.job().params(), r.enabled(), createdBy, createdAt, updatedAt, r.job().repoId().orElse(null));
    }

    private static void audit(ServerResponse res, String action, Schedule s) {
        Http.audit(res, action, "host=" + s.hostId() + " schedule=" + s.id() + " kind=" + s.kind().wire());
    }
}
