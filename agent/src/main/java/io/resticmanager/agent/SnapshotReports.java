package io.resticmanager.agent;

import io.resticmanager.proto.Envelope;
import io.resticmanager.proto.Frames;
import io.resticmanager.proto.Json;
import io.resticmanager.proto.Message;
import io.resticmanager.proto.Protocol;
import io.resticmanager.proto.SnapshotInfo;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Turns a repository's snapshot list into {@code snapshots.report} frames. A list that fits in one
 * part goes as one whole-list frame (no {@code report_id}, as older servers expect); a longer one as
 * parts 1…n sharing a fresh {@code report_id}, in list order, summaries kept.
 *
 * <p>Parts are far smaller than a frame may be ({@link Protocol#MAX_FRAME_BYTES}): agent-hub forwards
 * up to 500 events in one POST to inventory-service, which takes at most 32 MiB per batch, so parts
 * of ≤ 60 KiB keep any batch of them under that (500 × 60 KiB ≈ 29 MiB). 100k snapshots are then
 * about 600 parts.
 */
final class SnapshotReports {
    static final int PART_BYTES = 60 * 1024;
    /** One snapshot larger than a part (thousands of paths) gets a part of its own, up to this size. */
    static final int MAX_SINGLE_BYTES = Protocol.MAX_FRAME_BYTES - 4 * 1024;
    /** The envelope is stamped when sent: its time may print longer than the one measured here. */
    private static final int ENVELOPE_SLACK = 64;

    private SnapshotReports() {
    }

    /** The frames to send, in order; empty when a single snapshot cannot fit in a frame even without its summary. */
    static Optional<List<Message.SnapshotsReport>> split(String jobId, String repoId, List<SnapshotInfo> list) {
        return split(jobId, repoId, list, PART_BYTES);
    }

    static Optional<List<Message.SnapshotsReport>> split(String jobId, String repoId, List<SnapshotInfo> list,
                                                         int partBytes) {
        String reportId = UUID.randomUUID().toString();
        // the envelope around an empty part with the widest part numbers
        int overhead = encodedBytes(new Message.SnapshotsReport(jobId, repoId, reportId, Message.SnapshotsReport.MAX_PARTS,
                                                                Message.SnapshotsReport.MAX_PARTS, List.of()))
                + ENVELOPE_SLACK;
        List<List<SnapshotInfo>> chunks = new ArrayList<>();
        List<SnapshotInfo> chunk = new ArrayList<>();
        long used = overhead;
        for (SnapshotInfo s : list) {
            SnapshotInfo item = s;
            int bytes = bytes(item) + 1; // + the separating comma
            if (overhead + bytes > MAX_SINGLE_BYTES && item.summary() != null) {
                item = withoutSummary(item);
                bytes = bytes(item) + 1;
            }
            if (overhead + bytes > MAX_SINGLE_BYTES) {
                return Optional.empty();
            }
            if (!chunk.isEmpty() && used + bytes > partBytes) {
                chunks.add(chunk);
                chunk = new ArrayList<>();
                used = overhead;
            }
            chunk.add(item);
            used += bytes;
        }
        chunks.add(chunk); // an empty list is a valid report too: every snapshot was forgotten
        if (chunks.size() == 1) {
            return Optional.of(List.of(new Message.SnapshotsReport(jobId, repoId, chunks.getFirst())));
        }
        if (chunks.size() > Message.SnapshotsReport.MAX_PARTS) {
            return Optional.empty();
        }
        List<Message.SnapshotsReport> parts = new ArrayList<>(chunks.size());
        for (int i = 0; i < chunks.size(); i++) {
            parts.add(new Message.SnapshotsReport(jobId, repoId, reportId, i + 1, chunks.size(), chunks.get(i)));
        }
        return Optional.of(List.copyOf(parts));
    }

    static int encodedBytes(Message message) {
        return Frames.encode(Envelope.of(message)).getBytes(StandardCharsets.UTF_8).length;
    }

    private static int bytes(SnapshotInfo s) {
        return Json.write(s).getBytes(StandardCharsets.UTF_8).length;
    }

    private static SnapshotInfo withoutSummary(SnapshotInfo s) {
        return new SnapshotInfo(s.id(), s.shortId(), s.time(), s.paths(), s.tags(), s.hostname(), s.username(), s.tree(),
                                s.parent(), null);
    }
}
