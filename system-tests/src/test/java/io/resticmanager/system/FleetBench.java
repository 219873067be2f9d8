package io.resticmanager.system;

import io.resticmanager.proto.JobStatus;
import io.resticmanager.proto.Message;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static io.resticmanager.system.BenchReport.Goal;

/**
 * N simulated agents (real WebSockets, real protocol) through the gateway: how long they take to connect,
 * what each connection costs the gateway and the hub in heap and RSS, what heartbeats cost in CPU, and how
 * fast a run-now reaches an agent while all of them are connected.
 */
final class FleetBench {
    /** Measurement windows of heartbeat (and idle) CPU; the figure is their median. */
    private static final int HEARTBEAT_WINDOWS = 3;
    private static final String NAME = "fleet";

    private final BenchConfig config;
    private final BenchReport report;
    private final Map<String, CompletableFuture<Long>> jobStarts = new ConcurrentHashMap<>();

    private FleetBench(BenchConfig config, BenchReport report) {
        this.config = config;
        this.report = report;
    }

    static void run(BenchConfig config, BenchReport report) throws Exception {
        new FleetBench(config, report).run();
    }

    private void run() throws Exception {
        int n = BenchFleet.capacity(NAME, report, config.agents());
        report.setting("fleet.agents_target", config.agents());
        report.setting("fleet.heartbeat_interval_s", config.heartbeatS());
        String heap = BenchFleet.serviceHeap();
        report.setting("fleet.service_heap", heap);
        try (BenchStack bench = BenchStack.start(report, "bench-fleet", List.of(heap),
                                                 "rm.hub.heartbeat-interval-s=" + config.heartbeatS());
             BenchFleet agents = new BenchFleet(NAME, report, this::onJobStart)) {
            Stack stack = bench.stack();
            Api admin = Api.setupAdmin(stack, BenchSetup.ADMIN, BenchSetup.ADMIN_PASSWORD);
            Api hub = BenchSetup.hub(stack);

            System.out.println("fleet: enrolling " + n + " agents…");
            long t0 = System.nanoTime();
            List<BenchSetup.Enrolled> fleet = BenchSetup.parallel(n, 32, i -> BenchSetup.enroll(hub,
                    String.format("fleet-%05d", i)));
            double enrollS = (System.nanoTime() - t0) / 1e9;
            report.add(NAME, "enrollments/s (token + enroll, at agent-hub)", n / enrollS, "1/s", Goal.NONE);

            int samples = Math.min(config.dispatchSamples(), n);
            System.out.println("fleet: assigning repositories to " + samples + " hosts for run-now…");
            Path repos = stack.dataDir().resolve("bench-repos");
            Files.createDirectories(repos);
            BenchSetup.parallel(samples, 8, i -> {
                String repoId = BenchSetup.createRepo(admin, "fleet-repo-" + i, repos.resolve("r" + i).toString(),
                                                      "fleet-repo-password-" + i);
                BenchSetup.assignRepo(admin, fleet.get(i).hostId(), repoId);
                return repoId;
            });

            long gatewayPid = stack.pid("gateway");
            long hubPid = stack.pid("agent-hub");
            long gwHeap0 = BenchProcess.liveHeapBytes(gatewayPid);
            long hubHeap0 = BenchProcess.liveHeapBytes(hubPid);
            long gwRss0 = BenchProcess.rssBytes(gatewayPid);
            long hubRss0 = BenchProcess.rssBytes(hubPid);
            // what the stack burns with no agent connected, over windows as long as the heartbeat measurement's
            BenchStats idle = cpuWindows(gatewayPid, hubPid, config.heartbeatWindowS());
            double idleCores = idle.median();
            report.add(NAME, "gateway+hub CPU idle, no agent connected", idleCores * 100, "% core", Goal.NONE,
                       spread(idle, 100, "% core"));

            System.out.println("fleet: connecting " + n + " agents in waves…");
            BenchFleet.Ramp ramp = agents.connect(stack.gateway(), fleet);
            List<BenchFleet.Member> connected = agents.members();
            int held = connected.size();
            BenchStats connect = BenchStats.of(connected.stream().map(BenchFleet.Member::connectMs).toList());
            // the goal is every agent asked for on this one hub: a scale-down for the box's open-file limit misses it
            report.add(NAME, "agents connected and held", held, "agents", Goal.atLeast(config.agents()),
                       (n < config.agents() ? "asked for " + config.agents() + ", scaled down to " + n
                               + " for this box's open-file limit; " : "") + ramp.failed() + " failed to connect");
            report.add(NAME, "connect all (ramp, " + BenchFleet.IN_FLIGHT + " in flight)", ramp.seconds(), "s",
                       Goal.NONE);
            report.add(NAME, "connect rate", held / ramp.seconds(), "1/s", Goal.NONE);
            report.add(NAME, "connect+hello p50", connect.median(), "ms", Goal.NONE);
            report.add(NAME, "connect+hello p99", connect.percentile(99), "ms", Goal.NONE);
            if (held == 0) {
                return;
            }

            // presence settles (hello → outbox → services) before memory is read
            Await.until(Duration.ofSeconds(120), "hub counts the agents online", () ->
                    hub.get("/internal/agents").json().path("items").findValues("online").stream()
                            .filter(v -> v.asBoolean()).count() >= held);
            long gwHeap1 = BenchProcess.liveHeapBytes(gatewayPid);
            long hubHeap1 = BenchProcess.liveHeapBytes(hubPid);
            long gwRss1 = BenchProcess.rssBytes(gatewayPid);
            long hubRss1 = BenchProcess.rssBytes(hubPid);
            report.add(NAME, "gateway heap per connection", (gwHeap1 - gwHeap0) / 1024.0 / held, "KiB", Goal.atMost(40),
                       "live heap after full GC: " + mib(gwHeap0) + " → " + mib(gwHeap1) + " MiB");
            report.add(NAME, "gateway RSS per connection", (gwRss1 - gwRss0) / 1024.0 / held, "KiB", Goal.NONE,
                       mib(gwRss0) + " → " + mib(gwRss1) + " MiB");
            report.add(NAME, "hub heap per connection", (hubHeap1 - hubHeap0) / 1024.0 / held, "KiB", Goal.atMost(20),
                       "live heap after full GC: " + mib(hubHeap0) + " → " + mib(hubHeap1) + " MiB");
            report.add(NAME, "hub RSS per connection", (hubRss1 - hubRss0) / 1024.0 / held, "KiB", Goal.NONE,
                       mib(hubRss0) + " → " + mib(hubRss1) + " MiB");

            // heartbeat load: CPU of gateway + hub while every agent beats at the interval, over several windows
            // (the median: one window on a shared box catches a GC, a JIT burst or a neighbour's build)
            Thread.sleep(Math.min(5_000, config.heartbeatS() * 1000L));
            double[] busy = new double[HEARTBEAT_WINDOWS];
            double[] rate = new double[HEARTBEAT_WINDOWS];
            double[] perThousand = new double[HEARTBEAT_WINDOWS];
            for (int i = 0; i < HEARTBEAT_WINDOWS; i++) {
                long hb0 = agents.heartbeats();
                long w0 = System.nanoTime();
                busy[i] = cpuCores(gatewayPid, hubPid, config.heartbeatWindowS());
                double windowS = (System.nanoTime() - w0) / 1e9;
                long hb = agents.heartbeats() - hb0;
                rate[i] = hb / windowS;
                // net of the idle stack: what heartbeats (and holding the connections) add
                perThousand[i] = hb == 0 ? Double.NaN : Math.max(0, busy[i] - idleCores) * windowS / hb * 1_000_000;
            }
            BenchStats busyStats = BenchStats.of(busy);
            BenchStats perThousandStats = BenchStats.of(perThousand);
            report.add(NAME, "heartbeats/s at " + config.heartbeatS() + " s interval", BenchStats.of(rate).median(),
                       "1/s", Goal.NONE);
            report.add(NAME, "gateway+hub CPU under heartbeats", busyStats.median() * 100, "% core", Goal.NONE,
                       "idle fleet of " + held + ", median of " + HEARTBEAT_WINDOWS + " windows of "
                               + config.heartbeatWindowS() + " s; " + spread(busyStats, 100, "% core"));
            report.add(NAME, "CPU per 1,000 heartbeats (net of idle)", perThousandStats.median(), "ms",
                       Goal.atMost(100), "process CPU time (user+system) of gateway+hub, median of "
                               + HEARTBEAT_WINDOWS + " windows; " + spread(perThousandStats, 1, "ms"));

            // the hosts that have a repository (the first `samples`) and are connected
            java.util.Set<String> online = new java.util.HashSet<>();
            connected.forEach(a -> online.add(a.host().hostId()));
            dispatch(admin, fleet.subList(0, samples).stream().map(BenchSetup.Enrolled::hostId)
                    .filter(online::contains).toList());
        }
    }

    /** Run-now at full load: one unlock job per sampled host, one at a time; latency = POST sent → job.start seen. */
    private void dispatch(Api admin, List<String> hostIds) {
        int samples = hostIds.size();
        if (samples == 0) {
            report.note("fleet: no connected host with a repository; run-now dispatch not measured");
            return;
        }
        System.out.println("fleet: timing " + samples + " run-now dispatches…");
        List<Double> latencies = new ArrayList<>();
        List<String> jobIds = new ArrayList<>();
        for (String hostId : hostIds) {
            CompletableFuture<Long> seen = new CompletableFuture<>();
            jobStarts.put(hostId, seen);
            long t0 = System.nanoTime();
            String jobId = admin.post("/api/hosts/" + hostId + "/jobs", Map.of("kind", "unlock")).expect(202).json()
                    .path("job_id").asText();
            long t1 = seen.orTimeout(30, TimeUnit.SECONDS).join();
            latencies.add(BenchSetup.ms(t1 - t0));
            jobIds.add(jobId);
        }
        BenchStats s = BenchStats.of(latencies);
        report.add(NAME, "run-now dispatch p50", s.median(), "ms", Goal.NONE);
        report.add(NAME, "run-now dispatch p99", s.percentile(99), "ms", Goal.atMost(50),
                   "POST /api/hosts/{id}/jobs sent → job.start received by the agent, " + s.count() + " jobs");
        report.add(NAME, "run-now dispatch max", s.max(), "ms", Goal.NONE);
        String last = jobIds.getLast();
        Await.until(Duration.ofSeconds(60), "last run-now job finished", () ->
                admin.get("/api/jobs/" + last).json().path("status").asText().equals("succeeded"));
        long ok = jobIds.stream().filter(id -> admin.get("/api/jobs/" + id).json().path("status").asText()
                .equals("succeeded")).count();
        report.add(NAME, "run-now jobs succeeded", ok, "jobs", Goal.atLeast(samples));
    }

    /** The agent side of run-now: note when job.start arrived, then ack and finish it like a quick unlock. */
    private void onJobStart(SimAgent agent, BenchSetup.Enrolled e, Message.JobStart start, long arrived) {
        if (BenchFleet.answeredStats(agent, start)) {
            return;
        }
        CompletableFuture<Long> seen = jobStarts.remove(e.hostId());
        if (seen != null) {
            seen.complete(arrived);
        }
        Instant t = Instant.now();
        agent.send(new Message.JobAck(start.jobId(), 1, true, null, "restic unlock", t));
        agent.send(new Message.JobFinished(start.jobId(), 2, JobStatus.SUCCEEDED, 0, Map.of(), null, Instant.now()));
    }

    /** Average cores used by both processes, over {@value #HEARTBEAT_WINDOWS} windows of {@code seconds} each. */
    private static BenchStats cpuWindows(long pidA, long pidB, int seconds) throws InterruptedException {
        double[] cores = new double[HEARTBEAT_WINDOWS];
        for (int i = 0; i < cores.length; i++) {
            cores[i] = cpuCores(pidA, pidB, seconds);
        }
        return BenchStats.of(cores);
    }

    private static String spread(BenchStats s, double scale, String unit) {
        return String.format(java.util.Locale.ROOT, "windows ranged %.1f … %.1f %s", s.min() * scale, s.max() * scale,
                             unit);
    }

    /** Average cores used by both processes over the next {@code seconds}. */
    private static double cpuCores(long pidA, long pidB, int seconds) throws InterruptedException {
        Duration c0 = BenchProcess.cpu(pidA).plus(BenchProcess.cpu(pidB));
        long t0 = System.nanoTime();
        Thread.sleep(seconds * 1000L);
        Duration c1 = BenchProcess.cpu(pidA).plus(BenchProcess.cpu(pidB));
        return (c1.toNanos() - c0.toNanos()) / (double) (System.nanoTime() - t0);
    }

    private static String mib(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f", bytes / 1048576.0);
    }
}
