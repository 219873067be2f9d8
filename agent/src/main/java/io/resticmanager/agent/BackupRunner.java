package io.resticmanager.agent;

import com.fasterxml.jackson.databind.JsonNode;
import io.resticmanager.proto.JobParams;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/** {@code restic backup --json}: status lines become progress, the summary line the job's summary. */
final class BackupRunner implements Runner {
    private final Platform platform;

    BackupRunner() {
        this(Platform.current());
    }

    /** {@code platform}: whether restic can snapshot the file system (VSS exists on Windows only). */
    BackupRunner(Platform platform) {
        this.platform = platform;
    }

    @Override
    public boolean placesLimits() {
        return true;
    }

    @Override
    public List<String> args(JobParams params, ResticVersion version) {
        if (params.paths().isEmpty()) {
            throw new IllegalArgumentException("a backup needs at least one path");
        }
        // --host: snapshots carry the same hostname the agent reports, so the server can match them to this host
        List<String> args = new ArrayList<>(List.of("backup", "--json", "--host", HostInfo.current().hostname()));
        params.tags().forEach(t -> args.addAll(List.of("--tag", t)));
        params.excludes().forEach(e -> args.addAll(List.of("--exclude", e)));
        if (params.limitUploadKib() != null) {
            args.addAll(List.of("--limit-upload", params.limitUploadKib().toString()));
        }
        if (params.limitDownloadKib() != null) {
            args.addAll(List.of("--limit-download", params.limitDownloadKib().toString()));
        }
        if (params.fsSnapshot()) {
            // restic knows the flag only on Windows ("unknown flag" elsewhere); quietly dropping it would back up
            // open files without the snapshot the schedule asked for, so the job fails with the reason instead
            if (!platform.windows()) {
                throw new IllegalArgumentException("use_fs_snapshot (Windows VSS) works on Windows hosts only; this "
                        + "host runs " + platform.family().wire() + " — edit the schedule");
            }
            // VSS needs Administrator or SYSTEM: the Windows service runs as LocalSystem
            args.add("--use-fs-snapshot");
        }
        // a path starting with '-' must never be read as a flag
        args.add("--");
        args.addAll(params.paths());
        return args;
    }

    @Override
    public Outcome run(Restic restic, List<String> args, JobSink sink, Cancellation cancel) throws IOException {
        AtomicReference<Map<String, Object>> summary = new AtomicReference<>(Map.of());
        Restic.Result result = restic.run(args, output(sink, summary), cancel);
        return ExitCodes.classify(result).withSummary(summary.get());
    }

    /**
     * What a backup shows of restic's {@code --json} output (a file backup's or a self backup's): progress, the
     * summary (kept in {@code summary} and logged in restic's plain words), errors, verbose lines, plain text as is.
     */
    static Restic.Output output(JobSink sink, AtomicReference<Map<String, Object>> summary) {
        return new Restic.Output() {
            @Override
            public void json(String stream, JsonNode node) {
                switch (node.path("message_type").asText("")) {
                    case "status" -> sink.progress(ResticJson.progress(node));
                    case "summary" -> {
                        summary.set(new LinkedHashMap<>(ResticJson.scalars(node)));
                        sink.log("stdout", describe(node));
                    }
                    case "error" -> sink.log("stderr", ResticJson.errorText(node));
                    case "verbose_status" -> sink.log(stream, node.path("action").asText("") + " "
                            + node.path("item").asText(""));
                    default -> {
                        // newer restic may add message types: ignore them
                    }
                }
            }

            @Override
            public void text(String stream, String line) {
                sink.log(stream, line);
            }
        };
    }

    /** restic's closing words of a plain-text backup, rebuilt from the JSON summary for the job log. */
    static String describe(JsonNode s) {
        return String.format(java.util.Locale.ROOT,
                "Files: %d new, %d changed, %d unmodified; Dirs: %d new, %d changed, %d unmodified; "
                        + "Added to the repository: %s (%s processed in %.1f s); snapshot %s saved",
                s.path("files_new").asLong(), s.path("files_changed").asLong(), s.path("files_unmodified").asLong(),
                s.path("dirs_new").asLong(), s.path("dirs_changed").asLong(), s.path("dirs_unmodified").asLong(),
                bytes(s.path("data_added").asLong()), bytes(s.path("total_bytes_processed").asLong()),
                s.path("total_duration").asDouble(), s.path("snapshot_id").asText("?"));
    }

    private static String bytes(long n) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return u == 0 ? n + " B" : String.format(java.util.Locale.ROOT, "%.1f %s", v, units[u]);
    }

    @Override
    public boolean refreshesSnapshots() {
        return true;
    }
}
