package io.resticmanager.system;

import io.resticmanager.proto.Json;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;

import static io.resticmanager.system.BenchReport.Goal;

/**
 * Page speed on a big installation: hosts and snapshots seeded straight into inventory-service (as the hub
 * would deliver them), then each page timed as a logged-in browser fetches it through the gateway.
 */
final class DashboardBench {
    private static final String NAME = "dashboard";
    private static final int EVENTS_PER_POST = 500;
    private static final int WARMUP = 20;

    private DashboardBench() {
    }

    static void run(BenchConfig config, BenchReport report) throws Exception {
        report.setting("dashboard.hosts", config.hosts());
        report.setting("dashboard.snapshots", config.snapshots());
        try (BenchStack bench = BenchStack.start(report, "bench-dashboard")) {
            Stack stack = bench.stack();
            Api admin = Api.setupAdmin(stack, BenchSetup.ADMIN, BenchSetup.ADMIN_PASSWORD);
            Api inventory = BenchSetup.inventory(stack);
            SplittableRandom random = new SplittableRandom(config.seed());

            System.out.println("dashboard: seeding " + config.hosts() + " hosts and " + config.snapshots()
                                       + " snapshots…");
            List<String> hostIds = new ArrayList<>();
            List<Map<String, Object>> events = new ArrayList<>();
            Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
            for (int i = 0; i < config.hosts(); i++) {
                String id = uuid(random);
                hostIds.add(id);
                events.add(BenchSetup.hostEvent(id, "host.enrolled", now, Map.of("hostname", hostname(i), "os", "linux",
                                                                  "arch", "amd64", "agent_version", "bench")));
                if (events.size() == EVENTS_PER_POST || i == config.hosts() - 1) {
                    inventory.post("/internal/events", Map.of("events", events)).expect(200);
                    events.clear();
                }
            }
            String hostId = hostIds.getFirst();
            String repoId = BenchSetup.createRepo(admin, "dashboard-repo",
                                                  stack.dataDir().resolve("dashboard-repo").toString(), "dashboard-pw");
            BenchSetup.assignRepo(admin, hostId, repoId);
            long s0 = System.nanoTime();
            String body = snapshotsReport(hostId, repoId, hostname(0), config.snapshots(), now, random);
            inventory.post("/internal/events", body).expect(200);
            report.add(NAME, "snapshot report ingest", config.snapshots() / ((System.nanoTime() - s0) / 1e9),
                       "snapshots/s", Goal.NONE, String.format(java.util.Locale.ROOT, "one report of %d snapshots, "
                               + "%.1f MiB", config.snapshots(), body.length() / 1048576.0));

            int listed = admin.get("/api/hosts/" + hostId + "/snapshots?limit=1").expect(200).json().path("items").size();
            if (listed != 1) {
                throw new IllegalStateException("seeded snapshots are not listed for the host");
            }
            // the goals of the big-fleet dashboard: one small page whatever the fleet's size
            long bytes = time(report, admin, "dashboard page GET /", "/", config.pageRequests(), Goal.atMost(100),
                              config.hosts() + " hosts");
            report.add(NAME, "dashboard page size", bytes / 1024.0, "KiB", Goal.atMost(150),
                       config.hosts() + " hosts, first page");
            time(report, admin, "dashboard search GET /?q=", "/?q=host-01", config.pageRequests(), Goal.atMost(100),
                 "search by name across " + config.hosts() + " hosts");
            time(report, admin, "host snapshot page GET /hosts/{id}", "/hosts/" + hostId, config.pageRequests(),
                 Goal.atMost(500), config.snapshots() + " snapshots in the host's repository");
            time(report, admin, "API GET /api/hosts/{id}/snapshots?limit=50",
                 "/api/hosts/" + hostId + "/snapshots?limit=50", config.pageRequests(), Goal.atMost(200), "");
            time(report, admin, "API GET /api/hosts", "/api/hosts", config.pageRequests(), Goal.NONE,
                 config.hosts() + " hosts in one answer");
        }
    }

    /** Times {@code requests} sequential GETs after a warm-up; adds p50 and p95 rows; returns the answer's size. */
    private static long time(BenchReport report, Api admin, String label, String path, int requests, Goal goal,
                             String note) {
        for (int i = 0; i < WARMUP; i++) {
            admin.get(path).expect(200);
        }
        double[] ms = new double[requests];
        long bytes = 0;
        for (int i = 0; i < requests; i++) {
            long t0 = System.nanoTime();
            Api.Reply r = admin.get(path);
            ms[i] = BenchSetup.ms(System.nanoTime() - t0);
            r.expect(200);
            bytes = r.body().length();
        }
        BenchStats s = BenchStats.of(ms);
        report.add(NAME, label + " p50", s.median(), "ms", Goal.NONE);
        report.add(NAME, label + " p95", s.percentile(95), "ms", goal,
                   (note.isEmpty() ? "" : note + "; ") + requests + " requests, " + bytes / 1024 + " KiB each");
        return bytes;
    }

    /** One snapshots.report event with {@code n} snapshots, hourly going back from now, as restic lists them. */
    private static String snapshotsReport(String hostId, String repoId, String hostname, int n, Instant now,
                                          SplittableRandom random) {
        List<Map<String, Object>> snapshots = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String id = hex(random, 32);
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("id", id);
            s.put("short_id", id.substring(0, 8));
            s.put("time", now.minus(n - i, ChronoUnit.HOURS).toString());
            s.put("paths", List.of("/etc", "/home", "/srv/data"));
            s.put("tags", i % 24 == 0 ? List.of("daily", "bench") : List.of("bench"));
            s.put("hostname", hostname);
            s.put("username", "root");
            s.put("tree", hex(random, 32));
            snapshots.add(s);
        }
        Map<String, Object> payload = Map.of("job_id", UUID.randomUUID().toString(), "repo_id", repoId,
                                             "snapshots", snapshots);
        return Json.write(Map.of("events", List.of(BenchSetup.hostEvent(hostId, "snapshots.report", now, payload))));
    }

    private static String hostname(int i) {
        return String.format("host-%04d.bench.example", i);
    }

    private static String uuid(SplittableRandom random) {
        return new UUID((random.nextLong() & ~0xF000L) | 0x4000L,
                        (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L).toString();
    }

    private static String hex(SplittableRandom random, int bytes) {
        byte[] b = new byte[bytes];
        random.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
