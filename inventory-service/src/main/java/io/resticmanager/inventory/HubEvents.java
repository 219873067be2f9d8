package io.resticmanager.inventory;

import com.fasterxml.jackson.databind.JsonNode;
import io.resticmanager.kit.Problem;
import io.resticmanager.kit.SqliteStore;
import io.resticmanager.kit.Times;
import io.resticmanager.proto.Json;
import io.resticmanager.proto.Message;
import io.resticmanager.proto.SnapshotInfo;
import io.resticmanager.proto.internal.HostEvents;
import io.resticmanager.proto.internal.HubEvent;

import java.lang.System.Logger.Level;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Applies agent-hub's events ({@code POST /internal/events}). The whole batch is parsed first (a
 * malformed event rejects the batch with 400 and nothing is stored), then applied in ONE transaction
 * together with the event ids, so a redelivered event is recognised and skipped.
 */
final class HubEvents {
    static final String SNAPSHOTS_REPORT = "snapshots.report";
    static final String HOST_FACTS = "host.facts";
    private static final System.Logger LOG = System.getLogger(HubEvents.class.getName());
    /** Event ids are remembered this long; the hub's outbox redelivers within minutes, not weeks. */
    private static final Duration REMEMBER = Duration.ofDays(30);
    /** An incomplete multi-part snapshot report that got no part for this long is dropped. */
    static final Duration STAGED_PARTS_KEPT = Duration.ofHours(1);
    private final SqliteStore store;
    private final Clock clock;
    private final Runnable snapshotsChanged;

    HubEvents(SqliteStore store, Clock clock) {
        this(store, clock, () -> { });
    }

    /** {@code snapshotsChanged} runs after a batch that replaced a snapshot list was committed (the index sweep). */
    HubEvents(SqliteStore store, Clock clock, Runnable snapshotsChanged) {
        this.store = store;
        this.clock = clock;
        this.snapshotsChanged = snapshotsChanged;
    }

    /** A parsed event: its envelope and its typed payload (null for types we ignore). */
    private record Parsed(HubEvent event, Instant at, Object payload) {
    }

    /** Returns how many events were accepted: all of them (new, duplicate or of a type we ignore). */
    int apply(HubEvent.Batch batch) {
        List<Parsed> parsed = new ArrayList<>();
        for (HubEvent event : batch.events()) {
            parsed.add(parse(event));
        }
        Instant now = clock.instant();
        store.write(tx -> {
            for (Parsed p : parsed) {
                if (p.payload() == null) {
                    continue;
                }
                if (tx.update("processed-events.insert", p.event().id(), now) == 0) {
                    continue;
                }
                applyOne(tx, p, now);
            }
            tx.update("processed-events.forget", now.minus(REMEMBER));
            ReportParts.purge(tx, now.minus(STAGED_PARTS_KEPT), now.minus(REMEMBER));
            return null;
        });
        if (parsed.stream().anyMatch(p -> p.payload() instanceof Message.SnapshotsReport)) {
            try {
                snapshotsChanged.run();
            } catch (RuntimeException e) {
                // the events are stored; a failed sweep is retried after the next report
                LOG.log(Level.WARNING, "after a snapshot list changed: " + e.getMessage());
            }
        }
        return parsed.size();
    }

    private Parsed parse(HubEvent event) {
        if (event == null || event.id() == null || event.id().isBlank() || event.type() == null) {
            throw Problem.badRequest("every event needs an id and a type");
        }
        Class<?> type = switch (event.type()) {
            case HubEvent.HOST_ENROLLED -> HostEvents.Enrolled.class;
            case HubEvent.HOST_ONLINE -> HostEvents.Online.class;
            case HubEvent.HOST_OFFLINE -> HostEvents.Offline.class;
            case HOST_FACTS -> Message.HostFacts.class;
            case SNAPSHOTS_REPORT -> Message.SnapshotsReport.class;
            default -> null;
        };
        if (type == null) {
            return new Parsed(event, null, null);
        }
        if (event.hostId() == null || event.hostId().isBlank()) {
            throw Problem.badRequest("event " + event.id() + " (" + event.type() + ") has no host_id");
        }
        JsonNode payload = event.payload() == null ? Json.MAPPER.createObjectNode() : event.payload();
        Object value;
        try {
            value = Json.MAPPER.treeToValue(payload, type);
        } catch (Exception e) {
            Throwable cause = e.getCause() instanceof IllegalArgumentException iae ? iae : e;
            throw Problem.badRequest("event " + event.id() + " (" + event.type() + ") has a malformed payload: "
                                             + firstLine(cause.getMessage()));
        }
        if (value instanceof HostEvents.Enrolled enrolled && (enrolled.hostname() == null
                || enrolled.hostname().isBlank())) {
            throw Problem.badRequest("event " + event.id() + " (host.enrolled) has no hostname");
        }
        if (value instanceof HostEvents.Online online && (online.hostname() == null || online.hostname().isBlank())) {
            throw Problem.badRequest("event " + event.id() + " (host.online) has no hostname");
        }
        return new Parsed(event, event.at() == null ? clock.instant() : event.at(), value);
    }

    private void applyOne(SqliteStore.Tx tx, Parsed p, Instant now) throws SQLException {
        String hostId = p.event().hostId();
        if (HostStore.isDeleted(tx, hostId)) {
            return;
        }
        Instant at = p.at();
        switch (p.payload()) {
            case HostEvents.Enrolled e -> {
                // A late enrollment event must not overwrite newer facts from host.online.
                if (HostStore.create(tx, hostId, e.hostname(), at)) {
                    HostStore.facts(tx, hostId, null, e.os(), e.arch(), e.agentVersion(), null, null, at);
                }
            }
            case HostEvents.Online e -> {
                HostStore.create(tx, hostId, e.hostname(), at);
                HostStore.facts(tx, hostId, e.hostname(), e.os(), e.arch(), e.agentVersion(), e.resticVersion(), null, at);
                HostStore.presence(tx, hostId, true, at, at);
            }
            case HostEvents.Offline e -> HostStore.presence(tx, hostId, false, at,
                                                            e.lastSeenAt() == null ? at : e.lastSeenAt());
            case Message.HostFacts e -> {
                HostStore.create(tx, hostId, e.hostname(), at);
                HostStore.facts(tx, hostId, e.hostname(), e.os(), e.arch(), e.agentVersion(), e.resticVersion(),
                                e.runsAsRoot(), at);
            }
            case Message.SnapshotsReport e -> snapshots(tx, hostId, at, now, e);
            default -> {
            }
        }
    }

    /**
     * Replaces the repo's snapshot list, if the reporting host is assigned that repo (a host cannot
     * rewrite another repository's projection) and the report is not older than the one we have. A
     * report in parts is staged part by part (repeats are harmless) and applied as one list, in this
     * transaction, when its last missing part arrives; its time is that of its earliest part.
     */
    private void snapshots(SqliteStore.Tx tx, String hostId, Instant at, Instant now, Message.SnapshotsReport report)
            throws SQLException {
        String repoId = report.repoId();
        if (!HostStore.exists(tx, hostId) || !HostStore.linked(tx, hostId, repoId)) {
            LOG.log(Level.WARNING, "ignoring snapshots.report of host " + hostId + " for repo " + repoId
                    + ": the host is unknown or not assigned that repository");
            return;
        }
        String reportId = report.reportId();
        if (reportId != null && ReportParts.done(tx, reportId)) {
            return; // a late repeat of a report already applied
        }
        if (!report.partial()) {
            if (reportId != null) {
                ReportParts.markDone(tx, reportId, now);
            }
            replaceProjection(tx, repoId, at, report.snapshots());
            return;
        }
        Optional<ReportParts.Header> staged = ReportParts.header(tx, reportId);
        if (staged.isPresent() && !staged.get().equals(new ReportParts.Header(report.parts(), repoId, hostId))) {
            LOG.log(Level.WARNING, "ignoring part " + report.part() + " of snapshots.report " + reportId + " from host "
                    + hostId + ": it disagrees with the parts already received (" + staged.get() + ")");
            return;
        }
        ReportParts.stage(tx, report, hostId, at, now);
        if (ReportParts.count(tx, reportId) < report.parts()) {
            return;
        }
        ReportParts.Assembled whole = ReportParts.assemble(tx, reportId);
        ReportParts.finish(tx, reportId, now);
        replaceProjection(tx, repoId, whole.at(), whole.snapshots());
    }

    private static void replaceProjection(SqliteStore.Tx tx, String repoId, Instant at, List<SnapshotInfo> snapshots)
            throws SQLException {
        Optional<String> reportedAt = tx.text("repos.snapshots-reported-at", repoId);
        if (reportedAt.isPresent() && reportedAt.get().compareTo(Times.format(at)) > 0) {
            return;
        }
        SnapshotStore.replace(tx, repoId, snapshots);
        tx.update("repos.set-snapshots-reported-at", at, repoId);
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "invalid";
        }
        String line = message.lines().findFirst().orElse("invalid");
        return line.length() > 200 ? line.substring(0, 200) : line;
    }
}
