package io.resticmanager.agent;

import com.fasterxml.jackson.databind.JsonNode;
import io.resticmanager.proto.JobParams;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code restic stats --json} (restore size) and then {@code --mode raw-data} (size on disk), merged
 * into one summary with the deduplication ratio; with {@code stats_mode: raw-data} (the refresh the server schedules
 * after backups and forgets) only the second, cheaper one, its summary marked {@code mode: raw-data}. Either way the
 * repository's locks follow ({@link ResticLocks}), also when stats failed on one of them.
 */
final class StatsRunner implements Runner {
    @Override
    public List<String> args(JobParams params, ResticVersion version) {
        return JobParams.STATS_RAW_DATA.equals(params.statsMode())
                ? List.of("stats", "--json", "--mode", JobParams.STATS_RAW_DATA) : List.of("stats", "--json");
    }

    @Override
    public Outcome run(Restic restic, List<String> args, JobSink sink, Cancellation cancel) throws IOException {
        Outcome outcome = stats(restic, args, sink, cancel);
        if (cancel.requested()) {
            return outcome;
        }
        Map<String, Object> summary = new LinkedHashMap<>(outcome.summary());
        ResticLocks.report(restic, sink, cancel, summary);
        return outcome.withSummary(summary);
    }

    private Outcome stats(Restic restic, List<String> args, JobSink sink, Cancellation cancel) throws IOException {
        if (args.contains("--mode")) {
            Map<String, Object> rawOnly = new LinkedHashMap<>();
            Outcome outcome = ExitCodes.classify(restic.run(args, collect(sink, rawOnly), cancel));
            rawOnly.put("mode", JobParams.STATS_RAW_DATA);
            return outcome.withSummary(rawOnly);
        }
        Map<String, Object> restore = new LinkedHashMap<>();
        Outcome first = ExitCodes.classify(restic.run(args, collect(sink, restore), cancel));
        if (!first.successful()) {
            return first.withSummary(restore);
        }
        List<String> raw = new ArrayList<>(args);
        raw.addAll(List.of("--mode", "raw-data"));
        sink.log("event", restic.commandLine(raw));
        Map<String, Object> rawData = new LinkedHashMap<>();
        Outcome second = ExitCodes.classify(restic.run(raw, collect(sink, rawData), cancel));
        Map<String, Object> summary = new LinkedHashMap<>(restore);
        if (second.successful()) {
            Object size = rawData.get("total_size");
            summary.put("raw_data_size", size);
            copy(rawData, summary, "total_blob_count", "total_uncompressed_size", "compression_ratio",
                 "compression_progress", "compression_space_saving");
            if (size instanceof Number r && r.longValue() > 0 && restore.get("total_size") instanceof Number t) {
                summary.put("dedup_ratio", Math.round(t.doubleValue() / r.doubleValue() * 100) / 100.0);
            }
        }
        return second.withSummary(summary);
    }

    private static void copy(Map<String, Object> from, Map<String, Object> to, String... keys) {
        for (String k : keys) {
            if (from.containsKey(k)) {
                to.put(k, from.get(k));
            }
        }
    }

    /** Output that keeps the scalars of restic's stats JSON in {@code into} and logs everything else. */
    static Restic.Output collect(JobSink sink, Map<String, Object> into) {
        return new TextOutput(sink) {
            @Override
            public void json(String stream, JsonNode node) {
                if (node.isObject() && !node.has("message_type")) {
                    into.putAll(ResticJson.scalars(node));
                } else {
                    super.json(stream, node);
                }
            }
        };
    }
}
