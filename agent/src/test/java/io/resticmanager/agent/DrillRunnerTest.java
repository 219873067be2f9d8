package io.resticmanager.agent;

import io.resticmanager.proto.DrillSummary;
import io.resticmanager.proto.JobParams;
import io.resticmanager.proto.JobStatus;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

/** Restore drills against the real restic binary and real repositories, good and deliberately damaged. */
class DrillRunnerTest {
    @TempDir
    static Path dir;
    static Path repo;
    static Path src;
    static final String HOST = HostInfo.current().hostname();

    @BeforeAll
    static void backup() throws Exception {
        repo = TestRepo.create(dir);
        src = dir.resolve("srv");
        TestRepo.data(src, "blobs", 6, 48 * 1024);
        Files.writeString(Files.createDirectories(src.resolve("etc")).resolve("app.conf"), "port = 8080\n");
        Files.createSymbolicLink(src.resolve("etc/link"), Path.of("/etc/hostname"));
        Restic restic = TestRepo.wrapper(repo);
        BackupRunner backup = new BackupRunner();
        Outcome o = backup.run(restic, backup.args(new JobParams(List.of(src.toString()), null, null, null, null, null,
                                                                 null, null, null, null, null, null), restic.version()),
                               new RecordingSink(), new Cancellation());
        assertThat(o.status(), is(JobStatus.SUCCEEDED));
    }

    private static Outcome drill(Path repository, Path drills, String host, boolean own, RecordingSink sink)
            throws Exception {
        Restic restic = TestRepo.wrapper(repository);
        DrillRunner runner = new DrillRunner(drills, host, own, new Random(7));
        List<String> args = Runner.withBandwidthLimits(runner, runner.args(JobParams.drill(5, 1L << 20, null),
                                                                           restic.version()),
                                                       JobParams.drill(5, 1L << 20, null).withLimits(null, 100_000));
        return runner.run(restic, args, sink, new Cancellation());
    }

    /** Every file and link under a tree with its content hash and mtime: what "untouched" means. */
    static Map<String, String> fingerprint(Path root) throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                String what = Files.isSymbolicLink(p) ? "link " + Files.readSymbolicLink(p)
                        : Files.isRegularFile(p) ? DrillCheck.sha256(p) : "dir";
                out.put(root.relativize(p).toString(), what + " " + Files.getLastModifiedTime(
                        p, java.nio.file.LinkOption.NOFOLLOW_LINKS).toInstant());
            }
        }
        return out;
    }

    @Test
    void aGoodDrillRestoresVerifiesAgainstTheLiveFilesAndLeavesNothingBehind() throws Exception {
        Map<String, String> before = fingerprint(src);
        Path drills = dir.resolve("state-good/drills");
        RecordingSink sink = new RecordingSink();
        Outcome o = drill(repo, drills, HOST, true, sink);
        assertThat(sink.text(), o.status(), is(JobStatus.SUCCEEDED));
        DrillSummary s = DrillSummary.from(o.summary()).orElseThrow();
        assertThat(s.filesSampled(), is(5));
        assertThat(s.filesRestored(), is(5L));
        assertThat(s.verified(), is(5L));
        assertThat(s.mismatched(), is(empty()));
        assertThat(s.resticVerify(), is(true));
        assertThat(s.scratchRemoved(), is(true));
        assertThat(s.host(), is(HOST));
        assertThat(sink.text(), containsString("verified "));
        try (Stream<Path> left = Files.list(drills)) {
            assertThat(left.toList(), is(empty()));
        }
        assertThat(fingerprint(src), is(before));
    }

    @Test
    void aDamagedPackFailsTheDrillNamingTheDamagedPaths() throws Exception {
        Path damaged = dir.resolve("damaged");
        copyTree(repo, damaged.resolve("repo"));
        Path pack;
        try (Stream<Path> walk = Files.walk(damaged.resolve("repo/data"))) {
            pack = walk.filter(Files::isRegularFile).max(Comparator.comparingLong(p -> p.toFile().length()))
                    .orElseThrow();
        }
        pack.toFile().setWritable(true);
        try (RandomAccessFile f = new RandomAccessFile(pack.toFile(), "rw")) {
            for (long at = 64; at < f.length() - 4096; at += 1024) {
                f.seek(at);
                f.write(new byte[] {0, (byte) 0xff, 0, (byte) 0xff});
            }
        }
        Map<String, String> before = fingerprint(src);
        Path drills = dir.resolve("state-damaged/drills");
        RecordingSink sink = new RecordingSink();
        Outcome o = drill(damaged.resolve("repo"), drills, HOST, true, sink);
        assertThat(sink.text(), o.status(), is(JobStatus.FAILED));
        DrillSummary s = DrillSummary.from(o.summary()).orElseThrow();
        assertThat(s.mismatched(), not(empty()));
        assertThat(s.mismatched(), everyItem(startsWith(src.toString() + "/blobs/")));
        assertThat(o.error().orElseThrow(), containsString(s.mismatched().getFirst()));
        assertThat(s.scratchRemoved(), is(true));
        assertThat(sink.text(), containsString("MISMATCH " + s.mismatched().getFirst()));
        try (Stream<Path> left = Files.list(drills)) {
            assertThat(left.toList(), is(empty()));
        }
        assertThat(fingerprint(src), is(before));
    }

    @Test
    void onAnotherHostTheFilesAreRestoredButNotComparedAndAnUnknownHostHasNoSnapshot() throws Exception {
        RecordingSink sink = new RecordingSink();
        Outcome o = drill(repo, dir.resolve("state-other/drills"), HOST, false, sink);
        assertThat(sink.text(), o.status(), is(JobStatus.SUCCEEDED));
        DrillSummary s = DrillSummary.from(o.summary()).orElseThrow();
        assertThat(s.notCompared(), is(5L));
        assertThat(s.liveCompared(), is(false));

        Outcome none = drill(repo, dir.resolve("state-none/drills"), "no-such-host", false, new RecordingSink());
        assertThat(none.status(), is(JobStatus.FAILED));
        assertThat(none.error().orElseThrow(), containsString("no snapshot of no-such-host"));
    }

    @Test
    void aDrillsDirectoryThatIsALinkIsRefused() throws Exception {
        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
        Path state = Files.createDirectories(dir.resolve("state-link"));
        Files.createSymbolicLink(state.resolve("drills"), elsewhere);
        Outcome o = drill(repo, state.resolve("drills"), HOST, true, new RecordingSink());
        assertThat(o.status(), is(JobStatus.FAILED));
        assertThat(o.error().orElseThrow(), containsString("symbolic link"));
        try (Stream<Path> left = Files.list(elsewhere)) {
            assertThat(left.toList(), is(empty()));
        }
    }

    @Test
    void scratchDirectoriesLeftByAStoppedAgentAreRemovedAtStart() throws Exception {
        Path drills = Files.createDirectories(dir.resolve("state-left/drills"));
        Path left = Files.createDirectories(drills.resolve("drill-123/srv/x"));
        Files.writeString(left.resolve("f"), "half restored");
        Path keep = Files.createDirectories(drills.resolve("not-a-drill"));
        DrillRunner.removeLeftovers(drills);
        assertThat(Files.exists(drills.resolve("drill-123")), is(false));
        assertThat(Files.exists(keep), is(true));
    }

    private static void copyTree(Path from, Path to) throws Exception {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        }
    }
}
