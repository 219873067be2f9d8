package io.resticmanager.jobs;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.util.TokenBuffer;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.resticmanager.kit.Problem;
import io.resticmanager.proto.JobStatus;
import io.resticmanager.proto.Json;
import io.resticmanager.proto.Message;
import io.resticmanager.proto.internal.HostEvents;
import io.resticmanager.proto.internal.HubEvent;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Applies a batch of hub events in one transaction. Every job event is recorded by {@code (job_id, seq)}
 * first; a seq seen before is a duplicate and changes nothing. Status changes only move forward, so a
 * late or repeated event never resurrects a finished job. Subscribers, the dispatcher and the result
 * sender are poked only after the commit.
 */
final class EventIngest {
    static final String LOST_ON_RECONNECT = "the agent reconnected without this job (it restarted or lost it)";

    private final JobStore store;
    private final Signals signals;
    private final JobLifecycle lifecycle;

    EventIngest(JobStore store, Signals signals, JobLifecycle lifecycle) {
        this.store = store;
        this.signals = signals;
        this.lifecycle = lifecycle;
    }

    /** One parsed event; {@code message} is the typed payload. */
    private record Parsed(HubEvent event, Object message) {
    }

    /** What the transaction changed, for the signals sent after commit. */
    private static final class Changes {
        final Set<String> touched = new LinkedHashSet<>();
        final Set<String> finished = new LinkedHashSet<>();
        final Set<String> acked = new LinkedHashSet<>();
        final Set<String> hostsOnline = new LinkedHashSet<>();
        final Map<String, ObjectNode> progress = new HashMap<>();
        boolean dispatch;
        boolean schedules;
    }

    /**
     * {@code POST /internal/events} as read off the wire: each payload kept as buffered tokens, so it is bound
     * once, straight to its message type (a JSON tree first would build and walk every log line twice).
     */
    record WireBatch(List<WireEvent> events) {
        WireBatch {
            events = events == null ? List.of() : events;
        }
    }

    record WireEvent(String id, String hostId, String type, Instant at, TokenBuffer payload) {
    }

    /** Stores the batch; returns how many events it held. A malformed event rejects the batch (400) before any write. */
    int ingest(HubEvent.Batch batch) {
        List<Parsed> parsed = new ArrayList<>(batch.events().size());
        for (HubEvent event : batch.events()) {
            if (event == null || event.type() == null) {
                throw Problem.badRequest("every event needs a type");
            }
            JsonNode payload = event.payload() == null ? Json.MAPPER.createObjectNode() : event.payload();
            parse(event, parsed, type -> Json.MAPPER.treeToValue(payload, type));
        }
        return ingestParsed(parsed, batch.events().size());
    }

    /** As {@link #ingest(HubEvent.Batch)}, for a batch read off the wire. */
    int ingest(WireBatch batch) {
        List<Parsed> parsed = new ArrayList<>(batch.events().size());
        for (WireEvent e : batch.events()) {
            if (e == null || e.type() == null) {
                throw Problem.badRequest("every event needs a type");
            }
            HubEvent event = new HubEvent(e.id(), e.hostId(), e.type(), e.at(), null);
            parse(event, parsed, type -> {
                if (e.payload() == null) {
                    return Json.MAPPER.treeToValue(Json.MAPPER.createObjectNode(), type);
                }
                try (JsonParser p = e.payload().asParser(Json.MAPPER)) {
                    return Json.MAPPER.readValue(p, type);
                } catch (java.io.IOException ex) {
                    if (ex instanceof JsonProcessingException jpe) {
                        throw jpe;
                    }
                    throw new IllegalArgumentException(ex.getMessage(), ex);
                }
            });
        }
        return ingestParsed(parsed, batch.events().size());
    }

    private int ingestParsed(List<Parsed> parsed, int size) {
        if (parsed.isEmpty()) {
            return size;
        }
        Changes changes = store.write(tx -> apply(tx, parsed));
        changes.progress.forEach((jobId, node) -> signals.fanout().progress(jobId, node));
        changes.touched.forEach(signals::jobChanged);
        changes.finished.forEach(signals::jobFinished);
        if (changes.dispatch) {
            signals.dispatch();
        }
        if (changes.schedules) {
            signals.schedules();
        }
        if (!changes.acked.isEmpty() || !changes.hostsOnline.isEmpty()) {
            // A cancel may have raced the start or the host was offline: re-send it, off the ingestion path.
            Set<String> acked = Set.copyOf(changes.acked);
            Set<String> hosts = Set.copyOf(changes.hostsOnline);
            Thread.ofVirtual().name("jobs-cancel-resend").start(() -> {
                hosts.forEach(lifecycle::resendCancels);
                for (String jobId : acked) {
                    store.find(jobId).filter(j -> j.cancelRequested() && !j.status().terminal())
                            .ifPresent(j -> lifecycle.resendCancels(j.hostId()));
                }
            });
        }
        return size;
    }

    /** Binds a payload to a message type. */
    private interface Binder {
        Object bind(Class<?> type) throws JsonProcessingException;
    }

    /** Adds the typed event to {@code result}; events of types this service ignores are left out. */
    private static void parse(HubEvent event, List<Parsed> result, Binder binder) {
        Class<?> type = switch (event.type()) {
            case "job.ack" -> Message.JobAck.class;
            case "job.progress" -> Message.JobProgress.class;
            case "job.log" -> Message.JobLog.class;
            case "job.finished" -> Message.JobFinished.class;
            case HubEvent.HOST_ONLINE -> HostEvents.Online.class;
            case HubEvent.HOST_OFFLINE -> HostEvents.Offline.class;
            case "schedule.fire" -> Message.ScheduleFire.class;
            default -> null;
        };
        if (type == null) {
            return;
        }
        boolean hostEvent = type == HostEvents.Online.class || type == HostEvents.Offline.class
                || type == Message.ScheduleFire.class;
        if (hostEvent && (event.hostId() == null || event.hostId().isBlank())) {
            throw Problem.badRequest("event " + event.id() + " (" + event.type() + ") needs a host_id");
        }
        try {
            result.add(new Parsed(event, binder.bind(type)));
        } catch (JsonProcessingException | IllegalArgumentException e) {
            Throwable cause = e.getCause() instanceof IllegalArgumentException iae ? iae : e;
            throw Problem.badRequest("event " + event.id() + " (" + event.type() + ") is malformed: "
                                             + firstLine(cause.getMessage()));
        }
    }

    private Changes apply(JobStore.Tx tx, List<Parsed> events) throws java.sql.SQLException {
        Changes changes = new Changes();
        List<Message.JobLog> logs = new ArrayList<>();
        for (Parsed p : events) {
            if (p.message() instanceof Message.JobLog log) {
                logs.add(log);
            }
        }
        if (!logs.isEmpty()) {
            tx.addLogLines(logs);
            Set<String> jobs = new HashSet<>();
            for (Message.JobLog log : logs) {
                if (jobs.add(log.jobId())) {
                    // Lines mean the agent runs it, even if its ack is still on the way.
                    tx.toRunning(log.jobId(), log.lines().getFirst().ts(), null);
                    changes.touched.add(log.jobId());
                }
            }
        }
        Map<String, Message.JobProgress> latest = new HashMap<>();
        for (Parsed p : events) {
            Instant at = p.event().at() == null ? Instant.now() : p.event().at();
            switch (p.message()) {
                case Message.JobAck ack -> ack(tx, ack, at, changes);
                case Message.JobProgress progress -> {
                    if (tx.recordEvent(progress.jobId(), progress.seq(), at, LogEntry.PROGRESS, Json.write(progress))) {
                        latest.merge(progress.jobId(), progress, (a, b) -> b.seq() > a.seq() ? b : a);
                        tx.toRunning(progress.jobId(), at, null);
                        changes.touched.add(progress.jobId());
                    }
                }
                case Message.JobFinished finished -> finished(tx, finished, at, changes);
                case HostEvents.Online online -> online(tx, p.event().hostId(), online, at, changes);
                case Message.ScheduleFire fire -> {
                    // turned into a job after commit (that needs inventory-service, not ingestion's time)
                    ScheduleStore.recordFire(tx, p.event().hostId(), fire, Instant.now());
                    changes.schedules = true;
                }
                case HostEvents.Offline offline -> {
                    Instant since = offline.lastSeenAt() == null ? at : offline.lastSeenAt();
                    tx.presence(p.event().hostId(), false, since);
                }
                default -> {
                    // job.log was stored above
                }
            }
        }
        for (Message.JobProgress progress : latest.values()) {
            String json = Json.write(progress);
            if (tx.progress(progress.jobId(), progress.seq(), json)) {
                changes.progress.put(progress.jobId(), Json.MAPPER.valueToTree(progress));
            }
        }
        return changes;
    }

    private static void ack(JobStore.Tx tx, Message.JobAck ack, Instant at, Changes changes) throws java.sql.SQLException {
        String line = ack.accepted()
                ? "job started" + (ack.commandLine() == null ? "" : ": " + ack.commandLine())
                : "agent refused the job" + (ack.reason() == null ? "" : ": " + ack.reason());
        if (!tx.recordEvent(ack.jobId(), ack.seq(), at, LogEntry.EVENT, line)) {
            return;
        }
        Instant startedAt = ack.startedAt() == null ? at : ack.startedAt();
        changes.touched.add(ack.jobId());
        if (ack.accepted()) {
            if (!tx.toRunning(ack.jobId(), startedAt, ack.commandLine())) {
                tx.fillAck(ack.jobId(), startedAt, ack.commandLine());
            }
            changes.acked.add(ack.jobId());
        } else if (tx.toTerminal(ack.jobId(), JobStatus.FAILED, null, null, line, at)) {
            changes.finished.add(ack.jobId());
        }
    }

    private static void finished(JobStore.Tx tx, Message.JobFinished finished, Instant at, Changes changes)
            throws java.sql.SQLException {
        String line = "job finished: " + finished.status().wire() + " (exit code " + finished.exitCode() + ")"
                + (finished.error() == null || finished.error().isBlank() ? "" : ": " + finished.error());
        if (!tx.recordEvent(finished.jobId(), finished.seq(), at, LogEntry.EVENT, line)) {
            return;
        }
        Instant finishedAt = finished.finishedAt() == null ? at : finished.finishedAt();
        // a restore's summary also names whose repository it read
        if (tx.toTerminal(finished.jobId(), finished.status(), finished.exitCode(),
                          RestoreStore.withSource(tx, finished.jobId(), finished.summary()), finished.error(),
                          finishedAt)) {
            changes.finished.add(finished.jobId());
        }
        changes.touched.add(finished.jobId());
    }

    /**
     * The agent (re)connected and listed the jobs it runs or finished while away. A job we handed to it
     * before this connection that it does not list is lost (running) or must be sent again (never acked).
     */
    private static void online(JobStore.Tx tx, String hostId, HostEvents.Online online, Instant at, Changes changes)
            throws java.sql.SQLException {
        // its agent gets its schedule list again (it may have missed a change, or lost its copy)
        ScheduleStore.hostOnline(tx, hostId);
        changes.schedules = true;
        if (!tx.presence(hostId, true, at)) {
            return;
        }
        changes.dispatch = true;
        changes.hostsOnline.add(hostId);
        Set<String> reported = new HashSet<>();
        online.jobs().forEach(j -> reported.add(j.jobId()));
        for (String[] job : tx.handedOverBefore(hostId, at)) {
            String jobId = job[0];
            if (reported.contains(jobId)) {
                continue;
            }
            if ("running".equals(job[1])) {
                if (tx.toTerminal(jobId, JobStatus.LOST, null, null, LOST_ON_RECONNECT, at)) {
                    changes.finished.add(jobId);
                }
            } else {
                tx.undispatch(jobId, null);
                changes.touched.add(jobId);
            }
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "invalid payload";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
