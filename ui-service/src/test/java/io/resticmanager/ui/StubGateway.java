package io.resticmanager.ui;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.WebServer;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** A stand-in for the gateway's public API: canned JSON per "METHOD /path", and a record of what it was sent. */
final class StubGateway implements AutoCloseable {
    record Canned(int status, String body, List<String> setCookies) {
    }

    record Seen(String method, String path, String query, String cookie, String csrf, String body) {
    }

    private final Map<String, Canned> canned = new ConcurrentHashMap<>();
    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private final WebServer server;

    private StubGateway() {
        server = WebServer.builder().host("127.0.0.1").port(0)
                .routing(r -> r.any((req, res) -> {
                    String body = req.content().hasEntity() ? req.content().as(String.class) : "";
                    String path = req.path().path();
                    seen.add(new Seen(req.prologue().method().text(), path, req.query().rawValue(),
                                      req.headers().first(HeaderNames.COOKIE).orElse(null),
                                      req.headers().first(GatewayApi.CSRF_TOKEN).orElse(null), body));
                    Canned answer = canned.get(req.prologue().method().text() + " " + path);
                    if (answer == null) {
                        answer = new Canned(404, "{\"title\":\"Not Found\",\"status\":404,\"detail\":\"no such thing: "
                                + path + "\"}", List.of());
                    }
                    answer.setCookies().forEach(c -> res.headers().add(HeaderNames.SET_COOKIE, c));
                    res.status(answer.status());
                    if (answer.body().isEmpty()) {
                        res.send();
                    } else {
                        res.header(HeaderNames.CONTENT_TYPE, answer.status() >= 400
                                ? "application/problem+json" : "application/json");
                        res.send(answer.body());
                    }
                }))
                .build()
                .start();
    }

    static StubGateway start() {
        return new StubGateway();
    }

    String url() {
        return "http://127.0.0.1:" + server.port();
    }

    StubGateway on(String method, String path, int status, String body, String... setCookies) {
        canned.put(method + " " + path, new Canned(status, body, List.of(setCookies)));
        return this;
    }

    List<Seen> seen() {
        return seen;
    }

    List<Seen> seen(String method, String path) {
        return seen.stream().filter(s -> s.method().equals(method) && s.path().equals(path)).toList();
    }

    void reset() {
        canned.clear();
        seen.clear();
    }

    @Override
    public void close() {
        server.stop();
    }
}
