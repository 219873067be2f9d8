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
 * 1 % of the files changed, browse p95 of a 10,000-entry directory from the index (goal ≤ 100 ms) and file-search p95
 * (goal ≤ 1 s) through the gateway.
 */
final class IndexBench {
    private static final String PASSWORD = "bench-index-password";
    private static final Pattern INDEXED = Pattern.compile(
            "indexed snapshot (\\w+): .* (\\d+) of (\\d+) trees were new .* in (\\d+) ms");
    /** Entries in the one wide directory browsed. */
    private static final int WIDE = 10_000;

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
            report.add("index", "next snapshot (1 % changed): time", two[2], "ms", BenchReport.Goal.NONE);
            report.add("index", "next snapshot (1 % changed): trees uploaded", two[0], "trees", BenchReport.Goal.NONE,
                       "of " + two[1]);
            report.add("index", "next snapshot (1 % changed): storage", (bytes2 - bytes1) / 1e6, "MB",
                       BenchReport.Goal.NONE);

            String wide = data.resolve("wide").toString();
            Await.until(Duration.ofSeconds(60), "indexed listing", () -> "index".equals(admin.get(
                    "/api/snapshots/" + second + "/tree?host_id=" + host + "&path=" + wide).json().path("source")
                    .asText()));
            List<Double> browse = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                long t0 = System.nanoTime();
                JsonNode listing = admin.get("/api/snapshots/" + (i % 2 == 0 ? first : second) + "/tree?host_id="
                                                     + host + "&path=" + wide).expect(200).json();
                browse.add((System.nanoTime() - t0) / 1e6);
                if (listing.path("items").size() != WIDE) {
                    throw new IllegalStateException("the wide directory lists " + listing.path("items").size());
                }
            }
            report.add("index", "browse p95, " + WIDE + "-entry directory", BenchStats.of(browse).percentile(95), "ms",
                       BenchReport.Goal.atMost(100));
            List<Double> search = new ArrayList<>();
            String[] queries = {"file-123", "*.dat", "wide-99*", "nothing-matches", "file-4?7.txt"};
            for (int i = 0; i < 50; i++) {
                long t0 = System.nanoTime();
                admin.get("/api/hosts/" + host + "/files?q=" + java.net.URLEncoder.encode(
                        queries[i % queries.length], java.nio.charset.StandardCharsets.UTF_8)).expect(200);
                search.add((System.nanoTime() - t0) / 1e6);
            }
            report.add("index", "search p95 (2 snapshots)", BenchStats.of(search).percentile(95), "ms",
                       BenchReport.Goal.atMost(1000));
        }
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
