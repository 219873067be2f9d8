package io.resticmanager.hub;

import com.fasterxml.jackson.databind.JsonNode;
import io.resticmanager.proto.Principal;
import io.resticmanager.proto.Role;
import io.resticmanager.proto.Envelope;
import io.resticmanager.proto.ErrorCode;
import io.resticmanager.proto.Frames;
import io.resticmanager.proto.Message;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

/** {@code POST /api/hosts/{id}/update} and {@code POST /api/hosts/update}: the agent.update command. */
class UpdateTest {
    private static final Principal OPERATOR = new Principal("u-op", "operator", Role.OPERATOR);
    @RegisterExtension
    static final HubFixture f = HubFixture.perClass(Map.of("rm.hub.request-timeout-ms", "2000"));

    @Test
    void anAdminsUpdateReachesTheAgentAndIsAcceptedWithTheVersionItHad() throws Exception {
        HubFixture.Enrolled host = f.enroll("update-1");
        try (TestAgent agent = f.online(host)) {
            CompletableFuture<HttpResponse<String>> answer = CompletableFuture.supplyAsync(
                    () -> f.post("/api/hosts/" + host.hostId() + "/update", HubFixture.ADMIN, "{}"));
            JsonNode request = agent.next("agent.update");
            Message.AgentUpdate update = Frames.decode(request.toString()).payloadAs(Message.AgentUpdate.class);
            agent.send(Envelope.replyTo(Frames.decode(request.toString()),
                                        new Message.AgentUpdateStarted(update.updateId(), "0.1.0", "apt")));
            HttpResponse<String> r = answer.get(10, TimeUnit.SECONDS);
            assertThat(r.body(), r.statusCode(), is(202));
            JsonNode body = HubFixture.json(r);
            assertThat(body.path("status").asText(), is("started"));
            assertThat(body.path("from_version").asText(), is("0.1.0"));
            assertThat(r.headers().firstValue("X-RM-Audit-Action").orElse(""), is("agent.update"));
        }
    }

    @Test
    void anAgentThatCannotUpdateIsA409WithItsReason() throws Exception {
        HubFixture.Enrolled host = f.enroll("update-2");
        try (TestAgent agent = f.online(host)) {
            CompletableFuture<HttpResponse<String>> answer = CompletableFuture.supplyAsync(
                    () -> f.post("/api/hosts/" + host.hostId() + "/update", HubFixture.ADMIN, "{}"));
            JsonNode request = agent.next("agent.update");
            agent.send(Envelope.replyTo(Frames.decode(request.toString()),
                                        Message.Error.of(ErrorCode.BUSY, "2 job(s) running")));
            HttpResponse<String> r = answer.get(10, TimeUnit.SECONDS);
            assertThat(r.statusCode(), is(409));
            assertThat(r.body(), containsString("busy: 2 job(s) running"));
        }
    }

    @Test
    void onlyAdminsMayUpdateAndAnOfflineHostIsA409() {
        HubFixture.Enrolled host = f.enroll("update-3");
        assertThat(f.post("/api/hosts/" + host.hostId() + "/update", OPERATOR, "{}").statusCode(), is(403));
        assertThat(f.post("/api/hosts/update", HubFixture.VIEWER, "{}").statusCode(), is(403));
        assertThat(f.post("/api/hosts/" + host.hostId() + "/update", HubFixture.ADMIN, "{}").statusCode(), is(409));
        assertThat(f.post("/api/hosts/no-such-host/update", HubFixture.ADMIN, "{}").statusCode(), is(404));
    }

    @Test
    void updateAllAsksEveryOnlineHostAndReportsEach() throws Exception {
        HubFixture.Enrolled a = f.enroll("update-all-a");
        HubFixture.Enrolled b = f.enroll("update-all-b");
        try (TestAgent agentA = f.online(a); TestAgent agentB = f.online(b)) {
            CompletableFuture<HttpResponse<String>> answer = CompletableFuture.supplyAsync(
                    () -> f.post("/api/hosts/update", HubFixture.ADMIN, "{}"));
            JsonNode ra = agentA.next("agent.update");
            JsonNode rb = agentB.next("agent.update");
            agentA.send(Envelope.replyTo(Frames.decode(ra.toString()), new Message.AgentUpdateStarted(
                    ra.at("/payload/update_id").asText(), "0.1.0", "apt")));
            agentB.send(Envelope.replyTo(Frames.decode(rb.toString()),
                                         Message.Error.of(ErrorCode.UPDATE_UNAVAILABLE, "not from the package")));
            HttpResponse<String> r = answer.get(10, TimeUnit.SECONDS);
            assertThat(r.body(), r.statusCode(), is(202));
            JsonNode body = HubFixture.json(r);
            String text = body.toString();
            assertThat(text, containsString("\"host_id\":\"" + a.hostId() + "\",\"status\":\"started\""));
            assertThat(text, containsString("\"host_id\":\"" + b.hostId() + "\",\"status\":\"refused\""));
            assertThat(text, containsString("update_unavailable"));
        }
    }

    @Test
    void anAgentCannotSendTheUpdateCommandNorAnswerSomeoneElsesUpdate() throws Exception {
        HubFixture.Enrolled victim = f.enroll("update-victim");
        HubFixture.Enrolled hostile = f.enroll("update-hostile");
        try (TestAgent v = f.online(victim); TestAgent h = f.online(hostile)) {
            // the command is the hub's: an agent sending it gets an error, and nothing reaches the other agent
            h.send(Envelope.of(new Message.AgentUpdate("forged-1")));
            assertThat(h.next("error").at("/payload/code").asText(), is("unknown_type"));
            CompletableFuture<HttpResponse<String>> answer = CompletableFuture.supplyAsync(
                    () -> f.post("/api/hosts/" + victim.hostId() + "/update", HubFixture.ADMIN, "{}"));
            JsonNode request = v.next("agent.update");
            // the hostile agent answers the victim's request (it guessed the id): not taken as the answer
            Envelope forged = Envelope.replyTo(Frames.decode(request.toString()), new Message.AgentUpdateStarted(
                    request.at("/payload/update_id").asText(), "6.6.6", "apt"));
            h.send(forged);
            v.send(Envelope.replyTo(Frames.decode(request.toString()), new Message.AgentUpdateStarted(
                    request.at("/payload/update_id").asText(), "0.1.0", "apt")));
            HttpResponse<String> r = answer.get(10, TimeUnit.SECONDS);
            assertThat(r.statusCode(), is(202));
            assertThat(HubFixture.json(r).path("from_version").asText(), is("0.1.0"));
        }
    }
}
