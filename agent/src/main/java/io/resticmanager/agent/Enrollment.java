package io.resticmanager.agent;

import com.fasterxml.jackson.databind.JsonNode;
import io.resticmanager.proto.Json;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** {@code POST <server>/api/agents/enroll}: trades a one-time token for this host's id and credential. */
final class Enrollment {
    private Enrollment() {
    }

    record Result(String hostId, String agentToken) {
        @Override
        public String toString() {
            return "Result[hostId=" + hostId + ", agentToken=***]";
        }
    }

    static HttpClient httpClient(Optional<String> pin) {
        return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).sslContext(SystemTrust.forServer(pin))
                .build();
    }

    /** Throws {@link AgentException} (exit 1) with a message a human can act on. */
    static Result enroll(URI server, String token, Optional<String> pin, HostInfo host) {
        URI uri = URI.create(server.toString().replaceAll("/+$", "") + "/api/agents/enroll");
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("token", token);
        body.put("hostname", host.hostname());
        body.put("os", host.os());
        body.put("arch", host.arch());
        body.put("agent_version", AgentVersion.current());
        HttpRequest request = HttpRequest.newBuilder(uri)
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.write(body)))
                .build();
        HttpResponse<String> response;
        try {
            response = httpClient(pin).send(request, HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException | HttpConnectTimeoutException e) {
            throw new AgentException(1, "cannot reach the server at " + server + " ("
                    + (e.getMessage() == null ? "connection refused" : e.getMessage())
                    + "); check the URL and that the server is running");
        } catch (IOException e) {
            throw new AgentException(1, "enrollment request to " + server + " failed: " + describe(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AgentException(1, "enrollment interrupted");
        }
        int status = response.statusCode();
        if (status == 401 || status == 403) {
            throw new AgentException(1, "the server refused the enrollment token (HTTP " + status
                    + "): it is unknown, expired or already used; create a new one with \"Add host\"");
        }
        if (status != 201 && status != 200) {
            throw new AgentException(1, "enrollment failed: the server answered HTTP " + status + detail(response.body()));
        }
        try {
            JsonNode node = Json.MAPPER.readTree(response.body());
            String hostId = node.path("host_id").asText("");
            String agentToken = node.path("agent_token").asText("");
            if (hostId.isBlank() || agentToken.isBlank()) {
                throw new AgentException(1, "enrollment failed: the server's answer has no host_id/agent_token");
            }
            return new Result(hostId, agentToken);
        } catch (IOException e) {
            throw new AgentException(1, "enrollment failed: the server's answer is not JSON");
        }
    }

    private static String detail(String body) {
        try {
            JsonNode node = Json.MAPPER.readTree(body);
            String d = node.path("detail").asText(node.path("title").asText(""));
            return d.isBlank() ? "" : ": " + d;
        } catch (Exception e) {
            return "";
        }
    }

    private static String describe(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String msg = t.getMessage();
        return msg == null || msg.isBlank() ? t.getClass().getSimpleName() : msg;
    }
}
