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
    private final ScheduleHooks hooks;

    ScheduleRoutes(ScheduleStore schedules, JobStore store, InventoryClient inventory, Signals signals,
                   ScheduleHooks hooks) {
        this.schedules = schedules;
        this.store = store;
        this.inventory = inventory;
        this.signals = signals;
        this.hooks = hooks;
    }

    /** A schedule as the API shows it: the request's fields, plus the next fire time and the last run. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    record View(String id, String hostId, String name, String cron, String timezone, JobKind kind, List<String> paths,
                List<String> excludes, List<String> tags, RetentionPolicy policy, String readDataSubset,
                Integer limitUploadKib, Integer limitDownloadKib, boolean enabled, Instant nextRunAt,
                ScheduleStore.LastRun lastRun, String createdBy, Instant createdAt, Instant updatedAt,
                @JsonInclude(JsonInclude.Include.ALWAYS) String repoId, boolean hasPreHook, boolean hasPostHook,
                @JsonInclude(JsonInclude.Include.NON_NULL) String preHook,
                @JsonInclude(JsonInclude.Include.NON_NULL) String postHook,
                @JsonInclude(JsonInclude.Include.NON_NULL) Integer sampleFiles,
                @JsonInclude(JsonInclude.Include.NON_NULL) Long maxBytes,
                @JsonInclude(JsonInclude.Include.NON_NULL) String targetHostId,
                @JsonInclude(JsonInclude.Include.NON_NULL) Boolean useFsSnapshot) {
        /** The hook text only for admins; everyone sees whether there is one. */
        static View of(Schedule s, Optional<ScheduleStore.LastRun> lastRun, Instant now, ScheduleHooks.Own hooks,
                       boolean admin) {
            var p = s.params();
            return new View(s.id(), s.hostId(), s.name(), s.cron(), s.timezone(), s.kind(), p.paths(), p.excludes(),
                            p.tags(), p.policy(), p.readDataSubset(), p.limitUploadKib(), p.limitDownloadKib(),
                            s.enabled(), s.nextRun(now).orElse(null), lastRun.orElse(null), s.createdBy(),
                            s.createdAt(), s.updatedAt(), s.repoId(), hooks.pre() != null, hooks.post() != null,
                            admin ? hooks.pre() : null, admin ? hooks.post() : null, p.sampleFiles(), p.maxBytes(),
                            p.targetHostId(), s.kind() == JobKind.BACKUP ? p.fsSnapshot() : null);
        }
    }

    /**
     * Hooks run as root on the host: only admins set or change them, and only on backups (422 for any other kind,
     * also when a PATCH turns a schedule with hooks into another kind).
     */
    private static ScheduleHooks.Own hooksFor(Principal principal, JsonNode body, JobKind kind,
                                              ScheduleHooks.Own stored) {
        if (ScheduleHooks.touches(body) && !principal.role().atLeast(Role.ADMIN)) {
            throw Problem.forbidden("only admins may set or change hooks (they run as root on the host)");
        }
        ScheduleHooks.Own next = ScheduleHooks.merge(stored, body);
        if (next.any() && kind != JobKind.BACKUP) {
            throw Problem.unprocessable("pre_hook and post_hook are for backup schedules only, not " + kind.wire());
        }
        return next;
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
        JsonNode body = Http.body(req, JsonNode.class);
        ScheduleRequest request = ScheduleRequest.parse(body);
        JobRequest.requirePruneRight(principal, request.job().kind(), request.job().params());
        JobRequest.requireDrillRight(principal, request.hostId(), request.job().kind(), request.job().params());
        JobRequest.requireSelfBackupRight(principal, request.job().kind());
        ScheduleHooks.Own own = hooksFor(principal, body, request.job().kind(), ScheduleHooks.Own.NONE);
        if (!inventory.hostExists(request.hostId(), principal)) {
            throw Problem.notFound("unknown host " + request.hostId());
        }
        requireDrillTarget(request, principal);
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        Schedule schedule = schedule(UUID.randomUUID().toString(), request, principal.username(), now, now);
        store.write(tx -> {
            ScheduleStore.insert(tx, schedule);
            hooks.put(tx.sql(), schedule.id(), own, now);
            return null;
        });
        signals.schedules();
        audit(res, "schedule.create", schedule, ScheduleHooks.changed(ScheduleHooks.Own.NONE, own));
        res.header("Location", "/api/schedules/" + schedule.id());
        Http.json(res, 201, View.of(schedule, Optional.empty(), Instant.now(), own, admin(principal)));
    }

    /** A drill's other host must exist (422), as a run-now drill's must. */
    private void requireDrillTarget(ScheduleRequest request, Principal principal) {
        String target = request.job().params().targetHostId();
        if (request.job().kind() == JobKind.DRILL && target != null && !target.equals(request.hostId())
                && !inventory.hostExists(target, principal)) {
            throw Problem.unprocessable("target host " + target + " does not exist");
        }
    }

    private static boolean admin(Principal p) {
        return p.role().atLeast(Role.ADMIN);
    }

    private void list(ServerRequest req, ServerResponse res) {
        Principal principal = InternalAuth.require(req, Role.VIEWER);
        Optional<String> hostId = Http.query(req, "host_id").filter(h -> !h.isBlank());
        Map<String, ScheduleStore.LastRun> lastRuns = schedules.lastRuns(hostId);
        Instant now = Instant.now();
        Http.json(res, new Page(schedules.list(hostId).stream()
                                        .map(s -> View.of(s, Optional.ofNullable(lastRuns.get(s.id())), now,
                                                          hooks.of(s.id()), admin(principal)))
                                        .toList()));
    }

    private void show(ServerRequest req, ServerResponse res) {
        Principal principal = InternalAuth.require(req, Role.VIEWER);
        Schedule s = find(req);
        Http.json(res, View.of(s, Optional.ofNullable(schedules.lastRuns(Optional.of(s.hostId())).get(s.id())),
                               Instant.now(), hooks.of(s.id()), admin(principal)));
    }

    private void update(ServerRequest req, ServerResponse res) {
        Principal principal = InternalAuth.require(req, Role.OPERATOR);
        Schedule stored = find(req);
        JsonNode body = Http.body(req, JsonNode.class);
        ScheduleRequest request = ScheduleRequest.merge(stored, hooksRemoved(body));
        JobRequest.requirePruneRight(principal, request.job().kind(), request.job().params());
        JobRequest.requireDrillRight(principal, request.hostId(), request.job().kind(), request.job().params());
        JobRequest.requireSelfBackupRight(principal, request.job().kind());
        requireDrillTarget(request, principal);
        ScheduleHooks.Own before = hooks.of(stored.id());
        ScheduleHooks.Own own = hooksFor(principal, body, request.job().kind(), before);
        Schedule changed = schedule(stored.id(), request, stored.createdBy(), stored.createdAt(),
                                    Instant.now().truncatedTo(ChronoUnit.MILLIS));
        if (!store.write(tx -> {
            if (!ScheduleStore.update(tx, changed)) {
                return false;
            }
            hooks.put(tx.sql(), changed.id(), own, changed.updatedAt());
            return true;
        })) {
            throw Problem.notFound("no schedule " + stored.id());
        }
        signals.schedules();
        audit(res, "schedule.update", changed, ScheduleHooks.changed(before, own));
        Http.json(res, View.of(changed, Optional.ofNullable(schedules.lastRuns(Optional.of(changed.hostId()))
                                                                     .get(changed.id())), Instant.now(), own,
                               admin(principal)));
    }

    private void delete(ServerRequest req, ServerResponse res) {
        Principal principal = InternalAuth.require(req, Role.OPERATOR);
        Schedule stored = find(req);
        // ending the server's own protection is an admin's decision, like starting it
        JobRequest.requireSelfBackupRight(principal, stored.kind());
        if (!store.write(tx -> {
            tx.sql().update("schedule-hooks.delete", stored.id());
            return ScheduleStore.delete(tx, stored);
        })) {
            throw Problem.notFound("no schedule " + stored.id());
        }
        signals.schedules();
        audit(res, "schedule.delete", stored);
        res.status(204).send();
    }

    private Schedule find(ServerRequest req) {
        String id = req.path().pathParameters().get("id");
        if (!io.resticmanager.proto.Checks.id(id)) {
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
        audit(res, action, s, List.of());
    }

    /** Which hooks changed is part of the audit target; their text never is. */
    private static void audit(ServerResponse res, String action, Schedule s, List<String> hooksChanged) {
        Http.audit(res, action, "host=" + s.hostId() + " schedule=" + s.id() + " kind=" + s.kind().wire()
                + (hooksChanged.isEmpty() ? "" : " hooks=" + String.join(",", hooksChanged)));
    }

    /** The body without hook fields, for the schedule merge (hooks are kept apart, sealed). */
    private static JsonNode hooksRemoved(JsonNode body) {
        if (!body.isObject() || !ScheduleHooks.touches(body)) {
            return body;
        }
        com.fasterxml.jackson.databind.node.ObjectNode copy = body.deepCopy();
        copy.remove(List.of("pre_hook", "post_hook"));
        return copy;
    }
}
