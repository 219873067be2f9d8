package io.resticmanager.system;

import io.resticmanager.proto.Envelope;
import io.resticmanager.proto.Message;

import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Simulated agents held connected through the gateway, shared by the fleet and soak benchmarks: how many this
 * box can hold, connecting them in waves (a wave that fails too much ends the ramp with a note), heartbeats at
 * the interval hello.ok names, a hook for job.start, and a fast teardown.
 */
final class BenchFleet implements AutoCloseable {
    static final int IN_FLIGHT = 64;
    /** Descriptors a service uses besides its agents' sockets (jars, SQLite, peers, listeners), generously. */
    private static final int FD_RESERVE = 600;
    /**
     * Memory per agent across the driver's client socket, the gateway and the hub (about 100 + 50 KiB of live
     * heap in the services when measured, doubled for GC headroom), for the free-memory check.
     */
    private static final long BYTES_PER_AGENT_ALL_PROCESSES = 512 * 1024;
    private static final int WAVE = 500;
    /** A wave where more than this share fails to connect ends the ramp: the fleet held what it held. */
    private static final double WAVE_FAILURE_LIMIT = 0.02;

    /** What a simulated agent does with a job.start (on its own virtual thread); arrivedNanos: frame received. */
    @FunctionalInterface
    interface JobHandler {
        void onJobStart(SimAgent agent, BenchSetup.Enrolled host, Message.JobStart start, long arrivedNanos);
    }

    /** One simulated agent that completed hello, and how long connecting took. */
    record Member(BenchSetup.Enrolled host, SimAgent agent, double connectMs) {
    }

    /** One ramp: agents that failed to connect, and how long it took. */
    record Ramp(int failed, double seconds) {
    }

    private final String name;
    private final BenchReport report;
    private final JobHandler jobs;
    private final List<HttpClient> clients = new ArrayList<>();
    private final List<Member> members = new ArrayList<>();
    private final AtomicLong heartbeats = new AtomicLong();
    private final ScheduledExecutorService beats = Executors.newScheduledThreadPool(2, r -> {
        Thread t = new Thread(r, "bench-heartbeat");
        t.setDaemon(true);
        return t;
    });

    BenchFleet(String name, BenchReport report, JobHandler jobs) {
        this.name = name;
        this.report = report;
        this.jobs = jobs;
        for (int i = 0; i < 4; i++) {
            clients.add(HttpClient.newHttpClient()); // a few selector threads instead of one for all sockets
        }
    }

    /**
     * Services get the JVM's default heap (a quarter of RAM), as script/server starts them: the harness's
     * 256 MiB cap is for tests, not for a box that holds a fleet.
     */
    static String serviceHeap() throws IOException {
        return "-Xmx" + Math.max(512, meminfo("MemTotal:") / 4 / 1048576) + "m";
    }

    /** How many agents this box can hold: descriptors (the gateway needs two per agent) and free memory. */
    static int capacity(String name, BenchReport report, int target) throws IOException {
        long fdLimit = hardFdLimit();
        long byFd = (fdLimit - FD_RESERVE) / 2;
        long available = meminfo("MemAvailable:");
        long byMemory = available / BYTES_PER_AGENT_ALL_PROCESSES;
        int n = (int) Math.max(1, Math.min(target, Math.min(byFd, byMemory)));
        if (n < target) {
            report.note(name + ": scaled down from " + target + " to " + n + " agents: open-file limit " + fdLimit
                                + " (the gateway holds two sockets per agent: client and agent-hub), "
                                + available / (1024 * 1024) + " MiB available memory; raise `ulimit -n` "
                                + "(hard) for more");
        }
        report.setting(name + ".fd_limit", fdLimit);
        report.setting(name + ".agents", n);
        return n;
    }

    /** Connects the hosts in waves of {@value #WAVE}; the ones that held join {@link #members()}. */
    Ramp connect(String gateway, List<BenchSetup.Enrolled> hosts) throws InterruptedException {
        long c0 = System.nanoTime();
        int failedTotal = 0;
        for (int start = 0; start < hosts.size(); start += WAVE) {
            int size = Math.min(WAVE, hosts.size() - start);
            int offset = start;
            AtomicInteger failed = new AtomicInteger();
            List<Member> wave = BenchSetup.parallel(size, IN_FLIGHT, i -> {
                Member m = connect(clients.get((offset + i) % clients.size()), gateway, hosts.get(offset + i));
                if (m == null) {
                    failed.incrementAndGet();
                }
                return m;
            });
            synchronized (members) {
                wave.stream().filter(java.util.Objects::nonNull).forEach(members::add);
            }
            failedTotal += failed.get();
            if (failed.get() > size * WAVE_FAILURE_LIMIT) {
                report.note(name + ": " + failed.get() + " of " + size + " connections failed in the wave after "
                                    + offset + " agents; stopped there and measured what held");
                break;
            }
        }
        return new Ramp(failedTotal, (System.nanoTime() - c0) / 1e9);
    }

    List<Member> members() {
        synchronized (members) {
            return List.copyOf(members);
        }
    }

    long heartbeats() {
        return heartbeats.get();
    }

    /** Connect, hello, hello.ok, start heartbeats; null when any step failed (the socket is then dropped). */
    private Member connect(HttpClient client, String gateway, BenchSetup.Enrolled e) {
        AtomicReference<SimAgent> self = new AtomicReference<>();
        long t0 = System.nanoTime();
        SimAgent agent;
        try {
            agent = SimAgent.connect(client, gateway, e.agentToken(), frame -> onFrame(self, e, frame))
                    .get(30, TimeUnit.SECONDS);
        } catch (Exception | AssertionError failed) {
            return null;
        }
        self.set(agent);
        Message.HelloOk ok;
        try {
            agent.hello(e.hostname());
            ok = agent.await(Message.HelloOk.class, Duration.ofSeconds(30));
        } catch (Exception | AssertionError failed) {
            agent.abort();
            return null;
        }
        double ms = BenchSetup.ms(System.nanoTime() - t0);
        long period = Math.max(1, ok.heartbeatIntervalS()) * 1000L;
        beats.scheduleAtFixedRate(() -> {
            if (agent.isClosed()) {
                return;
            }
            try {
                agent.send(new Message.Heartbeat(List.of()));
                heartbeats.incrementAndGet();
            } catch (RuntimeException ignored) {
                // a dropped connection shows in the counts, not as a crash of the benchmark
            }
        }, ThreadLocalRandom.current().nextLong(period), period, TimeUnit.MILLISECONDS);
        return new Member(e, agent, ms);
    }

    private void onFrame(AtomicReference<SimAgent> self, BenchSetup.Enrolled e, Envelope frame) {
        if (!(frame.payload() instanceof Message.JobStart start)) {
            return;
        }
        long arrived = System.nanoTime();
        // off the socket's listener thread: the handler sends, and may wait
        Thread.startVirtualThread(() -> {
            try {
                jobs.onJobStart(self.get(), e, start, arrived);
            } catch (RuntimeException failed) {
                System.out.println("  " + name + ": agent " + e.hostname() + " could not answer job "
                                           + start.jobId() + ": " + failed);
            }
        });
    }

    @Override
    public void close() throws InterruptedException {
        beats.shutdownNow();
        List<Member> all = members();
        BenchSetup.parallel(all.size(), 256, i -> {
            all.get(i).agent().abort();
            return null;
        });
        synchronized (members) {
            members.clear();
        }
        clients.forEach(HttpClient::shutdownNow);
    }

    /** The hard open-files limit: a JVM on Linux raises its soft limit to it, and children inherit that. */
    private static long hardFdLimit() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
            if (line.startsWith("Max open files")) {
                String[] parts = line.substring("Max open files".length()).strip().split("\\s+");
                return parts[1].equals("unlimited") ? Integer.MAX_VALUE : Long.parseLong(parts[1]);
            }
        }
        return 1024;
    }

    private static long meminfo(String key) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
            if (line.startsWith(key)) {
                return Long.parseLong(line.substring(key.length()).strip().split("\\s+")[0]) * 1024;
            }
        }
        throw new IOException("no " + key + " in /proc/meminfo");
    }

    /**
     * The stats refresh the server queues after backups (and after the unlocks the benchmarks run): a simulated agent
     * answers it as the real one does, at once (ack, then a raw-data summary with no locks), so it never holds its
     * repository's queue. True when {@code start} was such a job.
     */
    static boolean answeredStats(SimAgent agent, Message.JobStart start) {
        if (start.kind() != io.resticmanager.proto.JobKind.STATS) {
            return false;
        }
        agent.send(new Message.JobAck(start.jobId(), 1, true, null, "restic stats --json --mode raw-data",
                                      java.time.Instant.now()));
        agent.send(new Message.JobFinished(start.jobId(), 2, io.resticmanager.proto.JobStatus.SUCCEEDED, 0, java.util.Map.of(
                "mode", "raw-data", "total_size", 1_048_576, "total_blob_count", 10, "snapshots_count", 1,
                "lock_count", 0, "stale_lock_count", 0, "locks", java.util.List.of()), null, java.time.Instant.now()));
        return true;
    }
}
