package io.resticmanager.agent;

import io.resticmanager.proto.Message;
import io.resticmanager.proto.RepoAccess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

/**
 * snapshot.index: snapshots made with plain restic are queued (bounded), indexed one at a time once no job of their
 * repository runs, and a starting job stops an indexing of its repository.
 */
class BackgroundIndexerTest {
    @TempDir
    Path dir;

    private static Message.SnapshotIndex request(Path repo, String snapshot) {
        return new Message.SnapshotIndex(new RepoAccess("r-1", repo.toString(), TestRepo.PASSWORD, Map.of(), null,
                                                        null, null, null), snapshot);
    }

    /** A snapshot taken outside restic-manager: plain restic backup. */
    private static String plainBackup(Path repo, Path src) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("restic", "backup", "--json", src.toString());
        pb.environment().put("RESTIC_REPOSITORY", repo.toString());
        pb.environment().put("RESTIC_PASSWORD", TestRepo.PASSWORD);
        Process p = pb.redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(out, p.waitFor(), is(0));
        String id = out.lines().filter(l -> l.contains("\"summary\"")).findFirst().orElseThrow();
        return io.resticmanager.proto.Json.MAPPER.readTree(id).path("snapshot_id").asText();
    }

    @Test
    void waitsForTheRepositorysJobsThenIndexesTheQueuedSnapshotsOneAtATime() throws Exception {
        Path repo = TestRepo.create(dir.resolve("repo"));
        Path src = Files.createDirectories(dir.resolve("src/docs"));
        Files.writeString(src.resolve("a.txt"), "one");
        String first = plainBackup(repo, dir.resolve("src"));
        Files.writeString(src.resolve("b.txt"), "two");
        String second = plainBackup(repo, dir.resolve("src"));

        Set<String> busy = ConcurrentHashMap.newKeySet();
        busy.add("r-1"); // a backup of the repository runs
        AtomicInteger looked = new AtomicInteger();
        SnapshotIndexerTest.Server server = new SnapshotIndexerTest.Server();
        BackgroundIndexer background = new BackgroundIndexer(TestRepo.restic(), repoId -> {
            looked.incrementAndGet();
            return busy.contains(repoId);
        }, new SnapshotIndexer(server));
        assertThat(background.offer(request(repo, first)).accepted(), is(true));
        assertThat(background.offer(request(repo, second)).accepted(), is(true));
        assertThat("asked again while queued: nothing new", background.offer(request(repo, second)).accepted(),
                   is(true));
        // bounded: more than the queue holds are refused, not kept
        Message.SnapshotIndexResult refused = null;
        for (int i = 0; i < BackgroundIndexer.MAX_QUEUED; i++) {
            Message.SnapshotIndexResult r = background.offer(request(repo, String.format("%064x", i + 1)));
            if (!r.accepted()) {
                refused = r;
            }
        }
        assertThat(refused != null && refused.reason().contains("busy"), is(true));
        await(() -> looked.get() > 0); // the worker looked at the queue and found the repository busy
        assertThat("nothing is indexed while a job of the repository runs", server.roots.isEmpty(), is(true));

        busy.clear();
        background.jobEnded();
        await(() -> server.roots.containsKey(first) && server.roots.containsKey(second));
        assertThat(server.list(second, dir.resolve("src/docs").toString()).size(), is(2));
        assertThat(server.list(first, dir.resolve("src/docs").toString()).size(), is(1));
    }

    private static void await(java.util.function.BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!done.getAsBoolean()) {
            assertThat("in time", System.nanoTime() < deadline, is(true));
            Thread.sleep(20);
        }
    }

    @Test
    void refusesWithoutRestic() {
        BackgroundIndexer background = new BackgroundIndexer(Jobs.ResticSetup.missing("restic not found"),
                                                             r -> false, new SnapshotIndexer(q -> {
            throw new AssertionError("nothing to ask");
        }));
        Message.SnapshotIndexResult r = background.offer(request(dir, "a".repeat(64)));
        assertThat(r.accepted(), is(false));
        assertThat(r.reason(), containsString("restic not found"));
    }
}
