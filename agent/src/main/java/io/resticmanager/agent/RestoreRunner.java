package io.resticmanager.agent;

import com.fasterxml.jackson.databind.JsonNode;
import io.resticmanager.proto.Checks;
import io.resticmanager.proto.JobParams;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * {@code restic restore <snapshot> --target <dir> --include <path>…}. Target {@code original} is {@code /}
 * (files go back where they were); any other target is an absolute directory under which the snapshot's
 * absolute paths are recreated. restic ≥ 0.16 reports progress with {@code --json}; 0.14 prints only text,
 * so progress is unknown until it ends and the summary counts the restored files on disk.
 */
final class RestoreRunner implements Runner {
    static final String ORIGINAL = "original";
    /** Paths where files are normally root's: restoring them needs root to keep owners and modes. */
    private static final List<String> SYSTEM_DIRS = List.of("/etc", "/root", "/var", "/usr", "/boot", "/opt", "/srv",
                                                            "/bin", "/sbin", "/lib");

    /** Counting stops here (a whole-system restore): the summary then says "at least". */
    static final long MAX_COUNTED = 1_000_000;

    private final boolean runsAsRoot;
    private final Platform platform;

    RestoreRunner(boolean runsAsRoot) {
        this(runsAsRoot, Platform.current());
    }

    /** {@code platform}: which directories are absolute on this host (a Windows one also takes C:\… and \\server\…). */
    RestoreRunner(boolean runsAsRoot, Platform platform) {
        this.runsAsRoot = runsAsRoot;
        this.platform = platform;
    }

    @Override
    public List<String> args(JobParams params, ResticVersion version) {
        String snapshot = params.snapshotId();
        if (snapshot == null || !Checks.snapshotId(snapshot)) {
            throw new IllegalArgumentException("snapshot_id must be 8 to 64 lowercase hex characters");
        }
        if (params.include().isEmpty()) {
            throw new IllegalArgumentException("a restore needs at least one path to include");
        }
        for (String p : params.include()) {
            // restic names a snapshot's paths with '/' on every system (a Windows host's as /C/Users/…)
            if (!Checks.posixAbsolutePath(p)) {
                throw new IllegalArgumentException("include paths must be absolute paths in the snapshot: " + p);
            }
        }
        List<String> args = new ArrayList<>(List.of("restore"));
        if (version.hasRestoreJson()) {
            args.add("--json");
        }
        args.addAll(List.of("--target", targetDir(params.target(), platform).toString()));
        // include values are patterns to restic: escape glob characters so a path means exactly that path
        params.include().forEach(p -> args.addAll(List.of("--include", escape(p))));
        args.add("--");
        args.add(snapshot);
        return args;
    }

    /**
     * {@code original} (or nothing) is {@code /}; otherwise an absolute directory of this host: POSIX, or on Windows
     * also a drive or UNC path (on Linux "C:\x" would be a relative name restic creates in the agent's directory).
     */
    static Path targetDir(String target, Platform platform) {
        if (target == null || target.isBlank() || target.equals(ORIGINAL)) {
            if (platform.windows()) {
                // restic names C:\Users as /C/Users: restored under a target it becomes <target>\C\Users, so no
                // target puts the files back where they were
                throw new IllegalArgumentException("restoring to the original location does not work on Windows hosts "
                        + "(restic would write C:\\Users to <target>\\C\\Users); restore into a directory such as "
                        + "C:\\Restore and move the files back");
            }
            return Path.of("/");
        }
        if (!(platform.windows() ? Checks.absolutePath(target) : Checks.posixAbsolutePath(target))) {
            throw new IllegalArgumentException("target must be \"original\" or an absolute directory of this "
                    + platform.family().wire() + " host, got: " + target);
        }
        return Path.of(target).normalize();
    }

    static String escape(String path) {
        return path.replaceAll("([\\\\*?\\[\\]])", "\\\\$1");
    }

    static String unescape(String pattern) {
        return pattern.replaceAll("\\\\(.)", "$1");
    }

    @Override
    public Outcome run(Restic restic, List<String> args, JobSink sink, Cancellation cancel) throws IOException {
        Path target = Path.of(value(args, "--target"));
        List<String> include = new ArrayList<>();
        for (int i = 0; i < args.size() - 1; i++) {
            if (args.get(i).equals("--include")) {
                include.add(unescape(args.get(i + 1)));
            }
        }
        String snapshot = args.getLast();
        sink.log("event", "restoring " + String.join(", ", include) + " from snapshot " + snapshot + " to "
                + (target.toString().equals("/") ? "the original location (/)" : target));
        if (!runsAsRoot) {
            warnWhenRootOwned(restic, snapshot, include, sink, cancel);
        }
        boolean json = args.contains("--json");
        if (!json) {
            sink.log("event", "restic " + restic.version() + " reports no restore progress (needs ≥ 0.16): progress is "
                    + "unknown until it finishes");
        }
        Map<String, Object> summary = new LinkedHashMap<>();
        Restic.Result result = restic.run(args, new TextOutput(sink) {
            @Override
            public void json(String stream, JsonNode node) {
                switch (node.path("message_type").asText("")) {
                    case "status" -> sink.progress(progress(node));
                    case "summary" -> summary.putAll(ResticJson.scalars(node));
                    case "verbose_status" -> sink.log(stream, node.path("action").asText("") + " "
                            + node.path("item").asText(""));
                    default -> super.json(stream, node);
                }
            }
        }, cancel);
        Outcome outcome = ExitCodes.classify(result);
        if (!summary.containsKey("files_restored") && !result.cancelled()) {
            long[] counted = count(target, include);
            summary.put("files_restored", counted[0]);
            summary.put("bytes_restored", counted[1]);
            summary.put("counted_on_disk", true);
        }
        summary.put("target", target.toString());
        summary.put("snapshot_id", snapshot);
        summary.put("paths", include.size());
        if (outcome.successful()) {
            sink.log("event", "restored " + summary.get("files_restored") + " file(s), " + summary.get("bytes_restored")
                    + " bytes to " + target);
        }
        return outcome.withSummary(summary);
    }

    /** restic ≥ 0.16's restore status: files/bytes restored of the totals. */
    static JobSink.Progress progress(JsonNode s) {
        Long eta = s.has("seconds_remaining") ? s.path("seconds_remaining").asLong() : null;
        return new JobSink.Progress(s.path("percent_done").asDouble(0), s.path("files_restored").asLong(0),
                                    s.path("total_files").asLong(0), s.path("bytes_restored").asLong(0),
                                    s.path("total_bytes").asLong(0), eta, null);
    }

    /**
     * Not root: owners cannot be restored, and files of root may not be writable. Warn (the restore still
     * runs) when the snapshot says an included path belongs to uid 0 or lies in a system directory.
     */
    private static void warnWhenRootOwned(Restic restic, String snapshot, List<String> include, JobSink sink,
                                          Cancellation cancel) {
        boolean systemDir = include.stream().anyMatch(p -> SYSTEM_DIRS.stream()
                .anyMatch(d -> p.equals(d) || p.startsWith(d + "/")));
        AtomicBoolean rootOwned = new AtomicBoolean(systemDir);
        if (!systemDir) {
            List<String> ls = new ArrayList<>(List.of("ls", "--json", "--", snapshot));
            ls.addAll(include);
            try {
                restic.run(ls, new Restic.Output() {
                    @Override
                    public void json(String stream, JsonNode node) {
                        if (include.contains(node.path("path").asText()) && node.path("uid").asLong(-1) == 0) {
                            rootOwned.set(true);
                        }
                    }

                    @Override
                    public void text(String stream, String line) {
                        // only the owners matter here; restore's own run reports problems
                    }
                }, cancel);
            } catch (IOException e) {
                return;
            }
        }
        if (rootOwned.get()) {
            sink.log("event", "warning: this agent does not run as root, but the selected paths belong to root in the "
                    + "snapshot: owners cannot be restored and files may not be writable (run the restore on an agent "
                    + "running as root, or restore into a directory this agent may write)");
        }
    }

    /** Regular files and their bytes under the target for the included paths (restic 0.14 does not say). */
    static long[] count(Path target, List<String> include) {
        long files = 0;
        long bytes = 0;
        for (String p : include) {
            // a path inside another included one is already counted with it
            if (include.stream().anyMatch(o -> !o.equals(p) && (o.equals("/") || p.startsWith(o + "/")))) {
                continue;
            }
            Path local = target.resolve(p.substring(1)).normalize();
            if (!Files.exists(local, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            try (Stream<Path> walk = Files.walk(local)) {
                for (Path f : (Iterable<Path>) walk::iterator) {
                    BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                    if (a.isRegularFile()) {
                        files++;
                        bytes += a.size();
                    }
                    if (files >= MAX_COUNTED) {
                        return new long[] {files, bytes};
                    }
                }
            } catch (IOException | java.io.UncheckedIOException e) {
                // unreadable parts are not counted
            }
        }
        return new long[] {files, bytes};
    }

    private static String value(List<String> args, String flag) {
        int i = args.indexOf(flag);
        return i >= 0 && i + 1 < args.size() ? args.get(i + 1) : "/";
    }
}
