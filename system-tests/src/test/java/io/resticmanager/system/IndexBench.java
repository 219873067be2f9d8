package io.resticmanager.system;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Issue 25's tree index with a real agent and real restic: index build time and server storage for N files (default
 * small enough for 2 cores; {@code --index-files=1000000} is the size), the same for the next snapshot with
 * 1 % of the files changed, browse p95 of a 10,000-entry directory from the index, whole and a page at a time (goal
 * ≤ 100 ms), and file-search p95 (goal ≤ 1 s) through the gateway: over the two snapshots, and over
 * {@code --index-snapshots} (default 1,000) snapshots of {@code --index-snapshot-files} (default 100,000) files seeded
 * through inventory's index routes ({@link IndexCorpus}), where the benchmark also checks that a file kept in every
 * snapshot is found in every one.
 */
final class IndexBench {
    private static final String PASSWORD = "bench-index-password";
    private static final Pattern INDEXED = Pattern.compile(
            "indexed snapshot (\\w+): .* (\\d+) of (\\d+) trees were new .* in (\\d+) ms");
    /** Entries in the one wide directory browsed. */
    private static final int WIDE = 10_000;
    /** Entries of one page when the wizard pages through the wide directory. */
    private static final int PAGE = 1_000;

    private IndexBench() {
    }

    static void run(BenchConfig config, BenchReport report) throws Exception {
        int files = Math.max(config.indexFiles(), WIDE + 1000);
        report.setting("index.files", files);
        try (BenchStack bench = BenchStack.start(report, "bench-index");
             AgentProcess agent = new AgentProcess(bench.stack().dataDir().resolve("agent"),
                                                   bench.stack().logDir().resolve("agent.log"))) {
            Stack stack = bench.stack();
            Api admin = Api.setupAdmin(stack, BenchSetup.ADMIN, BenchSetup.ADMIN_PASSWORD);
            Path data = Files.createDirectories(stack.dataDir().resolve("data"));
            List<Path> all = dataSet(data, files);
            String host = Fleet.enrollWithRepo(stack, admin, agent, stack.dataDir().resolve("repo"), PASSWORD);
            if (!"succeeded".equals(Fleet.runAndWait(admin, host, Map.of("kind", "init")).path("status").asText())) {
                throw new IllegalStateException("init failed");
            }
            Path log = stack.logDir().resolve("agent.log");
            Path db = stack.dataDir().resolve("inventory.db");

            long bytes0 = indexBytes(db);
            String first = backup(admin, host, data);
            long[] one = indexed(log, first);
            long bytes1 = indexBytes(db);
            report.add("index", "build time, " + files + " files", one[2], "ms", BenchReport.Goal.NONE);
            report.add("index", "storage, " + files + " files", (bytes1 - bytes0) / 1e6, "MB", BenchReport.Goal.NONE);
            report.add("index", "storage per file", (bytes1 - bytes0) / (double) files, "B", BenchReport.Goal.NONE);

            // 1 % of the files change
            for (int i = 0; i < all.size(); i += 100) {
                Files.writeString(all.get(i), "changed " + i + "\n");
            }
            String second = backup(admin, host, data);
            long[] two = indexed(log, second);
            long bytes2 = indexBytes(db);
            String next = "next snapshot (1 % changed, one file in every directory): ";
            report.add("index", next + "time", two[2], "ms", BenchReport.Goal.NONE);
            report.add("index", next + "trees uploaded", two[0], "trees", BenchReport.Goal.NONE,
                       "of " + two[1]);
            report.add("index", next + "storage", (bytes2 - bytes1) / 1e6, "MB",
                       BenchReport.Goal.NONE);

            String wide = data.resolve("wide").toString();
            Await.until(Duration.ofSeconds(60), "indexed listing", () -> "index".equals(admin.get(
                    "/api/snapshots/" + second + "/tree?host_id=" + host + "&path=" + wide).json().path("source")
                    .asText()));
            for (int i = 0; i < 30; i++) { // warm-up: the first listings load pages and JIT-compile the path
                admin.get("/api/snapshots/" + second + "/tree?host_id=" + host + "&path=" + wide).expect(200);
            }
            List<Double> browse = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                long t0 = System.nanoTime();
                Api.Reply reply = admin.get("/api/snapshots/" + (i % 2 == 0 ? first : second) + "/tree?host_id="
                                                    + host + "&path=" + wide);
                browse.add((System.nanoTime() - t0) / 1e6);
                JsonNode listing = reply.expect(200).json();
                if (listing.path("items").size() != WIDE || !"index".equals(listing.path("source").asText())) {
                    throw new IllegalStateException("the wide directory lists " + listing.path("items").size()
                                                            + " entries from " + listing.path("source"));
                }
            }
            report.add("index", "browse p95, " + WIDE + "-entry directory", BenchStats.of(browse).percentile(95), "ms",
                       BenchReport.Goal.atMost(100), "whole directory in one answer, " + files + "-file snapshot, "
                               + browse.size() + " requests");
            List<Double> pages = new ArrayList<>();
            String cursor = "";
            for (int i = 0; i < 60; i++) {
                long t0 = System.nanoTime();
                Api.Reply reply = admin.get("/api/snapshots/" + second + "/tree?host_id=" + host + "&path=" + wide
                                                    + "&limit=" + PAGE + "&cursor=" + cursor);
                pages.add((System.nanoTime() - t0) / 1e6);
                JsonNode page = reply.expect(200).json();
                cursor = page.path("next_cursor").asText("");
                if (page.path("items").size() != PAGE) {
                    throw new IllegalStateException("a page of the wide directory holds " + page.path("items").size());
                }
            }
            report.add("index", "browse p95, one page of " + PAGE + " of the " + WIDE + "-entry directory",
                       BenchStats.of(pages).percentile(95), "ms", BenchReport.Goal.atMost(100),
                       pages.size() + " requests, each page after the one before");
            search(report, admin, host, new String[] {"file-123", "*.dat", "wide-99*", "nothing-matches",
                    "file-4?7.txt"}, "search p95, 2 snapshots of " + files + " files", -1);

            // search at the size: many snapshots of a host sharing most trees, seeded as the agent uploads
            long s0 = System.nanoTime();
            String many = IndexCorpus.seed(admin, BenchSetup.inventory(stack), stack.dataDir().resolve("search-repo")
                    .toString(), config.indexSnapshots(), config.indexSnapshotFiles(), config.indexChanges(),
                                           config.seed());
            report.add("index", "search corpus seeding", (System.nanoTime() - s0) / 1e9, "s", BenchReport.Goal.NONE,
                       config.indexSnapshots() + " snapshots × " + config.indexSnapshotFiles() + " files, "
                               + config.indexChanges() + " changed per snapshot");
            report.add("index", "search corpus storage", (indexBytes(db) - bytes2) / 1e6, "MB",
                       BenchReport.Goal.NONE);
            search(report, admin, many, new String[] {"file-12345.txt", "file-4242", "file-77?.txt",
                    "nothing-matches", "*.txt"}, "search p95, " + config.indexSnapshots() + " snapshots × "
                    + config.indexSnapshotFiles() + " files", config.indexSnapshots());
        }
    }

    /**
     * Times searches cycling through {@code queries} (after a warm-up) against the goal. When
     * {@code snapshots} is positive the first query names one file present in every snapshot: it must be found in
     * all of them (a fast answer that misses snapshots is no answer).
     */
    private static void search(BenchReport report, Api admin, String host, String[] queries, String label,
                               int snapshots) {
        for (int i = 0; i < queries.length; i++) {
            admin.get(searchPath(host, queries[i])).expect(200);
        }
        if (snapshots > 0) {
            JsonNode found = admin.get(searchPath(host, queries[0])).expect(200).json();
            int holding = 0;
            for (JsonNode item : found.path("items")) {
                for (JsonNode v : item.path("versions")) {
                    holding += v.path("snapshot_count").asInt(v.path("snapshots").size());
                }
            }
            if (holding != snapshots) {
                throw new IllegalStateException(queries[0] + " is in " + snapshots + " snapshots; search found "
                                                        + holding);
            }
        }
        List<Double> ms = new ArrayList<>();
        long bytes = 0;
        for (int i = 0; i < queries.length * 12; i++) {
            long t0 = System.nanoTime();
            Api.Reply r = admin.get(searchPath(host, queries[i % queries.length]));
            ms.add((System.nanoTime() - t0) / 1e6);
            bytes = Math.max(bytes, r.expect(200).body().length());
        }
        report.add("index", label, BenchStats.of(ms).percentile(95), "ms", BenchReport.Goal.atMost(1000),
                   ms.size() + " requests of " + String.join(" ", queries) + "; largest answer " + bytes / 1024
                           + " KiB");
    }

    private static String searchPath(String host, String q) {
        return "/api/hosts/" + host + "/files?q="
                + java.net.URLEncoder.encode(q, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** {@code files} small files: one directory of 10,000, the rest 100 to a directory under 10 top directories. */
    private static List<Path> dataSet(Path data, int files) throws Exception {
        List<Path> all = new ArrayList<>(files);
        Path wide = Files.createDirectories(data.resolve("wide"));
        for (int i = 0; i < WIDE; i++) {
            Path p = wide.resolve("wide-" + i + ".dat");
            Files.writeString(p, "w" + i);
            all.add(p);
        }
        for (int i = 0; all.size() < files; i++) {
            Path dir = Files.createDirectories(data.resolve("top-" + (i / 100 % 10) + "/dir-" + (i / 100)));
            Path p = dir.resolve("file-" + i + ".txt");
            Files.writeString(p, "f" + i);
            all.add(p);
        }
        return all;
    }

    private static String backup(Api admin, String host, Path data) {
        JsonNode job = Fleet.awaitEnd(admin, Fleet.run(admin, host, Map.of("kind", "backup", "paths",
                                                                           List.of(data.toString()))),
                                      Duration.ofMinutes(60));
        if (!"succeeded".equals(job.path("status").asText())) {
            throw new IllegalStateException("backup failed: " + job);
        }
        return job.at("/summary/snapshot_id").asText();
    }

    /** {uploaded trees, trees, ms} from the agent's log line for the snapshot. */
    private static long[] indexed(Path log, String snapshot) {
        long[] out = new long[3];
        Await.until(Duration.ofMinutes(60), "snapshot indexed", () -> {
            Matcher m = INDEXED.matcher(Files.readString(log));
            while (m.find()) {
                if (snapshot.startsWith(m.group(1))) {
                    out[0] = Long.parseLong(m.group(2));
                    out[1] = Long.parseLong(m.group(3));
                    out[2] = Long.parseLong(m.group(4));
                    return true;
                }
            }
            return false;
        });
        return out;
    }

    /** Bytes the index tables and their indexes take in inventory.db (SQLite's dbstat). */
    private static long indexBytes(Path db) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COALESCE(SUM(pgsize), 0) FROM dbstat WHERE name LIKE 'index_%'"
                                                   + " OR name LIKE 'sqlite_autoindex_index_%'")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
