package io.resticmanager.system;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.resticmanager.system.BenchReport.Goal;

/**
 * What the agent costs a host: the bundle a host downloads (with its own Java runtime), and the real agent process,
 * started exactly as installed (bundled runtime, the bundle's {@code agent.jvm} flags), connected and idle: its
 * resident memory and CPU over a window, heartbeats included.
 */
final class AgentFootprintBench {
    private static final String NAME = "agent";
    private static final double MIB = 1024 * 1024;

    private AgentFootprintBench() {
    }

    static void run(BenchConfig config, BenchReport report) throws Exception {
        report.setting("agent.idle_s", config.idleSeconds());
        Path runtime = Stack.ROOT.resolve("agent/target/runtime");
        if (!Files.isExecutable(runtime.resolve("bin/java"))) {
            report.note("agent: no bundled runtime was built here (only linux-x86_64 builds link one): the idle figures "
                                + "are for the JDK running the benchmark");
        }
        try (BenchStack bench = BenchStack.start(report, "bench-agent");
             AgentProcess agent = new AgentProcess(bench.stack().dataDir().resolve("agent"),
                                                   bench.stack().logDir().resolve("agent.log"));
             HttpClient http = HttpClient.newHttpClient()) {
            Stack stack = bench.stack();
            HttpResponse<Path> download = http.send(HttpRequest.newBuilder(URI.create(stack.gateway()
                    + "/downloads/restic-manager-agent.tar.gz")).build(), HttpResponse.BodyHandlers.ofFile(
                    stack.dataDir().resolve("bundle.tar.gz")));
            if (download.statusCode() != 200) {
                throw new IllegalStateException("bundle download answered " + download.statusCode());
            }
            report.add(NAME, "bundle download (jar, libs, runtime)", Files.size(download.body()) / MIB, "MiB", Goal.NONE);
            if (Files.isDirectory(runtime)) {
                report.add(NAME, "bundled runtime on disk", treeBytes(runtime) / MIB, "MiB", Goal.NONE);
            }

            Api admin = Api.setupAdmin(stack, BenchSetup.ADMIN, BenchSetup.ADMIN_PASSWORD);
            String token = admin.post("/api/enrollment-tokens", Map.of("name", "bench-agent")).expect(201).json()
                    .path("token").asText();
            if (agent.enroll(stack.gateway(), token) != 0) {
                throw new IllegalStateException("agent enroll failed; see " + stack.logDir().resolve("agent.log"));
            }
            String hostId = agent.hostId();
            agent.start();
            Await.until(Duration.ofSeconds(60), "agent online", () ->
                    "online".equals(admin.get("/api/hosts/" + hostId).json().path("status").asText()));
            // settle: start-up work (class loading, JIT, first sync) is not what a host lives with
            Thread.sleep(10_000);

            long pid = agent.pid();
            List<Double> rss = new ArrayList<>();
            Duration cpu0 = BenchProcess.cpu(pid);
            long t0 = System.nanoTime();
            long end = t0 + Duration.ofSeconds(config.idleSeconds()).toNanos();
            while (System.nanoTime() < end) {
                rss.add(BenchProcess.rssBytes(pid) / MIB);
                Thread.sleep(1_000);
            }
            double wallMs = (System.nanoTime() - t0) / 1e6;
            double cpuMs = BenchProcess.cpu(pid).minus(cpu0).toNanos() / 1e6;
            if (!agent.alive() || !"online".equals(admin.get("/api/hosts/" + hostId).json().path("status").asText())) {
                throw new IllegalStateException("the agent did not stay connected while idle");
            }
            BenchStats stats = BenchStats.of(rss);
            report.add(NAME, "idle RSS, max over " + config.idleSeconds() + " s", stats.max(), "MiB",
                       Goal.atMost(64));
            report.add(NAME, "idle RSS, median", stats.median(), "MiB", Goal.atMost(64));
            report.add(NAME, "idle CPU (heartbeats included)", 100 * cpuMs / wallMs, "%", Goal.atMost(0.5));
        }
    }

    private static long treeBytes(Path dir) throws java.io.IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }
}
