package io.resticmanager.agent;

import io.resticmanager.proto.JobParams;
import io.resticmanager.proto.JobStatus;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

/**
 * The self backup with real restic: a whole state stream becomes one snapshot of one file, byte for byte; a stream
 * that breaks off, or ends before the archive's end blocks, stops restic before its input ends: no snapshot.
 */
class SelfBackupRunnerTest {
    @TempDir
    Path dir;
    private Path repo;
    private Restic restic;

    @BeforeEach
    void repo() throws Exception {
        repo = TestRepo.create(dir);
        restic = TestRepo.wrapper(repo);
    }

    /** A tar-shaped stream: {@code blocks} blocks of random bytes (never all zero), then two zero blocks. */
    private static byte[] archive(int blocks) {
        byte[] body = new byte[blocks * 512 + 1024];
        Random random = new Random(7);
        for (int i = 0; i < blocks * 512; i++) {
            body[i] = (byte) (1 + random.nextInt(255));
        }
        return body;
    }

    private Outcome run(InputStream state) throws IOException {
        SelfBackupRunner runner = new SelfBackupRunner(() -> state);
        JobParams params = JobParams.empty();
        return runner.run(restic, runner.args(params, restic.version()), new RecordingSink(), new Cancellation());
    }

    private int snapshots() throws Exception {
        ProcessBuilder pb = new ProcessBuilder("restic", "-r", repo.toString(), "snapshots", "--json");
        pb.environment().put("RESTIC_PASSWORD", TestRepo.PASSWORD);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        return io.resticmanager.proto.Json.MAPPER.readTree(out).size();
    }

    @Test
    void aWholeStreamIsOneSnapshotOfOneFileByteForByte() throws Exception {
        byte[] state = archive(300);
        Outcome outcome = run(new ByteArrayInputStream(state));
        assertThat(outcome.error().orElse(""), outcome.status(), is(JobStatus.SUCCEEDED));
        ProcessBuilder pb = new ProcessBuilder("restic", "-r", repo.toString(), "dump", "latest",
                                               "/" + SelfBackupRunner.FILENAME);
        pb.environment().put("RESTIC_PASSWORD", TestRepo.PASSWORD);
        Process p = pb.start();
        byte[] stored = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(), is(0));
        assertThat(Arrays.equals(stored, state), is(true));
        assertThat(snapshots(), is(1));
    }

    @Test
    void aStreamThatBreaksOffStoresNothing() throws Exception {
        InputStream broken = new SequenceInputStream(new ByteArrayInputStream(archive(200)), new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("connection reset");
            }
        });
        Outcome outcome = run(broken);
        assertThat(outcome.status(), is(JobStatus.FAILED));
        assertThat(outcome.error().orElse(""), containsString("broke off"));
        assertThat(outcome.error().orElse(""), containsString("nothing was stored"));
        assertThat(snapshots(), is(0));
    }

    @Test
    void aStreamWithoutTheArchivesEndStoresNothing() throws Exception {
        byte[] whole = archive(200);
        Outcome outcome = run(new ByteArrayInputStream(Arrays.copyOf(whole, 200 * 512)));
        assertThat(outcome.status(), is(JobStatus.FAILED));
        assertThat(outcome.error().orElse(""), containsString("ended early"));
        assertThat(snapshots(), is(0));
    }

    @Test
    void theCommandLineHoldsNoSecretAndNamesTheStateFile() {
        List<String> args = new SelfBackupRunner(() -> InputStream.nullInputStream()).args(JobParams.empty(),
                                                                                          restic.version());
        assertThat(args, hasItems("--stdin", "--stdin-filename", SelfBackupRunner.FILENAME, SelfBackupRunner.TAG));
        assertThat(String.join(" ", args), not(containsString(TestRepo.PASSWORD)));
    }

    @Test
    void feedKeepsTheLastBlocksAcrossSmallReads() throws Exception {
        byte[] whole = archive(3);
        // one byte at a time: the end check must see the last 1024 bytes however the stream is cut
        InputStream trickle = new ByteArrayInputStream(whole) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, 1));
            }
        };
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(SelfBackupRunner.feed(trickle, out), is((long) whole.length));
        assertThat(Arrays.equals(out.toByteArray(), whole), is(true));
    }
}
