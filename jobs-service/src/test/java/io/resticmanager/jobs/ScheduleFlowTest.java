package io.resticmanager.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpServer;
import io.resticmanager.proto.JobKind;
import io.resticmanager.proto.JobParams;
import io.resticmanager.proto.JobStatus;
import io.resticmanager.proto.Message;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.resticmanager.jobs.TestSupport.ADMIN;
import static io.resticmanager.jobs.TestSupport.OPERATOR;
import static io.resticmanager.jobs.TestSupport.VIEWER;
import static io.resticmanager.jobs.TestSupport.ack;
import static org.awaitility.Awaitility.await;
import static io.resticmanager.jobs.TestSupport.event;
import static io.resticmanager.jobs.TestSupport.finished;
import static io.resticmanager.jobs.TestSupport.host;
import static io.resticmanager.jobs.TestSupport.log;
import static io.resticmanager.jobs.TestSupport.offline;
import static io.resticmanager.jobs.TestSupport.online;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

/** Schedules end to end: API, validation, next run, pushes to the agent, and fires becoming jobs. */
@ServerTest
class ScheduleFlowTest {
    private static TestSupport.Stack stack;
    private final TestSupport.Api api;

    ScheduleFlowTest(URI uri) {
        this.api = TestSupport.Api.create(uri);
    }

    @SetUpServer
    static void server(WebServerConfig.Builder server) throws Exception {
        stack = TestSupport.Stack.serve(server, "jobs-schedules");
    }

    @AfterAll
    static void stop() {
        stack.close();
    }

    private static Map<String, Object> nightly(String host) {
        return new HashMap<>(Map.of("host_id", host, "name", "nightly", "cron", "0 2 * * *",
                                    "timezone", "Europe/Berlin", "kind", "backup", "paths", List.of("/etc", "/srv"),
                                    "excludes", List.of("*.tmp"), "limit_upload_kib", 256));
    }

    private JsonNode create(Map<String, Object> body) {
        // prune deletes for good: only admins schedule it
        boolean prune = "prune".equals(body.get("kind"));
        if (prune) {
            assertThat(api.post("/api/schedules", OPERATOR, body).status(), is(403));
        }
        TestSupport.Api.Reply r = api.post("/api/schedules", prune ? ADMIN : OPERATOR, body);
        assertThat(r.body().toString(), r.status(), is(201));
        return r.body();
    }

    /** The schedule ids of the last schedules.sync the agent of {@code host} got. */
    private static List<String> lastSync(String host) {
        List<Stubs.Hub.Command> syncs = stack.hub.commands(host, "schedules.sync");
        if (syncs.isEmpty()) {
            return null;
        }
        return syncs.getLast().payload().path("schedules").findValuesAsText("id");
    }

    private static Message.ScheduleFire fire(String scheduleId, String jobId, Instant at, boolean catchUp) {
        return new Message.ScheduleFire(scheduleId, jobId, at, catchUp);
    }

    @Test
    void aSelfBackupScheduleRunsDailyUnlessToldOtherwiseAndOnlyAdminsMakeIt() {
        String host = TestSupport.host();
        stack.inventory.host(host, "repo-" + host);
        Map<String, Object> body = Map.of("host_id", host, "kind", "self_backup", "repo_id", "repo-" + host);
        assertThat(api.post("/api/schedules", OPERATOR, body).status(), is(403));
        TestSupport.Api.Reply made = api.post("/api/schedules", ADMIN, body);
        assertThat(made.body().toString(), made.status(), is(201));
        assertThat(made.body().path("cron").asText(), is("0 3 * * *"));
        // any other kind still has to say when
        assertThat(api.post("/api/schedules", OPERATOR, Map.of("host_id", host, "kind", "backup", "paths",
                                                                  List.of("/etc"))).status(), is(422));
    }

    @Test
    void createShowListPatchDeleteWithNextRunAndAudit() {
        String host = host();
        stack.inventory.host(host, "repo-" + host);
        TestSupport.Api.Reply created = api.post("/api/schedules", OPERATOR, nightly(host));
        assertThat(created.body().toString(), created.status(), is(201));
        JsonNode s = created.body();
        String id = s.path("id").asText();
        assertThat(created.header("Location"), is("/api/schedules/" + id));
        assertThat(created.header("X-RM-Audit-Action"), is("schedule.create"));
        assertThat(created.header("X-RM-Audit-Target"), is("host=" + host + " schedule=" + id + " kind=backup"));
        assertThat(s.path("host_id").asText(), is(host));
        assertThat(s.path("name").asText(), is("nightly"));
        assertThat(s.path("cron").asText(), is("0 2 * * *"));
        assertThat(s.path("timezone").asText(), is("Europe/Berlin"));
        assertThat(s.path("kind").asText(), is("backup"));
        assertThat(s.path("paths").toString(), is("[\"/etc\",\"/srv\"]"));
        assertThat(s.path("excludes").toString(), is("[\"*.tmp\"]"));
        assertThat(s.path("limit_upload_kib").asInt(), is(256));
        assertThat(s.path("enabled").asBoolean(), is(true));
        assertThat(s.path("created_by").asText(), is("olivia"));
        assertThat(s.has("last_run"), is(true));
        assertThat(s.path("last_run").isNull(), is(true));
        Instant next = Instant.parse(s.path("next_run_at").asText());
        assertThat(next.isAfter(Instant.now()), is(true));
        assertThat(next.isBefore(Instant.now().plus(Duration.ofHours(25))), is(true));
        assertThat(next.atZone(java.time.ZoneId.of("Europe/Berlin")).toLocalTime().toString(), is("02:00"));

        assertThat(api.get("/api/schedules/" + id, VIEWER).body().path("name").asText(), is("nightly"));
        create(Map.of("host_id", host, "cron", "*/30 * * * *", "kind", "check", "read_data_subset", "10%"));
        String other = host();
        stack.inventory.host(other, "repo-" + other);
        create(Map.of("host_id", other, "cron", "@daily", "kind", "prune"));
        JsonNode mine = api.get("/api/schedules?host_id=" + host, VIEWER).body().path("items");
        assertThat(mine.size(), is(2));
        assertThat(mine.get(1).path("name").asText(), is("check */30 * * * *"));
        assertThat(mine.get(1).path("read_data_subset").asText(), is("10%"));
        assertThat(mine.get(1).path("timezone").asText(), is("UTC"));
        assertThat(api.get("/api/schedules", VIEWER).body().path("items").size(), is(greaterThan(2)));

        TestSupport.Api.Reply disabled = api.patch("/api/schedules/" + id, OPERATOR, Map.of("enabled", false));
        assertThat(disabled.body().toString(), disabled.status(), is(200));
        assertThat(disabled.header("X-RM-Audit-Action"), is("schedule.update"));
        assertThat(disabled.body().path("enabled").asBoolean(), is(false));
        assertThat(disabled.body().path("next_run_at").isNull(), is(true));
        // the rest is kept
        assertThat(disabled.body().path("paths").toString(), is("[\"/etc\",\"/srv\"]"));
        assertThat(disabled.body().path("name").asText(), is("nightly"));

        // null clears an optional field
        JsonNode changed = api.patch("/api/schedules/" + id, OPERATOR,
                                     "{\"enabled\":true,\"cron\":\"15 4 * * 1-5\",\"limit_upload_kib\":null}").body();
        assertThat(changed.path("cron").asText(), is("15 4 * * 1-5"));
        assertThat(changed.toString(), changed.path("limit_upload_kib").isNull(), is(true));
        assertThat(changed.path("next_run_at").isTextual(), is(true));
        assertThat(api.patch("/api/schedules/" + id, OPERATOR, Map.of("cron", "99 * * * *")).status(), is(422));
        assertThat(api.patch("/api/schedules/" + id, OPERATOR, Map.of("host_id", other)).status(), is(422));
        assertThat(api.patch("/api/schedules/" + id, OPERATOR, Map.of("kind", "forget")).status(), is(422));

        TestSupport.Api.Reply deleted = api.delete("/api/schedules/" + id, OPERATOR);
        assertThat(deleted.status(), is(204));
        assertThat(deleted.header("X-RM-Audit-Action"), is("schedule.delete"));
        assertThat(api.get("/api/schedules/" + id, VIEWER).status(), is(404));
        assertThat(api.delete("/api/schedules/" + id, OPERATOR).status(), is(404));
        assertThat(api.get("/api/schedules?host_id=" + host, VIEWER).body().path("items").size(), is(1));
    }

    @Test
    void invalidSchedulesAreRefusedWithAClearProblem() {
        String host = host();
        stack.inventory.host(host, "repo-" + host);
        Map<String, Object[]> cases = new java.util.LinkedHashMap<>();
        cases.put("cron", new Object[] {"0 2 * *", 422, "5 fields"});
        cases.put("cron ", new Object[] {"0 25 * * *", 422, "hour"});
        cases.put("cron  ", new Object[] {"0 0 31 2 *", 422, "never fires"});
        cases.put("timezone", new Object[] {"Mars/Olympus", 422, "timezone"});
        cases.put("kind", new Object[] {"restore", 422, "cannot be scheduled"});
        cases.put("kind ", new Object[] {"init", 422, "cannot be scheduled"});
        cases.put("paths", new Object[] {List.of(), 422, "at least one path"});
        cases.put("limit_upload_kib", new Object[] {"fast", 400, "limit_upload_kib"});
        cases.put("enabled", new Object[] {"yes", 400, "enabled"});
        cases.put("name", new Object[] {"x".repeat(101), 422, "name"});
        for (var c : cases.entrySet()) {
            Map<String, Object> body = nightly(host);
            body.put(c.getKey().strip(), c.getValue()[0]);
            TestSupport.Api.Reply r = api.post("/api/schedules", OPERATOR, body);
            assertThat(c.getKey() + " → " + r.body(), r.status(), is(c.getValue()[1]));
            assertThat(r.body().path("detail").asText(), containsString((String) c.getValue()[2]));
        }
        Map<String, Object> forget = Map.of("host_id", host, "cron", "0 3 * * 0", "kind", "forget");
        assertThat(api.post("/api/schedules", OPERATOR, forget).body().path("detail").asText(),
                   containsString("retention policy"));
        Map<String, Object> policy = Map.of("host_id", host, "cron", "0 3 * * 0", "kind", "forget",
                                            "policy", Map.of("keep_daily", 0));
        assertThat(api.post("/api/schedules", OPERATOR, policy).status(), is(422));
        Map<String, Object> noHost = Map.of("cron", "0 3 * * 0", "kind", "prune");
        assertThat(api.post("/api/schedules", OPERATOR, noHost).status(), is(422));
        assertThat(api.post("/api/schedules", OPERATOR, "[1]").status(), is(400));
        // unknown host, wrong role
        assertThat(api.post("/api/schedules", OPERATOR, nightly(host())).status(), is(404));
        assertThat(api.post("/api/schedules", VIEWER, nightly(host)).status(), is(403));
        assertThat(api.get("/api/schedules?host_id=" + host, VIEWER).body().path("items").size(), is(0));
        assertThat(api.get("/api/schedules/nope", VIEWER).status(), is(404));
    }

    @Test
    void nextRunFollowsTheTimeZoneAcrossDaylightSavingInBerlin() {
        Schedule daily = new Schedule("s", "h", "n", "30 2 * * *", "Europe/Berlin", JobKind.PRUNE, JobParams.empty(),
                                      true, "u", Instant.EPOCH, Instant.EPOCH, null);
        // winter (CET, +1): 02:30 local is 01:30 UTC
        assertThat(daily.nextRun(Instant.parse("2026-03-27T12:00:00Z")).orElseThrow(),
                   is(Instant.parse("2026-03-28T01:30:00Z")));
        // 2026-03-29 02:00 → 03:00: 02:30 does not exist; it runs when the clock jumps, not a day later
        assertThat(daily.nextRun(Instant.parse("2026-03-28T12:00:00Z")).orElseThrow(),
                   is(Instant.parse("2026-03-29T01:00:00Z")));
        // summer (CEST, +2): 02:30 local is 00:30 UTC
        assertThat(daily.nextRun(Instant.parse("2026-03-29T12:00:00Z")).orElseThrow(),
                   is(Instant.parse("2026-03-30T00:30:00Z")));
        // 2026-10-25 03:00 → 02:00: 02:30 happens twice; it runs once, at the first
        assertThat(daily.nextRun(Instant.parse("2026-10-24T12:00:00Z")).orElseThrow(),
                   is(Instant.parse("2026-10-25T00:30:00Z")));
        assertThat(daily.nextRun(Instant.parse("2026-10-25T00:30:00Z")).orElseThrow(),
                   is(Instant.parse("2026-10-26T01:30:00Z")));
        Schedule off = new Schedule("s", "h", "n", "30 2 * * *", "Europe/Berlin", JobKind.PRUNE, JobParams.empty(),
                                    false, "u", Instant.EPOCH, Instant.EPOCH, null);
        assertThat(off.nextRun(Instant.EPOCH).isPresent(), is(false));
    }

    @Test
    void aBackupScheduleCarriesTheVssOptionToTheAgentAndAPatchTurnsItOff() {
        String host = host();
        stack.inventory.host(host, "repo-" + host);
        api.events(online(host));
        Map<String, Object> body = nightly(host);
        body.put("use_fs_snapshot", "yes");
        TestSupport.Api.Reply wrong = api.post("/api/schedules", OPERATOR, body);
        assertThat(wrong.status(), is(400));
        assertThat(wrong.body().path("detail").asText(), containsString("use_fs_snapshot"));

        body.put("use_fs_snapshot", true);
        JsonNode made = create(body);
        String id = made.path("id").asText();
        assertThat(made.toString(), made.path("use_fs_snapshot").asBoolean(), is(true));
        await("sync").until(() -> List.of(id).equals(lastSync(host)));
        JsonNode spec = stack.hub.commands(host, "schedules.sync").getLast().payload().path("schedules").get(0);
        assertThat(spec.path("params").path("use_fs_snapshot").asBoolean(), is(true));
        // a PATCH keeps it, until it says otherwise
        assertThat(api.patch("/api/schedules/" + id, OPERATOR, Map.of("cron", "0 4 * * *")).body()
                           .path("use_fs_snapshot").asBoolean(), is(true));
        JsonNode off = api.patch("/api/schedules/" + id, OPERATOR, Map.of("use_fs_snapshot", false)).body();
        assertThat(off.toString(), off.path("use_fs_snapshot").asBoolean(), is(false));
        await("sync without it").until(() -> {
            JsonNode last = stack.hub.commands(host, "schedules.sync").getLast().payload().path("schedules").get(0);
            return last.path("cron").asText().equals("0 4 * * *") && !last.path("params").has("use_fs_snapshot");
        });
        // other kinds have no such option to show
        JsonNode check = create(Map.of("host_id", host, "cron", "@daily", "kind", "check", "use_fs_snapshot", true));
        assertThat(check.has("use_fs_snapshot"), is(false));
    }

    @Test
    void everyChangePushesTheHostsEnabledListAndAnOfflineHostGetsItWhenItComesOnline() throws Exception {
        String host = host();
        stack.inventory.host(host, "repo-" + host);
        api.events(online(host));
        String a = create(nightly(host)).path("id").asText();
        await("sync with a").until(() -> List.of(a).equals(lastSync(host)));
        JsonNode spec = stack.hub.commands(host, "schedules.sync").getLast().payload().path("schedules").get(0);
        assertThat(spec.path("cron").asText(), is("0 2 * * *"));
        assertThat(spec.path("timezone").asText(), is("Europe/Berlin"));
        assertThat(spec.path("kind").asText(), is("backup"));
        assertThat(spec.path("params").path("paths").toString(), is("[\"/etc\",\"/srv\"]"));
        assertThat(spec.path("enabled").asBoolean(), is(true));
        // schedules.sync: the specs name their repository; the leases are the only secrets
        // the schedules themselves carry no secret; the credential travels only as an in-memory lease
        for (Stubs.Hub.Command sync : stack.hub.commands(host, "schedules.sync")) {
            assertThat(sync.payload().path("schedules").toString(), not(containsString("SECRET")));
        }

        String b = create(Map.of("host_id", host, "cron", "0 4 * * 0", "kind", "prune")).path("id").asText();
        await("sync with a and b").until(() -> List.of(a, b).equals(lastSync(host)));
        api.patch("/api/schedules/" + a, OPERATOR, Map.of("enabled", false));
        await("sync without the disabled one").until(() -> List.of(b).equals(lastSync(host)));

        stack.hub.offline.add(host);
        api.events(offline(host));
        api.delete("/api/schedules/" + b, OPERATOR);
        int before = stack.hub.commands(host, "schedules.sync").size();
        stack.app.signals().schedules();
        // several worker passes (reaper interval 200 ms)
        await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(stack.hub.commands(host, "schedules.sync"), hasSize(before)));

        stack.hub.offline.remove(host);
        api.events(online(host));
        await("sync after host.online").until(() -> List.of().equals(lastSync(host)));
    }

    @Test
    void aRunTheAgentMadeWhileTheServerWasDownIsStoredWithItsEventsAndNeverDispatched() {
        String host = host();
        stack.inventory.host(host, "repo-" + host);
        api.events(online(host));
        String scheduleId = create(nightly(host)).path("id").asText();
        // the sync carries a lease for the backup's repository
        await("sync with a lease").until(() -> stack.hub.commands(host, "schedules.sync").stream()
                .anyMatch(c -> c.payload().path("leases").size() == 1));
        JsonNode lease = stack.hub.commands(host, "schedules.sync").getLast().payload().path("leases").get(0);
        assertThat(lease.path("access").path("repo_id").asText(), is("repo-" + host));

        String jobId = UUID.randomUUID().toString();
        Instant firedAt = Instant.parse("2026-11-26T01:00:00Z");
        Message.ScheduleFire offline = new Message.ScheduleFire(scheduleId, jobId, firedAt, false, true,
                                                                "repo-" + host, JobKind.BACKUP);
        // the fire and the job's own events arrive in one batch, as the agent sends them on reconnect
        api.events(event(host, "schedule.fire", offline), ack(host, jobId, 1), log(host, jobId, 2, 2),
                   finished(host, jobId, 4, JobStatus.SUCCEEDED, 0));
        JsonNode job = api.job(jobId);
        assertThat(job.path("status").asText(), is("succeeded"));
        assertThat(job.path("repo_id").asText(), is("repo-" + host));
        assertThat(job.path("schedule_id").asText(), is(scheduleId));
        assertThat(job.path("created_by").asText(), containsString("(offline)"));
        assertThat(job.path("offline").asBoolean(), is(true));
        assertThat(api.logSeqs(jobId, ""), contains(1L, 2L, 3L, 4L));
        // re-sent fire (the agent reconnected again): nothing doubles, nothing is dispatched
        api.events(event(host, "schedule.fire", offline));
        long runs = 0;
        for (JsonNode j : api.get("/api/jobs?host_id=" + host, VIEWER).body().path("items")) {
            runs += scheduleId.equals(j.path("schedule_id").asText()) ? 1 : 0;
        }
        assertThat(runs, is(1L));
        assertThat(stack.hub.starts(jobId), empty());
        // the snapshot list the agent could not report while offline is refreshed by the server
        await("a snapshots job after the offline backup").until(() -> {
            for (JsonNode j : api.get("/api/jobs?host_id=" + host, VIEWER).body().path("items")) {
                if (j.path("kind").asText().equals("snapshots")) {
                    return true;
                }
            }
            return false;
        });
        // another host cannot claim this schedule's runs
        String intruder = host();
        String forged = UUID.randomUUID().toString();
        api.events(event(intruder, "schedule.fire", new Message.ScheduleFire(scheduleId, forged, firedAt, false, true,
                                                                            "repo-" + host, JobKind.BACKUP)));
        assertThat(api.get("/api/jobs/" + forged, VIEWER).status(), is(404));
    }

    @Test
    void aRemovedHostsSchedulesGoAndItsWaitingJobsAreCancelled() {
        String host = host();
        stack.inventory.host(host, "repo-" + host);
        api.events(online(host));
        String scheduleId = create(nightly(host)).path("id").asText();
        api.events(offline(host));
        stack.hub.offline.add(host);
        String waiting = api.runNow(host, Map.of("kind", "unlock"));
        assertThat(api.status(waiting), is("queued"));

        api.events(event(host, "host.removed", Map.of()));
        assertThat(api.get("/api/schedules/" + scheduleId, VIEWER).status(), is(404));
        assertThat(api.status(waiting), is("cancelled"));
        assertThat(api.job(waiting).path("error").asText(), is("the host was removed"));
    }

    @Test
    void aFireBecomesAJobUnderTheAgentsIdAndIsDispatchedLikeRunNow() {
        String host = host();
        stack.inventory.host(host, "repo-" + host);
        api.events(online(host));
        JsonNode schedule = create(nightly(host));
        String scheduleId = schedule.path("id").asText();
        String jobId = UUID.randomUUID().toString();
        Instant due = Instant.parse("2026-11-26T01:00:00Z");

        assertThat(api.events(event(host, "schedule.fire", fire(scheduleId, jobId, due, true))).status(), is(200));
        await("job.start " + jobId).until(() -> !stack.hub.starts(jobId).isEmpty());
        JsonNode start = stack.hub.starts(jobId).getFirst().payload();
        assertThat(start.path("kind").asText(), is("backup"));
        assertThat(start.path("repo").path("password").asText(), is("pw-repo-" + host + "-SECRET"));
        assertThat(start.path("params").path("paths").toString(), is("[\"/etc\",\"/srv\"]"));
        assertThat(start.path("params").path("limit_upload_kib").asInt(), is(256));

        JsonNode job = api.job(jobId);
        assertThat(job.path("host_id").asText(), is(host));
        assertThat(job.path("repo_id").asText(), is("repo-" + host));
        assertThat(job.path("created_by").asText(), is("schedule:nightly"));
        assertThat(job.path("schedule_id").asText(), is(scheduleId));
        assertThat(job.path("scheduled_for").asText(), is("2026-11-26T01:00:00Z"));
        assertThat(job.toString(), not(containsString("SECRET")));

        // the agent re-sends the fire (it had not seen the job.start yet): nothing new happens
        api.events(event(host, "schedule.fire", fire(scheduleId, jobId, due, true)));
        // a second fire for the same cron time under another id is a duplicate too
        String twin = UUID.randomUUID().toString();
        api.events(event(host, "schedule.fire", fire(scheduleId, twin, due, false)));
        await("fires handled").until(() -> stack.app.schedules().pendingFires() == 0);
        assertThat(stack.hub.starts(jobId), hasSize(1));
        assertThat(api.get("/api/jobs/" + twin, VIEWER).status(), is(404));

        api.events(ack(host, jobId, 1));
        assertThat(api.job(jobId).path("started_at").isTextual(), is(true));
        api.events(finished(host, jobId, 2, JobStatus.SUCCEEDED, 0));
        JsonNode lastRun = api.get("/api/schedules/" + scheduleId, VIEWER).body().path("last_run");
        assertThat(lastRun.path("job_id").asText(), is(jobId));
        assertThat(lastRun.path("status").asText(), is("succeeded"));
        assertThat(lastRun.path("at").isTextual(), is(true));
        assertThat(api.get("/api/schedules?host_id=" + host, VIEWER).body().path("items").get(0)
                           .path("last_run").path("job_id").asText(), is(jobId));
    }

    @Test
    void aFireWaitsItsTurnOnABusyRepositoryAndOnAnOfflineHost() {
        String host = host();
        stack.inventory.host(host, "repo-" + host);
        api.events(online(host));
        String scheduleId = create(nightly(host)).path("id").asText();
        String running = api.runNow(host, TestSupport.backup("/etc"));
        await("run-now start").until(() -> !stack.hub.starts(running).isEmpty());
        api.events(ack(host, running, 1));

        String jobId = UUID.randomUUID().toString();
        api.events(event(host, "schedule.fire", fire(scheduleId, jobId, Instant.now(), false)));
        await("scheduled job queued behind the running one").until(() -> api.get("/api/jobs/" + jobId, VIEWER).body()
                .path("queued_reason").asText().equals(Dispatcher.REPO_BUSY));
        assertThat(stack.hub.starts(jobId), is(empty()));
        api.events(finished(host, running, 2, JobStatus.SUCCEEDED, 0));
        await("scheduled job started after it").until(() -> !stack.hub.starts(jobId).isEmpty());

        // offline host: accepted and queued, started on reconnect — never dropped
        String later = UUID.randomUUID().toString();
        api.events(finished(host, jobId, 2, JobStatus.SUCCEEDED, 0));
        api.events(offline(host));
        stack.hub.offline.add(host);
        api.events(event(host, "schedule.fire", fire(scheduleId, later, Instant.now(), false)));
        await("queued while offline").until(() -> api.get("/api/jobs/" + later, VIEWER).body().path("queued_reason")
                .asText().equals(Dispatcher.HOST_OFFLINE));
        stack.hub.offline.remove(host);
        api.events(online(host));
        await("started on reconnect").until(() -> !stack.hub.starts(later).isEmpty());
    }

    @Test
    void aFireOutlivesAnInventoryOutage() {
        String host = host();
        stack.inventory.host(host, "repo-" + host);
        api.events(online(host));
        String scheduleId = create(nightly(host)).path("id").asText();
        // the sync (which asks inventory for the lease) is done before inventory fails
        await("synced").until(() -> lastSync(host) != null && lastSync(host).contains(scheduleId));
        stack.inventory.failAccess.set(1);
        String jobId = UUID.randomUUID().toString();
        // accepted (stored) at once, although the job cannot be created yet
        assertThat(api.events(event(host, "schedule.fire", fire(scheduleId, jobId, Instant.now(), false))).status(),
                   is(200));
        await("the first attempt").until(() -> stack.inventory.failAccess.get() == 0);
        assertThat(api.get("/api/jobs/" + jobId, VIEWER).status(), is(404));
        assertThat(stack.app.schedules().pendingFires(), is(1));
        await("retried after the backoff").until(() -> !stack.hub.starts(jobId).isEmpty());
        assertThat(api.job(jobId).path("schedule_id").asText(), is(scheduleId));
        assertThat(stack.app.schedules().pendingFires(), is(0));
    }

    @Test
    void firesThatCannotRunAreVisibleOrIgnored() {
        String host = host();
        stack.inventory.host(host, "repo-" + host);
        api.events(online(host));
        String scheduleId = create(nightly(host)).path("id").asText();

        // the host lost its repository: the scheduled run is recorded as failed, with the reason
        stack.inventory.withoutRepo.add(host);
        String noRepo = UUID.randomUUID().toString();
        api.events(event(host, "schedule.fire", fire(scheduleId, noRepo, Instant.now(), false)));
        await("failed job").until(() -> api.get("/api/jobs/" + noRepo, VIEWER).body().path("status").asText()
                .equals("failed"));
        assertThat(api.job(noRepo).path("error").asText(), containsString("no repository"));
        assertThat(api.job(noRepo).path("created_by").asText(), is("schedule:nightly"));
        stack.inventory.withoutRepo.remove(host);

        // another host cannot fire this host's schedule; unknown and disabled schedules fire nothing
        String intruder = host();
        stack.inventory.host(intruder, "repo-" + intruder);
        String stolen = UUID.randomUUID().toString();
        String unknown = UUID.randomUUID().toString();
        api.events(event(intruder, "schedule.fire", fire(scheduleId, stolen, Instant.now(), false)),
                   event(host, "schedule.fire", fire("no-such-schedule", unknown, Instant.now(), false)));
        api.patch("/api/schedules/" + scheduleId, OPERATOR, Map.of("enabled", false));
        String whileDisabled = UUID.randomUUID().toString();
        api.events(event(host, "schedule.fire", fire(scheduleId, whileDisabled, Instant.now(), false)));
        await("fires handled").until(() -> stack.app.schedules().pendingFires() == 0);
        for (String id : List.of(stolen, unknown, whileDisabled)) {
            assertThat(api.get("/api/jobs/" + id, VIEWER).status(), is(404));
            assertThat(stack.hub.starts(id), is(empty()));
        }
        // a malformed fire is refused as a bad batch (the hub logs and drops it)
        assertThat(api.post("/internal/events", null, "{\"events\":[{\"id\":\"x1\",\"host_id\":\"" + host
                + "\",\"type\":\"schedule.fire\",\"payload\":{\"schedule_id\":\"s\"}}]}").status(), is(400));
    }
}
