package io.resticmanager.system;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.OutputStream;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static io.resticmanager.system.BenchReport.Goal;

/**
 * What the product adds to a backup: the same data backed up by bare {@code restic backup} and by a run-now
 * job (gateway → jobs-service → hub → real agent → restic → events back), each into a fresh repository,
 * alternating, several runs; medians and their ratio.
 */
final class BackupOverheadBench {
    private static final String NAME = "backup";
    private static final String PASSWORD = "bench-backup-password-51c7";

    /**
     * One agent-driven backup: as the client saw it, and as the job record's own timestamps say, cut into phases
     * (ms, NaN when a timestamp is missing): POST → the agent's ack (dispatch), ack → restic started (the agent's
     * "repository …" event right before it runs restic), restic's run (→ its summary line), summary → the
     * agent's job.finished, and job.finished → the client saw the final status (events back).
     */
    private record Timed(double clientMs, double serverMs, double dispatchMs, double beforeResticMs,
                         double resticMs, double afterResticMs, double backMs) {
    }

    private BackupOverheadBench() {
    }

    static void run(BenchConfig config, BenchReport report) throws Exception {
        Path data = dataSet(config);
        report.setting("backup.data_mb", config.dataMb());
        report.setting("backup.runs", config.backupRuns());
        try (BenchStack bench = BenchStack.start(report, "bench-backup");
             AgentProcess agent = new AgentProcess(bench.stack().dataDir().resolve("agent"),
                                                   bench.stack().logDir().resolve("agent.log"));
             HttpClient ws = HttpClient.newHttpClient()) {
            Stack stack = bench.stack();
            Api admin = Api.setupAdmin(stack, BenchSetup.ADMIN, BenchSetup.ADMIN_PASSWORD);
            String token = admin.post("/api/enrollment-tokens", Map.of("name", "bench")).expect(201).json()
                    .path("token").asText();
            if (agent.enroll(stack.gateway(), token) != 0) {
                throw new IllegalStateException("agent enroll failed; see " + stack.logDir().resolve("agent.log"));
            }
            String hostId = agent.hostId();
            agent.start();
            Await.until(Duration.ofSeconds(30), "agent online", () ->
                    "online".equals(admin.get("/api/hosts/" + hostId).json().path("status").asText()));
            String viewer = BenchSetup.viewerToken(admin, "bench-backup");
            Path repos = stack.dataDir().resolve("repos");

            // page cache warm for both sides: the first reader of the data set would pay for the disk
            Path warm = repos.resolve("warm");
            Restic.run(warm, PASSWORD, "init");
            bare(warm, data);

            List<Double> bare = new ArrayList<>();
            List<Double> product = new ArrayList<>();
            List<Double> serverSide = new ArrayList<>();
            List<Timed> phases = new ArrayList<>();
            for (int run = 0; run < config.backupRuns(); run++) {
                System.out.println("backup: run " + (run + 1) + " of " + config.backupRuns() + "…");
                // alternate who goes first, so drift (caches, other load) does not favour one side
                for (int side = 0; side < 2; side++) {
                    if ((run + side) % 2 == 0) {
                        Path repo = repos.resolve("bare-" + run);
                        Restic.run(repo, PASSWORD, "init");
                        bare.add(bare(repo, data));
                    } else {
                        Timed t = viaProduct(admin, ws, stack.gateway(), viewer, hostId,
                                             repos.resolve("agent-" + run), run, data);
                        product.add(t.clientMs());
                        phases.add(t);
                        serverSide.add(t.serverMs());
                    }
                }
            }
            BenchStats b = BenchStats.of(bare);
            BenchStats p = BenchStats.of(product);
            String runs = config.backupRuns() + " runs, " + config.dataMb() + " MB data set";
            report.add(NAME, "bare restic backup (median)", b.median() / 1000, "s", Goal.NONE,
                       runs + ": " + seconds(bare));
            report.add(NAME, "agent-driven backup (median)", p.median() / 1000, "s", Goal.NONE,
                       "POST run-now → job succeeded (pushed on the job stream): " + seconds(product)
                               + "; the job record's created_at → finished_at: " + seconds(serverSide));
            report.add(NAME, "overhead ratio agent/bare", p.median() / b.median(), "x", Goal.atMost(1.03));
            report.add(NAME, "added time per backup (median difference)", p.median() - b.median(), "ms",
                       Goal.atMost(50), "dispatch, the agent's extra restic calls, events back; fixed, not per byte");
            phase(report, phases, "dispatch (POST → the agent's ack)", Timed::dispatchMs);
            phase(report, phases, "agent before restic (ack → restic started)", Timed::beforeResticMs);
            phase(report, phases, "restic itself (started → its summary line)", Timed::resticMs);
            phase(report, phases, "agent after restic (summary → job.finished)", Timed::afterResticMs);
            phase(report, phases, "events back (job.finished → client sees it)", Timed::backMs);
        }
    }

    /** Times {@code restic backup --json} of the data set into an initialised repository, in ms. */
    private static double bare(Path repo, Path data) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("restic", "--repo", repo.toString(), "backup", "--json", data.toString())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("RESTIC_PASSWORD", PASSWORD);
        long t0 = System.nanoTime();
        Process p = pb.start();
        if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException("bare restic backup failed");
        }
        return BenchSetup.ms(System.nanoTime() - t0);
    }

    /**
     * A fresh repository assigned to the host and initialised by an init job (untimed), then the backup job,
     * timed from the POST until the job stream pushes its final status. (A browser or script watching the
     * job sees the result at that moment; polling GET /api/jobs/{id} every 10 ms would load the two cores
     * restic itself needs.)
     */
    private static Timed viaProduct(Api admin, HttpClient ws, String gateway, String viewer, String hostId, Path repo,
                                     int run, Path data) throws Exception {
        String repoId = BenchSetup.createRepo(admin, "bench-backup-" + run, repo.toString(), PASSWORD);
        admin.patch("/api/hosts/" + hostId, Map.of("repo_id", repoId)).expect(200);
        JsonNode init = runAndWait(admin, ws, gateway, viewer, hostId, Map.of("kind", "init"));
        if (!"succeeded".equals(init.path("status").asText())) {
            throw new IllegalStateException("init job ended " + init.path("status") + ": " + init.path("error"));
        }
        Instant posted = Instant.now();
        long t0 = System.nanoTime();
        String jobId = admin.post("/api/hosts/" + hostId + "/jobs",
                                  Map.of("kind", "backup", "paths", List.of(data.toString()))).expect(202).json()
                .path("job_id").asText();
        try (BenchWatcher w = BenchWatcher.open(ws, gateway, jobId, viewer, 1)) {
            JsonNode job = w.finished().get(30, TimeUnit.MINUTES);
            long t1 = w.finishedAtNanos();
            if (!"succeeded".equals(job.path("status").asText())) {
                throw new IllegalStateException("backup job ended " + job.path("status") + ": " + job.path("error"));
            }
            // cross-check against the server's own clock: created_at → finished_at of the job record
            Instant finishedAt = Instant.parse(job.path("finished_at").asText());
            double server = Duration.between(Instant.parse(job.path("created_at").asText()), finishedAt).toMillis();
            Instant seen = posted.plusNanos(t1 - t0);
            Instant started = Instant.parse(job.path("started_at").asText());
            Instant resticStarted = null;
            Instant summary = null;
            for (JsonNode line : admin.get("/api/jobs/" + jobId + "/logs?limit=10000").expect(200).json()
                    .path("items")) {
                String text = line.path("line").asText();
                if (resticStarted == null && "event".equals(line.path("stream").asText())
                        && text.startsWith("repository ")) {
                    resticStarted = Instant.parse(line.path("ts").asText());
                }
                if ("stdout".equals(line.path("stream").asText()) && text.contains(" saved")) {
                    summary = Instant.parse(line.path("ts").asText());
                }
            }
            return new Timed(BenchSetup.ms(t1 - t0), server, between(posted, started), between(started, resticStarted),
                             between(resticStarted, summary), between(summary, finishedAt),
                             between(finishedAt, seen));
        }
    }

    private static double between(Instant from, Instant to) {
        return from == null || to == null ? Double.NaN : Duration.between(from, to).toNanos() / 1e6;
    }

    /** One phase of the agent-driven backups: its median, every run's value in the note. */
    private static void phase(BenchReport report, List<Timed> runs, String name,
                              java.util.function.ToDoubleFunction<Timed> value) {
        List<Double> ms = runs.stream().map(value::applyAsDouble).filter(v -> !Double.isNaN(v)).toList();
        if (ms.isEmpty()) {
            return;
        }
        report.add(NAME, "phase: " + name + " (median)", BenchStats.of(ms).median(), "ms", Goal.NONE,
                   String.join(", ", ms.stream().map(v -> String.format(Locale.ROOT, "%.0f", v)).toList()));
    }

    private static JsonNode runAndWait(Api admin, HttpClient ws, String gateway, String viewer, String hostId,
                                       Map<String, Object> body) throws Exception {
        String jobId = admin.post("/api/hosts/" + hostId + "/jobs", body).expect(202).json().path("job_id").asText();
        try (BenchWatcher w = BenchWatcher.open(ws, gateway, jobId, viewer, 1)) {
            return w.finished().get(5, TimeUnit.MINUTES);
        }
    }

    /**
     * The data set, made once per size and seed under system-tests/target/bench-data: directories of files
     * from 1 KiB to 8 MiB, half random bytes (incompressible, like media), half text with repeats (like logs
     * and source), from a fixed seed so every run backs up the same bytes.
     */
    static Path dataSet(BenchConfig config) throws IOException {
        Path dir = Stack.ROOT.resolve("system-tests/target/bench-data/data-" + config.dataMb() + "mb-seed"
                                              + config.seed());
        Path done = dir.resolveSibling(dir.getFileName() + ".complete");
        if (Files.exists(done)) {
            return dir;
        }
        if (Files.exists(dir)) {
            try (Stream<Path> walk = Files.walk(dir)) {
                for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        System.out.println("backup: generating a " + config.dataMb() + " MB data set in " + dir + "…");
        SplittableRandom random = new SplittableRandom(config.seed());
        long target = config.dataMb() * 1_000_000L;
        long written = 0;
        int file = 0;
        byte[] chunk = new byte[64 * 1024];
        while (written < target) {
            Path sub = dir.resolve(String.format(Locale.ROOT, "dir-%02d/sub-%02d", file % 17, file / 17 % 9));
            Files.createDirectories(sub);
            // sizes log-uniform between 1 KiB and 8 MiB: many small files, most bytes in big ones
            long size = Math.min(target - written, (long) Math.pow(2, 10 + random.nextDouble() * 13));
            boolean text = random.nextBoolean();
            Path path = sub.resolve(String.format(Locale.ROOT, "file-%05d.%s", file, text ? "log" : "bin"));
            try (OutputStream out = Files.newOutputStream(path)) {
                long left = size;
                int line = 0;
                while (left > 0) {
                    int n;
                    if (text) {
                        byte[] row = String.format(Locale.ROOT, "%08d INFO worker-%d processed item %d in %d ms%n",
                                                   line++, line % 8, random.nextInt(1000), random.nextInt(50))
                                .getBytes(StandardCharsets.US_ASCII);
                        n = (int) Math.min(row.length, left);
                        out.write(row, 0, n);
                    } else {
                        random.nextBytes(chunk);
                        n = (int) Math.min(chunk.length, left);
                        out.write(chunk, 0, n);
                    }
                    left -= n;
                }
            }
            written += size;
            file++;
        }
        Files.writeString(done, file + " files, " + written + " bytes\n");
        return dir;
    }

    private static String seconds(List<Double> ms) {
        return String.join(", ", ms.stream().map(v -> String.format(Locale.ROOT, "%.2f s", v / 1000)).toList());
    }
}
