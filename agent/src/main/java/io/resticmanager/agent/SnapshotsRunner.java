package io.resticmanager.agent;

import com.fasterxml.jackson.databind.JsonNode;
import io.resticmanager.proto.JobParams;
import io.resticmanager.proto.SnapshotInfo;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/** {@code restic snapshots --json}: one JSON array, turned into the snapshot list the agent reports. */
final class SnapshotsRunner implements Runner {
    static final List<String> ARGS = List.of("snapshots", "--json");

    @Override
    public List<String> args(JobParams params, ResticVersion version) {
        return ARGS;
    }

    @Override
    public Outcome run(Restic restic, List<String> args, JobSink sink, Cancellation cancel) throws IOException {
        AtomicReference<List<SnapshotInfo>> list = new AtomicReference<>();
        Restic.Result result = restic.run(args, new TextOutput(sink) {
            @Override
            public void json(String stream, JsonNode node) {
                if (node.isArray() && list.get() == null) {
                    list.set(ResticJson.snapshots(node));
                } else {
                    super.json(stream, node);
                }
            }
        }, cancel);
        Outcome outcome = ExitCodes.classify(result);
        if (outcome.successful() && list.get() != null) {
            return outcome.withSummary(Map.of("snapshot_count", list.get().size())).withSnapshots(list.get());
        }
        return outcome;
    }
}
