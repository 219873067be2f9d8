package io.resticmanager.agent;

import io.resticmanager.proto.Envelope;
import io.resticmanager.proto.Message;
import io.resticmanager.proto.RepoAccess;
import io.resticmanager.proto.JobParams;
import io.resticmanager.proto.JobStatus;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.not;

/** {@code snapshot.dump} and {@code snapshot.size} against the real restic binary and a real repository. */
class SnapshotDumperTest {
    @TempDir
    static Path dir;
    static Path repo;
    static Path src;
    static String snapshot;
    static byte[] big;

    @BeforeAll
    static void backup() throws Exception {
        repo = TestRepo.create(dir);
        src = Files.createDirectories(dir.resolve("data"));
        big = new byte[3 * 1024 * 1024 + 17];
        new Random(5).nextBytes(big);
        Files.write(src.resolve("big.bin"), big);
        Files.writeString(src.resolve("small.txt"), "small\n");
        Restic restic = TestRepo.wrapper(repo);
        BackupRunner backup = new BackupRunner();
        JobParams params = new JobParams(List.of(src.toString()), null, null, null, null, null, null, null, null, null,
                                         null, null);
        Outcome o = backup.run(restic, backup.args(params, restic.version()), new RecordingSink(), new Cancellation());
        assertThat(o.status(), is(JobStatus.SUCCEEDED));
        snapshot = (String) o.summary().get("snapshot_id");
    }

    private static RepoAccess access() {
        return new RepoAccess("r-1", repo.toString(), TestRepo.PASSWORD, Map.of());
    }

    /** A hub that acknowledges each chunk after a pause, checking the window on every frame. */
    private static final class SlowHub implements HubConnection.Link {
        final ByteArrayOutputStream received = new ByteArrayOutputStream();
        final CompletableFuture<Message.DumpEnd> end = new CompletableFuture<>();
        final AtomicLong maxUnacked = new AtomicLong();
        volatile long acked;
        volatile SnapshotDumper dumper;
        final int stopAfter;

        SlowHub(int stopAfter) {
            this.stopAfter = stopAfter;
        }

        @Override
        public synchronized boolean send(Envelope envelope) {
            switch (envelope.payload()) {
                case Message.DumpChunk c -> {
                    maxUnacked.accumulateAndGet(c.seq() - acked, Math::max);
                    received.writeBytes(c.data());
                    long seq = c.seq();
                    if (stopAfter > 0 && seq == stopAfter) {
                        dumper.cancel(c.streamId());
                        return true;
                    }
                    Thread.ofVirtual().start(() -> {
                        try {
                            Thread.sleep(2);
                        } catch (InterruptedException ignored) {
                            // test ends
                        }
                        acked = Math.max(acked, seq);
                        dumper.ack(new Message.DumpAck(c.streamId(), seq));
                    });
                }
                case Message.DumpEnd e -> end.complete(e);
                default -> throw new AssertionError("unexpected " + envelope.type());
            }
            return true;
        }
    }

    private static SlowHub dump(String path, Message.DumpFormat format, int window, int stopAfter) throws Exception {
        SnapshotDumper dumper = new SnapshotDumper(TestRepo.restic(), Duration.ofSeconds(20));
        SlowHub hub = new SlowHub(stopAfter);
        hub.dumper = dumper;
        Message.SnapshotDump request = new Message.SnapshotDump("s-" + System.nanoTime(), access(), snapshot, path,
                                                                format, window);
        dumper.start(request, Envelope.of(request), hub);
        hub.end.get(60, TimeUnit.SECONDS);
        assertThat(dumper.running(), is(0));
        return hub;
    }

    @Test
    void aFileStreamsByteForByteNeverMoreThanTheWindowAhead() throws Exception {
        SlowHub hub = dump(src.resolve("big.bin").toString(), Message.DumpFormat.FILE, 3, 0);
        Message.DumpEnd end = hub.end.get();
        assertThat(end.error(), end.complete(), is(true));
        assertThat(end.bytes(), is((long) big.length));
        assertThat(java.util.Arrays.equals(hub.received.toByteArray(), big), is(true));
        assertThat(hub.maxUnacked.get(), lessThanOrEqualTo(3L));
    }

    @Test
    void aCancelStopsResticAndTheEndSaysSo() throws Exception {
        SlowHub hub = dump(src.resolve("big.bin").toString(), Message.DumpFormat.FILE, 2, 5);
        Message.DumpEnd end = hub.end.get();
        assertThat(end.complete(), is(false));
        assertThat(end.error(), containsString("cancelled"));
        assertThat(end.bytes() < big.length, is(true));
    }

    @Test
    void aMissingPathOrABadRequestIsAnIncompleteEndWithoutBytes() throws Exception {
        Message.DumpEnd missing = dump(src.resolve("nope").toString(), Message.DumpFormat.FILE, 2, 0).end.get();
        assertThat(missing.complete(), is(false));
        assertThat(missing.error(), containsString("not found"));
        assertThat(missing.chunks(), is(0L));
        Message.DumpEnd traversal = dump(src + "/../etc", Message.DumpFormat.TAR, 2, 0).end.get();
        assertThat(traversal.error(), containsString("path must be absolute"));
        assertThat(traversal.error(), not(containsString(TestRepo.PASSWORD)));
    }

    @Test
    void sizeIsAFilesSizeOrTheTotalBelowADirectory() {
        SnapshotBrowser browser = new SnapshotBrowser(TestRepo.restic());
        Message.SnapshotSizeResult dirSize = browser.size(new Message.SnapshotSize(access(), snapshot, src.toString()));
        assertThat(dirSize.error(), dirSize.type(), is("dir"));
        assertThat(dirSize.bytes(), is(big.length + 6L));
        assertThat(dirSize.files(), is(2L));
        Message.SnapshotSizeResult file = browser.size(new Message.SnapshotSize(access(), snapshot,
                                                                                src.resolve("small.txt").toString()));
        assertThat(file.type(), is("file"));
        assertThat(file.bytes(), is(6L));
        Message.SnapshotSizeResult missing = browser.size(new Message.SnapshotSize(access(), snapshot,
                                                                                   src.resolve("nope").toString()));
        assertThat(missing.error(), containsString("no such path"));
    }
}
