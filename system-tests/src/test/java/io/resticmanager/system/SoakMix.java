package io.resticmanager.system;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The soak's steady mix, each part on its own thread until {@link #stop()}: run-now backups on the rotation
 * hosts in turn (timed POST → job.start at the agent), browsers tailing live logs ({@link SoakTail}), a
 * logged-in user loading the dashboard and host pages, and a script reading the API.
 */
final class SoakMix {
    static final String DISPATCH = "run-now dispatch";
    static final String DASHBOARD = "dashboard page";
    static final String HOST_PAGE = "host page";
    static final String API = "API GET";
    /** Two run-now backups a second: about seven times the load of 1,000 hosts backed up hourly. */
    private static final long JOB_PERIOD_NANOS = 500_000_000L;
    private static final long PAGE_PERIOD_NANOS = 1_000_000_000L;
    private static final long API_PERIOD_NANOS = 250_000_000L;

    private final Api admin;
    private final Api browser;
    private final Api script;
    private final List<BenchSetup.Enrolled> rotation;
    private final SoakAgents agents;
    private final SoakTail tail;
    private final SoakSamples samples = new SoakSamples();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running = true;
    private volatile String lastJobId;

    private SoakMix(Stack stack, Api admin, BenchFleet.Member tailHost, List<BenchSetup.Enrolled> rotation,
                    SoakAgents agents) {
        this.admin = admin;
        this.browser = Api.login(stack.gateway(), BenchSetup.ADMIN, BenchSetup.ADMIN_PASSWORD);
        String viewer = BenchSetup.viewerToken(admin, "soak-viewer");
        this.script = Api.bearer(stack.gateway(), viewer);
        this.rotation = rotation;
        this.agents = agents;
        this.tail = new SoakTail(stack.gateway(), admin, viewer, tailHost, agents, samples);
    }

    static SoakMix start(Stack stack, Api admin, BenchFleet.Member tailHost, List<BenchSetup.Enrolled> rotation,
                         SoakAgents agents) {
        SoakMix mix = new SoakMix(stack, admin, tailHost, rotation, agents);
        mix.spawn("soak-run-now", mix::runNow);
        mix.spawn("soak-tail", () -> mix.tail.loop(() -> mix.running));
        mix.spawn("soak-pages", mix::pages);
        mix.spawn("soak-api", mix::api);
        return mix;
    }

    SoakSamples samples() {
        return samples;
    }

    SoakTail tail() {
        return tail;
    }

    /** Ends every part (the live-log job in progress is finished first) and waits for them. */
    void stop() throws InterruptedException {
        running = false;
        for (Thread t : threads) {
            t.join(120_000);
        }
    }

    private void spawn(String name, Runnable part) {
        threads.add(Thread.ofVirtual().name(name).start(part));
    }

    private void runNow() {
        long next = System.nanoTime();
        for (int i = 0; running; i++) {
            BenchSetup.Enrolled host = rotation.get(i % rotation.size());
            CompletableFuture<Long> seen = agents.expectStart(host.hostId());
            long t0 = System.nanoTime();
            try {
                String jobId = admin.post("/api/hosts/" + host.hostId() + "/jobs",
                                          Map.of("kind", "backup", "paths", List.of("/srv/soak"))).expect(202).json()
                        .path("job_id").asText();
                long t1 = seen.get(30, TimeUnit.SECONDS);
                samples.add(DISPATCH, t0, BenchSetup.ms(t1 - t0));
                lastJobId = jobId;
            } catch (Exception | AssertionError e) {
                samples.failed("run-now", e);
            }
            next = pace(next, JOB_PERIOD_NANOS);
        }
    }

    private void pages() {
        long next = System.nanoTime();
        for (int i = 0; running; i++) {
            if (i % 2 == 0) {
                timed(DASHBOARD, browser, "/");
            } else {
                timed(HOST_PAGE, browser, "/hosts/" + rotation.get(i / 2 % rotation.size()).hostId());
            }
            next = pace(next, PAGE_PERIOD_NANOS);
        }
    }

    /** What a script polls: a host, its snapshots, the job list, the newest run-now job's log. */
    private void api() {
        long next = System.nanoTime();
        for (int i = 0; running; i++) {
            String hostId = rotation.get(i / 4 % rotation.size()).hostId();
            String job = lastJobId;
            String path = switch (i % 4) {
                case 0 -> "/api/hosts/" + hostId;
                case 1 -> "/api/hosts/" + hostId + "/snapshots?limit=50";
                case 2 -> "/api/jobs?limit=50";
                default -> job == null ? "/api/jobs?limit=1" : "/api/jobs/" + job + "/logs";
            };
            timed(API, script, path);
            next = pace(next, API_PERIOD_NANOS);
        }
    }

    private void timed(String kind, Api api, String path) {
        long t0 = System.nanoTime();
        try {
            api.get(path).expect(200);
            samples.add(kind, t0, BenchSetup.ms(System.nanoTime() - t0));
        } catch (RuntimeException | AssertionError e) {
            samples.failed(kind + " " + path.replaceAll("[0-9a-f-]{36}", "{id}"), e);
        }
    }

    /** Sleeps until {@code next + period}; a part that fell behind starts afresh instead of bursting. */
    private static long pace(long next, long period) {
        long target = next + period;
        long now = System.nanoTime();
        if (target <= now) {
            return now;
        }
        LockSupport.parkNanos(target - now);
        return target;
    }
}
