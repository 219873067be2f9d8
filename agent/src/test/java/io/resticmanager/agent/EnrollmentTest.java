package io.resticmanager.agent;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.resticmanager.proto.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.atomic.AtomicReference;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

/** {@code enroll} against a small fake of {@code POST /api/agents/enroll}. */
class EnrollmentTest {
    private static WebServer server;
    private static final AtomicReference<JsonNode> LAST_BODY = new AtomicReference<>();

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        server = WebServer.builder().host("127.0.0.1").port(0).routing(r -> r.post("/api/agents/enroll", (req, res) -> {
            JsonNode body = Json.MAPPER.readTree(req.content().as(String.class));
            LAST_BODY.set(body);
            if (!"good-token".equals(body.path("token").asText())) {
                res.status(Status.UNAUTHORIZED_401).header("Content-Type", "application/problem+json")
                        .send("{\"type\":\"about:blank\",\"title\":\"Unauthorized\",\"status\":401}");
                return;
            }
            res.status(Status.CREATED_201).header("Content-Type", "application/json")
                    .send("{\"host_id\":\"6b1f0c1e-0000-4000-8000-000000000001\",\"agent_token\":\"rma_issued\"}");
        })).build().start();
    }

    @AfterAll
    static void stop() {
        server.stop();
    }

    private int enroll(String url, String token, Path config, ByteArrayOutputStream out, ByteArrayOutputStream err) {
        return AgentMain.execute(new String[] {"enroll", "--server", url, "--token", token, "--config",
                config.toString()}, new PrintStream(out, true, StandardCharsets.UTF_8),
                                 new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void enrollWritesTheCredentialTo0600Config() throws Exception {
        Path config = dir.resolve("agent.yaml");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = enroll("http://127.0.0.1:" + server.port(), "good-token", config, out, new ByteArrayOutputStream());
        assertThat(code, is(0));
        assertThat(out.toString(StandardCharsets.UTF_8), containsString("6b1f0c1e-0000-4000-8000-000000000001"));
        assertThat(out.toString(StandardCharsets.UTF_8), not(containsString("rma_issued")));
        JsonNode body = LAST_BODY.get();
        assertThat(body.path("hostname").asText().isBlank(), is(false));
        assertThat(body.path("agent_version").asText(), is(AgentVersion.current()));
        assertThat(body.has("os") && body.has("arch"), is(true));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(config)), is("rw-------"));
        AgentConfig read = AgentConfig.load(config);
        assertThat(read.hostId(), is("6b1f0c1e-0000-4000-8000-000000000001"));
        assertThat(read.agentToken(), is("rma_issued"));
        assertThat(Files.readString(config), not(containsString("good-token")));
    }

    @Test
    void aRefusedTokenExits1WithAClearMessage() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Path config = dir.resolve("agent.yaml");
        int code = enroll("http://127.0.0.1:" + server.port(), "used-token", config, new ByteArrayOutputStream(), err);
        assertThat(code, is(1));
        assertThat(err.toString(StandardCharsets.UTF_8), containsString("refused the enrollment token (HTTP 401)"));
        assertThat(err.toString(StandardCharsets.UTF_8), not(containsString("used-token")));
        assertThat(Files.exists(config), is(false));
    }

    @Test
    void anUnreachableServerExits1() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = enroll("http://127.0.0.1:" + port, "good-token", dir.resolve("agent.yaml"),
                          new ByteArrayOutputStream(), err);
        assertThat(code, is(1));
        assertThat(err.toString(StandardCharsets.UTF_8), containsString("cannot reach the server"));
    }
}
