package io.resticmanager.agent;

import io.resticmanager.proto.DiffEntry;
import io.resticmanager.proto.JobParams;
import io.resticmanager.proto.JobStatus;
import io.resticmanager.proto.SnapshotInfo;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The diff runner and the stats runner's raw-data mode and lock report, against real restic. */
class DiffAndLocksTest {
    @TempDir
    static Path dir;
    static Path repo;

    @BeforeAll
    static void setUp() throws Exception {
        repo = TestRepo.create(dir);
    }

    private static Outcome run(Runner runner, JobParams params, RecordingSink sink) throws Exception {
        Restic restic = TestRepo.wrapper(repo);
        return runner.run(restic, runner.args(params, restic.version()), sink, new Cancellation());
    }

    private static String backup(Path data) throws Exception {
        Outcome o = run(new BackupRunner(), new JobParams(List.of(data.toString()), null, null, null, null, null, null,
                                                          null, null, null, null, null), new RecordingSink());
        assertThat(o.status(), is(JobStatus.SUCCEEDED));
        List<SnapshotInfo> all = run(new SnapshotsRunner(), JobParams.empty(), new RecordingSink()).snapshots()
                .orElseThrow();
        String shortId = (String) o.summary().get("snapshot_id");
        return all.stream().filter(s -> s.shortId().equals(shortId)).findFirst().orElseThrow().id();
    }

    @Test
    void aDiffListsAddedRemovedAndChangedPathsWithTheirSizes() throws Exception {
        Path data = Files.createDirectories(dir.resolve("diff-data"));
        Files.writeString(data.resolve("kept.txt"), "same");
        Files.writeString(data.resolve("grows.txt"), "ab");
        Files.writeString(data.resolve("goes.txt"), "12345");
        Files.createDirectories(data.resolve("old-dir"));
        Files.writeString(data.resolve("old-dir/inside.txt"), "x");
        String first = backup(data);
        Files.writeString(data.resolve("grows.txt"), "abcdefgh");
        Files.delete(data.resolve("goes.txt"));
        Files.delete(data.resolve("old-dir/inside.txt"));
        Files.delete(data.resolve("old-dir"));
        Files.writeString(data.resolve("new file.txt"), "0123456789");
        String second = backup(data);

        RecordingSink sink = new RecordingSink();
        Outcome diff = run(new DiffRunner(), JobParams.diff(first, second), sink);
        assertThat(sink.text(), diff.status(), is(JobStatus.SUCCEEDED));
        Map<String, DiffEntry> entries = new java.util.LinkedHashMap<>();
        sink.lines.stream().filter(l -> l.startsWith(DiffEntry.STREAM + ": "))
                .map(l -> DiffEntry.parse(l.substring(DiffEntry.STREAM.length() + 2)).orElseThrow())
                .forEach(e -> entries.put(e.path(), e));
        String root = data.toString();
        assertThat(entries.keySet().toString(), entries.get(root + "/new file.txt"),
                   is(new DiffEntry(root + "/new file.txt", DiffEntry.Change.ADDED, "file", null, 10L)));
        assertThat(entries.get(root + "/goes.txt"),
                   is(new DiffEntry(root + "/goes.txt", DiffEntry.Change.REMOVED, "file", 5L, null)));
        assertThat(entries.get(root + "/grows.txt"),
                   is(new DiffEntry(root + "/grows.txt", DiffEntry.Change.CHANGED, "file", 2L, 8L)));
        assertThat(entries.get(root + "/old-dir").change(), is(DiffEntry.Change.REMOVED));
        assertThat(entries.get(root + "/old-dir").type(), is("dir"));
        assertThat(entries.containsKey(root + "/kept.txt"), is(false));
        assertThat(diff.summary().get("added_files"), is(1L));
        assertThat(diff.summary().get("removed_files"), is(2L));
        assertThat(diff.summary().get("changed_files"), is(1L));
        assertThat(diff.summary().get("truncated"), is(false));
        assertThat(diff.summary().get("entries"), is((long) entries.size()));

        // ids are checked before restic runs
        assertThrows(IllegalArgumentException.class, () -> new DiffRunner().args(JobParams.diff("latest", second),
                                                                                 new ResticVersion(0, 14, 0)));
        RecordingSink missing = new RecordingSink();
        assertThat(run(new DiffRunner(), JobParams.diff(first, "deadbeef"), missing).status(), is(JobStatus.FAILED));
    }

    @Test
    void rawDataStatsReportTheLocksAndFlagAKilledResticsLockAsStale() throws Exception {
        Path data = TestRepo.data(dir, "lock-data", 2, 1_000);
        backup(data);
        RecordingSink clean = new RecordingSink();
        Outcome stats = run(new StatsRunner(), JobParams.stats(true), clean);
        assertThat(clean.text(), stats.status(), is(JobStatus.SUCCEEDED));
        assertThat(stats.summary().get("mode"), is("raw-data"));
        assertThat((Long) stats.summary().get("total_size"), greaterThan(0L));
        assertThat(stats.summary(), hasKey("snapshots_count"));
        assertThat(stats.summary(), not(hasKey("raw_data_size")));
        assertThat(stats.summary().get("lock_count"), is(0L));

        // a restic killed mid-backup leaves its lock behind: on this machine, with its process gone, it is stale
        Path big = Files.createDirectories(dir.resolve("big"));
        byte[] chunk = new byte[1 << 20];
        new java.util.Random(7).nextBytes(chunk);
        for (int i = 0; i < 200; i++) {
            Files.write(big.resolve("f" + i), chunk);
            chunk[0]++;
        }
        ProcessBuilder pb = new ProcessBuilder("restic", "backup", big.toString()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("RESTIC_REPOSITORY", repo.toString());
        pb.environment().put("RESTIC_PASSWORD", TestRepo.PASSWORD);
        Process killed = pb.start();
        Path locks = repo.resolve("locks");
        // kill it once its lock is written whole: a lock file created but still empty when the kill lands (a loaded
        // machine) is no lock restic can read, and this test is about a real lock left by a dead process
        await("restic's lock written whole").atMost(Duration.ofSeconds(20)).until(() -> hasWrittenLock(locks));
        killed.destroyForcibly();
        killed.waitFor(10, TimeUnit.SECONDS);
        RecordingSink sink = new RecordingSink();
        Outcome locked = run(new StatsRunner(), JobParams.stats(true), sink);
        assertThat(sink.text(), locked.summary().get("lock_count"), is(1L));
        assertThat(locked.summary().get("stale_lock_count"), is(1L));
        @SuppressWarnings("unchecked")
        Map<String, Object> lock = ((List<Map<String, Object>>) locked.summary().get("locks")).getFirst();
        assertThat(lock.get("stale"), is(true));
        assertThat(lock.get("exclusive"), is(false));
        assertThat(lock.get("pid"), is(killed.pid()));
        assertThat((String) lock.get("id"), not(containsString(" ")));

        RecordingSink unlockLog = new RecordingSink();
        assertThat(run(new UnlockRunner(), JobParams.empty(), unlockLog).status(), is(JobStatus.SUCCEEDED));
        assertThat(run(new StatsRunner(), JobParams.stats(true), new RecordingSink()).summary().get("lock_count"),
                   is(0L));
    }

    private static boolean hasWrittenLock(Path locks) throws java.io.IOException {
        if (!Files.isDirectory(locks)) {
            return false;
        }
        try (var files = Files.list(locks)) {
            return files.anyMatch(f -> {
                try {
                    return Files.size(f) > 0;
                } catch (java.io.IOException e) {
                    return false; // renamed or removed meanwhile
                }
            });
        }
    }
}
