package io.resticmanager.kit;

import io.helidon.http.Method;
import io.helidon.webserver.WebServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Optional;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

class InternalClientTest {
    private static WebServer peer;

    @BeforeAll
    static void start() {
        peer = WebServer.builder().port(0).host("127.0.0.1").routing(r -> {
            ServiceKit.base(r, "peer", InternalAuth.create("tok"), Health.create("peer", Map.of()));
            r.get("/echo", (req, res) -> Http.json(res, Map.of("purpose", req.query().get("purpose"),
                                                               "who", req.query().first("who").orElse("-"))));
            r.get("/missing", (req, res) -> { throw Problem.notFound("no such host"); });
        }).build().start();
    }

    @AfterAll
    static void stop() {
        peer.stop();
    }

    @Test
    void passesQueryParametersAndTheToken() {
        InternalClient client = InternalClient.create("peer", "http://127.0.0.1:" + peer.port(), "tok");
        var reply = client.expectOk(Method.GET, "/echo?purpose=full&who=a%20b", null);
        assertThat(reply.tree().path("purpose").asText(), is("full"));
        assertThat(reply.tree().path("who").asText(), is("a b"));
    }

    @Test
    void peerProblemsPassThroughAndDownPeersAre503() {
        InternalClient client = InternalClient.create("peer", "http://127.0.0.1:" + peer.port(), "tok");
        Problem notFound = assertThrows(Problem.class, () -> client.expectOk(Method.GET, "/missing", null));
        assertThat(notFound.status(), is(404));
        assertThat(notFound.detail(), is("no such host"));
        InternalClient wrongToken = InternalClient.create("peer", "http://127.0.0.1:" + peer.port(), "nope");
        assertThat(wrongToken.call(Method.GET, "/echo", null, Optional.empty()).status(), is(401));
        InternalClient down = InternalClient.create("gone", "http://127.0.0.1:1", "tok");
        Problem unavailable = assertThrows(Problem.class, () -> down.expectOk(Method.GET, "/echo", null));
        assertThat(unavailable.status(), is(503));
    }
}
