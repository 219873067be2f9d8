package io.resticmanager.hub;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.resticmanager.kit.Http;
import io.resticmanager.kit.Problem;
import io.resticmanager.proto.Envelope;
import io.resticmanager.proto.Message;
import io.resticmanager.proto.MessageType;
import io.resticmanager.proto.internal.AgentCommand;

import java.lang.System.Logger.Level;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code POST /internal/agents/{host_id}/requests}: sends one request frame to the agent and waits for the
 * reply correlated by envelope {@code corr}, answering with the reply's payload. No job and no outbox:
 * browsing a snapshot must not queue behind a running backup. 409 offline, 504 no reply in time,
 * 502 the agent answered with an error (or disconnected).
 */
final class RequestRoutes implements HttpService {
    private static final System.Logger LOG = System.getLogger(RequestRoutes.class.getName());
    /** What services may ask an agent synchronously. */
    static final Set<MessageType> REQUESTS = EnumSet.of(MessageType.SNAPSHOT_LS, MessageType.FS_LIST,
                                                        MessageType.SNAPSHOT_SIZE, MessageType.SNAPSHOT_INDEX);

    private final AgentHub hub;

    RequestRoutes(AgentHub hub) {
        this.hub = hub;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/internal/agents/{host_id}/requests", this::request);
    }

    private void request(ServerRequest req, ServerResponse res) {
        String hostId = req.path().pathParameters().get("host_id");
        AgentCommand body = Http.body(req, AgentCommand.class);
        MessageType type = InternalRoutes.type(body, REQUESTS);
        Message payload = InternalRoutes.decode(type, body.payload());
        Message answer = ask(hub, InternalRoutes.connection(hub, hostId), payload);
        if (answer instanceof Message.Error error) {
            throw new Problem(502, "Bad Gateway", "the agent refused " + type.wire() + ": " + error.code()
                    + (error.message().isBlank() ? "" : ": " + error.message()));
        }
        Http.json(res, 200, answer);
    }

    /**
     * Sends {@code payload} to the agent on {@code conn} and waits for its reply (an {@code error} payload
     * included): 409 when it is offline, 504 when no reply comes in time, 502 when it disconnects first.
     */
    static Message ask(AgentHub hub, AgentConnection conn, Message payload) {
        String hostId = conn.hostId();
        String type = MessageType.of(payload).wire();
        Envelope envelope = Envelope.of(payload);
        CompletableFuture<Message> reply = hub.requests().register(envelope.id(), conn);
        try {
            if (!conn.send(envelope)) {
                throw Problem.conflict("host " + hostId + " is offline");
            }
            Message answer = reply.get(hub.settings().requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
            LOG.log(Level.DEBUG, "host " + hostId + " answered " + type + " " + envelope.id());
            return answer;
        } catch (TimeoutException e) {
            throw new Problem(504, "Gateway Timeout", "host " + hostId + " did not answer " + type + " within "
                    + hub.settings().requestTimeout().toSeconds() + " s");
        } catch (ExecutionException e) {
            throw new Problem(502, "Bad Gateway", e.getCause() == null ? "the agent did not answer"
                    : e.getCause().getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Problem(503, "Service Unavailable", "the hub is shutting down");
        } finally {
            hub.requests().forget(envelope.id());
        }
    }
}
