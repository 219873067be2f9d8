package io.resticmanager.hub;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.helidon.webserver.WebServer;
import io.resticmanager.kit.InternalAuth;
import io.resticmanager.proto.Json;
import io.resticmanager.proto.Principal;
import io.resticmanager.proto.Role;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * A real agent-hub on a free port, with real HTTP stub receivers for jobs and inventory and a temp data dir.
 * As a {@code @RegisterExtension} static field ({@link #perClass}) it serves one test class and closes after it.
 */
final class HubFixture implements AutoCloseable, AfterAllCallback {
    static final String TOKEN = "rmi_test-internal-token";
    static final Principal ADMIN = new Principal("u-admin", "admin", Role.ADMIN);
    static final Principal VIEWER = new Principal("u-viewer", "viewer", Role.VIEWER);

    final Path dataDir;
    final StubReceiver jobs;
    final StubReceiver inventory;
    final AgentHub hub;
    final WebServer server;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    HubFixture(Map<String, String> extraConfig) throws IOException {
        dataDir = Files.createTempDirectory("agent-hub-test");
        jobs = new StubReceiver(TOKEN);
        inventory = new StubReceiver(TOKEN);
        Map<String, String> cfg = new HashMap<>();
        cfg.put("rm.data-dir", dataDir.toString());
        cfg.put("rm.public-url", "https://backup.example.test");
        cfg.put("rm.peers.jobs", jobs.url());
        cfg.put("rm.peers.inventory", inventory.url());
        cfg.put("rm.hub.agent-dist", dataDir.resolve("dist").toString());
        cfg.putAll(extraConfig);
        Config config = Config.builder()
                .disableEnvironmentVariablesSource()
                .disableSystemPropertiesSource()
                .sources(ConfigSources.create(cfg))
                .build();
        hub = AgentHub.start(HubSettings.from(config), TOKEN);
        server = WebServer.builder().host("127.0.0.1").port(0)
                .update(b -> AgentHubMain.server(b, hub, InternalAuth.create(TOKEN)))
                .build().start();
    }

    HubFixture() throws IOException {
        this(Map.of());
    }

    /** One hub for a whole test class: started now, closed after the class's last test. */
    static HubFixture perClass(Map<String, String> extraConfig) {
        try {
            return new HubFixture(extraConfig);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static HubFixture perClass() {
        return perClass(Map.of());
    }

    String base() {
        return "http://127.0.0.1:" + server.port();
    }

    URI ws() {
        return URI.create("ws://127.0.0.1:" + server.port() + "/ws/agent");
    }

    /** A request as the gateway sends it: internal token, and the user when there is one. */
    HttpRequest.Builder request(String path, Principal principal) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base() + path))
                .timeout(Duration.ofSeconds(10))
                .header("X-RM-Internal-Token", TOKEN);
        if (principal != null) {
            b.header("X-RM-Principal", principal.toHeader());
        }
        return b;
    }

    HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    HttpResponse<String> get(String path, Principal principal) {
        return send(request(path, principal).GET().build());
    }

    HttpResponse<String> post(String path, Principal principal, String json) {
        return send(request(path, principal).header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    HttpResponse<String> put(String path, Principal principal, String json) {
        return send(request(path, principal).header("Content-Type", "application/json")
                            .PUT(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    static JsonNode json(HttpResponse<String> response) {
        try {
            return Json.MAPPER.readTree(response.body());
        } catch (IOException e) {
            throw new IllegalStateException("not JSON: " + response.body(), e);
        }
    }

    /** A fresh enrollment token value. */
    String enrollmentToken() {
        HttpResponse<String> r = post("/api/enrollment-tokens", ADMIN, "{}");
        if (r.statusCode() != 201) {
            throw new IllegalStateException("token creation failed: " + r.statusCode() + " " + r.body());
        }
        return json(r).get("token").asText();
    }

    /** Enrolls a host; returns {host_id, agent_token}. */
    Enrolled enroll(String hostname) {
        HttpResponse<String> r = post("/api/agents/enroll", null, Json.write(Map.of(
                "token", enrollmentToken(), "hostname", hostname, "os", "linux", "arch", "amd64",
                "agent_version", "0.1.0")));
        if (r.statusCode() != 201) {
            throw new IllegalStateException("enroll failed: " + r.statusCode() + " " + r.body());
        }
        JsonNode body = json(r);
        return new Enrolled(body.get("host_id").asText(), body.get("agent_token").asText());
    }

    record Enrolled(String hostId, String agentToken) {
    }

    /** An agent socket that has said hello and got hello.ok. */
    TestAgent online(Enrolled host) throws Exception {
        TestAgent agent = TestAgent.connect(http, ws(), host.agentToken());
        agent.send(TestAgent.hello(host.hostId(), 1));
        JsonNode ok = agent.next();
        if (!"hello.ok".equals(ok.get("type").asText())) {
            throw new IllegalStateException("expected hello.ok, got " + ok);
        }
        return agent;
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    @Override
    public void close() {
        server.stop();
        hub.close();
        jobs.close();
        inventory.close();
    }
}
