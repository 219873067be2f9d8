package io.resticmanager.jobs;

import io.resticmanager.proto.Json;
import io.resticmanager.proto.Message;
import io.resticmanager.proto.internal.HubEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.resticmanager.jobs.TestSupport.ack;
import static org.awaitility.Awaitility.await;
import static io.resticmanager.jobs.TestSupport.backup;
import static io.resticmanager.jobs.TestSupport.host;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/** How fast log lines are ingested over HTTP into SQLite (printed; the target is ≥ 50,000 lines/s). */
class IngestThroughputTest {
    private static final int BATCHES = 25;
    private static final int LINES_PER_BATCH = 4000;

    @TempDir
    Path data;

    @Test
    void ingestsLogLinesQuicklyAndCompletely() {
        try (Stubs.Hub hub = new Stubs.Hub(); Stubs.Inventory inventory = new Stubs.Inventory();
             RunningJobs jobs = RunningJobs.start(data, hub, inventory, Map.of())) {
            String host = host();
            inventory.host(host, "repo-" + host);
            String jobId = jobs.api().runNow(host, backup("/"));
            await("dispatched").until(() -> !hub.starts(jobId).isEmpty());
            jobs.api().events(ack(host, jobId, 1));

            // Bodies are built first so only the service's work is timed.
            List<String> bodies = new ArrayList<>();
            long seq = 2;
            for (int b = 0; b < BATCHES; b++) {
                List<HubEvent> events = new ArrayList<>();
                for (int e = 0; e < 4; e++) {
                    List<Message.LogLine> lines = new ArrayList<>();
                    long first = seq;
                    for (int i = 0; i < LINES_PER_BATCH / 4; i++) {
                        lines.add(new Message.LogLine(seq, Instant.now(), "stdout",
                                                      "{\"message_type\":\"verbose_status\",\"action\":\"new\",\"item\":\"/srv/data/file-"
                                                              + seq + ".bin\",\"duration\":0.01,\"data_size\":4096}"));
                        seq++;
                    }
                    events.add(TestSupport.event(host, "job.log", new Message.JobLog(jobId, first, lines)));
                }
                bodies.add(Json.write(new HubEvent.Batch(events)));
            }
            // The first batch warms up the JIT and the connection; the rest is timed.
            jobs.api().post("/internal/events", null, bodies.getFirst());
            long start = System.nanoTime();
            for (String body : bodies.subList(1, bodies.size())) {
                TestSupport.Api.Reply reply = jobs.api().post("/internal/events", null, body);
                assertThat(reply.status(), is(200));
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            long timed = (long) (BATCHES - 1) * LINES_PER_BATCH;
            System.out.printf("jobs-service ingestion: %d log lines in %.2f s = %.0f lines/s%n", timed, seconds,
                              timed / seconds);
            // A redelivered batch is absorbed: no duplicates.
            assertThat(jobs.api().post("/internal/events", null, bodies.get(3)).status(), is(200));
            long lines = (long) BATCHES * LINES_PER_BATCH;

            List<Long> seqs = jobs.app().logs().seqs(jobId);
            assertThat(seqs.size(), is((int) lines + 1));
            for (int i = 0; i < seqs.size(); i++) {
                if (seqs.get(i) != i + 1) {
                    throw new AssertionError("gap or duplicate at position " + i + ": seq " + seqs.get(i));
                }
            }
        }
    }
}
