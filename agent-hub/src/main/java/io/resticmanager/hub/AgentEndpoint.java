package io.resticmanager.hub;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.common.buffers.BufferData;
import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.websocket.WsCloseCodes;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;
import io.helidon.websocket.WsUpgradeException;
import io.resticmanager.kit.Tokens;
import io.resticmanager.proto.Envelope;
import io.resticmanager.proto.ErrorCode;
import io.resticmanager.proto.FrameException;
import io.resticmanager.proto.Frames;
import io.resticmanager.proto.Json;
import io.resticmanager.proto.Message;
import io.resticmanager.proto.Protocol;

import java.lang.System.Logger.Level;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * {@code /ws/agent}: one instance per connection. Authenticates the upgrade by the agent credential,
 * requires {@code hello} first, answers every bad frame with an {@code error} envelope and keeps going,
 * and hands job events to the {@link HubWriter}.
 */
final class AgentEndpoint implements WsListener {
    private static final System.Logger LOG = System.getLogger(AgentEndpoint.class.getName());

    private final AgentHub hub;
    private AgentRecord agent;
    private AgentConnection conn;
    private StringBuilder fragments;
    private boolean oversized;

    AgentEndpoint(AgentHub hub) {
        this.hub = hub;
    }

    @Override
    public Optional<Headers> onHttpUpgrade(HttpPrologue prologue, Headers headers) throws WsUpgradeException {
        // AgentRoutes.credentialFilter already answered 401/403 to most refusals; this is the last word
        agent = bearer(headers).flatMap(hub.store()::agentByTokenHash)
                .filter(AgentRecord::active)
                .orElseThrow(() -> new WsUpgradeException("agent credential missing, unknown, revoked or disabled"));
        return Optional.empty();
    }

    static Optional<String> bearer(Headers headers) {
        return headers.first(HeaderNames.AUTHORIZATION)
                .filter(h -> h.regionMatches(true, 0, "Bearer ", 0, 7))
                .map(h -> h.substring(7).strip())
                .filter(t -> !t.isEmpty())
                .map(Tokens::sha256);
    }

    @Override
    public void onOpen(WsSession session) {
        conn = new AgentConnection(session, agent.hostId(), System.currentTimeMillis());
        hub.registry().opened(conn);
    }

    @Override
    public void onMessage(WsSession session, String text, boolean last) {
        conn.touch(System.currentTimeMillis());
        if (last && fragments == null) {
            handle(text);
            return;
        }
        if (fragments == null) {
            fragments = new StringBuilder();
            oversized = false;
        }
        if (!oversized && fragments.length() + text.length() <= Protocol.MAX_FRAME_BYTES) {
            fragments.append(text);
        } else {
            oversized = true;
            fragments.setLength(0);
        }
        if (last) {
            String whole = fragments.toString();
            boolean tooLarge = oversized;
            fragments = null;
            if (tooLarge) {
                error(null, ErrorCode.FRAME_TOO_LARGE, "frame exceeds " + Protocol.MAX_FRAME_BYTES + " bytes");
            } else {
                handle(whole);
            }
        }
    }

    @Override
    public void onMessage(WsSession session, BufferData buffer, boolean last) {
        conn.touch(System.currentTimeMillis());
        if (last) {
            error(null, ErrorCode.BAD_JSON, "binary frames are not accepted; send JSON text frames");
        }
    }

    private void handle(String text) {
        if (conn.state() == AgentConnection.State.CLOSED) {
            return; // replaced, revoked or timed out: the close is on its way
        }
        Envelope envelope;
        String payloadText;
        try {
            // the payload's text as it came: events are stored as JSON text, no need to encode it again
            Frames.Decoded decoded = Frames.decodeKeepingPayload(text);
            envelope = decoded.envelope();
            payloadText = decoded.payloadText();
        } catch (FrameException e) {
            // an agent too old to build today's hello must still hear protocol_too_old, not a parse error
            OptionalInt old = conn.state() == AgentConnection.State.CONNECTED ? helloProtocol(text) : OptionalInt.empty();
            if (old.isPresent() && old.getAsInt() < hub.settings().minProtocolVersion()) {
                protocolTooOld(null, old.getAsInt());
            } else {
                error(null, e.code(), e.getMessage());
            }
            return;
        }
        if (conn.state() == AgentConnection.State.CONNECTED) {
            if (envelope.payload() instanceof Message.Hello hello) {
                hello(envelope, hello);
            } else {
                error(envelope, ErrorCode.NOT_HELLO, "the first frame must be hello, not " + envelope.type().wire());
            }
            return;
        }
        Instant now = Instant.now();
        switch (envelope.payload()) {
            case Message.Heartbeat h -> {
                // presence only: touch() above did the work
            }
            case Message.JobEvent e -> hub.writer().submit(new HubWriter.AgentEvent(
                    conn, envelope.type().wire(), now, payloadText, e.jobId(), e.seq()));
            case Message.SnapshotsReport r -> hub.writer().submit(new HubWriter.AgentEvent(
                    conn, envelope.type().wire(), now, payloadText, null, 0));
            case Message.HostFacts f -> hub.writer().submit(new HubWriter.AgentEvent(
                    conn, envelope.type().wire(), now, payloadText, null, 0));
            case Message.ScheduleFire f -> hub.writer().submit(new HubWriter.AgentEvent(
                    conn, envelope.type().wire(), now, payloadText, null, 0));
            case Message.Error e -> {
                // an error answering a waiting request goes to the waiter; others are only logged
                if (!hub.requests().complete(conn, envelope.correlation(), e)) {
                    LOG.log(Level.WARNING, "host " + conn.hostId() + " reported error " + e.code() + ": " + e.message());
                }
            }
            // replies to synchronous requests: answers for a waiting caller, never outbox events
            case Message.FsListResult r -> reply(envelope);
            case Message.SnapshotLsResult r -> reply(envelope);
            case Message.SnapshotSizeResult r -> reply(envelope);
            case Message.SnapshotIndexResult r -> reply(envelope);
            case Message.AgentUpdateStarted r -> reply(envelope);
            // the tree index: relayed to inventory for this connection's host, answered in order
            case Message.IndexHave h -> hub.index().relay(conn, envelope);
            case Message.IndexUpload u -> hub.index().relay(conn, envelope);
            case Message.IndexRoot r -> hub.index().relay(conn, envelope);
            // downloads: straight to the waiting HTTP response, bounded by the stream's window
            case Message.DumpChunk c -> hub.dumps().chunk(conn, c);
            case Message.DumpEnd e -> hub.dumps().end(conn, e);
            case Message.Hello h -> error(envelope, ErrorCode.INVALID_PAYLOAD, "hello was already received on "
                    + "this connection");
            default -> error(envelope, ErrorCode.UNKNOWN_TYPE, envelope.type().wire()
                    + " is sent by the hub, not accepted from agents");
        }
    }

    private void reply(Envelope envelope) {
        if (!hub.requests().complete(conn, envelope.correlation(), envelope.payload())) {
            LOG.log(Level.DEBUG, "host " + conn.hostId() + " sent a " + envelope.type().wire()
                    + " nobody waits for (late or unrequested); dropped");
        }
    }

    private void hello(Envelope envelope, Message.Hello hello) {
        if (hello.protocolVersion() < hub.settings().minProtocolVersion()) {
            protocolTooOld(envelope, hello.protocolVersion());
            return;
        }
        if (!hub.registry().online(conn, hello)) {
            return;
        }
        conn.send(Envelope.replyTo(envelope, new Message.HelloOk(conn.hostId(), hub.settings().heartbeatIntervalS(),
                                                                  Instant.now())));
        LOG.log(Level.INFO, "host " + conn.hostId() + " (" + hello.hostname() + ") online, agent "
                + hello.agentVersion() + ", protocol " + hello.protocolVersion());
    }

    private void protocolTooOld(Envelope request, int version) {
        error(request, ErrorCode.PROTOCOL_TOO_OLD, "agent protocol " + version + " is older than the oldest this "
                + "server supports (" + hub.settings().minProtocolVersion() + "); update the agent");
        LOG.log(Level.INFO, "host " + conn.hostId() + " refused: agent protocol " + version + " is too old");
        hub.registry().closed(conn);
        conn.close(WsCloseCodes.VIOLATED_POLICY, "protocol_too_old");
    }

    /** The protocol_version of a frame that looks like a hello, if it has a numeric one (missing counts as 0). */
    private static OptionalInt helloProtocol(String text) {
        try {
            JsonNode root = Json.MAPPER.readTree(text);
            if (root == null || !"hello".equals(root.path("type").asText())) {
                return OptionalInt.empty();
            }
            JsonNode version = root.path("payload").path("protocol_version");
            return version.isMissingNode() || version.isNull() ? OptionalInt.of(0)
                    : version.isIntegralNumber() ? OptionalInt.of(version.intValue()) : OptionalInt.empty();
        } catch (JsonProcessingException e) {
            return OptionalInt.empty();
        }
    }

    private void error(Envelope request, ErrorCode code, String message) {
        Message.Error error = Message.Error.of(code, message);
        conn.send(request == null ? Envelope.of(error) : Envelope.replyTo(request, error));
    }

    @Override
    public void onClose(WsSession session, int status, String reason) {
        if (conn != null) {
            hub.registry().closed(conn);
            hub.requests().closed(conn);
            hub.dumps().closed(conn);
        }
    }

    @Override
    public void onError(WsSession session, Throwable t) {
        LOG.log(Level.DEBUG, "socket error" + (conn == null ? "" : " of host " + conn.hostId()) + ": " + t);
        if (conn != null) {
            hub.registry().closed(conn);
            hub.requests().closed(conn);
            hub.dumps().closed(conn);
        }
    }
}
