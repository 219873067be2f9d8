package io.resticmanager.agent;

import io.resticmanager.proto.JobParams;
import io.resticmanager.proto.JobStatus;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code restic init}; a repository that already exists is a success with {@code already_existed: true}. */
final class InitRunner implements Runner {
    private static final Pattern CREATED = Pattern.compile("created restic repository (\\S+)");

    @Override
    public List<String> args(JobParams params, ResticVersion version) {
        return List.of("init");
    }

    @Override
    public Outcome run(Restic restic, List<String> args, JobSink sink, Cancellation cancel) throws IOException {
        Map<String, Object> summary = new LinkedHashMap<>();
        Restic.Result result = restic.run(args, new TextOutput(sink) {
            @Override
            public void text(String stream, String line) {
                Matcher m = CREATED.matcher(line);
                if (m.find()) {
                    summary.put("repository_id", m.group(1));
                }
                super.text(stream, line);
            }
        }, cancel);
        String text = result.tail().last(OutputTail.MAX_LINES).toLowerCase(Locale.ROOT);
        if (!result.cancelled() && result.exitCode() != 0
                && (text.contains("config file already exists") || text.contains("already initialized"))) {
            sink.log("event", "the repository already exists; nothing to do");
            return new Outcome(JobStatus.SUCCEEDED, result.exitCode(), Map.of("already_existed", true),
                               Optional.empty(), Optional.empty());
        }
        Outcome outcome = ExitCodes.classify(result);
        summary.put("already_existed", false);
        return outcome.withSummary(summary);
    }
}
