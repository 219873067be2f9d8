package io.resticmanager.agent;

import com.fasterxml.jackson.databind.JsonNode;
import io.resticmanager.proto.JobParams;
import io.resticmanager.proto.RetentionPolicy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code restic forget --json} with a retention policy (+ {@code --prune}). restic prints one JSON array
 * of groups {@code {keep[], remove[], …}}; with {@code --prune} the prune's plain text follows it.
 */
final class ForgetRunner implements Runner {
    private final String hostname;

    /** A forget of {@code hostname}'s snapshots only. */
    ForgetRunner(String hostname) {
        if (hostname == null || hostname.isBlank() || hostname.startsWith("-")) {
            throw new IllegalArgumentException("a forget needs the hostname whose snapshots it applies to");
        }
        this.hostname = hostname;
    }

    ForgetRunner() {
        this(HostInfo.current().hostname());
    }

    @Override
    public List<String> args(JobParams params, ResticVersion version) {
        RetentionPolicy p = params.policy();
        if (p == null) {
            throw new IllegalArgumentException("forget needs a retention policy");
        }
        // only one host's snapshots: a repository shared by several hosts keeps the others' history whatever
        // policy this host applies (backups are tagged with the same hostname)
        List<String> args = new ArrayList<>(List.of("forget", "--json", "--host", hostname));
        keep(args, "--keep-last", p.keepLast());
        keep(args, "--keep-hourly", p.keepHourly());
        keep(args, "--keep-daily", p.keepDaily());
        keep(args, "--keep-weekly", p.keepWeekly());
        keep(args, "--keep-monthly", p.keepMonthly());
        keep(args, "--keep-yearly", p.keepYearly());
        if (p.keepWithin() != null) {
            args.addAll(List.of("--keep-within", p.keepWithin()));
        }
        p.keepTags().forEach(t -> args.addAll(List.of("--keep-tag", t)));
        // job tags narrow which snapshots the policy applies to
        params.tags().forEach(t -> args.addAll(List.of("--tag", t)));
        if (p.previewOnly()) {
            args.add("--dry-run");
        } else if (Boolean.TRUE.equals(p.prune())) {
            args.add("--prune");
        }
        return args;
    }

    private static void keep(List<String> args, String flag, Integer n) {
        if (n != null) {
            args.addAll(List.of(flag, n.toString()));
        }
    }

    @Override
    public Outcome run(Restic restic, List<String> args, JobSink sink, Cancellation cancel) throws IOException {
        List<String> kept = new ArrayList<>();
        List<String> removed = new ArrayList<>();
        Restic.Result result = restic.run(args, new TextOutput(sink) {
            @Override
            public void json(String stream, JsonNode node) {
                if (node.isArray()) {
                    for (JsonNode group : node) {
                        group.path("keep").forEach(s -> kept.add(s.path("short_id").asText(s.path("id").asText())));
                        group.path("remove").forEach(s -> removed.add(s.path("short_id").asText(s.path("id").asText())));
                    }
                } else {
                    super.json(stream, node);
                }
            }
        }, cancel);
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("removed", removed.size());
        summary.put("kept", kept.size());
        summary.put("removed_ids", List.copyOf(removed));
        summary.put("kept_ids", List.copyOf(kept));
        if (args.contains("--dry-run")) {
            summary.put("dry_run", true);
        }
        return ExitCodes.classify(result).withSummary(summary);
    }

    @Override
    public boolean refreshesSnapshots() {
        return true;
    }
}
