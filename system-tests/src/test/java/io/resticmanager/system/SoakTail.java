package io.resticmanager.system;

import io.resticmanager.proto.JobStatus;
import io.resticmanager.proto.Message;

import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * A few browsers tailing live logs for the whole soak: one job after another on the tail host, each streamed
 * at a steady rate for {@value #JOB_S} s while {@value #WATCHERS} browsers watch it, then finished; the
 * browsers leave with the job, so their streams open and close all along (what a leak of streams would show).
 */
final class SoakTail {
    static final String SAMPLES = "live tail";
    static final int WATCHERS = 3;
    static final int JOB_S = 30;
    /** Lines a second, sent as a batch every 250 ms: a chatty backup. */
    static final int RATE = 20;
    private static final int BATCH = RATE / 4;

    private final HttpClient client = HttpClient.newHttpClient();
    private final String gateway;
    private final Api admin;
    private final String viewerToken;
    private final BenchFleet.Member host;
    private final SoakAgents agents;
    private final SoakSamples samples;
    private final AtomicLong watched = new AtomicLong();
    private final AtomicLong complete = new AtomicLong();

    SoakTail(String gateway, Api admin, String viewerToken, BenchFleet.Member host, SoakAgents agents,
             SoakSamples samples) {
        this.gateway = gateway;
        this.admin = admin;
        this.viewerToken = viewerToken;
        this.host = host;
        this.agents = agents;
        this.samples = samples;
    }

    /** Browser streams that watched a job to its end, and those that showed every line of it exactly once. */
    long watched() {
        return watched.get();
    }

    long complete() {
        return complete.get();
    }

    void loop(BooleanSupplier running) {
        while (running.getAsBoolean()) {
            try {
                job(running);
            } catch (Exception | AssertionError e) {
                samples.failed("live-log job", e);
                LockSupport.parkNanos(1_000_000_000L);
            }
        }
        client.shutdownNow();
    }

    private void job(BooleanSupplier running) throws Exception {
        String jobId = admin.post("/api/hosts/" + host.host().hostId() + "/jobs",
                                  Map.of("kind", "backup", "paths", List.of("/srv/soak"))).expect(202).json()
                .path("job_id").asText();
        Message.JobStart start;
        do {
            start = agents.nextTailStart(Duration.ofSeconds(30));
            if (start == null) {
                throw new IllegalStateException("job.start of " + jobId + " did not reach the tail host in 30 s");
            }
        } while (!start.jobId().equals(jobId)); // a late start of an earlier, abandoned job
        SimAgent agent = host.agent();
        agent.send(new Message.JobAck(jobId, 1, true, null, "restic backup --json /srv/soak", Instant.now()));
        long lastSeq = 1 + (long) RATE * JOB_S;
        List<BenchWatcher> watchers = new ArrayList<>();
        try {
            for (int i = 0; i < WATCHERS; i++) {
                watchers.add(BenchWatcher.open(client, gateway, jobId, viewerToken, lastSeq));
            }
            CompletableFuture.allOf(watchers.stream().map(BenchWatcher::firstMessage)
                                            .toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            long seq = 2;
            long next = System.nanoTime();
            while (seq <= lastSeq && running.getAsBoolean()) {
                int n = (int) Math.min(BATCH, lastSeq - seq + 1);
                agent.send(new Message.JobLog(jobId, seq, JobLogBench.batch(seq, n)));
                seq += n;
                next += 250_000_000L;
                LockSupport.parkNanos(next - System.nanoTime());
            }
            agent.send(new Message.JobFinished(jobId, seq, JobStatus.SUCCEEDED, 0, Map.of(), null, Instant.now()));
            long sent = seq - 2;
            watched.addAndGet(watchers.size());
            for (BenchWatcher w : watchers) {
                w.finished().get(30, TimeUnit.SECONDS);
                if (w.distinct(2, seq - 1) == sent) {
                    complete.incrementAndGet();
                }
                long at = System.nanoTime();
                for (double ms : w.latencies(2, seq - 1)) {
                    samples.add(SAMPLES, at, ms);
                }
            }
        } finally {
            watchers.forEach(BenchWatcher::close);
        }
    }
}
