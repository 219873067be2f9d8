package io.resticmanager.hub;

import com.fasterxml.jackson.databind.JsonNode;
import io.resticmanager.kit.Tokens;
import io.resticmanager.proto.Json;
import io.resticmanager.proto.internal.HubEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

class EnrollmentTest {
    @RegisterExtension
    static final HubFixture f = HubFixture.perClass();

    @Test
    void anAdminGetsAOneTimeTokenWithTheInstallCommand() {
        Instant before = Instant.now();
        HttpResponse<String> r = f.post("/api/enrollment-tokens", HubFixture.ADMIN, "{\"name\":\"nas\"}");
        assertThat(r.body(), r.statusCode(), is(201));
        JsonNode body = HubFixture.json(r);
        String token = body.get("token").asText();
        assertThat(token, startsWith("rme_"));
        Instant expires = Instant.parse(body.get("expires_at").asText());
        assertThat(Duration.between(before, expires).getSeconds(), is(greaterThanOrEqualTo(3599L)));
        assertThat(Duration.between(before, expires).getSeconds(), is(lessThanOrEqualTo(3601L)));
        assertThat(body.get("install_command").asText(), is("curl -fsSL https://backup.example.test/install.sh | sudo sh "
                + "-s -- --server https://backup.example.test --token " + token));
        assertThat(r.headers().firstValue("X-RM-Audit-Action").orElse(""), is("enrollment_token.create"));
        assertThat(r.headers().firstValue("X-RM-Audit-Target").orElse(""), is("token=" + body.get("id").asText()));

        HttpResponse<String> list = f.get("/api/enrollment-tokens", HubFixture.ADMIN);
        assertThat(list.statusCode(), is(200));
        assertThat(list.body(), not(containsString(token)));
        assertThat(list.body(), containsString(body.get("id").asText()));
        assertThat(list.body(), containsString("\"status\":\"active\""));
    }

    @Test
    void onlyTheHashOfATokenIsStored() throws Exception {
        String token = f.enrollmentToken();
        byte[] db = Files.readAllBytes(f.dataDir.resolve("agent-hub.db"));
        byte[] wal = Files.exists(f.dataDir.resolve("agent-hub.db-wal"))
                ? Files.readAllBytes(f.dataDir.resolve("agent-hub.db-wal")) : new byte[0];
        String raw = new String(db, java.nio.charset.StandardCharsets.ISO_8859_1)
                + new String(wal, java.nio.charset.StandardCharsets.ISO_8859_1);
        assertThat(raw, not(containsString(token)));
        assertThat(raw, containsString(Tokens.sha256(token)));
    }

    @Test
    void tokenCreationNeedsAnAdminAndASaneExpiry() {
        assertThat(f.post("/api/enrollment-tokens", HubFixture.VIEWER, "{}").statusCode(), is(403));
        assertThat(f.post("/api/enrollment-tokens", null, "{}").statusCode(), is(401));
        assertThat(f.get("/api/enrollment-tokens", HubFixture.VIEWER).statusCode(), is(403));
        assertThat(f.post("/api/enrollment-tokens", HubFixture.ADMIN, "{\"expires_in_s\":604801}").statusCode(), is(400));
        assertThat(f.post("/api/enrollment-tokens", HubFixture.ADMIN, "{\"expires_in_s\":0}").statusCode(), is(400));
        assertThat(f.post("/api/enrollment-tokens", HubFixture.ADMIN, "{\"expires_in_s\":\"soon\"}").statusCode(), is(400));
        assertThat(f.post("/api/enrollment-tokens", HubFixture.ADMIN, "{\"expires_in_s\":604800}").statusCode(), is(201));
        // without the internal token nothing answers (the gateway adds it)
        HttpResponse<String> direct = f.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(f.base() + "/api/enrollment-tokens")).POST(
                java.net.http.HttpRequest.BodyPublishers.ofString("{}")).build());
        assertThat(direct.statusCode(), is(401));
    }

    @Test
    void enrollingTradesTheTokenForAnAgentCredentialOnce() throws Exception {
        String token = f.enrollmentToken();
        String body = Json.write(Map.of("token", token, "hostname", "db-1", "os", "linux", "arch", "arm64",
                                        "agent_version", "0.1.0"));
        HttpResponse<String> r = f.post("/api/agents/enroll", null, body);
        assertThat(r.body(), r.statusCode(), is(201));
        JsonNode enrolled = HubFixture.json(r);
        String hostId = enrolled.get("host_id").asText();
        assertThat(hostId, is(java.util.UUID.fromString(hostId).toString()));
        assertThat(enrolled.get("agent_token").asText(), startsWith("rma_"));
        assertThat(enrolled.get("agent_token").asText().length(), is(greaterThanOrEqualTo(4 + 43)));
        assertThat(r.headers().firstValue("X-RM-Audit-Action").orElse(""), is("agent.enroll"));
        assertThat(r.headers().firstValue("X-RM-Audit-Target").orElse(""), containsString("host=" + hostId));

        HttpResponse<String> again = f.post("/api/agents/enroll", null, body);
        assertThat(again.statusCode(), is(401));
        assertThat(again.headers().firstValue("Content-Type").orElse(""), is("application/problem+json"));
        assertThat(again.headers().firstValue("X-RM-Audit-Action").orElse(""), is("agent.enroll"));
        assertThat(again.headers().firstValue("X-RM-Audit-Target").orElse(""), containsString("result=denied"));

        List<HubEvent> events = f.inventory.await(StubReceiver.type(HubEvent.HOST_ENROLLED, hostId), 1,
                                                  Duration.ofSeconds(5));
        assertThat(events, hasSize(1));
        assertThat(events.getFirst().payload().get("hostname").asText(), is("db-1"));
        assertThat(events.getFirst().payload().get("arch").asText(), is("arm64"));
        assertThat(f.jobs.events(StubReceiver.type(HubEvent.HOST_ENROLLED, hostId)), hasSize(0));

        HttpResponse<String> agents = f.get("/api/agents", HubFixture.VIEWER);
        assertThat(agents.statusCode(), is(200));
        assertThat(agents.body(), containsString(hostId));
        assertThat(agents.body(), not(containsString(enrolled.get("agent_token").asText())));
        assertThat(f.get("/api/agents", null).statusCode(), is(401));
    }

    @Test
    void unknownExpiredAndMalformedEnrollmentsAreRefused() throws Exception {
        String enroll = "{\"token\":\"%s\",\"hostname\":\"h\",\"os\":\"linux\",\"arch\":\"amd64\",\"agent_version\":\"1\"}";
        assertThat(f.post("/api/agents/enroll", null, enroll.formatted("rme_guessed")).statusCode(), is(401));
        HttpResponse<String> created = f.post("/api/enrollment-tokens", HubFixture.ADMIN, "{\"expires_in_s\":1}");
        String token = HubFixture.json(created).get("token").asText();
        Thread.sleep(1100); // time itself is the condition: the 1 s token expires
        assertThat(f.post("/api/agents/enroll", null, enroll.formatted(token)).statusCode(), is(401));
        assertThat(f.post("/api/agents/enroll", null, "{\"hostname\":\"h\"}").statusCode(), is(400));
        assertThat(f.post("/api/agents/enroll", null, "{\"token\":\"" + f.enrollmentToken() + "\"}").statusCode(),
                   is(400));
        assertThat(f.post("/api/agents/enroll", null, "not json").statusCode(), is(400));
        assertThat(f.get("/api/enrollment-tokens", HubFixture.ADMIN).body(), containsString("\"status\":\"expired\""));
    }

    @Test
    void twoConcurrentEnrollsWithOneTokenHaveExactlyOneWinner() throws Exception {
        for (int round = 0; round < 3; round++) {
            String body = Json.write(Map.of("token", f.enrollmentToken(), "hostname", "race-" + round,
                                            "agent_version", "1"));
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Callable<Integer>> calls = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    calls.add(() -> f.post("/api/agents/enroll", null, body).statusCode());
                }
                List<Integer> statuses = new ArrayList<>();
                for (Future<Integer> result : pool.invokeAll(calls)) {
                    statuses.add(result.get());
                }
                assertThat(statuses.toString(), statuses.stream().filter(s -> s == 201).count(), equalTo(1L));
                assertThat(statuses.toString(), statuses.stream().filter(s -> s == 401).count(), equalTo(7L));
            } finally {
                pool.shutdown();
            }
        }
        long raced = f.hub.store().agents().stream().filter(a -> a.hostname().startsWith("race-")).count();
        assertThat(raced, is(3L));
    }
}
