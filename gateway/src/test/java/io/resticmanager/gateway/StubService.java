package io.resticmanager.gateway;

import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.helidon.webserver.websocket.WsRouting;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;
import io.helidon.websocket.WsUpgradeException;
import io.resticmanager.kit.Http;
import io.resticmanager.proto.Json;

import java.io.OutputStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A stand-in for one backend service: answers every path with a JSON echo of what the gateway forwarded
 * (principal, internal token, client address, CSRF, cookie, body), names an audit action for unsafe methods,
 * serves a large download, and echoes WebSocket text.
 */
final class StubService {
    static final int BIG_DOWNLOAD_BYTES = 5 * 1024 * 1024;
    private final String name;
    private final WebServer server;
    private final int port;

    StubService(String name, int port) {
        this.name = name;
        this.server = WebServer.builder().host("127.0.0.1").port(port)
                .routing(r -> r.addFilter(StubService::agentCredential)
                        .get("/health", (req, res) -> res.send("{\"status\":\"up\"}"))
                        .get("/downloads/big", StubService::big)
                        .any(this::echo))
                .addRouting(WsRouting.builder()
                                    .endpoint("/ws/agent", AgentEcho::new)
                                    .endpoint("/api/jobs/{id}/stream", StreamEcho::new))
                .build().start();
        this.port = server.port();
    }

    int port() {
        return port;
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    /**
     * Like a real agent-hub on Helidon 4.5: HTTP filters run before the upgrade, so the agent credential is
     * checked here and a bad one gets a proper 401 (a WsUpgradeException would only ever give 400).
     */
    private static void agentCredential(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        if (req.path().path().equals("/ws/agent")
                && !req.headers().first(HeaderNames.AUTHORIZATION).map("Bearer rma_good"::equals).orElse(false)) {
            Http.problem(res, io.resticmanager.proto.ProblemBody.of(401, "Unauthorized", "bad agent credential"));
            return;
        }
        chain.proceed();
    }

    void stop() {
        server.stop();
    }

    private void echo(ServerRequest req, ServerResponse res) {
        Map<String, Object> echo = new LinkedHashMap<>();
        echo.put("service", name);
        echo.put("method", req.prologue().method().text());
        echo.put("path", req.path().rawPath());
        echo.put("query", req.query().rawValue());
        echo.put("principal", header(req, Http.PRINCIPAL.defaultCase()).map(p -> Json.MAPPER.convertValue(
                io.resticmanager.proto.Principal.fromHeader(p), Map.class)).orElse(null));
        echo.put("internal_token", header(req, Http.INTERNAL_TOKEN.defaultCase()).orElse(null));
        echo.put("forwarded_for", header(req, Http.FORWARDED_FOR.defaultCase()).orElse(null));
        echo.put("csrf", header(req, "X-RM-CSRF").orElse(null));
        echo.put("cookie", header(req, "Cookie").orElse(null));
        echo.put("authorization", header(req, "Authorization").orElse(null));
        echo.put("forged", header(req, "X-RM-Forged").orElse(null));
        echo.put("body", req.content().hasEntity() ? req.content().as(String.class) : "");
        String method = req.prologue().method().text();
        if (!method.equals("GET") && !method.equals("HEAD")) {
            Http.audit(res, "stub." + method.toLowerCase(Locale.ROOT), "path=" + req.path().path());
        }
        res.header("X-RM-Internal-Leak", "must-not-reach-client");
        Http.json(res, 200, echo);
    }

    private static void big(ServerRequest req, ServerResponse res) {
        res.header(HeaderNames.CONTENT_TYPE, "application/gzip");
        res.header(HeaderNames.CONTENT_LENGTH, String.valueOf(BIG_DOWNLOAD_BYTES));
        byte[] chunk = new byte[64 * 1024];
        try (OutputStream out = res.outputStream()) {
            for (int i = 0; i < BIG_DOWNLOAD_BYTES / chunk.length; i++) {
                out.write(chunk);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Optional<String> header(ServerRequest req, String name) {
        return req.headers().first(HeaderNames.create(name));
    }

    /** agent-hub's /ws/agent: only "Bearer rma_good" with the internal token gets in; echoes text. */
    private static final class AgentEcho implements WsListener {
        @Override
        public Optional<Headers> onHttpUpgrade(HttpPrologue prologue, Headers headers) {
            if (!headers.first(HeaderNames.AUTHORIZATION).map("Bearer rma_good"::equals).orElse(false)
                    || headers.first(Http.INTERNAL_TOKEN).isEmpty()) {
                throw new WsUpgradeException("bad agent credential");
            }
            return Optional.empty();
        }

        private final StringBuilder message = new StringBuilder();

        @Override
        public void onMessage(WsSession session, String part, boolean last) {
            message.append(part);
            if (!last) {
                return;
            }
            String text = message.toString();
            message.setLength(0);
            if (text.equals("bye")) {
                session.close(1000, "bye");
                return;
            }
            session.send("echo:" + text, true);
        }
    }

    /** jobs-service's job stream: greets with the principal it received, then echoes. */
    private static final class StreamEcho implements WsListener {
        private volatile String principal = "none";

        @Override
        public Optional<Headers> onHttpUpgrade(HttpPrologue prologue, Headers headers) {
            principal = headers.first(Http.PRINCIPAL).map(p -> io.resticmanager.proto.Principal.fromHeader(p)
                    .username() + "/" + io.resticmanager.proto.Principal.fromHeader(p).role().wire()).orElse("none")
                    + " from " + headers.first(Http.FORWARDED_FOR).orElse("?");
            return Optional.empty();
        }

        @Override
        public void onOpen(WsSession session) {
            session.send("hello " + principal, true);
        }

        @Override
        public void onMessage(WsSession session, String text, boolean last) {
            session.send("echo:" + text, true);
        }
    }
}
