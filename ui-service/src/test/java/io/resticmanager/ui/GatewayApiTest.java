package io.resticmanager.ui;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.Optional;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

class GatewayApiTest {
    @Test
    void unreachableGatewayIsAnUnavailableProblemNotACrash() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        GatewayApi api = new GatewayApi("http://127.0.0.1:" + port);
        Session session = new Session(Optional.empty(), "", "", "", "");

        ApiException e = assertThrows(ApiException.class, () -> api.get(session, "/api/hosts"));

        assertThat(e.unavailable(), is(true));
        assertThat(e.status(), is(503));
    }
}
