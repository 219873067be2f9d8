package io.resticmanager.ui;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static io.resticmanager.ui.Fixtures.DB;
import static io.resticmanager.ui.Fixtures.JOB;
import static io.resticmanager.ui.Fixtures.OLD;
import static io.resticmanager.ui.Fixtures.WEB;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

/** The restore wizard against a stub gateway, with strict templates. */
@ServerTest
class RestoreWizardTest {
    static final String TOKEN = "test-internal-token";
    static final String CSRF = "csrf-abc";
    static final String SNAP = "a1b2c3d4e5f6a7b8c9d0";
    static final StubGateway GATEWAY = StubGateway.start();
    static final String ROOT_TREE = """
            {"snapshot_id":"%s","path":"/","truncated":false,"items":[
              {"name":"etc","type":"dir","path":"/etc","size":0,"mtime":"2026-11-25T08:00:00Z"},
              {"name":"home","type":"dir","path":"/home","size":0,"mtime":"2026-11-25T08:00:00Z"},
              {"name":"notes & <b>.txt","type":"file","path":"/notes & <b>.txt","size":2048,"mtime":"2026-11-25T08:00:00Z"}]}"""
            .formatted(SNAP);
    static final String HOME_TREE = """
            {"snapshot_id":"%s","path":"/home","truncated":false,"items":[
              {"name":"alice","type":"dir","path":"/home/alice","size":0},
              {"name":"link","type":"symlink","path":"/home/link","size":0}]}""".formatted(SNAP);

    private final UiClient ui;

    RestoreWizardTest(WebServer server) {
        this.ui = new UiClient(server, TOKEN, CSRF, "rm_session=s-1", "olivia");
    }

    @SetUpRoute
    static void routing(HttpRouting.Builder routing) {
        UiMain.routing(routing, InternalAuth.create(TOKEN), GATEWAY.url(), new Templates(true));
    }

    @AfterAll
    static void stopGateway() {
        GATEWAY.close();
    }

    @BeforeEach
    void fleet() {
        Fixtures.fleet(GATEWAY)
                .on("GET", "/api/hosts/" + DB, 200, "{\"id\":\"" + DB + "\",\"name\":\"db-1\",\"status\":\"online\"}")
                .on("GET", "/api/snapshots/" + SNAP + "/tree", 200, ROOT_TREE)
                .on("GET", "/api/schedules", 200, "{\"items\":[]}")
                .on("POST", "/api/hosts/" + WEB + "/restores", 202, "{\"job_id\":\"" + JOB + "\",\"status\":\"queued\"}")
                .on("POST", "/api/hosts/" + WEB + "/snapshots/" + SNAP + "/restore-preview", 200,
                    "{\"files\":1204,\"dirs\":3,\"bytes\":3355443}");
    }

    /** A form body; repeated names (ticked checkboxes) stay repeated. */
    private static String form(String... kv) {
        StringBuilder sb = new StringBuilder("_csrf=" + CSRF);
        for (int i = 0; i + 1 < kv.length; i += 2) {
            sb.append('&').append(kv[i]).append('=').append(URLEncoder.encode(kv[i + 1], StandardCharsets.UTF_8));
        }
        return sb.toString();
    }

    private static int count(String haystack, String needle) {
        return haystack.split(Pattern.quote(needle), -1).length - 1;
    }

    @Test
    void theWizardPreselectsTheSnapshotAndShowsTheTreeWithPicksTogglesAndTargets() {
        Page page = ui.request(Method.GET, "/hosts/" + WEB + "/restore?snapshot=" + SNAP, "admin", null);
        assertThat(page.body(), page.status(), is(200));
        String html = page.body();
        assertThat(html, containsString("id=\"restore-wizard\""));
        assertThat(html, containsString("<option value=\"" + SNAP + "\" selected>"));
        // one level of the tree, from the snapshot's common root (/etc and /home → /)
        assertThat(count(html, "class=\"tree-row "), is(3));
        assertThat(html, containsString("data-path=\"/etc\""));
        assertThat(html, containsString("data-path=\"/notes &amp; &lt;b&gt;.txt\""));
        assertThat(count(html, "class=\"tree-toggle\""), is(2)); // directories only
        assertThat(html, containsString("hx-get=\"/hosts/" + WEB + "/restore/tree?snapshot=" + SNAP + "&amp;path=%2Fhome\""));
        assertThat(count(html, "class=\"tree-pick\" name=\"paths\""), is(3));
        assertThat(html, containsString("2.0 KiB"));
        assertThat(html, containsString("id=\"restore-breadcrumb\""));
        StubGateway.Seen tree = GATEWAY.seen("GET", "/api/snapshots/" + SNAP + "/tree").getFirst();
        assertThat(tree.query(), containsString("host_id=" + WEB));
        assertThat(tree.query(), containsString("path=%2F"));
        // targets: original (checked) or a directory, on this host or another ONLINE host
        assertThat(html, containsString("id=\"restore-target-original\" name=\"target_kind\" value=\"original\" checked"));
        assertThat(html, containsString("id=\"restore-target-dir\""));
        assertThat(html, containsString("id=\"restore-target-host\""));
        assertThat(html, containsString(">This host (web-1)</option>"));
        assertThat(html, not(containsString("<option value=\"" + DB + "\""))); // db-1 is offline in the fleet
        assertThat(html, not(containsString("<option value=\"" + OLD + "\"")));
        assertThat(html, containsString("id=\"restore-submit\""));
        // CSP: nothing inline
        assertThat(html, not(containsString("style=")));
        assertThat(html, not(containsString("onclick")));
    }

    @Test
    void aDirectoryRowLoadsItsChildrenAsAFragment() {
        GATEWAY.on("GET", "/api/snapshots/" + SNAP + "/tree", 200, HOME_TREE);
        Page page = ui.request(Method.GET, "/hosts/" + WEB + "/restore/tree?snapshot=" + SNAP + "&path=%2Fhome", "operator",
                            null);
        assertThat(page.status(), is(200));
        assertThat(page.body(), not(containsString("<html")));
        assertThat(count(page.body(), "class=\"tree-row "), is(2));
        assertThat(page.body(), containsString("data-path=\"/home/alice\""));
        assertThat(page.body(), containsString("data-type=\"symlink\""));
        assertThat(GATEWAY.seen("GET", "/api/snapshots/" + SNAP + "/tree").getFirst().query(),
                   containsString("path=%2Fhome"));
    }

    /** A big directory comes a page at a time: a "Load more" row fetches the next page after the cursor. */
    @Test
    void aBigDirectoryIsPagedWithALoadMoreRow() {
        GATEWAY.on("GET", "/api/snapshots/" + SNAP + "/tree", 200, """
                {"snapshot_id":"%s","path":"/home","truncated":true,"next_cursor":"f:alice","source":"index","items":[
                  {"name":"alice","type":"file","path":"/home/alice","size":1}]}""".formatted(SNAP));
        Page first = ui.request(Method.GET, "/hosts/" + WEB + "/restore/tree?snapshot=" + SNAP + "&path=%2Fhome",
                                "operator", null);
        assertThat(first.status(), is(200));
        assertThat(GATEWAY.seen("GET", "/api/snapshots/" + SNAP + "/tree").getLast().query(),
                   containsString("limit=" + RestoreRoutes.TREE_PAGE));
        assertThat(first.body(), containsString("hx-get=\"/hosts/" + WEB + "/restore/tree?snapshot=" + SNAP
                + "&amp;path=%2Fhome&amp;cursor=f%3Aalice\""));
        assertThat("a next page is no reason to say entries are missing", first.body(),
                   not(containsString("more entries than can be shown")));

        GATEWAY.on("GET", "/api/snapshots/" + SNAP + "/tree", 200, HOME_TREE);
        Page next = ui.request(Method.GET, "/hosts/" + WEB + "/restore/tree?snapshot=" + SNAP
                + "&path=%2Fhome&cursor=f%3Aalice", "operator", null);
        assertThat(next.status(), is(200));
        assertThat(GATEWAY.seen("GET", "/api/snapshots/" + SNAP + "/tree").getLast().query(),
                   containsString("cursor=f%3Aalice"));
        assertThat(count(next.body(), "class=\"tree-row "), is(2));
        assertThat("the last page has no Load more", next.body(), not(containsString("tree-more-button")));
    }

    @Test
    void picksBecomeIncludePathsAfterAConfirmationAndTheBrowserLandsOnTheJob() {
        Page confirm = ui.request(Method.POST, "/hosts/" + WEB + "/restore", "admin",
                               form("snapshot_id", SNAP, "root", "/", "paths", "/home/alice/notes.txt", "paths", "/etc/hosts",
                                    "paths", "/etc/hosts", "target_kind", "original", "target_host_id", ""));
        assertThat(confirm.body(), confirm.status(), is(200));
        assertThat(confirm.body(), containsString("id=\"restore-confirm\""));
        assertThat(confirm.body(), containsString("Restore 2 paths?"));
        assertThat(confirm.body(), containsString("overwritten"));
        // what comes back, counted from the index before anything starts
        assertThat(confirm.body(), containsString("1,204 files, "));
        assertThat(json(GATEWAY.seen("POST", "/api/hosts/" + WEB + "/snapshots/" + SNAP + "/restore-preview")
                                .getLast().body()).get("paths").toString(),
                   is("[\"/home/alice/notes.txt\",\"/etc/hosts\"]"));
        assertThat(GATEWAY.seen("POST", "/api/hosts/" + WEB + "/restores"), is(empty()));

        Page done = ui.request(Method.POST, "/hosts/" + WEB + "/restore", "admin",
                            form("confirm", "yes", "snapshot_id", SNAP, "paths", "/home/alice/notes.txt",
                                 "paths", "/etc/hosts", "target_kind", "original", "target_host_id", ""));
        assertThat(done.status(), is(303));
        assertThat(done.header("Location"), is("/jobs/" + JOB));
        List<StubGateway.Seen> posts = GATEWAY.seen("POST", "/api/hosts/" + WEB + "/restores");
        assertThat(posts, hasSize(1));
        JsonNode body = json(posts.getFirst().body());
        assertThat(body.get("snapshot_id").asText(), is(SNAP));
        assertThat(body.get("paths").toString(), is("[\"/home/alice/notes.txt\",\"/etc/hosts\"]"));
        assertThat(body.get("target").asText(), is("original"));
        assertThat(body.has("target_host_id"), is(false));
        assertThat(posts.getFirst().csrf(), is(CSRF));
    }

    @Test
    void anotherDirectoryOnAnotherHostIsSentAsTargetAndTargetHost() {
        Page confirm = ui.request(Method.POST, "/hosts/" + WEB + "/restore", "admin",
                               form("snapshot_id", SNAP, "paths", "/etc", "manual_paths", "/srv/www\n",
                                    "target_kind", "dir", "target_dir", "/var/tmp/restore", "target_host_id", DB));
        assertThat(confirm.body(), confirm.status(), is(200));
        assertThat(confirm.body(), containsString("on host <strong>db-1</strong>"));
        assertThat(confirm.body(), containsString("for this one restore only"));
        Page done = ui.request(Method.POST, "/hosts/" + WEB + "/restore", "admin",
                            form("confirm", "yes", "snapshot_id", SNAP, "paths", "/etc", "paths", "/srv/www",
                                 "target_kind", "dir", "target_dir", "/var/tmp/restore", "target_host_id", DB));
        assertThat(done.status(), is(303));
        JsonNode body = json(GATEWAY.seen("POST", "/api/hosts/" + WEB + "/restores").getFirst().body());
        assertThat(body.get("paths").toString(), is("[\"/etc\",\"/srv/www\"]"));
        assertThat(body.get("target").asText(), is("/var/tmp/restore"));
        assertThat(body.get("target_host_id").asText(), is(DB));
    }

    @Test
    void aWindowsDirectoryIsSentAsTheTargetAndATraversingOneIsRefused() {
        Page done = ui.request(Method.POST, "/hosts/" + WEB + "/restore", "admin",
                               form("confirm", "yes", "snapshot_id", SNAP, "paths", "/C/Users/alice",
                                    "target_kind", "dir", "target_dir", "D:\\Restore"));
        assertThat(done.body(), done.status(), is(303));
        JsonNode body = json(GATEWAY.seen("POST", "/api/hosts/" + WEB + "/restores").getFirst().body());
        assertThat(body.get("paths").toString(), is("[\"/C/Users/alice\"]"));
        assertThat(body.get("target").asText(), is("D:\\Restore"));
        Page traversing = ui.request(Method.POST, "/hosts/" + WEB + "/restore", "admin",
                                     form("snapshot_id", SNAP, "paths", "/C/Users/alice", "target_kind", "dir",
                                          "target_dir", "D:\\Restore\\..\\Windows"));
        assertThat(traversing.status(), is(422));
        assertThat(traversing.body(), containsString("must be an absolute path without"));
    }

    @Test
    void mistakesComeBackWithTheProblemAndThePicksKept() {
        Page none = ui.request(Method.POST, "/hosts/" + WEB + "/restore", "operator",
                            form("snapshot_id", SNAP, "target_kind", "original"));
        assertThat(none.status(), is(422));
        assertThat(none.body(), containsString("Tick at least one file"));
        Page relative = ui.request(Method.POST, "/hosts/" + WEB + "/restore", "operator",
                                form("snapshot_id", SNAP, "paths", "/home/alice/deep/file.txt", "target_kind", "dir",
                                     "target_dir", "tmp/x"));
        assertThat(relative.status(), is(422));
        assertThat(relative.body(), containsString("must be an absolute path"));
        assertThat(relative.body(), containsString("value=\"/home/alice/deep/file.txt\" form=\"restore-form\" checked"));
        assertThat(relative.body(), containsString("id=\"restore-target-dir\" name=\"target_kind\" value=\"dir\" checked"));
        // the API's refusal is shown too
        GATEWAY.on("POST", "/api/hosts/" + WEB + "/restores", 404,
                   "{\"title\":\"Not Found\",\"status\":404,\"detail\":\"host has no snapshot a1b2c3d4\"}");
        Page refused = ui.request(Method.POST, "/hosts/" + WEB + "/restore", "operator",
                               form("confirm", "yes", "snapshot_id", SNAP, "paths", "/etc", "target_kind", "original"));
        assertThat(refused.status(), is(404));
        assertThat(refused.body(), containsString("host has no snapshot a1b2c3d4"));
        assertThat(GATEWAY.seen("POST", "/api/hosts/" + WEB + "/restores"), hasSize(1));
    }

    @Test
    void anOfflineAgentLeavesTypingAPathAsTheWayOn() {
        GATEWAY.on("GET", "/api/snapshots/" + SNAP + "/tree", 409,
                   "{\"title\":\"Conflict\",\"status\":409,\"detail\":\"the agent of host web-1 is offline\"}");
        Page page = ui.request(Method.GET, "/hosts/" + WEB + "/restore", "operator", null);
        assertThat(page.body(), page.status(), is(200));
        assertThat(page.body(), containsString("Host offline"));
        assertThat(page.body(), containsString("id=\"restore-manual-paths\""));
        // without ?snapshot the newest snapshot is chosen
        assertThat(page.body(), containsString("<option value=\"" + SNAP + "\" selected>"));
    }

    @Test
    void operatorsAreOfferedOnlyADirectoryUnderTheRestoreRootOnThisHost() {
        Page page = ui.request(Method.GET, "/hosts/" + WEB + "/restore?snapshot=" + SNAP, "operator", null);
        assertThat(page.body(), page.status(), is(200));
        String html = page.body();
        assertThat(html, not(containsString("id=\"restore-target-original\"")));
        assertThat(html, not(containsString("id=\"restore-target-host\"")));
        assertThat(html, containsString("id=\"restore-target-dir\" name=\"target_kind\" value=\"dir\" checked"));
        assertThat(html, containsString("value=\"/var/lib/restic-manager-agent/restores/\""));
    }

    @Test
    void viewersSeeNeitherTheWizardNorTheRestoreLinks() {
        Page wizard = ui.request(Method.GET, "/hosts/" + WEB + "/restore", "viewer", null);
        assertThat(wizard.status(), is(403));
        assertThat(wizard.body(), containsString("needs the operator role"));
        assertThat(GATEWAY.seen("GET", "/api/snapshots/" + SNAP + "/tree"), is(empty()));
        assertThat(ui.request(Method.GET, "/hosts/" + WEB, "viewer", null).body(), not(containsString("snapshot-restore")));

        String operatorPage = ui.request(Method.GET, "/hosts/" + WEB, "operator", null).body();
        assertThat(operatorPage, containsString("href=\"/hosts/" + WEB + "/restore?snapshot=" + SNAP + "\""));
        assertThat(operatorPage, containsString("id=\"restore-open\""));
    }

    private static JsonNode json(String text) {
        try {
            return Json.MAPPER.readTree(text);
        } catch (Exception e) {
            throw new AssertionError(text, e);
        }
    }
}
