package io.resticmanager.kit;

import io.helidon.http.Status;
import io.helidon.webclient.http1.Http1Client;
import io.helidon.webclient.http1.Http1ClientResponse;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import io.resticmanager.proto.Principal;
import io.resticmanager.proto.Role;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

@ServerTest
class InternalAuthTest {
    private static final String TOKEN = "rmi_test";
    private final Http1Client client;

    InternalAuthTest(Http1Client client) {
        this.client = client;
    }

    @SetUpRoute
    static void routing(HttpRouting.Builder routing) {
        ServiceKit.base(routing, "test", InternalAuth.create(TOKEN), Health.create("test", Map.of("store", () -> true)));
        routing.post("/api/thing", (req, res) -> {
            Principal p = InternalAuth.require(req, Role.OPERATOR);
            Http.json(res, 201, Map.of("by", p.username()));
        });
    }

    @Test
    void healthNeedsNoToken() {
        try (Http1ClientResponse r = client.get("/health").request()) {
            assertThat(r.status(), is(Status.OK_200));
            assertThat(r.as(String.class), containsString("\"store\":\"up\""));
        }
    }

    @Test
    void everythingElseNeedsTheToken() {
        try (Http1ClientResponse r = client.post("/api/thing").request()) {
            assertThat(r.status(), is(Status.UNAUTHORIZED_401));
            assertThat(r.headers().contentType().orElseThrow().text(), containsString("application/problem+json"));
        }
        try (Http1ClientResponse r = client.post("/api/thing").header(Http.INTERNAL_TOKEN, "wrong").request()) {
            assertThat(r.status(), is(Status.UNAUTHORIZED_401));
        }
    }

    @Test
    void rolesAreDoubleChecked() {
        String viewer = new Principal("u1", "vera", Role.VIEWER).toHeader();
        String operator = new Principal("u2", "otto", Role.OPERATOR).toHeader();
        try (Http1ClientResponse r = client.post("/api/thing").header(Http.INTERNAL_TOKEN, TOKEN).request()) {
            assertThat(r.status(), is(Status.UNAUTHORIZED_401));
        }
        try (Http1ClientResponse r = client.post("/api/thing").header(Http.INTERNAL_TOKEN, TOKEN)
                .header(Http.PRINCIPAL, viewer).request()) {
            assertThat(r.status(), is(Status.FORBIDDEN_403));
        }
        try (Http1ClientResponse r = client.post("/api/thing").header(Http.INTERNAL_TOKEN, TOKEN)
                .header(Http.PRINCIPAL, operator).request()) {
            assertThat(r.status(), is(Status.CREATED_201));
            assertThat(r.as(String.class), containsString("otto"));
        }
        try (Http1ClientResponse r = client.post("/api/thing").header(Http.INTERNAL_TOKEN, TOKEN)
                .header(Http.PRINCIPAL, "{not json").request()) {
            assertThat(r.status(), is(Status.BAD_REQUEST_400));
        }
    }
}
