package io.resticmanager.ui;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webclient.api.HttpClientRequest;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.api.WebClient;
import io.resticmanager.proto.Json;
import io.resticmanager.proto.SnapshotInfo;
import io.resticmanager.proto.view.HostView;
import io.resticmanager.proto.view.JobView;
import io.resticmanager.proto.view.Page;
import io.resticmanager.proto.view.SnapshotView;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The gateway's public JSON API, called on behalf of the browser: its session cookie and CSRF token
 * travel with every call, so roles, CSRF and audit are enforced by the gateway in one place.
 */
final class GatewayApi {
    static final HeaderName CSRF_TOKEN = HeaderNames.create("X-CSRF-Token");
    /** The browser's address; the gateway believes it only because the internal token comes with it. */
    private static final HeaderName FORWARDED_FOR = io.resticmanager.kit.Http.FORWARDED_FOR;
    private static final System.Logger LOG = System.getLogger(GatewayApi.class.getName());

    private final WebClient client;
    private final String internalToken;

    GatewayApi(String baseUri) {
        this(baseUri, null);
    }

    GatewayApi(String baseUri, String internalToken) {
        this(baseUri, internalToken, Duration.ofSeconds(15));
    }

    /** {@code readTimeout}: how long to wait for an answer (short for calls a page can do without). */
    GatewayApi(String baseUri, String internalToken, Duration readTimeout) {
        this.internalToken = internalToken;
        this.client = WebClient.builder()
                .baseUri(baseUri)
                .connectTimeout(Duration.ofSeconds(2))
                .readTimeout(readTimeout)
                .followRedirects(false)
                .build();
    }

    /** One answer: status, JSON body (an empty object when there is none) and any Set-Cookie values. */
    record Reply(int status, JsonNode body, List<String> setCookies) {
    }

    JsonNode get(Session session, String path) {
        return get(session, path, Map.of());
    }

    JsonNode get(Session session, String path, Map<String, String> query) {
        return call(session, Method.GET, path, query, null).body();
    }

    /** {@code GET /api/hosts/{id}/snapshots} and {@code GET /api/repos/{id}/snapshots}. */
    static final TypeReference<Page<SnapshotView>> SNAPSHOTS = new TypeReference<>() {
    };

    /** {@code GET /api/snapshots/{id}}: restic's record of one snapshot. */
    static final TypeReference<SnapshotInfo> SNAPSHOT = new TypeReference<>() {
    };

    /** {@code GET /api/jobs}. */
    static final TypeReference<Page<JobView>> JOBS = new TypeReference<>() {
    };

    /** {@code GET /api/jobs/{id}}. */
    static final TypeReference<JobView> JOB = new TypeReference<>() {
    };

    /** {@code GET /api/hosts}. */
    static final TypeReference<Page<HostView>> HOSTS = new TypeReference<>() {
    };

    /** {@code GET /api/hosts/{id}}. */
    static final TypeReference<HostView> HOST = new TypeReference<>() {
    };

    /** A GET whose answer is a public view of proto-contracts, bound to its record (the shape the service writes). */
    <T> T get(Session session, String path, Map<String, String> query, TypeReference<T> view) {
        return Json.MAPPER.convertValue(get(session, path, query), view);
    }

    Reply post(Session session, String path, Object body) {
        return call(session, Method.POST, path, Map.of(), body == null ? Map.of() : body);
    }

    Reply patch(Session session, String path, Object body) {
        return call(session, Method.PATCH, path, Map.of(), body);
    }

    Reply put(Session session, String path, Object body) {
        return call(session, Method.PUT, path, Map.of(), body);
    }

    Reply delete(Session session, String path) {
        return call(session, Method.DELETE, path, Map.of(), null);
    }

    /** Calls the API; a 4xx/5xx answer becomes an {@link ApiException} with the problem's detail. */
    Reply call(Session session, Method method, String path, Map<String, String> query, Object body) {
        Reply reply;
        try {
            reply = send(session, method, path, query, body);
        } catch (RuntimeException first) {
            // A pooled keep-alive connection the gateway already closed fails at once; reads are safe to repeat.
            if (method != Method.GET) {
                throw unreachable(method, path, first);
            }
            try {
                reply = send(session, method, path, query, body);
            } catch (RuntimeException second) {
                throw unreachable(method, path, second);
            }
        }
        if (reply.status() >= 400) {
            throw problem(reply);
        }
        return reply;
    }

    private Reply send(Session session, Method method, String path, Map<String, String> query, Object body) {
        HttpClientRequest request = client.method(method).path(path)
                .header(HeaderNames.ACCEPT, "application/json");
        if (internalToken != null) {
            request.header(io.resticmanager.kit.Http.INTERNAL_TOKEN, internalToken);
        }
        query.forEach((name, value) -> {
            if (value != null && !value.isBlank()) {
                request.queryParam(name, value);
            }
        });
        if (!session.cookie().isBlank()) {
            request.header(HeaderNames.COOKIE, session.cookie());
        }
        if (!session.csrf().isBlank()) {
            request.header(CSRF_TOKEN, session.csrf());
        }
        if (!session.forwardedFor().isBlank()) {
            request.header(FORWARDED_FOR, session.forwardedFor());
        }
        if (!session.forwardedProto().isBlank()) {
            request.header(io.resticmanager.kit.Http.FORWARDED_PROTO, session.forwardedProto());
        }
        try (HttpClientResponse response = body == null
                ? request.request()
                : request.header(HeaderNames.CONTENT_TYPE, "application/json").submit(Json.write(body))) {
            String text = response.entity().hasEntity() ? response.as(String.class) : "";
            return new Reply(response.status().code(), parse(text),
                             response.headers().all(HeaderNames.SET_COOKIE, List::of));
        }
    }

    private static ApiException unreachable(Method method, String path, RuntimeException e) {
        // Never the message: it could quote a URL with ids; the class name is enough to diagnose.
        LOG.log(System.Logger.Level.WARNING, "gateway API unreachable: " + method.text() + " " + path
                + " (" + e.getClass().getSimpleName() + ")");
        return ApiException.unreachable();
    }

    private static JsonNode parse(String text) {
        if (text.isBlank()) {
            return Json.MAPPER.createObjectNode();
        }
        try {
            return Json.MAPPER.readTree(text);
        } catch (Exception e) {
            return Json.MAPPER.createObjectNode();
        }
    }

    private static ApiException problem(Reply reply) {
        int status = reply.status();
        String title = reply.body().path("title").asText("");
        String detail = reply.body().path("detail").asText("");
        if (title.isBlank()) {
            title = defaultTitle(status);
        }
        if (detail.isBlank()) {
            detail = title;
        }
        return new ApiException(status, title, detail, false);
    }

    private static String defaultTitle(int status) {
        return switch (status) {
            case 400 -> "Bad request";
            case 401 -> "Not logged in";
            case 403 -> "Not allowed";
            case 404 -> "Not found";
            case 409 -> "Conflict";
            case 422 -> "Invalid input";
            case 429 -> "Too many attempts";
            case 502, 503, 504 -> "Service unavailable";
            default -> "Request failed (" + status + ")";
        };
    }
}
