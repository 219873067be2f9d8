package io.resticmanager.gateway;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.security.SecurityContext;
import io.helidon.webserver.websocket.WsRouting;
import io.resticmanager.kit.Http;
import io.resticmanager.kit.Problem;
import io.resticmanager.proto.Role;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * WebSocket routes of the gateway: {@code /ws/agent} (agent-hub; the agent's bearer credential passes through
 * untouched, the hub judges it) and {@code /api/jobs/{id}/stream} (jobs-service; viewer).
 *
 * <p>Helidon 4.5 runs HTTP filters before a WebSocket upgrade, so the {@link AccessGuard} authenticates the
 * upgrade like any request and then calls {@link #prepare}: the backend connection is opened first, and a
 * backend that refuses (401 for a bad agent credential) or is down (503) refuses the client's upgrade with the
 * same status. The opened link waits here, keyed by the handshake's Sec-WebSocket-Key, for its {@link WsBridge}.
 */
final class WsProxy {
    private static final HeaderName WS_KEY = HeaderNames.create("Sec-WebSocket-Key");
    static final String AGENT_PATH = "/ws/agent";
    static final String STREAM_PATTERN = "/api/jobs/*/stream";

    private final Upstreams upstreams;
    private final String internalToken;
    private final GatewaySecurity security;
    private final RouteTable table;
    private final HttpClient client;
    private final Duration connectTimeout;
    private final Map<String, BackendLink> prepared = new ConcurrentHashMap<>();

    WsProxy(Upstreams upstreams, String internalToken, GatewaySecurity security, RouteTable table,
            Duration connectTimeout) {
        this.upstreams = upstreams;
        this.internalToken = internalToken;
        this.security = security;
        this.table = table;
        this.connectTimeout = connectTimeout;
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(connectTimeout)
                .build();
    }

    WsRouting.Builder routing() {
        return WsRouting.builder()
                .endpoint(AGENT_PATH, () -> new WsBridge(this))
                .endpoint("/api/jobs/{id}/stream", () -> new WsBridge(this));
    }

    static boolean isUpgrade(Headers headers, String path) {
        return headers.first(HeaderNames.UPGRADE).map(v -> v.toLowerCase(Locale.ROOT).contains("websocket"))
                .orElse(false)
                && (path.equals(AGENT_PATH) || RouteTable.matches(STREAM_PATTERN, path));
    }

    /** Opens the backend for an upgrade the guard has allowed; throws a problem with the status to answer. */
    String prepare(Headers headers, String rawPath, String rawQuery, Optional<Caller> caller, String sourceIp) {
        String key = headers.first(WS_KEY).orElseThrow(() -> Problem.badRequest("Sec-WebSocket-Key missing"));
        if (caller.filter(Caller::session).isPresent() && !sameOrigin(headers)) {
            throw Problem.forbidden("cross-origin WebSocket refused");
        }
        BackendLink link = open(headers, rawPath, rawQuery, caller, Optional.of(sourceIp));
        prepared.put(key, link);
        return key;
    }

    /** Browsers send cookies on cross-site WebSocket handshakes too: a session may only connect from our origin. */
    static boolean sameOrigin(Headers headers) {
        Optional<String> origin = headers.first(HeaderNames.ORIGIN);
        if (origin.isEmpty()) {
            return true;
        }
        Optional<String> host = headers.first(HeaderNames.HOST);
        try {
            return host.isPresent() && host.get().equalsIgnoreCase(URI.create(origin.get()).getRawAuthority());
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    Optional<BackendLink> claim(Headers headers) {
        return headers.first(WS_KEY).map(prepared::remove);
    }

    /** After the upgrade attempt: a link nobody claimed (the upgrade failed later) is closed. */
    void release(String key) {
        BackendLink unclaimed = prepared.remove(key);
        if (unclaimed != null) {
            unclaimed.abort();
        }
    }

    /** The fallback when an upgrade reaches the WebSocket listener without passing the guard. */
    BackendLink openUnrouted(HttpPrologue prologue, Headers headers) {
        String path = prologue.uriPath().path();
        Optional<Caller> caller = Optional.empty();
        RouteTable.Rule rule = table.match("GET", path);
        if (rule.access() != RouteTable.Access.PUBLIC) {
            SecurityContext context = security.context("GET", path, headers.toMap());
            caller = GatewaySecurity.authenticate(context);
            Role required = rule.access().role().orElse(Role.ADMIN);
            if (caller.isEmpty() || !GatewaySecurity.hasRole(context, required) || !sameOrigin(headers)) {
                throw Problem.forbidden("not allowed");
            }
        }
        return open(headers, prologue.uriPath().rawPath(), prologue.query().rawValue(), caller, Optional.empty());
    }

    private BackendLink open(Headers headers, String rawPath, String rawQuery, Optional<Caller> caller,
                             Optional<String> sourceIp) {
        Upstreams.Upstream upstream = upstreams.forPath(rawPath)
                .orElseThrow(() -> Problem.notFound("no such resource"));
        WebSocket.Builder builder = client.newWebSocketBuilder()
                .connectTimeout(connectTimeout)
                .header(Http.INTERNAL_TOKEN.defaultCase(), internalToken);
        sourceIp.ifPresent(ip -> builder.header(Http.FORWARDED_FOR.defaultCase(), ip));
        caller.ifPresent(c -> builder.header(Http.PRINCIPAL.defaultCase(), c.principal().toHeader()));
        if (rawPath.equals(AGENT_PATH)) {
            // The agent credential is agent-hub's business: passed on untouched, never interpreted here.
            headers.first(HeaderNames.AUTHORIZATION).ifPresent(v -> builder.header("Authorization", v));
        }
        BackendLink link = new BackendLink();
        try {
            WebSocket ws = builder.buildAsync(backendUri(upstream, rawPath, rawQuery), link)
                    .get(connectTimeout.toMillis() * 3, TimeUnit.MILLISECONDS);
            link.connected(ws);
            return link;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof WebSocketHandshakeException h) {
                int status = h.getResponse().statusCode();
                if (status >= 400 && status < 500) {
                    throw new Problem(status, status == 401 ? "Unauthorized" : "Refused",
                                      upstream.name() + " refused the WebSocket (" + status + ")");
                }
                throw Problem.unavailable(upstream.name() + " refused the WebSocket (" + status + ")");
            }
            throw Problem.unavailable(upstream.name() + " is unavailable");
        } catch (TimeoutException e) {
            throw Problem.unavailable(upstream.name() + " did not answer the WebSocket upgrade");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw Problem.unavailable("interrupted");
        }
    }

    private static URI backendUri(Upstreams.Upstream upstream, String rawPath, String rawQuery) {
        URI base = upstream.base();
        String scheme = "https".equals(base.getScheme()) ? "wss" : "ws";
        return URI.create(scheme + "://" + base.getRawAuthority() + (base.getRawPath() == null ? "" : base.getRawPath())
                                  + rawPath + (rawQuery.isEmpty() ? "" : "?" + rawQuery));
    }
}
