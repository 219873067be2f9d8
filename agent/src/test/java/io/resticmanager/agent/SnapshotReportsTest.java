package io.resticmanager.agent;

import io.resticmanager.proto.Envelope;
import io.resticmanager.proto.Frames;
import io.resticmanager.proto.Message;
import io.resticmanager.proto.Protocol;
import io.resticmanager.proto.SnapshotInfo;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

/** Snapshot lists of any length reach the hub in frames well under the limit, complete and in order. */
class SnapshotReportsTest {

    /** Like restic ≥ 0.17 lists them (with a summary), hourly, some paths with multi-byte characters. */
    static List<SnapshotInfo> synthetic(int n) {
        List<SnapshotInfo> list = new ArrayList<>(n);
        Instant start = Instant.parse("2025-01-01T00:00:00Z");
        for (int i = 0; i < n; i++) {
            String id = String.format("%064x", i * 7919L);
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("backup_start", start.plusSeconds(i * 3600L).toString());
            summary.put("files_new", i % 17);
            summary.put("files_changed", i % 5);
            summary.put("files_unmodified", 120_000 + i);
            summary.put("data_added", 1_048_576L * (i % 9));
            summary.put("total_bytes_processed", 53_687_091_200L);
            list.add(new SnapshotInfo(id, null, start.plusSeconds(i * 3600L),
                                      List.of("/home/jürgen/Документы/" + i, "/etc"), List.of("hourly", "rm-schedule"),
                                      "web-" + (i % 3), "root", "f".repeat(64), i == 0 ? null : "e".repeat(64),
                                      summary));
        }
        return list;
    }

    private static int frameBytes(Message m) {
        return Frames.encode(Envelope.of(m)).getBytes(StandardCharsets.UTF_8).length;
    }

    @Test
    void aYearOfHourlySnapshotsGoesInPartsUnderTheBudgetCompleteAndInOrder() throws Exception {
        List<SnapshotInfo> input = synthetic(9_000);
        List<Message.SnapshotsReport> parts = SnapshotReports.split("job-1", "repo-1", input).orElseThrow();

        assertThat(parts.size(), greaterThan(1));
        String reportId = parts.getFirst().reportId();
        assertThat(reportId, notNullValue());
        List<SnapshotInfo> union = new ArrayList<>();
        for (int i = 0; i < parts.size(); i++) {
            Message.SnapshotsReport p = parts.get(i);
            assertThat(p.reportId(), is(reportId));
            assertThat(p.part(), is(i + 1));
            assertThat(p.parts(), is(parts.size()));
            assertThat(p.jobId(), is("job-1"));
            assertThat(p.repoId(), is("repo-1"));
            assertThat(p.snapshots().isEmpty(), is(false));
            String frame = Frames.encode(Envelope.of(p));
            assertThat(frame.getBytes(StandardCharsets.UTF_8).length, lessThanOrEqualTo(SnapshotReports.PART_BYTES));
            // what the hub decodes is what we split, summaries included
            Message.SnapshotsReport decoded = Frames.decode(frame).payloadAs(Message.SnapshotsReport.class);
            assertThat(decoded.part(), is(i + 1));
            assertThat(decoded.snapshots().getLast().summary().get("files_unmodified"), notNullValue());
            union.addAll(p.snapshots());
        }
        assertThat(union, is(input));
        // parts are filled, not dribbled: few more than the bytes strictly need
        long total = input.stream().mapToLong(s -> frameBytes(new Message.SnapshotsReport("job-1", "repo-1", List.of(s)))
                - frameBytes(new Message.SnapshotsReport("job-1", "repo-1", List.of()))).sum();
        assertThat((long) parts.size(), lessThanOrEqualTo(total / (SnapshotReports.PART_BYTES * 9 / 10) + 1));
    }

    @Test
    void oneHundredThousandSnapshotsSplitQuicklyWithinThePartLimit() {
        List<SnapshotInfo> input = synthetic(100_000);
        long start = System.nanoTime();
        List<Message.SnapshotsReport> parts = SnapshotReports.split("job-1", "repo-1", input).orElseThrow();
        long ms = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("[snapshot parts] 100,000 snapshots → %d parts in %d ms%n", parts.size(), ms);
        assertThat(parts.size(), lessThanOrEqualTo(Message.SnapshotsReport.MAX_PARTS));
        assertThat(parts.stream().mapToInt(p -> p.snapshots().size()).sum(), is(100_000));
        assertThat(parts.getLast().snapshots().getLast(), is(input.getLast()));
        assertThat(ms, lessThanOrEqualTo(10_000L));
    }

    @Test
    void aShortListIsOneWholeFrameAsBefore() {
        List<SnapshotInfo> input = synthetic(20);
        List<Message.SnapshotsReport> parts = SnapshotReports.split("job-1", "repo-1", input).orElseThrow();
        assertThat(parts, hasSize(1));
        assertThat(parts.getFirst().reportId(), nullValue());
        assertThat(parts.getFirst().partial(), is(false));
        assertThat(parts.getFirst().snapshots(), is(input));

        List<Message.SnapshotsReport> none = SnapshotReports.split("job-1", "repo-1", List.of()).orElseThrow();
        assertThat(none, hasSize(1));
        assertThat(none.getFirst().snapshots(), hasSize(0));
    }

    @Test
    void anOversizedSnapshotGetsAPartOfItsOwnOrIsRefusedRatherThanSentTooLarge() {
        List<SnapshotInfo> input = new ArrayList<>(synthetic(300));
        SnapshotInfo plain = input.get(150);
        Map<String, Object> huge = new LinkedHashMap<>(plain.summary());
        huge.put("note", "x".repeat(Protocol.MAX_FRAME_BYTES));
        // bigger than a part but fine for a frame: alone in its part
        List<String> manyPaths = new ArrayList<>();
        for (int i = 0; i < 4_000; i++) {
            manyPaths.add("/srv/data/customer-" + i);
        }
        SnapshotInfo wide = new SnapshotInfo(plain.id(), null, plain.time(), manyPaths, plain.tags(), plain.hostname(),
                                             plain.username(), plain.tree(), plain.parent(), plain.summary());
        input.set(150, wide);
        // bigger than a frame only because of its summary: sent without it
        SnapshotInfo chatty = input.get(200);
        input.set(200, new SnapshotInfo(chatty.id(), null, chatty.time(), chatty.paths(), chatty.tags(), chatty.hostname(),
                                        chatty.username(), chatty.tree(), chatty.parent(), huge));

        List<Message.SnapshotsReport> parts = SnapshotReports.split("job-1", "repo-1", input).orElseThrow();
        List<SnapshotInfo> union = parts.stream().flatMap(p -> p.snapshots().stream()).toList();
        assertThat(union.stream().map(SnapshotInfo::id).toList(), is(input.stream().map(SnapshotInfo::id).toList()));
        assertThat(parts.stream().filter(p -> p.snapshots().contains(wide)).findFirst().orElseThrow().snapshots(),
                   hasSize(1));
        assertThat(union.get(200).summary(), nullValue());
        assertThat(union.get(199).summary(), notNullValue());
        assertThat(parts.stream().map(SnapshotReportsTest::frameBytes).toList(),
                   everyItem(lessThanOrEqualTo(Protocol.MAX_FRAME_BYTES)));

        // a snapshot that cannot fit a frame at all: nothing is sent rather than a list with a hole
        List<String> endless = new ArrayList<>();
        for (int i = 0; i < 60_000; i++) {
            endless.add("/srv/data/customer-" + i);
        }
        input.set(10, new SnapshotInfo(plain.id(), null, plain.time(), endless, List.of(), "h", "root", null, null,
                                       null));
        assertThat(SnapshotReports.split("job-1", "repo-1", input), is(Optional.empty()));
    }
}
