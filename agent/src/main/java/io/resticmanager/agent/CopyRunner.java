package io.resticmanager.agent;

import io.resticmanager.proto.JobParams;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * {@code restic copy}: this host's snapshots from the source repository ({@code RESTIC_FROM_*}, never on the command
 * line) into the job's repository, skipping those copied before — the off-site leg of 3-2-1 without reading the
 * host's disk again. The summary counts snapshots copied and skipped, and the bytes the destination grew by
 * ({@code stats --mode raw-data} before and after).
 */
final class CopyRunner implements Runner {
    private static final Pattern SAVED = Pattern.compile("^snapshot [0-9a-f]{8,64} saved$");
    private static final Pattern SKIPPED = Pattern.compile("^skipping source snapshot [0-9a-f]{8,64}.*");

    @Override
    public List<String> args(JobParams params, ResticVersion version) {
        List<String> args = new ArrayList<>(List.of("copy", "--host", HostInfo.current().hostname()));
        for (String tag : params.tags()) {
            if (tag.isBlank() || tag.startsWith("-") || tag.contains(",")) {
                throw new IllegalArgumentException("invalid tag: " + tag);
            }
            args.add("--tag");
            args.add(tag);
        }
        return args;
    }

    @Override
    public Outcome run(Restic restic, List<String> args, JobSink sink, Cancellation cancel) throws IOException {
        Long before = rawSize(restic, sink, cancel);
        AtomicLong copied = new AtomicLong();
        AtomicLong skipped = new AtomicLong();
        Outcome copy = ExitCodes.classify(restic.run(args, new TextOutput(sink) {
            @Override
            public void text(String stream, String line) {
                String l = line.strip();
                if (SAVED.matcher(l).matches()) {
                    copied.incrementAndGet();
                } else if (SKIPPED.matcher(l).matches()) {
                    skipped.incrementAndGet();
                }
                super.text(stream, line);
            }
        }, cancel));
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("snapshots_copied", copied.get());
        summary.put("snapshots_skipped", skipped.get());
        if (copy.successful()) {
            Long after = rawSize(restic, sink, cancel);
            if (before != null && after != null) {
                summary.put("bytes_added", Math.max(0, after - before));
                summary.put("raw_data_size", after);
            }
        }
        return copy.withSummary(summary);
    }

    /** The destination's size on disk, or null when stats fails (the copy's result does not depend on it). */
    private static Long rawSize(Restic restic, JobSink sink, Cancellation cancel) throws IOException {
        List<String> args = List.of("stats", "--json", "--mode", "raw-data");
        Map<String, Object> out = new LinkedHashMap<>();
        Restic.Result r = restic.run(args, StatsRunner.collect(sink, out), cancel);
        return r.exitCode() == 0 && out.get("total_size") instanceof Number n ? n.longValue() : null;
    }

    @Override
    public boolean refreshesSnapshots() {
        return true;
    }
}
