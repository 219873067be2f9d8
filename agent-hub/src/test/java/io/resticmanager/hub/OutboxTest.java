package io.resticmanager.hub;

import com.fasterxml.jackson.databind.JsonNode;
import io.resticmanager.proto.Envelope;
import io.resticmanager.proto.JobStatus;
import io.resticmanager.proto.Message;
import io.resticmanager.proto.SnapshotInfo;
import io.resticmanager.proto.internal.HubEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

/** Agent events → outbox → receivers: order, acknowledgement, retries, skips, idempotent ids. */
class OutboxTest {
    @RegisterExtension
    static final HubFixture f = HubFixture.perClass();

    @AfterEach
    void receiversHealthyAgain() {
        f.jobs.answer(b -> 200);
        f.jobs.loseReplies(false);
        f.inventory.answer(b -> 200);
    }

    private static Envelope log(String jobId, long seq) {
        return Envelope.of(new Message.JobLog(jobId, seq, List.of(
                new Message.LogLine(seq, Instant.now(), "stdout", "line " + seq))));
    }

    private static Predicate<HubEvent> ofJob(String jobId) {
        return e -> e.type().startsWith("job.") && jobId.equals(e.payload().path("job_id").asText());
    }

    private static List<Long> seqs(List<HubEvent> events) {
        return events.stream().map(e -> e.payload().get("seq").asLong()).toList();
    }

    private static List<Long> range(long from, long to) {
        List<Long> r = new ArrayList<>();
        for (long i = from; i <= to; i++) {
            r.add(i);
        }
        return r;
    }

    @Test
    void jobEventsAreForwardedInOrderAndAcknowledgedToTheAgent() throws Exception {
        HubFixture.Enrolled host = f.enroll("ordered");
        try (TestAgent agent = f.online(host)) {
            agent.send(Envelope.of(new Message.JobAck("job-a", 1, true, null, "restic backup /srv", Instant.now())));
            for (long seq = 2; seq <= 200; seq++) {
                agent.send(log("job-a", seq));
            }
            agent.send(Envelope.of(new Message.JobFinished("job-a", 201, JobStatus.SUCCEEDED, 0,
                                                           Map.of("files_new", 3), null, Instant.now())));
            agent.send(Envelope.of(new Message.SnapshotsReport("job-a", "repo-1", List.of(new SnapshotInfo(
                    "abcdef0123456789", "abcdef01", Instant.now(), List.of("/srv"), List.of(), "ordered", "root",
                    "tree1", null, null)))));

            // the agent learns that everything up to 201 is stored (acks are cumulative, take the highest)
            long acked = 0;
            while (acked < 201) {
                JsonNode ack = agent.next("job.events.ack");
                assertThat(ack.at("/payload/job_id").asText(), is("job-a"));
                acked = Math.max(acked, ack.at("/payload/up_to_seq").asLong());
            }

            List<HubEvent> events = f.jobs.await(ofJob("job-a"), 201, Duration.ofSeconds(10));
            assertThat(seqs(events), is(range(1, 201)));
            assertThat(events.getFirst().type(), is("job.ack"));
            assertThat(events.get(1).type(), is("job.log"));
            assertThat(events.getLast().type(), is("job.finished"));
            assertThat(events.getLast().payload().at("/summary/files_new").asInt(), is(3));
            assertThat(events.stream().allMatch(e -> e.hostId().equals(host.hostId())), is(true));
            // ids are the outbox order
            List<Long> ids = events.stream().map(e -> Long.parseLong(e.id())).toList();
            assertThat(ids, is(ids.stream().sorted().toList()));
            assertThat(f.jobs.batchSizes(), everyItem(lessThanOrEqualTo(500)));

            List<HubEvent> snapshots = f.inventory.await(StubReceiver.type("snapshots.report", host.hostId()), 1,
                                                         Duration.ofSeconds(5));
            assertThat(snapshots.getFirst().payload().at("/snapshots/0/short_id").asText(), is("abcdef01"));
            assertThat(f.jobs.events(StubReceiver.type("snapshots.report", host.hostId())), hasSize(0));
            assertThat(f.inventory.events(ofJob("job-a")), hasSize(0));
        }
    }

    @Test
    void largeLogFramesArriveCompleteAndInOrderAcrossSeveralRequests() throws Exception {
        HubFixture.Enrolled host = f.enroll("big-frames");
        String text = "x".repeat(200);
        int frames = 40;
        int perFrame = 500; // 40 frames of ~130 KB: more than one request's payload cap
        try (TestAgent agent = f.online(host)) {
            f.jobs.answer(b -> 503); // jobs-service down: the frames pile up in the outbox
            for (int i = 0; i < frames; i++) {
                List<Message.LogLine> lines = new ArrayList<>();
                for (int j = 0; j < perFrame; j++) {
                    long seq = 1L + (long) i * perFrame + j;
                    lines.add(new Message.LogLine(seq, Instant.now(), "stdout", text + " " + seq));
                }
                agent.send(Envelope.of(new Message.JobLog("job-big", lines.getFirst().seq(), lines)));
            }
            long lastFrame = 1L + (long) (frames - 1) * perFrame;
            long acked = 0;
            while (acked < lastFrame) {
                acked = Math.max(acked, agent.next("job.events.ack").at("/payload/up_to_seq").asLong());
            }
            f.jobs.clear();
            f.jobs.answer(b -> 200);
            List<HubEvent> events = f.jobs.await(ofJob("job-big"), frames, Duration.ofSeconds(20));
            assertThat(seqs(events), is(range(0, frames - 1).stream().map(i -> 1 + i * perFrame).toList()));
            JsonNode last = events.getLast().payload().path("lines");
            assertThat(last.size(), is(perFrame));
            assertThat(last.get(perFrame - 1).path("line").asText(), is(text + " " + (frames * perFrame)));
            // a request carries about 3 MB of payload (~23 of these frames), not up to 500 frames (~65 MB)
            assertThat(f.jobs.batchSizes(), everyItem(lessThanOrEqualTo(25)));
        }
    }

    @Test
    void scheduleFiresGoToJobsServiceOnly() throws Exception {
        HubFixture.Enrolled host = f.enroll("scheduled");
        try (TestAgent agent = f.online(host)) {
            Instant due = Instant.parse("2026-11-26T02:00:00Z");
            agent.send(Envelope.of(new Message.ScheduleFire("sched-1", "job-fired-1", due, true)));
            List<HubEvent> fires = f.jobs.await(StubReceiver.type("schedule.fire", host.hostId()), 1,
                                                Duration.ofSeconds(10));
            assertThat(fires, hasSize(1));
            JsonNode payload = fires.getFirst().payload();
            assertThat(payload.path("schedule_id").asText(), is("sched-1"));
            assertThat(payload.path("job_id").asText(), is("job-fired-1"));
            assertThat(payload.path("fired_at").asText(), is("2026-11-26T02:00:00Z"));
            assertThat(payload.path("catch_up").asBoolean(), is(true));
            // inventory never sees it
            assertThat(f.inventory.quietFor(host.hostId(), "schedule.fire", 300), is(true));
        }
    }

    @Test
    void aReceiverThatIsDownIsRetriedUntilItTakesEverythingInOrder() throws Exception {
        HubFixture.Enrolled host = f.enroll("retried");
        AtomicInteger refused = new AtomicInteger();
        f.jobs.answer(b -> {
            refused.incrementAndGet();
            return 503;
        });
        try (TestAgent agent = f.online(host)) {
            for (long seq = 1; seq <= 50; seq++) {
                agent.send(log("job-b", seq));
            }
            // stored in the hub's outbox: acknowledged although the receiver is down
            long acked = 0;
            while (acked < 50) {
                acked = Math.max(acked, agent.next("job.events.ack").at("/payload/up_to_seq").asLong());
            }
            // the hub keeps trying the receiver that is down
            await().atMost(Duration.ofSeconds(5)).until(refused::get, is(greaterThan(1)));
            assertThat(f.jobs.events(ofJob("job-b")), hasSize(0));
            assertThat(f.hub.pending(Destination.JOBS), is(greaterThan(49L)));
            // the inventory receiver is not held back by the jobs receiver being down
            assertThat(f.inventory.await(StubReceiver.type(HubEvent.HOST_ONLINE, host.hostId()), 1,
                                         Duration.ofSeconds(5)), hasSize(1));

            f.jobs.answer(b -> 200);
            List<HubEvent> events = f.jobs.await(ofJob("job-b"), 50, Duration.ofSeconds(10));
            assertThat(seqs(events), is(range(1, 50)));
        }
    }

    @Test
    void aLostReplyResendsTheSameEventIdsSoReceiversCanDeduplicate() throws Exception {
        HubFixture.Enrolled host = f.enroll("lost-reply");
        try (TestAgent agent = f.online(host)) {
            f.jobs.await(StubReceiver.type(HubEvent.HOST_ONLINE, host.hostId()), 1, Duration.ofSeconds(5));
            int postsBefore = f.jobs.posts();
            f.jobs.loseReplies(true);
            for (long seq = 1; seq <= 5; seq++) {
                agent.send(log("job-c", seq));
            }
            f.jobs.await(ofJob("job-c"), 5, Duration.ofSeconds(5));
            // no reply came back, so the hub posts the same batch again
            await().atMost(Duration.ofSeconds(5)).until(() -> f.jobs.posts() - postsBefore, is(greaterThan(1)));
            f.jobs.loseReplies(false);
            await().atMost(Duration.ofSeconds(5)).until(() -> f.hub.pending(Destination.JOBS), is(0L));
            // the stub keeps the first copy per id: the same ids came again, nothing new was invented
            assertThat(seqs(f.jobs.events(ofJob("job-c"))), is(range(1, 5)));
        }
    }

    @Test
    void anEventTheReceiverCallsMalformedIsSkippedAndTheRestStillFlows() throws Exception {
        HubFixture.Enrolled host = f.enroll("poison");
        f.jobs.answer(b -> b.events().stream().anyMatch(e -> e.payload().path("seq").asLong() == 3
                && "job-d".equals(e.payload().path("job_id").asText())) ? 400 : 200);
        try (TestAgent agent = f.online(host)) {
            for (long seq = 1; seq <= 6; seq++) {
                agent.send(log("job-d", seq));
            }
            List<HubEvent> events = f.jobs.await(ofJob("job-d"), 5, Duration.ofSeconds(10));
            assertThat(seqs(events), is(List.of(1L, 2L, 4L, 5L, 6L)));
            await().atMost(Duration.ofSeconds(5)).until(() -> f.hub.pending(Destination.JOBS), is(0L));
        }
    }

    @Test
    void aReceiverThatRefusesLargeRequestsGetsTheSameEventsInSmallerOnes() throws Exception {
        HubFixture.Enrolled host = f.enroll("big-batches");
        // a receiver that takes at most 2 events per request and answers 413 above that
        f.jobs.answer(b -> b.events().size() > 2 ? 413 : 200);
        try (TestAgent agent = f.online(host)) {
            for (long seq = 1; seq <= 9; seq++) {
                agent.send(log("job-413", seq));
            }
            List<HubEvent> events = f.jobs.await(ofJob("job-413"), 9, Duration.ofSeconds(10));
            assertThat(seqs(events), is(range(1, 9)));
        } finally {
            f.jobs.answer(b -> 200);
        }
    }

    @Test
    void replayedEventsAfterAReconnectAreForwardedAgainForReceiversToDeduplicate() throws Exception {
        HubFixture.Enrolled host = f.enroll("replay");
        try (TestAgent agent = f.online(host)) {
            for (long seq = 1; seq <= 3; seq++) {
                agent.send(log("job-e", seq));
            }
            f.jobs.await(ofJob("job-e"), 3, Duration.ofSeconds(5));
        }
        try (TestAgent agent = f.online(host)) {
            for (long seq = 2; seq <= 4; seq++) {
                agent.send(log("job-e", seq));
            }
            long acked = 0;
            while (acked < 4) {
                acked = Math.max(acked, agent.next("job.events.ack").at("/payload/up_to_seq").asLong());
            }
            assertThat(acked, is(4L));
            List<HubEvent> events = f.jobs.await(ofJob("job-e"), 6, Duration.ofSeconds(5));
            // at least once: the replayed 2 and 3 arrive again with new event ids, after the originals
            assertThat(seqs(events), is(List.of(1L, 2L, 3L, 2L, 3L, 4L)));
        }
    }

    @Test
    void presenceEventsOfAHostKeepTheirOrder() throws Exception {
        HubFixture.Enrolled host = f.enroll("flapping");
        for (int i = 0; i < 3; i++) {
            try (TestAgent agent = f.online(host)) {
                agent.send(Envelope.of(new Message.Heartbeat(List.of())));
            }
            f.jobs.await(StubReceiver.type(HubEvent.HOST_OFFLINE, host.hostId()), i + 1, Duration.ofSeconds(5));
        }
        List<String> types = f.jobs.events(e -> e.hostId().equals(host.hostId())).stream().map(HubEvent::type).toList();
        assertThat(types, is(List.of("host.online", "host.offline", "host.online", "host.offline", "host.online",
                                     "host.offline")));
    }
}
