package io.resticmanager.system;

import com.fasterxml.jackson.databind.JsonNode;
import io.resticmanager.proto.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** A public-API client as a script or browser would use it: session cookie + CSRF, or a bearer token. */
final class Api {
    private final String base;
    private final HttpClient http;
    private final Map<String, String> headers = new LinkedHashMap<>();

    private Api(String base) {
        this(base, null);
    }

    /** @param tls what HTTPS trusts (a test CA); null: the JDK's defaults */
    private Api(String base, javax.net.ssl.SSLContext tls) {
        this.base = base;
        HttpClient.Builder b = HttpClient.newBuilder().cookieHandler(new CookieManager()).connectTimeout(Duration.ofSeconds(3));
        if (tls != null) {
            b.sslContext(tls);
        }
        this.http = b.build();
    }

    static Api anonymous(String base) {
        return new Api(base);
    }

    static Api anonymous(String base, javax.net.ssl.SSLContext tls) {
        return new Api(base, tls);
    }

    static Api bearer(String base, String token) {
        Api api = new Api(base);
        api.headers.put("Authorization", "Bearer " + token);
        return api;
    }

    /**
     * A caller of a service's own port, as another service (or the gateway on a user's behalf) calls it:
     * the internal token plus a principal. For seeding benchmarks faster than the public path allows.
     */
    static Api internal(String serviceBase, String internalToken, String principalJson) {
        Api api = new Api(serviceBase);
        api.headers.put("X-RM-Internal-Token", internalToken);
        api.headers.put("X-RM-Principal", principalJson);
        return api;
    }

    /** Logs in; keeps the session cookie and sends the CSRF token on every request. */
    static Api login(String base, String username, String password) {
        return login(base, username, password, null);
    }

    static Api login(String base, String username, String password, javax.net.ssl.SSLContext tls) {
        Api api = new Api(base, tls);
        Reply r = api.post("/api/login", Map.of("username", username, "password", password));
        if (r.status() != 200) {
            throw new AssertionError("login failed: " + r);
        }
        api.headers.put("X-CSRF-Token", r.json().path("csrf_token").asText());
        return api;
    }

    /** First-run setup with the stack's setup token, then login as that admin. */
    static Api setupAdmin(Stack stack, String username, String password) {
        Reply r = anonymous(stack.gateway()).post("/api/setup", Map.of(
                "setup_token", stack.setupToken(), "username", username, "password", password));
        if (r.status() != 201) {
            throw new AssertionError("setup failed: " + r);
        }
        return login(stack.gateway(), username, password);
    }

    record Reply(int status, String body) {
        JsonNode json() {
            try {
                return Json.MAPPER.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON (" + status + "): " + body);
            }
        }

        Reply expect(int expected) {
            if (status != expected) {
                throw new AssertionError("expected " + expected + " but got " + status + ": " + body);
            }
            return this;
        }
    }

    Reply get(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
    }

    Reply post(String path, Object body) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).POST(json(body))
                            .header("Content-Type", "application/json"));
    }

    /** A browser-style form post (with the CSRF token as the {@code _csrf} field). */
    Reply postForm(String path, Map<String, String> fields) {
        StringBuilder body = new StringBuilder();
        Map<String, String> all = new LinkedHashMap<>(fields);
        if (headers.containsKey("X-CSRF-Token")) {
            all.put("_csrf", headers.get("X-CSRF-Token"));
        }
        all.forEach((k, v) -> body.append(body.isEmpty() ? "" : "&")
                .append(java.net.URLEncoder.encode(k, java.nio.charset.StandardCharsets.UTF_8)).append('=')
                .append(java.net.URLEncoder.encode(v, java.nio.charset.StandardCharsets.UTF_8)));
        return send(HttpRequest.newBuilder(URI.create(base + path))
                            .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                            .header("Content-Type", "application/x-www-form-urlencoded"));
    }

    Reply patch(String path, Object body) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).method("PATCH", json(body))
                            .header("Content-Type", "application/json"));
    }

    Reply put(String path, Object body) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).PUT(json(body))
                            .header("Content-Type", "application/json"));
    }

    Reply delete(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).DELETE());
    }

    private static HttpRequest.BodyPublisher json(Object body) {
        return HttpRequest.BodyPublishers.ofString(body instanceof String s ? s : Json.write(body));
    }

    private Reply send(HttpRequest.Builder builder) {
        headers.forEach(builder::header);
        try {
            HttpResponse<String> r = http.send(builder.timeout(Duration.ofSeconds(30)).build(),
                                               HttpResponse.BodyHandlers.ofString());
            return new Reply(r.statusCode(), r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
