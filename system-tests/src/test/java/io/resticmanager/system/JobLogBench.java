package io.resticmanager.system;

import com.fasterxml.jackson.databind.JsonNode;
import io.resticmanager.proto.Envelope;
import io.resticmanager.proto.JobStatus;
import io.resticmanager.proto.Message;

import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static io.resticmanager.system.BenchReport.Goal;

/**
 * Job logs end to end: a simulated agent streams a job's log through gateway → hub → jobs-service while
 * browsers tail it through the gateway. Phase 1 sends N lines as fast as the agent's socket takes them
 * (throughput: lines/s until the last one is persisted and readable); phase 2 sends at a steady rate
 * (latency: line stamped at send → line shown in each browser), after the browsers caught up with phase 1.
 */
final class JobLogBench {
    private static final String NAME = "logs";

    private JobLogBench() {
    }

    static void run(BenchConfig config, BenchReport report) throws Exception {
        int lines = config.logLines();
        int batch = config.logBatch();
        int pacedLines = config.pacedRate() * config.pacedSeconds();
        long firstLineSeq = 2; // seq 1 is the job.ack
        long lastBlastSeq = firstLineSeq + lines - 1;
        long lastPacedSeq = lastBlastSeq + pacedLines;
        report.setting("logs.lines", lines);
        report.setting("logs.batch", batch);
        report.setting("logs.watchers", config.watchers());
        report.setting("logs.paced_rate", config.pacedRate());
        HttpClient client = HttpClient.newHttpClient();
        List<BenchWatcher> watchers = new ArrayList<>();
        SimAgent agent = null;
        // one job carries every line of both phases: lift the per-job log budget above them
        try (BenchStack bench = BenchStack.start(report, "bench-logs",
                                                 "rm.jobs.log-max-lines=" + (10L * lines + 1_000_000),
                                                 "rm.jobs.log-max-bytes=" + (1L << 40))) {
            Stack stack = bench.stack();
            Api admin = Api.setupAdmin(stack, BenchSetup.ADMIN, BenchSetup.ADMIN_PASSWORD);
            BenchSetup.Enrolled host = BenchSetup.enroll(BenchSetup.hub(stack), "logs-host");
            String repoId = BenchSetup.createRepo(admin, "logs-repo", stack.dataDir().resolve("logs-repo").toString(),
                                                  "logs-repo-password");
            BenchSetup.assignRepo(admin, host.hostId(), repoId);
            AckWatch acks = new AckWatch();
            agent = SimAgent.connect(client, stack.gateway(), host.agentToken(), acks::onFrame)
                    .get(30, TimeUnit.SECONDS);
            agent.hello(host.hostname());
            agent.await(Message.HelloOk.class, Duration.ofSeconds(30));

            String jobId = admin.post("/api/hosts/" + host.hostId() + "/jobs",
                                      Map.of("kind", "backup", "paths", List.of("/srv/bench"))).expect(202).json()
                    .path("job_id").asText();
            agent.await(Message.JobStart.class, Duration.ofSeconds(30));
            agent.send(new Message.JobAck(jobId, 1, true, null, "restic backup --json /srv/bench", Instant.now()));

            String viewer = BenchSetup.viewerToken(admin, "bench-watchers");
            for (int i = 0; i < config.watchers(); i++) {
                watchers.add(BenchWatcher.open(client, stack.gateway(), jobId, viewer, lastPacedSeq));
            }
            CompletableFuture.allOf(watchers.stream().map(BenchWatcher::firstMessage)
                                            .toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

            // phase 1: as fast as the socket takes it
            System.out.println("logs: streaming " + lines + " lines in batches of " + batch + " to "
                                       + config.watchers() + " watchers…");
            Map<String, java.time.Duration> cpu0 = cpu(stack);
            long t0 = System.nanoTime();
            long seq = firstLineSeq;
            long lastFrameSeq = seq;
            while (seq <= lastBlastSeq) {
                int n = (int) Math.min(batch, lastBlastSeq - seq + 1);
                agent.send(new Message.JobLog(jobId, seq, batch(seq, n)));
                lastFrameSeq = seq;
                seq += n;
            }
            long sentAt = System.nanoTime();
            // a job.log event's seq is its first line's: the ack of the last frame covers every line
            long hubAckedAt = acks.awaitUpTo(lastFrameSeq, Duration.ofSeconds(120));
            long lastSeq = lastBlastSeq;
            long persistedAt = awaitPersisted(admin, jobId, lastSeq, Duration.ofSeconds(120));
            report.add(NAME, "agent send rate", lines / ((sentAt - t0) / 1e9), "lines/s", Goal.NONE);
            report.add(NAME, "accepted by hub (durable)", lines / ((hubAckedAt - t0) / 1e9), "lines/s", Goal.NONE);
            report.add(NAME, "persisted end to end", lines / ((persistedAt - t0) / 1e9), "lines/s", Goal.atLeast(50_000), lines + " lines, first sent → last readable at GET /api/jobs/{id}/logs");
            long caughtUp = awaitWatchers(watchers, lastBlastSeq, Duration.ofSeconds(120));
            // CPU time is what the pipeline costs regardless of how busy the shared box is: lines/s is not
            Map<String, java.time.Duration> cpu1 = cpu(stack);
            long total = 0;
            StringBuilder split = new StringBuilder();
            for (String service : CPU_SERVICES) {
                long ns = cpu1.get(service).minus(cpu0.get(service)).toNanos();
                total += ns;
                split.append(split.isEmpty() ? "" : ", ").append(service).append(' ')
                        .append(String.format(Locale.ROOT, "%.0f", ns / 1e6 / (lines / 1000.0)));
            }
            report.add(NAME, "server CPU per 1,000 lines", total / 1e6 / (lines / 1000.0), "ms", Goal.NONE,
                       "process CPU (user+system) from first sent to every browser shown everything: " + split);
            report.add(NAME, "all " + watchers.size() + " browsers shown everything", lines / ((caughtUp - t0) / 1e9),
                       "lines/s", Goal.NONE);
            double[] burst = all(watchers, firstLineSeq, lastBlastSeq);
            BenchStats burstStats = BenchStats.of(burst);
            report.add(NAME, "tail latency at full speed p50", burstStats.median(), "ms", Goal.NONE,
                       "includes the backlog queued while the agent sends faster than the pipeline drains");
            report.add(NAME, "tail latency at full speed p99", burstStats.percentile(99), "ms", Goal.atMost(1000));

            // phase 2: a steady rate, batches every 50 ms
            System.out.println("logs: streaming " + pacedLines + " lines at " + config.pacedRate() + " lines/s…");
            int perTick = Math.max(1, config.pacedRate() / 20);
            long tick = 50_000_000L;
            long next = System.nanoTime();
            while (seq <= lastPacedSeq) {
                int n = (int) Math.min(perTick, lastPacedSeq - seq + 1);
                agent.send(new Message.JobLog(jobId, seq, batch(seq, n)));
                seq += n;
                next += tick;
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
            }
            agent.send(new Message.JobFinished(jobId, seq, JobStatus.SUCCEEDED, 0, Map.of("files_new", lines), null,
                                               Instant.now()));
            for (BenchWatcher w : watchers) {
                JsonNode job = w.finished().get(120, TimeUnit.SECONDS);
                if (!"succeeded".equals(job.path("status").asText())) {
                    throw new IllegalStateException("a watcher saw the job end as " + job.path("status"));
                }
            }
            BenchStats paced = BenchStats.of(all(watchers, lastBlastSeq + 1, lastPacedSeq));
            report.add(NAME, "browser tail latency p50", paced.median(), "ms", Goal.NONE,
                       config.watchers() + " browsers, " + config.pacedRate() + " lines/s in 50 ms batches");
            report.add(NAME, "browser tail latency p99", paced.percentile(99), "ms", Goal.atMost(1000));
            long complete = watchers.stream().filter(w -> w.distinct(firstLineSeq, lastPacedSeq)
                    == lastPacedSeq - firstLineSeq + 1).count();
            report.add(NAME, "browsers that got every line once", complete, "browsers", Goal.atLeast(watchers.size()),
                       String.format(Locale.ROOT, "%d lines each", lastPacedSeq - firstLineSeq + 1));
        } finally {
            watchers.forEach(BenchWatcher::close);
            if (agent != null) {
                agent.abort();
            }
            client.shutdownNow();
        }
    }

    private static final List<String> CPU_SERVICES = List.of("gateway", "agent-hub", "jobs-service");

    private static Map<String, java.time.Duration> cpu(Stack stack) {
        Map<String, java.time.Duration> out = new java.util.HashMap<>();
        for (String service : CPU_SERVICES) {
            out.put(service, BenchProcess.cpu(stack.pid(service)));
        }
        return out;
    }

    /** Lines stamped now, like restic's verbose backup output. */
    static List<Message.LogLine> batch(long firstSeq, int n) {
        Instant now = Instant.now();
        List<Message.LogLine> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            long s = firstSeq + i;
            out.add(new Message.LogLine(s, now, "stdout", String.format(Locale.ROOT,
                    "new       /srv/bench/dir-%03d/file-%06d.dat, saved in 0.%03d s (%d KiB added)",
                    s % 997, s, s % 1000, s % 4096)));
        }
        return out;
    }

    /** Polls the log API (as a script would) until the line {@code lastSeq} is readable; returns nanoTime then. */
    private static long awaitPersisted(Api admin, String jobId, long lastSeq, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode items = admin.get("/api/jobs/" + jobId + "/logs?after_seq=" + (lastSeq - 1) + "&limit=1").json()
                    .path("items");
            if (!items.isEmpty() && items.get(0).path("seq").asLong() == lastSeq) {
                return System.nanoTime();
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("line " + lastSeq + " not persisted within " + timeout);
    }

    private static long awaitWatchers(List<BenchWatcher> watchers, long seq, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (watchers.stream().allMatch(w -> w.maxSeq() >= seq)) {
                return System.nanoTime();
            }
            Thread.sleep(5);
        }
        throw new IllegalStateException("browsers did not reach line " + seq + " within " + timeout);
    }

    private static double[] all(List<BenchWatcher> watchers, long from, long to) {
        return watchers.stream().flatMapToDouble(w -> Arrays.stream(w.latencies(from, to))).toArray();
    }

    /** Notes when the hub acknowledged (stored durably) each seq, as the agent receives job.events.ack. */
    private static final class AckWatch {
        private final AtomicLong upTo = new AtomicLong();
        private volatile long lastAt;

        void onFrame(Envelope e) {
            if (e.payload() instanceof Message.JobEventsAck ack) {
                long now = System.nanoTime();
                if (ack.upToSeq() > upTo.get()) {
                    lastAt = now;
                    upTo.accumulateAndGet(ack.upToSeq(), Math::max);
                }
            }
        }

        /** nanoTime when an ack covering {@code seq} arrived. */
        long awaitUpTo(long seq, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                if (upTo.get() >= seq) {
                    return lastAt;
                }
                Thread.sleep(2);
            }
            throw new IllegalStateException("hub did not acknowledge seq " + seq + " within " + timeout);
        }
    }
}
