package io.resticmanager.agent;

import com.fasterxml.jackson.databind.JsonNode;
import io.resticmanager.proto.Checks;
import io.resticmanager.proto.DrillSummary;
import io.resticmanager.proto.JobParams;
import io.resticmanager.proto.JobStatus;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A restore drill: proves that the latest snapshot of a host restores, without touching anything but a scratch
 * directory of its own.
 * <ol>
 *   <li>{@code restic ls --json --host=<host> latest}: the latest snapshot of the host in this repository, and a
 *   weighted random sample of its regular files ({@link DrillSampler}: recently changed and large files favoured,
 *   at most {@code sample_files} files and {@code max_bytes} bytes);</li>
 *   <li>free space under the drills directory checked (the sample's bytes plus a reserve);</li>
 *   <li>{@code restic restore --verify --target <fresh scratch dir> --include <file>… -- <snapshot>}: restic's own
 *   check that the restored content matches the snapshot (restic 0.9+; older restic is told in the log);</li>
 *   <li>each file judged by {@link DrillCheck} (present, right size, and on the snapshot's own host the same SHA-256
 *   as the live file when that is unchanged since the snapshot);</li>
 *   <li>the scratch directory deleted — always, after a failure or cancel too.</li>
 * </ol>
 * The scratch directory is created new (never an existing one), inside the agent's state directory; restic writes
 * only below it, so nothing is ever overwritten and nothing outside it is written. One instance serves one job: the
 * sample size and byte cap {@link #args} validated are the ones {@link #run} uses.
 */
final class DrillRunner implements Runner {
    /** Free space kept beyond the sample's bytes (restic's cache, the rest of the system). */
    static final long SPACE_RESERVE = 64L << 20;
    /** restic's text for a file it could not restore ("ignoring error for /path: reason"). */
    private static final Pattern ERROR_FOR = Pattern.compile("^ignoring error for (/.*?): (.*)$");
    private static final Pattern HOSTNAME = Pattern.compile("[^\\p{Cntrl}]{1,253}");
    private static final int PATHS_IN_ERROR = 5;

    private final Path drillsDir;
    private final String snapshotsOf;
    private final boolean ownSnapshots;
    private final Random random;
    private volatile int files = JobParams.DEFAULT_SAMPLE_FILES;
    private volatile long maxBytes = JobParams.DEFAULT_DRILL_BYTES;
    private volatile boolean verify = true;

    /**
     * @param drillsDir    where scratch directories are made (the agent's state directory's {@code drills})
     * @param snapshotsOf  the hostname whose latest snapshot is drilled
     * @param ownSnapshots whether that is this host, so its live files are the ones the snapshot saw
     */
    DrillRunner(Path drillsDir, String snapshotsOf, boolean ownSnapshots) {
        this(drillsDir, snapshotsOf, ownSnapshots, new Random());
    }

    DrillRunner(Path drillsDir, String snapshotsOf, boolean ownSnapshots, Random random) {
        this.drillsDir = drillsDir.toAbsolutePath().normalize();
        this.snapshotsOf = snapshotsOf;
        this.ownSnapshots = ownSnapshots;
        this.random = random;
    }

    @Override
    public List<String> args(JobParams params, ResticVersion version) {
        if (snapshotsOf == null || !HOSTNAME.matcher(snapshotsOf).matches()) {
            throw new IllegalArgumentException("a drill needs the hostname whose snapshots it restores");
        }
        files = params.drillFiles();
        maxBytes = params.drillBytes();
        verify = version.hasRestoreVerify();
        // what the drill amounts to; run() lists, samples and restores the files into a scratch dir below the target
        List<String> args = new ArrayList<>(List.of("restore"));
        if (verify) {
            args.add("--verify");
        }
        args.addAll(List.of("--target", drillsDir.toString(), "--host=" + snapshotsOf, "--", "latest"));
        return args;
    }

    @Override
    public Outcome run(Restic restic, List<String> args, JobSink sink, Cancellation cancel) throws IOException {
        long t0 = System.nanoTime();
        List<String> limits = limits(args);
        sink.log("event", "drill: up to " + files + " file(s), at most " + maxBytes + " bytes, of the latest snapshot "
                + "of " + snapshotsOf + ", restored into a new scratch directory under " + drillsDir
                + " and deleted afterwards");
        if (!verify) {
            sink.log("event", "restic " + restic.version() + " has no restore --verify: restic's own content check is "
                    + "skipped; sizes and SHA-256 against the live files are still compared");
        }
        // 1. the latest snapshot and the sample
        AtomicReference<JsonNode> snapshot = new AtomicReference<>();
        // restic prints the snapshot first, then its nodes: "recent" is measured from the snapshot's time
        AtomicReference<DrillSampler> sampling = new AtomicReference<>();
        List<String> ls = new ArrayList<>(List.of("ls"));
        ls.addAll(limits);
        ls.addAll(List.of("--json", "--host=" + snapshotsOf, "--", "latest"));
        sink.progress(new JobSink.Progress(0.02, 0, files, 0, maxBytes, null, null));
        Restic.Result listed = restic.run(ls, new Restic.Output() {
            @Override
            public void json(String stream, JsonNode node) {
                String type = node.path("struct_type").asText(node.path("message_type").asText(""));
                if (type.equals("snapshot") && snapshot.get() == null) {
                    snapshot.set(node);
                    sampling.compareAndSet(null, new DrillSampler(files, maxBytes,
                                                                  ResticJson.time(node.path("time").asText("")), random));
                } else if (type.equals("node") && node.path("type").asText("").equals("file")) {
                    String path = node.path("path").asText("");
                    if (!path.isEmpty()) {
                        sampling.updateAndGet(s -> s != null ? s : new DrillSampler(files, maxBytes, null, random))
                                .offer(new DrillSampler.Candidate(path, node.path("size").asLong(0),
                                                                  ResticJson.time(node.path("mtime").asText(""))));
                    }
                }
            }

            @Override
            public void text(String stream, String line) {
                sink.log(stream, line);
            }
        }, cancel);
        if (listed.cancelled()) {
            return ExitCodes.classify(listed).withSummary(Map.of("host", snapshotsOf, "scratch_removed", true));
        }
        if (listed.exitCode() != 0 || snapshot.get() == null) {
            Outcome why = ExitCodes.classify(listed);
            String tail = listed.tail().last(5);
            String error = tail.contains("no snapshot") || snapshot.get() == null && listed.exitCode() == 0
                    ? "no snapshot of " + snapshotsOf + " in this repository to drill"
                    : "cannot list the latest snapshot of " + snapshotsOf + ": " + why.error().orElse(tail);
            return new Outcome(JobStatus.FAILED, listed.exitCode(), Map.of("host", snapshotsOf, "scratch_removed", true),
                               Optional.of(error), Optional.empty());
        }
        DrillSampler sampler = sampling.get();
        String snapshotId = snapshot.get().path("id").asText("");
        Instant snapshotTime = ResticJson.time(snapshot.get().path("time").asText(""));
        if (!Checks.snapshotId(snapshotId)) {
            return Outcome.failed("restic named no usable snapshot id for the latest snapshot of " + snapshotsOf);
        }
        List<DrillSampler.Candidate> sample = sampler.sample();
        long sampleBytes = sample.stream().mapToLong(DrillSampler.Candidate::size).sum();
        sink.log("event", "snapshot " + snapshotId.substring(0, 8) + " of " + snapshotsOf + " (" + snapshotTime + "): "
                + sampler.seen() + " file(s), " + sample.size() + " sampled, " + sampleBytes + " bytes");
        if (sample.isEmpty()) {
            return new Outcome(JobStatus.FAILED, 0, Map.of("host", snapshotsOf, "snapshot_id", snapshotId,
                                                           "scratch_removed", true),
                               Optional.of("snapshot " + snapshotId.substring(0, 8) + " has no file of at most "
                                                   + maxBytes + " bytes to restore"), Optional.empty());
        }
        // 2. room for it, in a scratch directory nobody else has
        Path scratch;
        try {
            scratch = scratchDir(sampleBytes);
        } catch (IOException e) {
            return new Outcome(JobStatus.FAILED, -1, Map.of("host", snapshotsOf, "snapshot_id", snapshotId,
                                                            "scratch_removed", true),
                               Optional.of(e.getMessage()), Optional.empty());
        }
        sink.log("event", "scratch directory " + scratch);
        Set<String> resticErrors = new HashSet<>();
        List<DrillCheck.Result> results = new ArrayList<>();
        Restic.Result restored = null;
        long restoreNanos = 0;
        boolean removed;
        try {
            // 3. restic restores the sample, and verifies what it wrote
            List<String> restore = new ArrayList<>(List.of("restore"));
            restore.addAll(limits);
            if (verify) {
                restore.add("--verify");
            }
            restore.addAll(List.of("--target", scratch.toString()));
            sample.forEach(c -> restore.addAll(List.of("--include", RestoreRunner.escape(c.path()))));
            restore.addAll(List.of("--", snapshotId));
            sink.progress(new JobSink.Progress(0.1, 0, sample.size(), 0, sampleBytes, null, null));
            long r0 = System.nanoTime();
            restored = restic.run(restore, new TextOutput(sink) {
                @Override
                public void text(String stream, String line) {
                    Matcher m = ERROR_FOR.matcher(line);
                    if (m.matches()) {
                        resticErrors.add(m.group(1));
                    }
                    super.text(stream, line);
                }
            }, cancel);
            restoreNanos = System.nanoTime() - r0;
            // 4. each file judged
            if (!restored.cancelled()) {
                long bytesDone = 0;
                for (DrillSampler.Candidate c : sample) {
                    if (cancel.requested()) {
                        break;
                    }
                    DrillCheck.Result r = DrillCheck.check(c, scratch, ownSnapshots, resticErrors);
                    results.add(r);
                    bytesDone += r.restoredBytes();
                    sink.log(r.verdict() == DrillCheck.Verdict.MISMATCHED ? "stderr" : "stdout",
                             label(r.verdict()) + " " + c.path() + ": " + r.reason());
                    sink.progress(new JobSink.Progress(0.8 + 0.2 * results.size() / sample.size(), results.size(),
                                                       sample.size(), bytesDone, sampleBytes, null, c.path()));
                }
            }
        } finally {
            // 5. always gone again
            removed = deleteTree(scratch);
        }
        sink.log("event", removed ? "scratch directory removed" : "could not remove the scratch directory " + scratch);
        if (!ownSnapshots) {
            sink.log("event", "the live files are on " + snapshotsOf + ", not this host: restored files were checked by "
                    + "restic and by size, not against the live files");
        }
        return outcome(restored, results, sample.size(), snapshotId, snapshotTime, restoreNanos,
                       (System.nanoTime() - t0) / 1_000_000, removed, cancel.requested());
    }

    private Outcome outcome(Restic.Result restored, List<DrillCheck.Result> results, int sampled, String snapshotId,
                            Instant snapshotTime, long restoreNanos, long durationMs, boolean removed,
                            boolean cancelled) {
        List<String> mismatched = new ArrayList<>();
        long restoredFiles = 0;
        long restoredBytes = 0;
        long verified = 0;
        long notCompared = 0;
        for (DrillCheck.Result r : results) {
            switch (r.verdict()) {
                case MISMATCHED -> mismatched.add(r.file().path());
                case VERIFIED -> verified++;
                case NOT_COMPARED -> notCompared++;
            }
            if (r.verdict() != DrillCheck.Verdict.MISMATCHED) {
                restoredFiles++;
                restoredBytes += r.restoredBytes();
            }
        }
        long throughput = restoreNanos <= 0 ? 0 : Math.round(restoredBytes * 1e9 / restoreNanos);
        DrillSummary summary = new DrillSummary(snapshotId, snapshotTime, snapshotsOf, sampled, restoredFiles,
                                                restoredBytes, verified, notCompared, mismatched, mismatched.size(),
                                                verify, ownSnapshots, durationMs, throughput, removed);
        Map<String, Object> map = new LinkedHashMap<>(summary.toMap());
        Outcome restic = ExitCodes.classify(restored);
        if (cancelled || restored.cancelled()) {
            return new Outcome(JobStatus.CANCELLED, restored.exitCode(), map, Optional.of("cancelled on request"),
                               Optional.empty());
        }
        List<String> why = new ArrayList<>();
        if (!mismatched.isEmpty()) {
            why.add(mismatched.size() + " of " + sampled + " sampled file(s) did not restore intact: "
                    + String.join(", ", mismatched.subList(0, Math.min(PATHS_IN_ERROR, mismatched.size())))
                    + (mismatched.size() > PATHS_IN_ERROR ? " …" : ""));
        }
        if (!restic.successful()) {
            why.add(restic.error().orElse("restic restore failed (exit " + restored.exitCode() + ")"));
        }
        if (!removed) {
            why.add("the scratch directory could not be removed");
        }
        if (why.isEmpty() && summary.passed()) {
            return new Outcome(JobStatus.SUCCEEDED, restored.exitCode(), map, Optional.empty(), Optional.empty());
        }
        return new Outcome(JobStatus.FAILED, restored.exitCode(), map,
                           Optional.of("drill failed: " + String.join("; ", why)), Optional.empty());
    }

    /**
     * A new, empty directory of this drill only (0700) under the drills directory, after checking there is room for
     * {@code bytes} plus a reserve. The drills directory must be a real directory, not a link leading elsewhere.
     */
    Path scratchDir(long bytes) throws IOException {
        if (Files.isSymbolicLink(drillsDir)) {
            throw new IOException("the drills directory " + drillsDir + " is a symbolic link; refusing to restore "
                                          + "through it");
        }
        Files.createDirectories(drillsDir);
        try {
            Files.setPosixFilePermissions(drillsDir, PosixFilePermissions.fromString("rwx------"));
        } catch (UnsupportedOperationException e) {
            // not POSIX: the directory keeps the platform's default protection
        }
        long usable = Files.getFileStore(drillsDir).getUsableSpace();
        if (usable < bytes + SPACE_RESERVE) {
            throw new IOException("not enough free space for the drill under " + drillsDir + ": " + usable
                                          + " bytes free, " + (bytes + SPACE_RESERVE) + " needed (the sample's "
                                          + bytes + " bytes plus " + SPACE_RESERVE + " in reserve)");
        }
        Path scratch = Files.createTempDirectory(drillsDir, "drill-");
        if (!scratch.toRealPath().startsWith(drillsDir.toRealPath())) {
            deleteTree(scratch);
            throw new IOException("the scratch directory " + scratch + " does not lie inside " + drillsDir);
        }
        return scratch;
    }

    /**
     * Deletes a directory tree without following symbolic links (a restored link is removed, never its target);
     * directories are made writable first, since restic restores their modes. True when it is gone.
     */
    static boolean deleteTree(Path root) {
        try {
            if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
                return true;
            }
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                    try {
                        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
                    } catch (UnsupportedOperationException e) {
                        // not POSIX
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                    Files.delete(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            return !Files.exists(root, LinkOption.NOFOLLOW_LINKS);
        }
        return !Files.exists(root, LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * Removes scratch directories a drill left behind when the agent stopped mid-drill (called at start, before any
     * job runs). Only {@code drill-*} directories directly inside a real drills directory are touched.
     */
    static void removeLeftovers(Path drillsDir) {
        if (!Files.isDirectory(drillsDir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (var children = Files.newDirectoryStream(drillsDir, "drill-*")) {
            for (Path child : children) {
                if (!deleteTree(child)) {
                    java.util.logging.Logger.getLogger(DrillRunner.class.getName()).warning(
                            "could not remove the drill scratch directory " + child + " left by an earlier run");
                }
            }
        } catch (IOException e) {
            // nothing to clean, or unreadable: the next drill makes its own new directory anyway
        }
    }

    /** The job's bandwidth limits (restic's global flags), for every restic call of the drill. */
    static List<String> limits(List<String> args) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i + 1 < args.size(); i++) {
            if (args.get(i).equals("--")) {
                break;
            }
            if (args.get(i).equals("--limit-upload") || args.get(i).equals("--limit-download")) {
                out.addAll(List.of(args.get(i), args.get(i + 1)));
            }
        }
        return out;
    }

    private static String label(DrillCheck.Verdict verdict) {
        return switch (verdict) {
            case VERIFIED -> "verified";
            case NOT_COMPARED -> "restored";
            case MISMATCHED -> "MISMATCH";
        };
    }
}
