package io.resticmanager.proto;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

class FramesTest {

    /** Every message type has a golden file; decoding then encoding it gives the same JSON. */
    @ParameterizedTest
    @EnumSource(MessageType.class)
    void goldenFileRoundTrips(MessageType type) throws Exception {
        String golden = golden(type.wire());
        Envelope envelope = Frames.decode(golden);
        assertThat(envelope.type(), is(type));
        assertThat(envelope.payload(), instanceOf(type.payloadType()));
        JsonNode expected = Json.MAPPER.readTree(golden);
        JsonNode actual = Json.MAPPER.readTree(Frames.encode(envelope));
        assertThat(actual, is(expected));
        // the payload text a receiver passes on is exactly the frame's payload, in a golden file's layout and ours
        for (String frame : List.of(golden, Frames.encode(envelope))) {
            Frames.Decoded decoded = Frames.decodeKeepingPayload(frame);
            assertThat(decoded.envelope(), is(envelope));
            assertThat(Json.MAPPER.readTree(decoded.payloadText()), is(expected.get("payload")));
        }
    }

    /** A frame the one-pass reader leaves to the strict one (fields out of order) still keeps its payload. */
    @Test
    void payloadKeptWhenDecodedStrictly() throws Exception {
        String frame = "{\"payload\":{\"job_id\":\"j-1\",\"seq\":3,\"lines\":[{\"seq\":3,"
                + "\"ts\":\"2026-12-06T10:00:00Z\",\"stream\":\"stdout\",\"line\":\"a\"}]},"
                + "\"v\":1,\"type\":\"job.log\",\"id\":\"f-1\",\"ts\":\"2026-12-06T10:00:00Z\"}";
        Frames.Decoded decoded = Frames.decodeKeepingPayload(frame);
        assertThat(decoded.envelope(), is(Frames.decode(frame)));
        assertThat(Json.MAPPER.readTree(decoded.payloadText()), is(Json.MAPPER.readTree(frame).get("payload")));
        assertThrows(FrameException.class, () -> Frames.decodeKeepingPayload("{\"v\":1,\"type\":\"job.log\"}"));
    }

    /**
     * Golden files of one message type's variants: a raw-data stats job, a diff job, a diff job's entries and a
     * Windows VSS backup.
     */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"job.start.stats", "job.start.diff", "job.log.diff",
            "job.start.vss"})
    void variantGoldenFilesRoundTrip(String name) throws Exception {
        String golden = golden(name);
        JsonNode expected = Json.MAPPER.readTree(golden);
        assertThat(Json.MAPPER.readTree(Frames.encode(Frames.decode(golden))), is(expected));
    }

    @Test
    void statsAndDiffJobsCarryTheirParameters() throws Exception {
        Message.JobStart stats = (Message.JobStart) Frames.decode(golden("job.start.stats")).payload();
        assertThat(stats.kind(), is(JobKind.STATS));
        assertThat(stats.params().statsMode(), is(JobParams.STATS_RAW_DATA));
        assertThat(stats.params(), is(JobParams.stats(true)));
        Message.JobStart diff = (Message.JobStart) Frames.decode(golden("job.start.diff")).payload();
        assertThat(diff.params(), is(JobParams.diff("1a2b3c4d", "5e6f7a8b")));
        // an unknown stats mode is refused, not run as something else
        assertThrows(FrameException.class, () -> Frames.decode(golden("job.start.stats").replace("raw-data", "bogus")));
    }

    @Test
    void aBackupAsksForAFileSystemSnapshotOnlyWhenItSaysSo() throws Exception {
        Message.JobStart vss = (Message.JobStart) Frames.decode(golden("job.start.vss")).payload();
        assertThat(vss.params().fsSnapshot(), is(true));
        assertThat(vss.params().paths(), is(List.of("C:\\Users", "D:\\Data")));
        Message.JobStart plain = (Message.JobStart) Frames.decode(golden("job.start")).payload();
        assertThat(plain.params().fsSnapshot(), is(false));
        // off is absent on the wire, so agents that predate the option see the job they always saw
        assertThat(Json.MAPPER.writeValueAsString(plain.params().withFsSnapshot(false)),
                   not(containsString("use_fs_snapshot")));
        assertThat(Json.MAPPER.writeValueAsString(plain.params().withFsSnapshot(true)),
                   containsString("\"use_fs_snapshot\":true"));
    }

    @Test
    void diffEntriesAreLogLinesOfTheirOwnStream() throws Exception {
        Message.JobLog log = (Message.JobLog) Frames.decode(golden("job.log.diff")).payload();
        List<DiffEntry> entries = log.lines().stream().map(l -> {
            assertThat(l.stream(), is(DiffEntry.STREAM));
            return DiffEntry.parse(l.line()).orElseThrow();
        }).toList();
        assertThat(entries.get(0), is(new DiffEntry("/home/alice/new.txt", DiffEntry.Change.ADDED, "file", null, 1739L)));
        assertThat(entries.get(1).change(), is(DiffEntry.Change.CHANGED));
        assertThat(entries.get(1).oldSize(), is(2L));
        assertThat(entries.get(2).type(), is("dir"));
        // the line an entry writes is the line it reads back
        assertThat(DiffEntry.parse(entries.get(1).line()).orElseThrow(), is(entries.get(1)));
        assertThat(DiffEntry.Change.ofModifier("M").orElseThrow(), is(DiffEntry.Change.CHANGED));
        assertThat(DiffEntry.Change.ofModifier("?").isPresent(), is(false));
        assertThat(DiffEntry.parse("{\"path\":\"/x\",\"change\":\"bogus\"}").isPresent(), is(false));
        assertThat(DiffEntry.parse("not json").isPresent(), is(false));
    }

    /**
     * A drill's job.start names whose snapshots it restores ({@code for_hostname}) and its sample; its job.finished
     * summary is a {@link DrillSummary}: both pinned by golden files and round-tripped.
     */
    @Test
    void drillStartAndSummaryRoundTrip() throws Exception {
        for (String name : List.of("job.start.drill", "job.finished.drill")) {
            String golden = golden(name);
            assertThat(name, Json.MAPPER.readTree(Frames.encode(Frames.decode(golden))), is(Json.MAPPER.readTree(golden)));
        }
        Message.JobStart start = Frames.decode(golden("job.start.drill")).payloadAs(Message.JobStart.class);
        assertThat(start.kind(), is(JobKind.DRILL));
        assertThat(start.repo().forHostname(), is("web-1"));
        assertThat(start.repo().runsElsewhere(), is(false));
        assertThat(start.params().drillFiles(), is(20));
        assertThat(start.params().drillBytes(), is(256L << 20));
        assertThat(JobParams.empty().drillFiles(), is(JobParams.DEFAULT_SAMPLE_FILES));
        assertThat(start.toString(), not(containsString("s3cret")));

        Message.JobFinished finished = Frames.decode(golden("job.finished.drill")).payloadAs(Message.JobFinished.class);
        DrillSummary summary = DrillSummary.from(finished.summary()).orElseThrow();
        assertThat(summary.mismatched(), is(List.of("/srv/data/a/f1.bin")));
        assertThat(summary.snapshotTime(), is(java.time.Instant.parse("2026-11-26T03:00:04.102000838Z")));
        assertThat(summary.passed(), is(false));
        assertThat(Json.MAPPER.readTree(Json.write(summary.toMap())), is(Json.MAPPER.readTree(golden("job.finished.drill"))
                                                                      .path("payload").path("summary")));
        // other kinds' summaries are not a drill's; an oversized path list is cut, its count kept
        assertThat(DrillSummary.from(java.util.Map.of("files_new", 3)).isPresent(), is(false));
        List<String> many = java.util.stream.IntStream.range(0, 300).mapToObj(i -> "/f" + i).toList();
        DrillSummary big = new DrillSummary("ab12cd34", null, "h", 300, 0, 0, 0, 0, many, 300, true, true, 1, 0, true);
        assertThat(big.mismatched().size(), is(DrillSummary.MAX_PATHS));
        assertThat(big.mismatchedCount(), is(300));
        assertThrows(IllegalArgumentException.class, () -> JobParams.drill(0, null, null));
        assertThrows(IllegalArgumentException.class, () -> JobParams.drill(null, JobParams.MAX_DRILL_BYTES + 1, null));
    }

    @Test
    void repoAccessNeverPrintsItsSecret() throws Exception {
        Envelope envelope = Frames.decode(golden("job.start"));
        String text = envelope.payload().toString();
        assertThat(text, not(containsString("s3cret")));
        assertThat(text, containsString("r-1"));
    }

    @Test
    void snapshotLsCarriesTheRepoButNeverPrintsItsSecret() throws Exception {
        Envelope request = Frames.decode(golden("snapshot.ls"));
        Message.SnapshotLs ls = request.payloadAs(Message.SnapshotLs.class);
        assertThat(ls.repo().password(), is("s3cret"));
        assertThat(ls.toString(), not(containsString("s3cret")));
        // the reply names its request
        Envelope reply = Frames.decode(golden("snapshot.ls.result"));
        assertThat(reply.correlation().orElseThrow(), is(request.id()));
        assertThrows(FrameException.class, () -> Frames.decode(golden("snapshot.ls").replace("\"path\":\"/home/alice\"",
                                                                                            "\"path\":\"\"")));
    }

    @Test
    void dumpFramesCarryBytesAsBase64AndCheckTheirBounds() throws Exception {
        Message.SnapshotDump dump = Frames.decode(golden("snapshot.dump")).payloadAs(Message.SnapshotDump.class);
        assertThat(dump.format(), is(Message.DumpFormat.ZIP));
        assertThat(dump.toString(), not(containsString("s3cret")));
        Message.DumpChunk chunk = Frames.decode(golden("dump.chunk")).payloadAs(Message.DumpChunk.class);
        assertThat(chunk.data().length, is(10));
        assertThat(chunk.data()[0], is((byte) 'P'));
        // a full chunk still fits one frame
        Message.DumpChunk full = new Message.DumpChunk("s", 1, new byte[Message.SnapshotDump.MAX_CHUNK_BYTES]);
        assertThat(Frames.encode(Envelope.of(full)).length() < Protocol.MAX_FRAME_BYTES / 8, is(true));
        assertThat(Frames.decode(Frames.encode(Envelope.of(full))).payload(), is(full));
        assertThrows(IllegalArgumentException.class, () -> new Message.DumpChunk("s", 1,
                new byte[Message.SnapshotDump.MAX_CHUNK_BYTES + 1]));
        for (String bad : new String[] {"\"window\":0", "\"window\":65", "\"format\":\"rar\""}) {
            String frame = golden("snapshot.dump").replace("\"window\":4", bad.startsWith("\"w") ? bad : "\"window\":4")
                    .replace("\"format\":\"zip\"", bad.startsWith("\"f") ? bad : "\"format\":\"zip\"");
            assertThrows(FrameException.class, () -> Frames.decode(frame), bad);
        }
        assertThat(Frames.decode(golden("dump.end")).payloadAs(Message.DumpEnd.class).complete(), is(true));
    }

    @Test
    void embeddedUrlCredentialsAreRedacted() {
        RepoAccess access = new RepoAccess("r", "rest:https://backup:hunter2@rest.example:8000/repo", "pw", null);
        assertThat(access.toString(), not(containsString("hunter2")));
        assertThat(access.redactedUrl(), is("rest:https://backup:***@rest.example:8000/repo"));
        assertThat(RepoAccess.redact("/srv/plain/path"), is("/srv/plain/path"));
    }

    static Stream<Object[]> malformedFrames() {
        String ok = "\"v\":1,\"id\":\"x\",\"ts\":\"2026-11-26T10:00:00Z\"";
        return Stream.of(
                new Object[] {"not json at all", ErrorCode.BAD_JSON},
                new Object[] {"[1,2,3]", ErrorCode.BAD_JSON},
                new Object[] {"{\"v\":1,\"type\":\"heartbeat\"", ErrorCode.BAD_JSON},
                new Object[] {"{" + ok + ",\"type\":\"no.such.type\",\"payload\":{}}", ErrorCode.UNKNOWN_TYPE},
                new Object[] {"{\"v\":2,\"id\":\"x\",\"ts\":\"2026-11-26T10:00:00Z\",\"type\":\"heartbeat\",\"payload\":{}}",
                        ErrorCode.UNSUPPORTED_VERSION},
                new Object[] {"{\"id\":\"x\",\"ts\":\"2026-11-26T10:00:00Z\",\"type\":\"heartbeat\",\"payload\":{}}",
                        ErrorCode.INVALID_PAYLOAD},
                new Object[] {"{\"v\":1,\"ts\":\"2026-11-26T10:00:00Z\",\"type\":\"heartbeat\",\"payload\":{}}",
                        ErrorCode.INVALID_PAYLOAD},
                new Object[] {"{\"v\":1,\"id\":\"x\",\"ts\":\"yesterday\",\"type\":\"heartbeat\",\"payload\":{}}",
                        ErrorCode.INVALID_PAYLOAD},
                new Object[] {"{" + ok + ",\"type\":\"heartbeat\"}", ErrorCode.INVALID_PAYLOAD},
                new Object[] {"{" + ok + ",\"type\":\"heartbeat\",\"payload\":\"hi\"}", ErrorCode.INVALID_PAYLOAD},
                // missing required field
                new Object[] {"{" + ok + ",\"type\":\"job.cancel\",\"payload\":{}}", ErrorCode.INVALID_PAYLOAD},
                new Object[] {"{" + ok + ",\"type\":\"hello\",\"payload\":{\"hostname\":\"h\"}}", ErrorCode.INVALID_PAYLOAD},
                // wrong types
                new Object[] {"{" + ok + ",\"type\":\"job.progress\",\"payload\":{\"job_id\":\"j\",\"seq\":\"two\"}}",
                        ErrorCode.INVALID_PAYLOAD},
                new Object[] {"{" + ok + ",\"type\":\"job.log\",\"payload\":{\"job_id\":\"j\",\"seq\":1,\"lines\":\"x\"}}",
                        ErrorCode.INVALID_PAYLOAD},
                new Object[] {"{" + ok + ",\"type\":\"job.start\",\"payload\":{\"job_id\":\"j\",\"kind\":\"format-disk\","
                        + "\"repo\":{\"repo_id\":\"r\",\"url\":\"/r\",\"password\":\"p\"}}}", ErrorCode.INVALID_PAYLOAD},
                // semantic rules
                new Object[] {"{" + ok + ",\"type\":\"job.finished\",\"payload\":{\"job_id\":\"j\",\"seq\":1,"
                        + "\"status\":\"running\",\"exit_code\":0}}", ErrorCode.INVALID_PAYLOAD},
                new Object[] {"{" + ok + ",\"type\":\"job.log\",\"payload\":{\"job_id\":\"j\",\"seq\":1,\"lines\":[]}}",
                        ErrorCode.INVALID_PAYLOAD},
                new Object[] {"{" + ok + ",\"type\":\"job.ack\",\"payload\":{\"job_id\":\"j\",\"seq\":0,\"accepted\":true}}",
                        ErrorCode.INVALID_PAYLOAD},
                // snapshots.report parts: 1 ≤ part ≤ parts ≤ 10,000, and only with a report_id
                new Object[] {report("\"report_id\":\"r\",\"part\":0,\"parts\":3"), ErrorCode.INVALID_PAYLOAD},
                new Object[] {report("\"report_id\":\"r\",\"part\":4,\"parts\":3"), ErrorCode.INVALID_PAYLOAD},
                new Object[] {report("\"report_id\":\"r\",\"part\":1,\"parts\":10001"), ErrorCode.INVALID_PAYLOAD},
                new Object[] {report("\"report_id\":\"r\",\"parts\":3"), ErrorCode.INVALID_PAYLOAD},
                new Object[] {report("\"report_id\":\"r\",\"part\":\"2\",\"parts\":3"), ErrorCode.INVALID_PAYLOAD},
                new Object[] {report("\"part\":2,\"parts\":3"), ErrorCode.INVALID_PAYLOAD});
    }

    private static String report(String partFields) {
        return "{\"v\":1,\"id\":\"x\",\"ts\":\"2026-11-26T10:00:00Z\",\"type\":\"snapshots.report\",\"payload\":"
                + "{\"repo_id\":\"r-1\"," + partFields + ",\"snapshots\":[]}}";
    }

    @Test
    void snapshotReportsWithoutPartsAreWholeLists() throws Exception {
        Message.SnapshotsReport old = Frames.decode(report("\"job_id\":\"j\"")).payloadAs(Message.SnapshotsReport.class);
        assertThat(old.reportId() == null && old.part() == null && old.parts() == null, is(true));
        assertThat(old.partial(), is(false));
        Message.SnapshotsReport single = Frames.decode(report("\"report_id\":\"r\",\"part\":1,\"parts\":1"))
                .payloadAs(Message.SnapshotsReport.class);
        assertThat(single.partial(), is(false));
        Message.SnapshotsReport last = Frames.decode(report("\"report_id\":\"r\",\"part\":10000,\"parts\":10000"))
                .payloadAs(Message.SnapshotsReport.class);
        assertThat(last.partial(), is(true));
        // a whole list encodes without the part fields, as older peers wrote it
        String encoded = Frames.encode(Envelope.of(new Message.SnapshotsReport("j", "r-1", List.of())));
        assertThat(encoded, not(containsString("part")));
        assertThat(encoded, not(containsString("report_id")));
    }

    @ParameterizedTest
    @MethodSource("malformedFrames")
    void malformedFramesGetATypedError(String frame, ErrorCode expected) {
        FrameException e = assertThrows(FrameException.class, () -> Frames.decode(frame));
        assertThat(e.getMessage(), e.code(), is(expected));
    }

    @Test
    void aTimeNoStoreCanHoldIsAnInvalidPayload() throws Exception {
        // found by FuzzTest: such times made jobs-service and inventory fail on the event, which then blocked the
        // hub's outbox for every host
        for (String[] bad : new String[][] {
                {"job.finished", "\"finished_at\":\"2026-11-26T10:00:09Z\"",
                        "\"finished_at\":\"+1000000000-12-31T23:59:59Z\""},
                {"schedule.fire", "\"fired_at\":\"2026-11-26T02:00:00Z\"",
                        "\"fired_at\":\"-1000000000-01-01T00:00:00Z\""},
                {"snapshots.report", "\"time\":\"2026-11-26T10:00:05Z\"", "\"time\":\"2300-01-01T00:00:00Z\""}}) {
            String frame = golden(bad[0]);
            assertThat(bad[0], frame.contains(bad[1]), is(true));
            FrameException e = assertThrows(FrameException.class, () -> Frames.decode(frame.replace(bad[1], bad[2])));
            assertThat(bad[0], e.code(), is(ErrorCode.INVALID_PAYLOAD));
        }
        // a listed file's odd mtime only shows as unknown
        Message.SnapshotLsResult ls = Frames.decode(golden("snapshot.ls.result").replace("2026-11-25T08:30:00Z",
                "+1000000000-12-31T23:59:59Z")).payloadAs(Message.SnapshotLsResult.class);
        assertThat(ls.entries().getFirst().mtime() == null, is(true));
        assertThat(ls.entries().get(1).mtime() != null, is(true));
    }

    @Test
    void oversizedFrameIsRefusedBeforeParsing() {
        String big = "{\"v\":1,\"type\":\"heartbeat\",\"id\":\"x\",\"ts\":\"2026-11-26T10:00:00Z\",\"payload\":{\"pad\":\""
                + "a".repeat(Protocol.MAX_FRAME_BYTES) + "\"}}";
        FrameException e = assertThrows(FrameException.class, () -> Frames.decode(big));
        assertThat(e.code(), is(ErrorCode.FRAME_TOO_LARGE));
    }

    @Test
    void multiByteTextIsMeasuredInBytes() {
        String payload = "é".repeat(600);
        String frame = "{\"v\":1,\"type\":\"error\",\"id\":\"x\",\"ts\":\"2026-11-26T10:00:00Z\",\"payload\":{\"code\":\"x\","
                + "\"message\":\"" + payload + "\"}}";
        FrameException e = assertThrows(FrameException.class, () -> Frames.decode(frame, 1000));
        assertThat(e.code(), is(ErrorCode.FRAME_TOO_LARGE));
    }

    @Test
    void unknownFieldsFromNewerPeersAreIgnored() throws Exception {
        Envelope e = Frames.decode("{\"v\":1,\"type\":\"heartbeat\",\"id\":\"x\",\"ts\":\"2026-11-26T10:00:00Z\","
                                           + "\"future\":true,\"payload\":{\"running_jobs\":[],\"cpu\":3}}");
        assertThat(e.payload(), instanceOf(Message.Heartbeat.class));
    }

    @Test
    void jobStatusOnlyMovesForward() {
        assertThat(JobStatus.QUEUED.canMoveTo(JobStatus.RUNNING), is(true));
        assertThat(JobStatus.RUNNING.canMoveTo(JobStatus.SUCCEEDED), is(true));
        assertThat(JobStatus.RUNNING.canMoveTo(JobStatus.QUEUED), is(false));
        assertThat(JobStatus.SUCCEEDED.canMoveTo(JobStatus.LOST), is(false));
        assertThat(JobStatus.CANCELLED.canMoveTo(JobStatus.SUCCEEDED), is(false));
    }

    @Test
    void retentionPolicyNeedsARule() {
        assertThrows(IllegalArgumentException.class,
                     () -> new RetentionPolicy(null, null, null, null, null, null, null, null, null));
        assertThrows(IllegalArgumentException.class,
                     () -> new RetentionPolicy(0, null, null, null, null, null, null, null, null));
        assertThrows(IllegalArgumentException.class,
                     () -> new RetentionPolicy(null, null, null, null, null, null, "forever", null, null));
        new RetentionPolicy(null, null, 7, 4, null, null, "1y2m", null, true);
    }

    private static String golden(String name) throws IOException {
        try (InputStream in = FramesTest.class.getResourceAsStream("/golden/" + name + ".json")) {
            if (in == null) {
                throw new IllegalStateException("no golden file for " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        }
    }
}
