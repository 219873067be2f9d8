package io.resticmanager.agent;

import com.fasterxml.jackson.databind.JsonNode;
import io.resticmanager.proto.Checks;
import io.resticmanager.proto.JobParams;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code restic check [--read-data-subset X]}: text before restic 0.18, a JSON summary since. */
final class CheckRunner implements Runner {
    @Override
    public List<String> args(JobParams params, ResticVersion version) {
        List<String> args = new ArrayList<>(List.of("check"));
        if (version.hasCheckJson()) {
            args.add("--json");
        }
        String subset = params.readDataSubset();
        if (subset != null && !subset.isBlank()) {
            if (!Checks.readDataSubset(subset)) {
                throw new IllegalArgumentException(Checks.READ_DATA_SUBSET_RULE + ", got: " + subset);
            }
            args.add("--read-data-subset=" + subset);
        }
        return args;
    }

    @Override
    public Outcome run(Restic restic, List<String> args, JobSink sink, Cancellation cancel) throws IOException {
        Map<String, Object> summary = new LinkedHashMap<>();
        Restic.Result result = restic.run(args, new TextOutput(sink) {
            @Override
            public void json(String stream, JsonNode node) {
                if ("summary".equals(node.path("message_type").asText())) {
                    summary.putAll(ResticJson.scalars(node));
                } else {
                    super.json(stream, node);
                }
            }

            @Override
            public void text(String stream, String line) {
                if (line.contains("no errors were found")) {
                    summary.put("errors_found", false);
                }
                super.text(stream, line);
            }
        }, cancel);
        Outcome outcome = ExitCodes.classify(result);
        if (result.exitCode() != 0 && !result.cancelled() && !summary.containsKey("num_errors")) {
            summary.put("errors_found", true);
        }
        return outcome.withSummary(summary);
    }
}
