package io.resticmanager.kit;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webclient.api.HttpClientRequest;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.api.WebClient;
import io.resticmanager.proto.Json;
import io.resticmanager.proto.Principal;

import java.time.Duration;
import java.util.Optional;

/**
 * Calls another service's {@code /internal/**} or {@code /api/**} with the internal token.
 * A peer that is down or times out becomes a 503 {@link Problem}; a peer's problem answer is passed on.
 */
public final class InternalClient {
    private final String peerName;
    private final WebClient client;
    private final String token;

    private InternalClient(String peerName, String baseUri, String token, Duration timeout) {
        this.peerName = peerName;
        this.token = token;
        this.client = WebClient.builder()
                .baseUri(baseUri)
                .connectTimeout(Duration.ofSeconds(2))
                .readTimeout(timeout)
                .followRedirects(false)
                .build();
    }

    public static InternalClient create(String peerName, String baseUri, String token) {
        return new InternalClient(peerName, baseUri, token, Duration.ofSeconds(10));
    }

    public static InternalClient create(String peerName, String baseUri, String token, Duration timeout) {
        return new InternalClient(peerName, baseUri, token, timeout);
    }

    /** A raw answer: status and body text. */
    public record Reply(int status, String body) {
        public boolean ok() {
            return status >= 200 && status < 300;
        }

        public <T> T as(Class<T> type) {
            return Json.MAPPER.convertValue(tree(), type);
        }

        public JsonNode tree() {
            try {
                return body.isEmpty() ? Json.MAPPER.createObjectNode() : Json.MAPPER.readTree(body);
            } catch (Exception e) {
                throw Problem.unavailable("peer answered with a body that is not JSON");
            }
        }
    }

    public Reply call(Method method, String path, Object body, Optional<Principal> principal) {
        int q = path.indexOf('?');
        HttpClientRequest request = client.method(method).path(q < 0 ? path : path.substring(0, q))
                .header(Http.INTERNAL_TOKEN, token);
        if (q >= 0) {
            // the path may carry a query string: pass each parameter decoded, the client encodes it again
            for (String pair : path.substring(q + 1).split("&")) {
                if (!pair.isEmpty()) {
                    int eq = pair.indexOf('=');
                    String name = java.net.URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq),
                                                             java.nio.charset.StandardCharsets.UTF_8);
                    String value = eq < 0 ? "" : java.net.URLDecoder.decode(pair.substring(eq + 1),
                                                                            java.nio.charset.StandardCharsets.UTF_8);
                    request.queryParam(name, value);
                }
            }
        }
        principal.ifPresent(p -> request.header(Http.PRINCIPAL, p.toHeader()));
        try (HttpClientResponse response = body == null
                ? request.request()
                : request.header(HeaderNames.CONTENT_TYPE, "application/json").submit(
                        body instanceof String s ? s : Json.write(body))) {
            String text = response.entity().hasEntity() ? response.as(String.class) : "";
            return new Reply(response.status().code(), text);
        } catch (Problem p) {
            throw p;
        } catch (RuntimeException e) {
            throw Problem.unavailable(peerName + " is unavailable: " + e.getClass().getSimpleName());
        }
    }

    /** Calls and expects 2xx; a 4xx problem from the peer is re-thrown as the same problem. */
    public Reply expectOk(Method method, String path, Object body) {
        Reply reply = call(method, path, body, Optional.empty());
        if (!reply.ok()) {
            throw asProblem(reply);
        }
        return reply;
    }

    public Problem asProblem(Reply reply) {
        String detail;
        try {
            detail = reply.tree().path("detail").asText(peerName + " answered " + reply.status());
        } catch (Problem p) {
            detail = peerName + " answered " + reply.status();
        }
        if (reply.status() >= 500) {
            return Problem.unavailable(peerName + ": " + detail);
        }
        return new Problem(reply.status(), reply.status() == 404 ? "Not Found" : "Peer Refused", detail);
    }
}
