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
        /** The query's parameters by name (the client may send them in any order). */
        Map<String, String> params() {
            Map<String, String> params = new java.util.TreeMap<>();
            for (String pair : query.split("&")) {
                if (!pair.isEmpty()) {
                    String[] kv = pair.split("=", 2);
                    params.put(kv[0], kv.length > 1 ? kv[1] : "");
                }
            }
            return params;
        }
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
                    // an answer for this query first ("GET /api/alerts?state=firing&limit=500"), else the path's
                    String query = req.query().rawValue();
                    Canned answer = query.isEmpty() ? null
                            : canned.get(req.prologue().method().text() + " " + path + "?" + sorted(query));
                    if (answer == null) {
                        answer = canned.get(req.prologue().method().text() + " " + path);
                    }
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

    /** {@code path} may end in {@code ?query} to answer only that query (its parameters in any order). */
    StubGateway on(String method, String path, int status, String body, String... setCookies) {
        int q = path.indexOf('?');
        String key = q < 0 ? path : path.substring(0, q) + "?" + sorted(path.substring(q + 1));
        canned.put(method + " " + key, new Canned(status, body, List.of(setCookies)));
        return this;
    }

    /** A query with its parameters in name order, so an answer matches whatever order the client sends them in. */
    private static String sorted(String query) {
        return java.util.Arrays.stream(query.split("&")).sorted().collect(java.util.stream.Collectors.joining("&"));
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
