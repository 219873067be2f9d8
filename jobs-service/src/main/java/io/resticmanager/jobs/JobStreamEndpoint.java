package io.resticmanager.jobs;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.websocket.WsCloseCodes;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;
import io.helidon.websocket.WsUpgradeException;
import io.resticmanager.common.Wakeup;
import io.resticmanager.kit.Http;
import io.resticmanager.kit.Tokens;
import io.resticmanager.proto.Checks;
import io.resticmanager.proto.Json;
import io.resticmanager.proto.Principal;
import io.resticmanager.proto.Role;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code GET /api/jobs/{id}/stream} (WebSocket, one listener per connection). Sends
 * {@code {"type":"log","items":[…]}} with the log so far and then live lines, {@code {"type":"status","job":…}}
 * on every state change, {@code {"type":"progress",…}} at most about once a second, and closes after the
 * final status. Its own virtual thread reads the store after the last seq it sent whenever ingestion
 * pokes it, so nothing is lost and a slow browser only slows itself.
 */
final class JobStreamEndpoint implements WsListener {
    private static final Pattern PATH = Pattern.compile("/api/jobs/([^/]+)/stream/?");
    private static final System.Logger LOG = System.getLogger(JobStreamEndpoint.class.getName());
    /** Lines per message: big enough that a backlog costs few queries and frames. */
    private static final int CHUNK = 2000;
    private static final long PROGRESS_EVERY_MS = 1000;

    private final JobStore store;
    private final JobLogStore logs;
    private final LogFanout fanout;
    private final String internalToken;
    private final Wakeup wakeup = new Wakeup();
    private volatile boolean open;
    private volatile String jobId;
    private volatile Thread writer;

    JobStreamEndpoint(JobStore store, JobLogStore logs, LogFanout fanout, String internalToken) {
        this.store = store;
        this.logs = logs;
        this.fanout = fanout;
        this.internalToken = internalToken;
    }

    /** The job a stream path names; empty when the path is no job stream or the id breaks the id rule. */
    static Optional<String> jobId(String path) {
        Matcher m = PATH.matcher(path);
        return m.matches() && Checks.id(m.group(1)) ? Optional.of(m.group(1)) : Optional.empty();
    }

    /** The same checks InternalAuth applies to HTTP (upgrades bypass HTTP filters), plus the viewer role. */
    @Override
    public Optional<Headers> onHttpUpgrade(HttpPrologue prologue, Headers headers) throws WsUpgradeException {
        Optional<String> id = jobId(prologue.uriPath().path());
        if (id.isEmpty()) {
            throw new WsUpgradeException("not a job stream");
        }
        if (!Tokens.same(headers.first(Http.INTERNAL_TOKEN).orElse(null), internalToken)) {
            throw new WsUpgradeException("internal service token required");
        }
        Principal principal;
        try {
            principal = Principal.fromHeader(headers.first(Http.PRINCIPAL).orElseThrow());
        } catch (RuntimeException e) {
            throw new WsUpgradeException("login required");
        }
        if (!principal.role().atLeast(Role.VIEWER)) {
            throw new WsUpgradeException("viewer role required");
        }
        if (store.find(id.get()).isEmpty()) {
            throw new WsUpgradeException("no such job");
        }
        jobId = id.get();
        return Optional.empty();
    }

    @Override
    public void onOpen(WsSession session) {
        if (jobId == null) {
            session.close(WsCloseCodes.VIOLATED_POLICY, "not authorized");
            return;
        }
        open = true;
        fanout.subscribe(jobId, wakeup);
        writer = Thread.ofVirtual().name("job-stream-" + jobId).start(() -> run(session));
    }

    @Override
    public void onMessage(WsSession session, String text, boolean last) {
        // The stream is one-way; browsers have nothing to say.
    }

    @Override
    public void onClose(WsSession session, int status, String reason) {
        stop();
    }

    @Override
    public void onError(WsSession session, Throwable t) {
        stop();
    }

    private void stop() {
        open = false;
        if (jobId != null) {
            fanout.unsubscribe(jobId, wakeup);
        }
        Thread w = writer;
        if (w != null && w != Thread.currentThread()) {
            w.interrupt();
        }
    }

    private void run(WsSession session) {
        long lastSeq = 0;
        String lastState = null;
        long lastProgressSeq = 0;
        long lastProgressAt = 0;
        boolean first = true;
        try {
            while (open) {
                lastSeq = sendLogs(session, lastSeq, first, true);
                first = false;
                Job job = store.find(jobId).orElseThrow();
                String state = job.status().wire() + "|" + job.queuedReason();
                if (job.status().terminal()) {
                    // Lines committed together with the final status: send them before the status.
                    sendLogs(session, lastSeq, false, false);
                    send(session, Map.of("type", "status", "job", job.view()));
                    session.close(WsCloseCodes.NORMAL_CLOSE, "job finished");
                    return;
                }
                if (!Objects.equals(state, lastState)) {
                    send(session, Map.of("type", "status", "job", job.view()));
                    lastState = state;
                }
                Optional<ObjectNode> progress = fanout.progress(jobId);
                long now = System.currentTimeMillis();
                if (progress.isPresent() && progress.get().path("seq").asLong() > lastProgressSeq
                        && now - lastProgressAt >= PROGRESS_EVERY_MS) {
                    ObjectNode message = Json.MAPPER.createObjectNode().put("type", "progress");
                    message.setAll(progress.get());
                    send(session, message);
                    lastProgressSeq = progress.get().path("seq").asLong();
                    lastProgressAt = now;
                }
                wakeup.await(Duration.ofMillis(PROGRESS_EVERY_MS));
            }
        } catch (InterruptedException e) {
            // closed by the browser
        } catch (RuntimeException e) {
            if (open) {
                LOG.log(Level.DEBUG, "job stream for " + jobId + " ended: " + e.getMessage());
                try {
                    session.close(WsCloseCodes.UNEXPECTED_CONDITION, "stream error");
                } catch (RuntimeException ignored) {
                    // the connection is gone already
                }
            }
        } finally {
            open = false;
            fanout.unsubscribe(jobId, wakeup);
        }
    }

    /**
     * Sends every stored line after {@code afterSeq} in chunks; returns the last seq sent. With {@code share},
     * chunks other streams of the job read since its last change are reused (the final read before the closing
     * status goes to the store: that change may not have been announced yet).
     */
    private long sendLogs(WsSession session, long afterSeq, boolean always, boolean share) {
        long last = afterSeq;
        LogFanout.Chunk chunk;
        do {
            long after = last;
            chunk = share ? fanout.shared(jobId).read(after, () -> readChunk(after)) : readChunk(after);
            if (chunk.size() > 0 || always) {
                session.send(chunk.message(), true);
                always = false;
            }
            last = chunk.lastSeq();
        } while (chunk.size() == CHUNK && open);
        return last;
    }

    private LogFanout.Chunk readChunk(long afterSeq) {
        List<LogEntry> items = logs.after(jobId, afterSeq, CHUNK, false);
        return new LogFanout.Chunk(logMessage(items), items.isEmpty() ? afterSeq : items.getLast().seq(),
                                   items.size());
    }

    /** {@code {"type":"log","items":[…]}}, written field by field: the mapper's record serializer costs more per line. */
    static String logMessage(List<LogEntry> items) {
        StringWriter out = new StringWriter(64 + items.size() * 128);
        try (JsonGenerator g = Json.MAPPER.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("type", "log");
            g.writeArrayFieldStart("items");
            for (LogEntry e : items) {
                g.writeStartObject();
                g.writeNumberField("seq", e.seq());
                optional(g, "ts", e.ts());
                optional(g, "stream", e.stream());
                optional(g, "line", e.line());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** Null fields are left out, as the mapper does. */
    private static void optional(JsonGenerator g, String field, String value) throws IOException {
        if (value != null) {
            g.writeStringField(field, value);
        }
    }

    private static void send(WsSession session, Object message) {
        session.send(Json.write(message), true);
    }
}
