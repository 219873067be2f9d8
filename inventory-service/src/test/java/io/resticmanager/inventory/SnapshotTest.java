package io.resticmanager.inventory;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import io.resticmanager.kit.Times;
import io.resticmanager.proto.Json;
import io.resticmanager.proto.SnapshotInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static io.resticmanager.inventory.TestEnv.event;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The snapshot projection: replaced by each report, paged newest first, fast at 100k rows, true to restic. */
class SnapshotTest {
    private static TestEnv env;

    @BeforeAll
    static void setUp() {
        env = TestEnv.start();
    }

    @AfterAll
    static void tearDown() {
        env.close();
    }

    private static Map<String, Object> snap(String id, String time, String hostname, String... paths) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("id", id);
        s.put("time", time);
        s.put("hostname", hostname);
        s.put("paths", List.of(paths));
        s.put("tags", List.of("nightly"));
        s.put("username", "root");
        return s;
    }

    private static TestEnv.Reply report(String hostId, String repoId, Instant at, List<Map<String, Object>> snapshots) {
        return env.events(event("ev-" + UUID.randomUUID(), hostId, "snapshots.report", at,
                                Map.of("job_id", "j-" + UUID.randomUUID(), "repo_id", repoId, "snapshots", snapshots)));
    }

    private static List<String> ids(JsonNode page) {
        List<String> ids = new ArrayList<>();
        page.get("items").forEach(s -> ids.add(s.get("id").asText()));
        return ids;
    }

    @Test
    void reportsReplaceTheProjectionAndPageNewestFirst() {
        String repo = env.createRepo(Map.of("name", "shared", "url", "/srv/shared", "password", "repo-password"));
        String web = env.enroll("web-1");
        String other = env.enroll("intruder");
        env.assign(web, repo);
        Instant t = Instant.parse("2026-11-26T10:00:00Z");
        report(web, repo, t, List.of(
                snap("aaaa0001", "2026-11-20T01:00:00Z", "web-1", "/etc"),
                snap("aaaa0002", "2026-11-21T01:00:00+01:00", "web-1", "/etc"),
                snap("bbbb0001", "2026-11-21T02:00:00Z", "db-1", "/var/lib/db"),
                snap("aaaa0003", "2026-11-22T01:00:00Z", "web-1", "/etc", "/home"),
                snap("aaaa0004", "2026-11-22T01:00:00Z", "web-1", "/srv")));

        JsonNode first = env.get("/api/hosts/" + web + "/snapshots?limit=2").json();
        // same time: id descending breaks the tie
        assertThat(ids(first), contains("aaaa0004", "aaaa0003"));
        assertThat(first.get("items").get(1).get("paths").toString(), is("[\"/etc\",\"/home\"]"));
        assertThat(first.get("items").get(0).get("short_id").asText(), is("aaaa0004"));
        String cursor = first.get("next_cursor").asText();
        JsonNode second = env.get("/api/hosts/" + web + "/snapshots?limit=2&cursor=" + cursor).json();
        assertThat(ids(second), contains("aaaa0002", "aaaa0001"));
        assertThat(Instant.parse(second.get("items").get(0).get("time").asText()),
                   is(Instant.parse("2026-11-21T00:00:00Z")));
        assertThat(second.get("next_cursor").isNull(), is(true));

        assertThat(ids(env.get("/api/repos/" + repo + "/snapshots").json()),
                   contains("aaaa0004", "aaaa0003", "bbbb0001", "aaaa0002", "aaaa0001"));
        assertThat(ids(env.get("/api/repos/" + repo + "/snapshots?hostname=db-1").json()), contains("bbbb0001"));
        JsonNode stats = env.get("/api/repos/" + repo).json().get("stats");
        assertThat(stats.get("snapshot_count").asInt(), is(5));
        assertThat(Instant.parse(stats.get("last_snapshot_at").asText()), is(Instant.parse("2026-11-22T01:00:00Z")));
        assertThat(Instant.parse(env.get("/api/hosts/" + web).json().get("last_snapshot_at").asText()),
                   is(Instant.parse("2026-11-22T01:00:00Z")));

        // forget ran: the next report replaces everything
        report(web, repo, t.plusSeconds(60), List.of(snap("aaaa0004", "2026-11-22T01:00:00Z", "web-1", "/srv"),
                                                     snap("aaaa0005", "2026-11-23T01:00:00Z", "web-1", "/srv")));
        assertThat(ids(env.get("/api/repos/" + repo + "/snapshots").json()), contains("aaaa0005", "aaaa0004"));
        // an older report arriving late changes nothing
        report(web, repo, t.plusSeconds(30), List.of(snap("zzzz0001", "2026-11-24T01:00:00Z", "web-1", "/")));
        assertThat(ids(env.get("/api/repos/" + repo + "/snapshots").json()), contains("aaaa0005", "aaaa0004"));
        // a host not assigned to the repo cannot rewrite its list
        assertThat(report(other, repo, t.plusSeconds(120), List.of()).status(), is(200));
        assertThat(ids(env.get("/api/repos/" + repo + "/snapshots").json()), contains("aaaa0005", "aaaa0004"));
        // an empty list is a valid report (all snapshots forgotten)
        report(web, repo, t.plusSeconds(180), List.of());
        assertThat(env.get("/api/repos/" + repo + "/snapshots").json().get("items").size(), is(0));
        assertThat(env.get("/api/repos/" + repo).json().get("stats").get("snapshot_count").asInt(), is(0));

        assertThat(env.get("/api/hosts/" + web + "/snapshots?cursor=not-a-cursor").status(), is(400));
        assertThat(env.get("/api/hosts/" + web + "/snapshots?limit=0").status(), is(400));
        assertThat(env.get("/api/hosts/" + other + "/snapshots").json().get("items").size(), is(0));
        assertThat(env.get("/api/hosts/nope/snapshots").status(), is(404));
    }

    @Test
    void batchesLargerThanTheUsualBodyLimitAreAccepted() {
        String repo = env.createRepo(Map.of("name", "many", "url", "/srv/many", "password", "repo-password"));
        String host = env.enroll("many-1");
        env.assign(host, repo);
        List<Map<String, Object>> snapshots = new ArrayList<>();
        for (int i = 0; i < 6000; i++) {
            snapshots.add(snap(String.format("%064x", i), Instant.ofEpochSecond(1_700_000_000L + i).toString(),
                               "many-1", "/home/user/projects/some/long/path/" + i, "/etc"));
        }
        String body = Json.write(Map.of("events", List.of(event("ev-" + UUID.randomUUID(), host, "snapshots.report",
                Instant.now(), Map.of("job_id", "j-many", "repo_id", repo, "snapshots", snapshots)))));
        assertThat(body.length() > 1024 * 1024, is(true));
        TestEnv.Reply reply = env.call("POST", "/internal/events", body, null);
        assertThat(reply.body(), reply.status(), is(200));
        assertThat(env.get("/api/repos/" + repo).json().get("stats").get("snapshot_count").asInt(), is(6000));
    }

    @Test
    void pagingStaysFastWith100kSnapshots() throws Exception {
        String repo = env.createRepo(Map.of("name", "big", "url", "/srv/big", "password", "repo-password"));
        String host = env.enroll("big-1");
        env.assign(host, repo);
        int total = 100_000;
        long base = Instant.parse("2020-01-01T00:00:00Z").getEpochSecond();
        long seedStart = System.nanoTime();
        try (Connection c = env.store.connect()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO snapshots (repo_id, id, short_id, time_ns, "
                    + "time, hostname, username, paths, tags) VALUES (?, ?, ?, ?, ?, ?, 'root', '[\"/data\"]', '[]')")) {
                for (int i = 0; i < total; i++) {
                    Instant time = Instant.ofEpochSecond(base + i * 600L);
                    String id = String.format("%064x", i);
                    ps.setString(1, repo);
                    ps.setString(2, id);
                    ps.setString(3, id.substring(0, 8));
                    ps.setLong(4, SnapshotStore.nanos(time));
                    ps.setString(5, time.toString());
                    ps.setString(6, i % 4 == 0 ? "other" : "big-1");
                    ps.addBatch();
                    if (i % 5000 == 4999) {
                        ps.executeBatch();
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE repos SET snapshots_reported_at = ? WHERE id = ?")) {
                ps.setString(1, Times.format(Instant.now()));
                ps.setString(2, repo);
                ps.executeUpdate();
            }
            c.commit();
        }
        long seedMs = (System.nanoTime() - seedStart) / 1_000_000;

        env.get("/api/hosts/" + host + "/snapshots?limit=50"); // warm up
        List<Long> times = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        String cursor = null;
        String previousTime = null;
        for (int page = 0; page < 40; page++) {
            long start = System.nanoTime();
            JsonNode json = env.get("/api/hosts/" + host + "/snapshots?limit=50"
                                            + (cursor == null ? "" : "&cursor=" + cursor)).json();
            times.add((System.nanoTime() - start) / 1000);
            for (JsonNode s : json.get("items")) {
                assertThat(seen.add(s.get("id").asText()), is(true));
                assertThat(s.get("hostname").asText(), is("big-1"));
                if (previousTime != null) {
                    assertThat(Instant.parse(s.get("time").asText()).isBefore(Instant.parse(previousTime)), is(true));
                }
                previousTime = s.get("time").asText();
            }
            cursor = json.get("next_cursor").asText();
        }
        // a page deep in the list (cursor from the middle) is just as cheap
        String deep = new SnapshotStore.Key(SnapshotStore.nanos(Instant.ofEpochSecond(base + 50_000 * 600L)),
                                            String.format("%064x", 50_000)).encode();
        long deepStart = System.nanoTime();
        JsonNode deepPage = env.get("/api/repos/" + repo + "/snapshots?limit=50&cursor=" + deep).json();
        long deepMicros = (System.nanoTime() - deepStart) / 1000;
        assertThat(deepPage.get("items").get(0).get("id").asText(), is(String.format("%064x", 49_999)));

        long start = System.nanoTime();
        JsonNode repoView = env.get("/api/repos/" + repo).json();
        long statsMicros = (System.nanoTime() - start) / 1000;
        long max = times.stream().max(Comparator.naturalOrder()).orElseThrow();
        double avg = times.stream().mapToLong(Long::longValue).average().orElseThrow();
        System.out.printf("[snapshot paging] seeded %d rows in %d ms; host pages of 50: avg %.2f ms, max %.2f ms "
                                  + "(40 pages); deep repo page %.2f ms; repo view with stats %.2f ms%n",
                          total, seedMs, avg / 1000, max / 1000.0, deepMicros / 1000.0, statsMicros / 1000.0);
        assertThat(seen.size(), is(2000));
        assertThat(max, lessThan(500_000L));
        assertThat(deepMicros, lessThan(500_000L));
        assertThat(repoView.get("stats").get("snapshot_count").asInt(), is(total));
        assertThat(statsMicros, lessThan(500_000L));
    }

    @Test
    void projectionMatchesRealResticSnapshots() throws Exception {
        Path restic = Path.of("/usr/bin/restic");
        assumeTrue(Files.isExecutable(restic), "restic is not installed");
        Path dir = TestEnv.tempDir();
        try {
            Path repoDir = dir.resolve("repo");
            Path data = Files.createDirectories(dir.resolve("data"));
            Files.writeString(data.resolve("a.txt"), "first version\n");
            restic(dir, "UTC", "init", "--repo", repoDir.toString());
            restic(dir, "UTC", "-r", repoDir.toString(), "backup", "--tag", "first", data.toString());
            Files.writeString(data.resolve("b.txt"), "second file\n");
            // a second zone, so restic writes a non-UTC offset we must normalise
            restic(dir, "Europe/Berlin", "-r", repoDir.toString(), "backup", data.toString());
            String json = restic(dir, "Europe/Berlin", "-r", repoDir.toString(), "snapshots", "--json");
            List<SnapshotInfo> real = Json.MAPPER.readValue(json, new TypeReference<>() {
            });
            assertThat(real.size(), is(2));
            String hostname = real.getFirst().hostname();

            String repo = env.createRepo(Map.of("name", "real", "url", repoDir.toString(), "password", "test-password"));
            String host = env.enroll(hostname);
            env.assign(host, repo);
            TestEnv.Reply reply = env.events(event("ev-" + UUID.randomUUID(), host, "snapshots.report", Instant.now(),
                    Json.MAPPER.valueToTree(Map.of("job_id", "j-real", "repo_id", repo, "snapshots",
                                                   Json.MAPPER.readTree(json)))));
            assertThat(reply.status(), is(200));

            JsonNode items = env.get("/api/hosts/" + host + "/snapshots").json().get("items");
            List<SnapshotInfo> expected = real.stream()
                    .sorted(Comparator.comparing(SnapshotInfo::time).thenComparing(SnapshotInfo::id).reversed())
                    .toList();
            assertThat(items.size(), is(2));
            for (int i = 0; i < 2; i++) {
                SnapshotInfo want = expected.get(i);
                JsonNode got = items.get(i);
                assertThat(got.get("id").asText(), is(want.id()));
                assertThat(got.get("short_id").asText(), is(want.shortId()));
                assertThat(Instant.parse(got.get("time").asText()), is(want.time()));
                assertThat(Json.MAPPER.convertValue(got.get("paths"), List.class), is(want.paths()));
                assertThat(Json.MAPPER.convertValue(got.get("tags"), List.class), is(want.tags()));
                assertThat(got.get("tree").asText(), is(want.tree()));
                assertThat(got.has("parent") ? got.get("parent").asText() : null, is(want.parent()));
            }
            assertThat(json.contains("+01:00") || json.contains("+02:00"), is(true));
            assertThat(items.get(1).get("tags").toString(), is("[\"first\"]"));
            assertThat(items.get(0).get("summary"), is(nullValue())); // restic 0.14 has no summary
        } finally {
            TestEnv.deleteTree(dir);
        }
    }

    private static String restic(Path dir, String tz, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("/usr/bin/restic", "--no-cache", "-q"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
        pb.environment().put("RESTIC_PASSWORD", "test-password");
        pb.environment().put("TZ", tz);
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("restic " + String.join(" ", args) + " failed");
        }
        return out;
    }
}
