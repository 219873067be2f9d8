package io.resticmanager.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.helidon.webserver.WebServer;
import io.resticmanager.proto.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/** A gateway on a random port in front of four stub services, with a temp data dir, and an HTTP client for it. */
final class TestStack implements AutoCloseable {
    /** A logged-in browser: its cookie header and CSRF token. */
    record Session(String cookie, String csrf) {
    }

    static final String ADMIN = "admin";
    static final String PASSWORD = "correct horse battery";

    final Path dataDir;
    final Map<String, StubService> stubs = new LinkedHashMap<>();
    final Gateway gateway;
    final WebServer server;
    final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    TestStack(Map<String, String> overrides) {
        try {
            dataDir = Files.createTempDirectory("gateway-test");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> config = new HashMap<>();
        config.put("server.port", "0");
        config.put("server.host", "127.0.0.1");
        config.put("rm.data-dir", dataDir.toString());
        config.put("rm.gateway.argon2.memory-kib", "64");
        config.put("rm.gateway.argon2.iterations", "1");
        for (var e : Map.of("agent-hub", Upstreams.HUB, "jobs", Upstreams.JOBS, "inventory", Upstreams.INVENTORY,
                            "ui", Upstreams.UI).entrySet()) {
            String url = overrides.get("rm.peers." + e.getKey());
            if (url == null) {
                StubService stub = new StubService(e.getValue(), 0);
                stubs.put(e.getValue(), stub);
                url = stub.url();
            }
            config.put("rm.peers." + e.getKey(), url);
        }
        config.putAll(overrides);
        Config cfg = Config.builder()
                .disableEnvironmentVariablesSource()
                .disableSystemPropertiesSource()
                .sources(ConfigSources.create(config), ConfigSources.classpath("application.yaml"))
                .build();
        gateway = Gateway.create(cfg);
        server = GatewayMain.start(cfg, gateway);
    }

    TestStack() {
        this(Map.of());
    }

    String base() {
        return "http://127.0.0.1:" + server.port();
    }

    String internalToken() {
        try {
            return Files.readString(dataDir.resolve("internal-token")).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String setupToken() {
        try {
            return Files.readString(dataDir.resolve("setup-token")).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    HttpResponse<String> send(String method, String path, String body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        for (int i = 0; i < headers.length; i += 2) {
            b.setHeader(headers[i], headers[i + 1]);
        }
        try {
            return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A GET to any URL (the identity provider's, in single sign-on tests), never following redirects. */
    HttpResponse<String> absolute(URI uri) {
        try {
            return client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20)).GET().build(),
                               HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    HttpResponse<String> as(Session s, String method, String path, String body) {
        return send(method, path, body, "Cookie", s.cookie(), "X-CSRF-Token", s.csrf());
    }

    /** Creates the first admin with the setup token and logs in. */
    Session setupAdmin() {
        HttpResponse<String> r = send("POST", "/api/setup", Json.write(Map.of(
                "setup_token", setupToken(), "username", ADMIN, "password", PASSWORD)));
        if (r.statusCode() != 201) {
            throw new IllegalStateException("setup failed: " + r.statusCode() + " " + r.body());
        }
        return login(ADMIN, PASSWORD);
    }

    Session login(String username, String password) {
        HttpResponse<String> r = send("POST", "/api/login", Json.write(Map.of("username", username,
                                                                             "password", password)));
        if (r.statusCode() != 200) {
            throw new IllegalStateException("login failed: " + r.statusCode() + " " + r.body());
        }
        String cookie = r.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
        return new Session(cookie, tree(r).path("csrf_token").asText());
    }

    Session createUser(Session admin, String username, String role) {
        HttpResponse<String> r = as(admin, "POST", "/api/users", Json.write(Map.of(
                "username", username, "password", PASSWORD, "role", role)));
        if (r.statusCode() != 201) {
            throw new IllegalStateException("user create failed: " + r.statusCode() + " " + r.body());
        }
        return login(username, PASSWORD);
    }

    String createToken(Session admin, String name, String role) {
        HttpResponse<String> r = as(admin, "POST", "/api/tokens", Json.write(Map.of("name", name, "role", role)));
        if (r.statusCode() != 201) {
            throw new IllegalStateException("token create failed: " + r.statusCode() + " " + r.body());
        }
        return tree(r).path("token").asText();
    }

    static JsonNode tree(HttpResponse<String> r) {
        try {
            return Json.MAPPER.readTree(r.body());
        } catch (IOException e) {
            throw new IllegalStateException("not JSON: " + r.body(), e);
        }
    }

    @Override
    public void close() {
        server.stop();
        gateway.close();
        stubs.values().forEach(StubService::stop);
    }
}
