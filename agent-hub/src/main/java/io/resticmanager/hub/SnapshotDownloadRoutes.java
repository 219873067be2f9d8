package io.resticmanager.hub;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.resticmanager.kit.Http;
import io.resticmanager.kit.InternalAuth;
import io.resticmanager.kit.InternalClient;
import io.resticmanager.kit.Problem;
import io.resticmanager.proto.Envelope;
import io.resticmanager.proto.Json;
import io.resticmanager.proto.Message;
import io.resticmanager.proto.Principal;
import io.resticmanager.proto.RepoAccess;
import io.resticmanager.proto.Role;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * {@code POST /api/hosts/{host_id}/downloads} {@code {snapshot_id, path, format:"file"|"tar"|"zip", repo_id?}} (JSON,
 * or a form from the restore wizard): streams a file or a directory archive out of a snapshot, agent → hub → gateway →
 * browser, through {@link DumpStreams}: never whole in memory, never on disk. Errors before the first byte are
 * problems (400 bad input, 404 no such snapshot or path, 409 offline, 429 too many downloads, 502/504 agent);
 * after it, a failure aborts the chunked response without its last chunk, so a client sees a broken transfer, never
 * a short file presented as complete. Operators and admins only; the gateway audits it.
 */
final class SnapshotDownloadRoutes implements HttpService {
    private static final System.Logger LOG = System.getLogger(SnapshotDownloadRoutes.class.getName());
    private static final int MAX_BODY = 16 * 1024;

    private final AgentHub hub;
    private final InternalClient inventory;

    SnapshotDownloadRoutes(AgentHub hub, InternalClient inventory) {
        this.hub = hub;
        this.inventory = inventory;
    }

    /** What {@code /internal/hosts/{id}/snapshot-access} answers (inventory checked the path). */
    record Access(String snapshotId, String repoId, String path, RepoAccess repo) {
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/api/hosts/{host_id}/downloads", this::download);
    }

    private void download(ServerRequest req, ServerResponse res) {
        Principal who = InternalAuth.require(req, Role.OPERATOR);
        String hostId = req.path().pathParameters().get("host_id");
        Map<String, String> fields = fields(req);
        String snapshotId = required(fields, "snapshot_id");
        String rawPath = required(fields, "path");
        Message.DumpFormat format = Message.DumpFormat.fromWire(fields.getOrDefault("format", "file"))
                .orElseThrow(() -> Problem.badRequest("format must be file, tar or zip"));
        Access access = access(hostId, snapshotId, rawPath, Optional.ofNullable(fields.get("repo_id")));
        AgentConnection conn = InternalRoutes.connection(hub, hostId);
        DumpStreams.Stream stream = hub.dumps().open(conn);
        String target = "host=" + hostId + " snapshot=" + access.snapshotId().substring(0, 8) + " path="
                + access.path() + " format=" + format.wire();
        try {
            Message.SnapshotDump dump = new Message.SnapshotDump(stream.id(), access.repo(), access.snapshotId(),
                                                                 access.path(), format, stream.window());
            if (!conn.send(Envelope.of(dump))) {
                throw Problem.conflict("host " + hostId + " is offline");
            }
            DumpStreams.Event first = next(stream, hub.settings().requestTimeout(), hostId);
            if (first instanceof DumpStreams.End end && !end.end().complete()) {
                String why = end.end().error();
                throw why.contains("not found") || why.contains("no such")
                        ? Problem.notFound("no " + access.path() + " in snapshot " + access.snapshotId().substring(0, 8)
                                                   + ": " + why)
                        : why.startsWith("path must") || why.startsWith("snapshot_id must") ? Problem.badRequest(why)
                        : new Problem(502, "Bad Gateway", "the agent could not dump " + access.path() + ": " + why);
            }
            if (first instanceof DumpStreams.Gone gone) {
                throw new Problem(502, "Bad Gateway", gone.why());
            }
            res.status(Status.OK_200);
            res.header(HeaderNames.CONTENT_TYPE, switch (format) {
                case FILE -> "application/octet-stream";
                case TAR -> "application/x-tar";
                case ZIP -> "application/zip";
            });
            res.header(HeaderNames.CONTENT_DISPOSITION, disposition(access.path(), access.snapshotId(), format));
            res.header(HeaderNames.CACHE_CONTROL, "no-store");
            Http.audit(res, "snapshot.download", target);
            LOG.log(Level.INFO, who.username() + " downloads " + target + " (stream " + stream.id() + ")");
            stream(res, stream, first, hostId, target);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw Problem.unavailable("the hub is shutting down");
        } finally {
            hub.dumps().close(stream);
        }
    }

    /**
     * Writes chunk after chunk, acknowledging each once written. Returns normally only when the agent said the dump
     * is complete; otherwise throws after headers went out, which makes Helidon drop the connection without the
     * final chunk.
     */
    private void stream(ServerResponse res, DumpStreams.Stream stream, DumpStreams.Event first, String hostId,
                        String target) throws InterruptedException {
        OutputStream os = res.outputStream();
        long bytes = 0;
        DumpStreams.Event event = first;
        while (true) {
            switch (event) {
                case DumpStreams.Chunk chunk -> {
                    try {
                        os.write(chunk.data());
                        os.flush();
                    } catch (IOException | RuntimeException e) {
                        // Helidon reports a closed socket as an unchecked exception of its own
                        stream.dropped(chunk);
                        LOG.log(Level.INFO, "download " + target + " cancelled by the client after " + bytes
                                + " bytes");
                        throw new DownloadAborted("client went away");
                    }
                    bytes += chunk.data().length;
                    stream.written(chunk);
                }
                case DumpStreams.End end -> {
                    if (!end.end().complete()) {
                        LOG.log(Level.WARNING, "download " + target + " failed after " + bytes + " bytes: "
                                + end.end().error());
                        throw new DownloadAborted(end.end().error());
                    }
                    try {
                        os.close();
                    } catch (IOException | RuntimeException e) {
                        throw new DownloadAborted("client went away");
                    }
                    LOG.log(Level.INFO, "download " + target + " complete: " + bytes + " bytes");
                    return;
                }
                case DumpStreams.Gone gone -> {
                    LOG.log(Level.WARNING, "download " + target + " broken after " + bytes + " bytes: " + gone.why());
                    throw new DownloadAborted(gone.why());
                }
            }
            event = next(stream, hub.settings().downloadIdleTimeout(), hostId);
        }
    }

    /** Ends a response whose headers are out: Helidon then closes the connection instead of finishing it. */
    static final class DownloadAborted extends RuntimeException {
        DownloadAborted(String why) {
            super(why, null, false, false);
        }
    }

    /**
     * The stream's next event. Waits up to {@code timeout} for restic, but gives up as soon as the agent itself is
     * gone: a killed agent's socket may never report its close, while a live one sends heartbeats even mid-dump.
     */
    private DumpStreams.Event next(DumpStreams.Stream stream, java.time.Duration timeout, String hostId)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long silentMs = Math.max(10_000L, 3_000L * hub.settings().heartbeatIntervalS());
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return new DumpStreams.Gone("host " + hostId + " sent nothing for " + timeout.toSeconds() + " s");
            }
            var event = stream.take(java.time.Duration.ofNanos(Math.min(left, 1_000_000_000L)));
            if (event.isPresent()) {
                return event.get();
            }
            AgentConnection conn = stream.conn();
            if (conn.state() == AgentConnection.State.CLOSED
                    || System.currentTimeMillis() - conn.lastSeenMs() > silentMs) {
                return new DumpStreams.Gone("host " + hostId + " went silent during the download");
            }
        }
    }

    private Access access(String hostId, String snapshotId, String path, Optional<String> repoId) {
        String query = "snapshot_id=" + enc(snapshotId) + "&path=" + enc(path)
                + repoId.filter(r -> !r.isBlank()).map(r -> "&repo_id=" + enc(r)).orElse("");
        InternalClient.Reply reply = inventory.call(Method.GET, "/internal/hosts/" + enc(hostId)
                + "/snapshot-access?" + query, null, Optional.empty());
        if (!reply.ok()) {
            throw inventory.asProblem(reply);
        }
        return Json.MAPPER.convertValue(reply.tree(), Access.class);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String required(Map<String, String> fields, String name) {
        String v = fields.get(name);
        if (v == null || v.isBlank()) {
            throw Problem.badRequest(name + " is required");
        }
        return v;
    }

    /** The body as fields: a form from the wizard (its _csrf field was the gateway's business) or a JSON object. */
    static Map<String, String> fields(ServerRequest req) {
        if (!req.content().hasEntity()) {
            throw Problem.badRequest("request body is required");
        }
        String text;
        try (InputStream in = req.content().inputStream()) {
            byte[] bytes = in.readNBytes(MAX_BODY + 1);
            if (bytes.length > MAX_BODY) {
                throw new Problem(413, "Content Too Large", "body exceeds " + MAX_BODY + " bytes");
            }
            text = new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw Problem.badRequest("could not read the request body");
        }
        Map<String, String> out = new HashMap<>();
        boolean form = req.headers().contentType()
                .map(t -> t.mediaType().text().toLowerCase(Locale.ROOT).equals("application/x-www-form-urlencoded"))
                .orElse(false);
        if (form) {
            for (String pair : text.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
            return out;
        }
        JsonNode tree = Http.parse(text, JsonNode.class);
        if (tree == null || !tree.isObject()) {
            throw Problem.badRequest("body must be a JSON object");
        }
        tree.fields().forEachRemaining(e -> {
            if (!e.getValue().isTextual()) {
                throw Problem.badRequest(e.getKey() + " must be a string");
            }
            out.put(e.getKey(), e.getValue().asText());
        });
        return out;
    }

    /** {@code attachment} named after the path's last segment (ASCII fallback plus the exact UTF-8 name). */
    static String disposition(String path, String snapshotId, Message.DumpFormat format) {
        String base = path.equals("/") ? "snapshot-" + snapshotId.substring(0, 8)
                : path.substring(path.lastIndexOf('/') + 1);
        String name = base + switch (format) {
            case FILE -> "";
            case TAR -> ".tar";
            case ZIP -> ".zip";
        };
        String ascii = name.replaceAll("[^A-Za-z0-9._-]", "_");
        return "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''"
                + URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
