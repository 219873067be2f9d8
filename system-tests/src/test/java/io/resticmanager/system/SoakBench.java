package io.resticmanager.system;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static io.resticmanager.system.BenchReport.Goal;

/**
 * A long steady run that looks for leaks: N simulated agents connected (heartbeats at the product interval) and a
 * mix of run-now backups, live-log tails and page loads for the whole window. The stack is read after a warm-up
 * and at the end (per process heap after full GC, descriptors, RSS; per SQLite database its size) and the
 * first minute's latencies are compared with the last minute's; {@link SoakVerdict} reports the difference.
 */
final class SoakBench {
    private static final String NAME = "soak";
    /** Hosts with a repository that take the run-now backups in turn (each one every 30 s at two jobs a second). */
    private static final int ROTATION = 60;

    private final BenchConfig config;
    private final BenchReport report;

    private SoakBench(BenchConfig config, BenchReport report) {
        this.config = config;
        this.report = report;
    }

    static void run(BenchConfig config, BenchReport report) throws Exception {
        new SoakBench(config, report).run();
    }

    private void run() throws Exception {
        int n = BenchFleet.capacity(NAME, report, config.soakAgents());
        Duration window = Duration.ofMinutes(config.soakMinutes());
        // JIT, connection pools and SQLite caches settle before the start is read; a quarter of the window, 30 s to 1 min
        Duration warmUp = Duration.ofSeconds(Math.clamp(window.toSeconds() / 4, 30, 60));
        String heap = BenchFleet.serviceHeap();
        report.setting("soak.minutes", config.soakMinutes());
        report.setting("soak.agents_target", config.soakAgents());
        report.setting("soak.warm_up_s", warmUp.toSeconds());
        report.setting("soak.service_heap", heap);
        SoakAgents agents = new SoakAgents();
        try (BenchStack bench = BenchStack.start(report, "bench-soak", List.of(heap));
             BenchFleet fleet = new BenchFleet(NAME, report, agents::onJobStart)) {
            Stack stack = bench.stack();
            Api admin = Api.setupAdmin(stack, BenchSetup.ADMIN, BenchSetup.ADMIN_PASSWORD);
            Api hub = BenchSetup.hub(stack);
            System.out.println("soak: enrolling " + n + " agents…");
            List<BenchSetup.Enrolled> enrolled = BenchSetup.parallel(n, 32, i -> BenchSetup.enroll(hub,
                    String.format("soak-%05d", i)));
            int withRepo = Math.min(ROTATION + 1, n);
            assignRepos(stack, admin, enrolled.subList(0, withRepo));

            System.out.println("soak: connecting " + n + " agents…");
            BenchFleet.Ramp ramp = fleet.connect(stack.gateway(), enrolled);
            List<BenchFleet.Member> members = fleet.members();
            int held = members.size();
            report.setting("soak.agents", held);
            report.add(NAME, "agents connected", held, "agents", Goal.atLeast(n), ramp.failed()
                    + " failed to connect" + (held < n ? "; the soak ran with the " + held + " that held" : ""));
            Set<String> repoHosts = enrolled.subList(0, withRepo).stream().map(BenchSetup.Enrolled::hostId)
                    .collect(Collectors.toSet());
            List<BenchFleet.Member> withRepos = members.stream().filter(m -> repoHosts.contains(m.host().hostId()))
                    .toList();
            if (withRepos.size() < 2) {
                throw new IllegalStateException("only " + withRepos.size() + " connected hosts have a repository; "
                                                        + "the soak needs a tail host and a rotation");
            }
            Await.until(Duration.ofSeconds(120), "hub counts the agents online", () ->
                    hub.get("/internal/agents").json().path("items").findValues("online").stream()
                            .filter(v -> v.asBoolean()).count() >= held);

            BenchFleet.Member tailHost = withRepos.getFirst();
            agents.tailHost(tailHost.host().hostId());
            List<BenchSetup.Enrolled> rotation = withRepos.subList(1, withRepos.size()).stream()
                    .map(BenchFleet.Member::host).toList();
            SoakMix mix = SoakMix.start(stack, admin, tailHost, rotation, agents);
            SoakVerdict verdict = soak(stack, mix, agents, warmUp);
            long open = members.stream().filter(m -> !m.agent().isClosed()).count();
            report.add(NAME, "agents still connected at the end", open, "agents", Goal.atLeast(held));
            verdict.report(mix);
        }
    }

    /** Warm-up, the start reading, the window minute by minute, the end reading; the mix runs throughout. */
    private SoakVerdict soak(Stack stack, SoakMix mix, SoakAgents agents, Duration warmUp) throws Exception {
        try {
            System.out.println("soak: warming up for " + warmUp.toSeconds() + " s…");
            Thread.sleep(warmUp);
            SoakReading start = SoakReading.take(stack);
            long windowStart = System.nanoTime();
            for (int minute = 1; minute <= config.soakMinutes(); minute++) {
                Thread.sleep(Duration.ofMinutes(1));
                System.out.printf(java.util.Locale.ROOT, "soak: minute %d of %d, %d jobs finished, %d failures%n",
                                  minute, config.soakMinutes(), agents.finished(), mix.samples().failures());
            }
            long windowEnd = System.nanoTime();
            SoakReading end = SoakReading.take(stack);
            return new SoakVerdict(NAME, report, start, end, windowStart, windowEnd);
        } finally {
            mix.stop();
        }
    }

    /** A repository record (never opened: the agents are simulated) for each host that takes jobs. */
    private static void assignRepos(Stack stack, Api admin, List<BenchSetup.Enrolled> hosts) throws Exception {
        System.out.println("soak: assigning repositories to " + hosts.size() + " hosts…");
        Path repos = Files.createDirectories(stack.dataDir().resolve("bench-repos"));
        BenchSetup.parallel(hosts.size(), 8, i -> {
            String repoId = BenchSetup.createRepo(admin, "soak-repo-" + i, repos.resolve("r" + i).toString(),
                                                  "soak-repo-password-" + i);
            BenchSetup.assignRepo(admin, hosts.get(i).hostId(), repoId);
            return repoId;
        });
    }
}
