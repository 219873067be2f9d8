package io.resticmanager.inventory;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.ServerRequest;
import io.resticmanager.kit.Http;
import io.resticmanager.kit.InternalAuth;
import io.resticmanager.kit.InternalClient;
import io.resticmanager.kit.SecretBox;
import io.resticmanager.kit.SqliteStore;
import io.resticmanager.proto.Json;
import io.resticmanager.proto.Principal;
import io.resticmanager.proto.Role;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A real inventory-service on a random port over a temp SQLite file, plus a stub agent-hub that
 * records what it was told (and can be made to fail).
 */
final class TestEnv implements AutoCloseable {
    static final String TOKEN = "rmi_test-internal-token";
    final Path dir;
    final SqliteStore store;
    final WebServer hub;
    final WebServer server;
    /** Calls the stub hub received, e.g. "PUT /internal/agents/h1/disabled {"disabled":true}". */
    final List<String> hubCalls = Collections.synchronizedList(new ArrayList<>());
    /** Status the stub hub answers with (204 = fine). */
    final AtomicInteger hubStatus = new AtomicInteger(204);
    /** How the stub hub answers {@code POST /internal/agents/{id}/requests}: (host id, body) → status and JSON. */
    final java.util.concurrent.atomic.AtomicReference<java.util.function.BiFunction<String, JsonNode, Reply>> hubRequests =
            new java.util.concurrent.atomic.AtomicReference<>((host, body) -> new Reply(409, "{\"detail\":\"host "
                    + host + " is offline\"}", Map.of()));
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final SecretBox box;
    /** What the routes were built from (a test builds background parts such as IndexBackfill from it). */
    final InventoryMain.Parts parts;
    private boolean ownsDir;

    private TestEnv(Path dir, SecretBox box, boolean hubUp) {
        this.dir = dir;
        this.box = box;
        this.store = SqliteStore.open(dir.resolve("inventory.db"));
        this.hub = WebServer.builder().host("127.0.0.1").port(0).routing(r -> r
                .put("/internal/agents/{id}/disabled", (req, res) -> {
                    record(req, "PUT");
                    res.status(io.helidon.http.Status.create(hubStatus.get())).send();
                })
                .post("/internal/agents/{id}/revoke", (req, res) -> {
                    record(req, "POST");
                    res.status(io.helidon.http.Status.create(hubStatus.get())).send();
                })
                .post("/internal/agents/{id}/requests", (req, res) -> {
                    Reply answer = hubRequests.get().apply(req.path().pathParameters().get("id"),
                                                           Json.MAPPER.readTree(req.content().as(String.class)));
                    res.status(io.helidon.http.Status.create(answer.status()))
                            .header("Content-Type", "application/json").send(answer.body());
                })).build().start();
        if (!hubUp) {
            hub.stop();
        }
        InternalClient hubClient = InternalClient.create("agent-hub", "http://127.0.0.1:" + hub.port(), TOKEN,
                                                         Duration.ofSeconds(3));
        this.parts = new InventoryMain.Parts(store, box, InternalAuth.create(TOKEN), hubClient, Clock.systemUTC());
        // the service's own server settings (application.yaml), on a random port
        this.server = WebServer.builder().config(Config.just(ConfigSources.classpath("application.yaml")).get("server"))
                .port(0)
                .routing(r -> InventoryMain.routing(r, parts)).build().start();
    }

    /** A fresh env over its own temp dir, deleted on close. */
    static TestEnv start() {
        return start(SecretBox.parse(SecretBox.newKeyLine()), true);
    }

    /** A fresh env over its own temp dir (deleted on close) with this key and a stub hub that is up or down. */
    static TestEnv start(SecretBox box, boolean hubUp) {
        TestEnv env = start(tempDir(), box, hubUp);
        env.ownsDir = true;
        return env;
    }

    /** An env over {@code dir}, which the caller owns (and deletes). */
    static TestEnv start(Path dir, SecretBox box, boolean hubUp) {
        return new TestEnv(dir, box, hubUp);
    }

    static Path tempDir() {
        try {
            return Files.createTempDirectory("inventory-test");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void record(ServerRequest req, String method) {
        String body = req.content().hasEntity() ? " " + req.content().as(String.class) : "";
        boolean tokenOk = TOKEN.equals(req.headers().first(Http.INTERNAL_TOKEN).orElse(null));
        hubCalls.add(method + " " + req.path().path() + body + (tokenOk ? "" : " (NO TOKEN)"));
    }

    /** An HTTP answer. */
    record Reply(int status, String body, Map<String, List<String>> headers) {
        JsonNode json() {
            try {
                return Json.MAPPER.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        String header(String name) {
            return headers.getOrDefault(name.toLowerCase(), List.of()).stream().findFirst().orElse(null);
        }
    }

    Reply call(String method, String path, Object body, Role role) {
        return call(method, path, body, role, TOKEN);
    }

    Reply call(String method, String path, Object body, Role role, String token) {
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body instanceof String s ? s : Json.write(body)));
        if (body != null) {
            req.header("Content-Type", "application/json");
        }
        if (token != null) {
            req.header("X-RM-Internal-Token", token);
        }
        if (role != null) {
            req.header("X-RM-Principal", new Principal("u-" + role.wire(), role.wire(), role).toHeader());
        }
        try {
            HttpResponse<String> res = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(res.statusCode(), res.body(), res.headers().map());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    Reply get(String path) {
        return call("GET", path, null, Role.VIEWER);
    }

    Reply admin(String method, String path, Object body) {
        return call(method, path, body, Role.ADMIN);
    }

    /** Sends one hub event batch (no principal: a service call). */
    Reply events(Map<?, ?>... events) {
        return call("POST", "/internal/events", Map.of("events", List.of(events)), null);
    }

    static Map<String, Object> event(String id, String hostId, String type, Instant at, Object payload) {
        return Map.of("id", id, "host_id", hostId, "type", type, "at", at.toString(), "payload", payload);
    }

    /** Creates a host through a host.enrolled event; returns its id. */
    String enroll(String hostname) {
        String id = UUID.randomUUID().toString();
        Reply reply = events(event("ev-" + UUID.randomUUID(), id, "host.enrolled", Instant.now(),
                                   Map.of("hostname", hostname, "os", "linux", "arch", "amd64",
                                          "agent_version", "0.1.0")));
        if (reply.status() != 200) {
            throw new IllegalStateException("enroll failed: " + reply);
        }
        return id;
    }

    /** Creates a repo (admin); returns its id. */
    String createRepo(Map<String, Object> body) {
        Reply reply = admin("POST", "/api/repos", body);
        if (reply.status() != 201) {
            throw new IllegalStateException("create repo failed: " + reply);
        }
        return reply.json().get("id").asText();
    }

    void assign(String hostId, String repoId) {
        Reply reply = admin("PATCH", "/api/hosts/" + hostId, Map.of("repo_id", repoId));
        if (reply.status() != 200) {
            throw new IllegalStateException("assign failed: " + reply);
        }
    }

    @Override
    public void close() {
        server.stop();
        hub.stop();
        store.close();
        if (ownsDir) {
            deleteTree(dir);
        }
    }

    static void deleteTree(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // temp files only
        }
    }
}
