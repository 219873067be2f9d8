package io.resticmanager.hub;

import com.fasterxml.jackson.databind.JsonNode;
import io.resticmanager.proto.Envelope;
import io.resticmanager.proto.Json;
import io.resticmanager.proto.Message;
import io.resticmanager.proto.Protocol;
import io.resticmanager.proto.internal.HubEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

class AgentSocketTest {
    @RegisterExtension
    static final HubFixture f = HubFixture.perClass();

    @Test
    void helloIsAnsweredWithHelloOkAndTheHostGoesOnline() throws Exception {
        HubFixture.Enrolled host = f.enroll("web-1");
        try (TestAgent agent = TestAgent.connect(f.http, f.ws(), host.agentToken())) {
            Envelope hello = TestAgent.hello("web-1", Protocol.VERSION);
            agent.send(hello);
            JsonNode ok = agent.next();
            assertThat(ok.get("type").asText(), is("hello.ok"));
            assertThat(ok.get("corr").asText(), is(hello.id()));
            assertThat(ok.at("/payload/host_id").asText(), is(host.hostId()));
            assertThat(ok.at("/payload/heartbeat_interval_s").asInt(), is(15));

            List<HubEvent> online = f.jobs.await(StubReceiver.type(HubEvent.HOST_ONLINE, host.hostId()), 1,
                                                 Duration.ofSeconds(5));
            assertThat(online, hasSize(1));
            assertThat(online.getFirst().payload().get("restic_version").asText(), is("0.14.0"));
            assertThat(online.getFirst().payload().at("/jobs/0/job_id").asText(), is("job-running"));
            assertThat(f.inventory.await(StubReceiver.type(HubEvent.HOST_ONLINE, host.hostId()), 1,
                                         Duration.ofSeconds(5)), hasSize(1));

            JsonNode presence = presence(host.hostId());
            assertThat(presence.get("online").asBoolean(), is(true));
            assertThat(presence.get("restic_version").asText(), is("0.14.0"));

            // one agent by host id: what the dashboard's version and feature checks read
            java.net.http.HttpResponse<String> one = f.get("/api/agents/" + host.hostId(), HubFixture.VIEWER);
            assertThat(one.statusCode(), is(200));
            JsonNode agentView = io.resticmanager.proto.Json.MAPPER.readTree(one.body());
            assertThat(agentView.get("protocol_version").asInt(), is(Protocol.VERSION));
            assertThat(agentView.get("agent_version").asText(), is("0.1.0"));
            assertThat(agentView.get("online").asBoolean(), is(true));
            assertThat(f.get("/api/agents/no-such-host", HubFixture.VIEWER).statusCode(), is(404));
            assertThat(f.get("/api/agents/" + host.hostId(), null).statusCode(), is(401));
        }
    }

    @Test
    void badFramesGetErrorEnvelopesAndTheConnectionStaysUsable() throws Exception {
        HubFixture.Enrolled host = f.enroll("bad-frames");
        try (TestAgent agent = f.online(host)) {
            agent.sendText("{not json");
            assertError(agent.next(), "bad_json");

            agent.sendText("{\"v\":1,\"type\":\"job.teleport\",\"id\":\"x\",\"ts\":\"2026-01-01T00:00:00Z\",\"payload\":{}}");
            assertError(agent.next(), "unknown_type");

            // job.log without job_id
            agent.sendText("{\"v\":1,\"type\":\"job.log\",\"id\":\"x\",\"ts\":\"2026-01-01T00:00:00Z\","
                                   + "\"payload\":{\"seq\":1,\"lines\":[]}}");
            JsonNode missing = agent.next();
            assertError(missing, "invalid_payload");

            agent.sendText("{\"v\":1,\"type\":\"heartbeat\",\"id\":\"" + "x".repeat(Protocol.MAX_FRAME_BYTES)
                                   + "\",\"ts\":\"2026-01-01T00:00:00Z\",\"payload\":{}}");
            assertError(agent.next(), "frame_too_large");

            // a hub-to-agent type coming from an agent
            agent.send(Envelope.of(new Message.JobCancel("j1")));
            assertError(agent.next(), "unknown_type");

            // still the same live socket: a command reaches it
            HttpResponse<String> r = f.post("/internal/agents/" + host.hostId() + "/commands", null,
                                            "{\"type\":\"job.cancel\",\"payload\":{\"job_id\":\"j1\"}}");
            assertThat(r.statusCode(), is(200));
            JsonNode cancel = agent.next();
            assertThat(cancel.get("type").asText(), is("job.cancel"));
            assertThat(cancel.get("id").asText(), is(HubFixture.json(r).get("envelope_id").asText()));
            assertThat(agent.isClosed(), is(false));
        }
        assertThat(f.get("/health", null).statusCode(), is(200));
    }

    @Test
    void fragmentedMessagesAreReassembledAndTheirTotalSizeIsLimited() throws Exception {
        HubFixture.Enrolled host = f.enroll("fragments");
        try (TestAgent agent = f.online(host)) {
            String log = io.resticmanager.proto.Frames.encode(Envelope.of(new Message.JobLog("frag-job", 7, List.of(
                    new Message.LogLine(7, java.time.Instant.now(), "stdout", "hello")))));
            int third = log.length() / 3;
            agent.sendFragments(log.substring(0, third), log.substring(third, 2 * third), log.substring(2 * third));
            JsonNode ack = agent.next();
            assertThat(ack.toString(), ack.get("type").asText(), is("job.events.ack"));
            assertThat(ack.at("/payload/up_to_seq").asLong(), is(7L));

            String half = "x".repeat(Protocol.MAX_FRAME_BYTES / 2 + 10);
            agent.sendFragments("{\"v\":1,\"type\":\"heartbeat\",\"id\":\"" + half, half, "\"}");
            assertError(agent.next(), "frame_too_large");
            agent.send(Envelope.of(new Message.JobLog("frag-job", 8, List.of(
                    new Message.LogLine(8, java.time.Instant.now(), "stdout", "still here")))));
            assertThat(agent.next("job.events.ack").at("/payload/up_to_seq").asLong(), is(8L));
        }
    }

    @Test
    void theFirstFrameMustBeHello() throws Exception {
        HubFixture.Enrolled host = f.enroll("no-hello");
        try (TestAgent agent = TestAgent.connect(f.http, f.ws(), host.agentToken())) {
            agent.send(Envelope.of(new Message.Heartbeat(List.of())));
            assertError(agent.next(), "hello_required");
            assertThat(presence(host.hostId()).get("online").asBoolean(), is(false));
            agent.send(TestAgent.hello("no-hello", 1));
            assertThat(agent.next().get("type").asText(), is("hello.ok"));
        }
    }

    @Test
    void anAgentFromBeforeProtocolOneGetsProtocolTooOldNotAParseError() throws Exception {
        HubFixture.Enrolled host = f.enroll("ancient-agent");
        try (TestAgent agent = TestAgent.connect(f.http, f.ws(), host.agentToken())) {
            agent.sendText("{\"v\":1,\"type\":\"hello\",\"id\":\"h1\",\"ts\":\"2026-01-01T00:00:00Z\","
                                   + "\"payload\":{\"hostname\":\"old\",\"agent_version\":\"0.0.1\"}}");
            assertError(agent.next(), "protocol_too_old");
            assertThat(agent.awaitClose(), is(1008));
        }
    }

    @Test
    void aHelloBelowTheServersMinimumGetsProtocolTooOldAndIsClosed() throws Exception {
        try (HubFixture strict = new HubFixture(Map.of("rm.hub.min-protocol-version",
                                                       Integer.toString(Protocol.VERSION + 1)))) {
            HubFixture.Enrolled host = strict.enroll("outdated");
            try (TestAgent agent = TestAgent.connect(strict.http, strict.ws(), host.agentToken())) {
                Envelope hello = TestAgent.hello("outdated", Protocol.VERSION);
                agent.send(hello);
                JsonNode error = agent.next();
                assertError(error, "protocol_too_old");
                assertThat(error.get("corr").asText(), is(hello.id()));
                assertThat(error.at("/payload/message").asText(), containsString("update the agent"));
                assertThat(agent.awaitClose(), is(1008));
                assertThat(agent.closeReason, is("protocol_too_old"));
            }
            assertThat(strict.jobs.quietFor(host.hostId(), HubEvent.HOST_ONLINE, 300), is(true));
        }
    }

    @Test
    void unknownAndMissingCredentialsAreRefused() throws Exception {
        ExecutionException e = assertThrows(ExecutionException.class,
                                             () -> TestAgent.connect(f.http, f.ws(), "rma_not-a-real-token"));
        assertThat(e.getCause(), instanceOf(WebSocketHandshakeException.class));
        var response = ((WebSocketHandshakeException) e.getCause()).getResponse();
        assertThat(String.valueOf(response.body()), response.statusCode(), is(401));
    }

    @Test
    void revokeClosesTheLiveSocketAndRefusesLaterUpgrades() throws Exception {
        HubFixture.Enrolled host = f.enroll("revoked");
        try (TestAgent agent = f.online(host)) {
            HttpResponse<String> r = f.post("/internal/agents/" + host.hostId() + "/revoke", null, "");
            assertThat(r.statusCode(), is(204));
            assertThat(agent.awaitClose(), is(1008));
        }
        f.jobs.await(StubReceiver.type(HubEvent.HOST_OFFLINE, host.hostId()), 1, Duration.ofSeconds(5));
        assertThat(f.jobs.events(StubReceiver.type(HubEvent.HOST_OFFLINE, host.hostId())), hasSize(1));
        ExecutionException e = assertThrows(ExecutionException.class,
                                            () -> TestAgent.connect(f.http, f.ws(), host.agentToken()));
        assertThat(((WebSocketHandshakeException) e.getCause()).getResponse().statusCode(), is(401));
        assertThat(f.post("/internal/agents/" + host.hostId() + "/commands", null,
                          "{\"type\":\"job.cancel\",\"payload\":{\"job_id\":\"j\"}}").statusCode(), is(404));
        assertThat(f.post("/internal/agents/nope/revoke", null, "").statusCode(), is(404));
    }

    @Test
    void aDisabledHostIsDisconnectedAndRefusedUntilEnabled() throws Exception {
        HubFixture.Enrolled host = f.enroll("disabled");
        try (TestAgent agent = f.online(host)) {
            assertThat(f.put("/internal/agents/" + host.hostId() + "/disabled", null, "{\"disabled\":true}")
                               .statusCode(), is(204));
            assertThat(agent.awaitClose(), is(1008));
        }
        ExecutionException e = assertThrows(ExecutionException.class,
                                            () -> TestAgent.connect(f.http, f.ws(), host.agentToken()));
        assertThat(((WebSocketHandshakeException) e.getCause()).getResponse().statusCode(), is(403));
        assertThat(f.put("/internal/agents/" + host.hostId() + "/disabled", null, "{\"disabled\":false}")
                           .statusCode(), is(204));
        try (TestAgent again = f.online(host)) {
            assertThat(presence(host.hostId()).get("online").asBoolean(), is(true));
        }
    }

    @Test
    void aSecondConnectionReplacesTheFirst() throws Exception {
        HubFixture.Enrolled host = f.enroll("twice");
        try (TestAgent first = f.online(host); TestAgent second = f.online(host)) {
            assertThat(first.awaitClose(), is(1000));
            HttpResponse<String> r = f.post("/internal/agents/" + host.hostId() + "/commands", null,
                                            "{\"type\":\"job.cancel\",\"payload\":{\"job_id\":\"j2\"}}");
            assertThat(r.statusCode(), is(200));
            assertThat(second.next("job.cancel").at("/payload/job_id").asText(), is("j2"));
        }
    }

    @Test
    void commandsAreValidatedAndRefusedForOfflineOrUnknownHosts() throws Exception {
        HubFixture.Enrolled host = f.enroll("commands");
        String path = "/internal/agents/" + host.hostId() + "/commands";
        HttpResponse<String> offline = f.post(path, null, "{\"type\":\"job.cancel\",\"payload\":{\"job_id\":\"j\"}}");
        assertThat(offline.statusCode(), is(409));
        assertThat(HubFixture.json(offline).get("detail").asText(), is("host " + host.hostId() + " is offline"));
        assertThat(f.post("/internal/agents/00000000-0000-0000-0000-000000000000/commands", null,
                          "{\"type\":\"job.cancel\",\"payload\":{\"job_id\":\"j\"}}").statusCode(), is(404));
        try (TestAgent agent = f.online(host)) {
            assertThat(f.post(path, null, "{\"type\":\"job.cancel\",\"payload\":{}}").statusCode(), is(400));
            assertThat(f.post(path, null, "{\"type\":\"hello.ok\",\"payload\":{\"host_id\":\"x\"}}").statusCode(),
                       is(400));
            HttpResponse<String> start = f.post(path, null, Json.write(Map.of("type", "job.start", "payload", Map.of(
                    "job_id", "j3", "kind", "backup",
                    "repo", Map.of("repo_id", "r1", "url", "/srv/repo", "password", "s3cret")))));
            assertThat(start.body(), start.statusCode(), is(200));
            JsonNode frame = agent.next("job.start");
            assertThat(frame.at("/payload/repo/password").asText(), is("s3cret"));
            assertThat(agent.quietFor(100), is(true));
        }
    }

    @Test
    void aSilentAgentGoesOfflineAndComesBackOnReconnect() throws Exception {
        try (HubFixture quick = new HubFixture(Map.of("rm.hub.offline-after-s", "1"))) {
            HubFixture.Enrolled host = quick.enroll("silent");
            try (TestAgent agent = quick.online(host)) {
                assertThat(agent.awaitClose(), is(1001));
                List<HubEvent> offline = quick.jobs.await(StubReceiver.type(HubEvent.HOST_OFFLINE, host.hostId()),
                                                          1, Duration.ofSeconds(5));
                assertThat(offline, hasSize(1));
                assertThat(offline.getFirst().payload().has("last_seen_at"), is(true));
            }
            assertThat(quick.post("/internal/agents/" + host.hostId() + "/commands", null,
                                  "{\"type\":\"job.cancel\",\"payload\":{\"job_id\":\"j\"}}").statusCode(), is(409));
            try (TestAgent again = quick.online(host)) {
                assertThat(quick.jobs.await(StubReceiver.type(HubEvent.HOST_ONLINE, host.hostId()), 2,
                                            Duration.ofSeconds(5)), hasSize(2));
                // heartbeats keep it online past the silence limit
                for (int i = 0; i < 6; i++) {
                    again.send(Envelope.of(new Message.Heartbeat(List.of())));
                    Thread.sleep(300);
                }
                assertThat(again.isClosed(), is(false));
            }
            // exactly one offline per online period
            assertThat(quick.jobs.await(StubReceiver.type(HubEvent.HOST_OFFLINE, host.hostId()), 2,
                                        Duration.ofSeconds(5)), hasSize(2));
        }
    }

    private static JsonNode presence(String hostId) {
        HttpResponse<String> r = f.get("/internal/agents", null);
        assertThat(r.statusCode(), is(200));
        for (JsonNode item : HubFixture.json(r).get("items")) {
            if (item.get("host_id").asText().equals(hostId)) {
                return item;
            }
        }
        throw new AssertionError("host " + hostId + " not listed");
    }

    private static void assertError(JsonNode frame, String code) {
        assertThat(frame.toString(), frame.get("type").asText(), equalTo("error"));
        assertThat(frame.toString(), frame.at("/payload/code").asText(), equalTo(code));
        assertThat(frame.at("/payload/message").asText(), containsString(""));
    }
}
