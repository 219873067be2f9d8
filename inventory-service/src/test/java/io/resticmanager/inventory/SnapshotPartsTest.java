package io.resticmanager.inventory;

import com.fasterxml.jackson.databind.JsonNode;
import io.resticmanager.kit.Times;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;

import static io.resticmanager.inventory.TestEnv.event;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.is;

/** Snapshot lists too long for one frame arrive in parts and replace the projection once, when complete. */
class SnapshotPartsTest {
    private static TestEnv env;

    @BeforeAll
    static void setUp() {
        env = TestEnv.start();
    }

    @AfterAll
    static void tearDown() {
        env.close();
    }

    private static Map<String, Object> snap(String id, Instant time, String hostname) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("id", id);
        s.put("time", time.toString());
        s.put("hostname", hostname);
        s.put("paths", List.of("/etc"));
        s.put("tags", List.of("hourly"));
        s.put("username", "root");
        s.put("summary", Map.of("files_new", 3, "data_added", 4096));
        return s;
    }

    private static Map<String, Object> whole(String hostId, String repoId, Instant at, List<Map<String, Object>> snaps) {
        return event("ev-" + UUID.randomUUID(), hostId, "snapshots.report", at,
                     Map.of("job_id", "j-" + UUID.randomUUID(), "repo_id", repoId, "snapshots", snaps));
    }

    private static Map<String, Object> part(String hostId, String repoId, Instant at, String reportId, int part, int parts,
                                            List<Map<String, Object>> snaps) {
        return event("ev-" + UUID.randomUUID(), hostId, "snapshots.report", at,
                     Map.of("job_id", "j-parts", "repo_id", repoId, "report_id", reportId, "part", part, "parts", parts,
                            "snapshots", snaps));
    }

    private static void send(Map<?, ?>... events) {
        TestEnv.Reply reply = env.events(events);
        assertThat(reply.body(), reply.status(), is(200));
    }

    private static List<String> ids(String repoId) {
        List<String> ids = new ArrayList<>();
        env.get("/api/repos/" + repoId + "/snapshots?limit=500").json().get("items").forEach(s -> ids.add(s.get("id").asText()));
        return ids;
    }

    private static long count(String sql, Object... args) throws SQLException {
        try (Connection c = env.store.connect(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static long staged(String reportId) throws SQLException {
        return count("SELECT COUNT(*) FROM snapshot_report_parts WHERE report_id = ?", reportId);
    }

    @Test
    void aThreePartReportReplacesTheProjectionOnlyOnceEveryPartArrived() throws Exception {
        String repo = env.createRepo(Map.of("name", "parts", "url", "/srv/parts", "password", "repo-password"));
        String host = env.enroll("web-1");
        env.assign(host, repo);
        Instant t = Instant.parse("2026-11-26T10:00:00Z");
        Instant day = Instant.parse("2026-11-20T00:00:00Z");
        send(whole(host, repo, t, List.of(snap("old-1", day, "web-1"), snap("old-2", day.plusSeconds(60), "web-1"))));
        assertThat(ids(repo), contains("old-2", "old-1"));

        String reportId = UUID.randomUUID().toString();
        List<Map<String, Object>> p1 = List.of(snap("new-1", day.plusSeconds(3600), "web-1"),
                                               snap("new-2", day.plusSeconds(7200), "web-1"));
        List<Map<String, Object>> p2 = List.of(snap("new-3", day.plusSeconds(10800), "web-1"));
        List<Map<String, Object>> p3 = List.of(snap("new-4", day.plusSeconds(14400), "db-1"),
                                               snap("new-5", day.plusSeconds(18000), "web-1"));
        // out of order, one part twice (a resend after a reconnect has a new event id): nothing changes yet
        send(part(host, repo, t.plusSeconds(12), reportId, 3, 3, p3));
        assertThat(ids(repo), contains("old-2", "old-1"));
        send(part(host, repo, t.plusSeconds(10), reportId, 1, 3, p1), part(host, repo, t.plusSeconds(20), reportId, 1, 3, p1));
        assertThat(ids(repo), contains("old-2", "old-1"));
        assertThat(staged(reportId), is(2L));
        assertThat(env.get("/api/repos/" + repo).json().get("stats").get("snapshot_count").asInt(), is(2));

        send(part(host, repo, t.plusSeconds(11), reportId, 2, 3, p2));
        assertThat(ids(repo), contains("new-5", "new-4", "new-3", "new-2", "new-1"));
        assertThat(staged(reportId), is(0L));
        JsonNode newest = env.get("/api/hosts/" + host + "/snapshots?limit=1").json().get("items").get(0);
        assertThat(newest.get("id").asText(), is("new-5"));
        assertThat(newest.get("summary").get("data_added").asInt(), is(4096));

        // a late repeat of a part of the applied report neither changes the list nor starts it again
        send(part(host, repo, t.plusSeconds(30), reportId, 2, 3, List.of(snap("bogus", day, "web-1"))));
        assertThat(ids(repo), contains("new-5", "new-4", "new-3", "new-2", "new-1"));
        assertThat(staged(reportId), is(0L));

        // the report's time is its first part's: a whole list received in between (t+15) is newer
        String late = UUID.randomUUID().toString();
        send(part(host, repo, t.plusSeconds(14), late, 1, 2, List.of(snap("late-1", day, "web-1"))));
        send(whole(host, repo, t.plusSeconds(15), List.of(snap("now-1", day, "web-1"))));
        send(part(host, repo, t.plusSeconds(16), late, 2, 2, List.of(snap("late-2", day, "web-1"))));
        assertThat(ids(repo), contains("now-1"));
        assertThat(staged(late), is(0L));
    }

    @Test
    void partsFromStrangersOrDisagreeingPartsAreIgnoredAndAbandonedReportsArePurged() throws Exception {
        String repo = env.createRepo(Map.of("name", "guarded", "url", "/srv/guarded", "password", "repo-password"));
        String host = env.enroll("app-1");
        String stranger = env.enroll("stranger");
        env.assign(host, repo);
        Instant t = Instant.parse("2026-11-26T11:00:00Z");
        Instant day = Instant.parse("2026-11-21T00:00:00Z");
        send(whole(host, repo, t, List.of(snap("keep-1", day, "app-1"))));

        String foreign = UUID.randomUUID().toString();
        send(part(stranger, repo, t.plusSeconds(1), foreign, 1, 2, List.of(snap("x-1", day, "stranger"))),
             part(stranger, repo, t.plusSeconds(2), foreign, 2, 2, List.of(snap("x-2", day, "stranger"))));
        assertThat(ids(repo), contains("keep-1"));
        assertThat(staged(foreign), is(0L));

        // a part claiming another total than its siblings cannot complete the report
        String mixed = UUID.randomUUID().toString();
        send(part(host, repo, t.plusSeconds(3), mixed, 1, 3, List.of(snap("m-1", day, "app-1"))),
             part(host, repo, t.plusSeconds(4), mixed, 2, 2, List.of(snap("m-2", day, "app-1"))));
        assertThat(ids(repo), contains("keep-1"));
        assertThat(staged(mixed), is(1L));

        // out-of-range part numbers are malformed: the batch is refused with nothing stored
        TestEnv.Reply bad = env.events(part(host, repo, t.plusSeconds(5), UUID.randomUUID().toString(), 4, 3, List.of()));
        assertThat(bad.status(), is(400));

        // the agent went away mid-report: an hour without a new part and its parts are dropped
        String abandoned = UUID.randomUUID().toString();
        send(part(host, repo, t.plusSeconds(6), abandoned, 1, 2, List.of(snap("a-1", day, "app-1"))));
        try (Connection c = env.store.connect();
             PreparedStatement ps = c.prepareStatement("UPDATE snapshot_report_parts SET received_at = ? WHERE report_id = ?")) {
            ps.setString(1, Times.format(Instant.now().minus(HubEvents.STAGED_PARTS_KEPT).minusSeconds(60)));
            ps.setString(2, abandoned);
            ps.executeUpdate();
        }
        assertThat(staged(abandoned), is(1L));
        send(whole(host, repo, t.plusSeconds(7), List.of(snap("keep-2", day, "app-1"))));
        assertThat(staged(abandoned), is(0L));
        assertThat(staged(mixed), is(1L)); // still within its hour
        assertThat(ids(repo), contains("keep-2"));
    }

    @Test
    void oneHundredThousandSnapshotsInHubSizedBatchesAreAppliedQuickly() {
        String repo = env.createRepo(Map.of("name", "huge", "url", "/srv/huge", "password", "repo-password"));
        String host = env.enroll("huge-1");
        env.assign(host, repo);
        Instant start = Instant.parse("2015-01-01T00:00:00Z");
        int total = 100_000;
        int per = 150; // about 60 KiB per part, as the agent cuts them
        int parts = (total + per - 1) / per;
        String reportId = UUID.randomUUID().toString();
        List<Map<?, ?>> events = new ArrayList<>();
        Instant at = Instant.now();
        for (int p = 0; p < parts; p++) {
            List<Map<String, Object>> snaps = new ArrayList<>();
            for (int i = p * per; i < Math.min(total, (p + 1) * per); i++) {
                Map<String, Object> s = snap(String.format("%064x", i), start.plusSeconds(3600L * i), "huge-1");
                s.put("tree", "f".repeat(64));
                s.put("parent", "e".repeat(64));
                s.put("paths", List.of("/home/user/projects", "/etc", "/var/lib/app/data-" + i));
                snaps.add(s);
            }
            events.add(part(host, repo, at, reportId, p + 1, parts, snaps));
        }
        long began = System.nanoTime();
        // agent-hub forwards at most 500 events per POST
        for (int from = 0; from < parts; from += 500) {
            String body = io.resticmanager.proto.Json.write(Map.of("events", events.subList(from, Math.min(parts, from + 500))));
            assertThat(body.length() < InternalRoutes.MAX_EVENTS_BYTES, is(true));
            TestEnv.Reply reply = env.call("POST", "/internal/events", body, null);
            assertThat(reply.body(), reply.status(), is(200));
        }
        long ms = (System.nanoTime() - began) / 1_000_000;
        System.out.printf("[snapshot parts] %d snapshots in %d parts staged and applied in %d ms%n", total, parts, ms);
        assertThat(env.get("/api/repos/" + repo).json().get("stats").get("snapshot_count").asInt(), is(total));
        assertThat(env.get("/api/hosts/" + host + "/snapshots?limit=1").json().get("items").get(0).get("id").asText(),
                   is(String.format("%064x", total - 1)));
        assertThat(ms < 30_000, is(true));
    }

    @Test
    void tenThousandSnapshotsInPartsPageCorrectly() {
        String repo = env.createRepo(Map.of("name", "year", "url", "/srv/year", "password", "repo-password"));
        String host = env.enroll("year-1");
        env.assign(host, repo);
        Instant start = Instant.parse("2025-11-26T00:00:00Z");
        int total = 10_000;
        List<Map<String, Object>> all = new ArrayList<>();
        for (int i = 0; i < total; i++) {
            all.add(snap(String.format("%064x", i), start.plusSeconds(3600L * i), i % 10 == 0 ? "other" : "year-1"));
        }
        String reportId = UUID.randomUUID().toString();
        int parts = 7;
        int per = (total + parts - 1) / parts;
        List<Map<?, ?>> events = new ArrayList<>();
        Instant at = Instant.now();
        for (int p = 0; p < parts; p++) {
            events.add(part(host, repo, at.plusMillis(p), reportId, p + 1, parts,
                            all.subList(p * per, Math.min(total, (p + 1) * per))));
        }
        Collections.shuffle(events, new Random(7));
        // two deliveries, as the hub's batches might split them
        send(events.subList(0, 3).toArray(Map[]::new));
        assertThat(env.get("/api/repos/" + repo).json().get("stats").isNull(), is(true));
        send(events.subList(3, parts).toArray(Map[]::new));

        assertThat(env.get("/api/repos/" + repo).json().get("stats").get("snapshot_count").asInt(), is(total));
        List<String> seen = new ArrayList<>();
        Set<String> unique = new HashSet<>();
        String cursor = null;
        do {
            JsonNode page = env.get("/api/repos/" + repo + "/snapshots?limit=500"
                                            + (cursor == null ? "" : "&cursor=" + cursor)).json();
            page.get("items").forEach(s -> {
                seen.add(s.get("id").asText());
                unique.add(s.get("id").asText());
            });
            cursor = page.get("next_cursor").isNull() ? null : page.get("next_cursor").asText();
        } while (cursor != null);
        List<String> expected = new ArrayList<>();
        for (int i = total - 1; i >= 0; i--) {
            expected.add(String.format("%064x", i));
        }
        assertThat(seen, is(expected));
        assertThat(unique.size(), is(total));
        // the host's own view holds only its snapshots (every tenth is another host's)
        JsonNode hostPage = env.get("/api/hosts/" + host + "/snapshots?limit=10").json();
        assertThat(hostPage.get("items").get(8).get("id").asText(), is(String.format("%064x", total - 9)));
        assertThat(hostPage.get("items").get(9).get("id").asText(), is(String.format("%064x", total - 11)));
    }
}
