package io.resticmanager.gateway;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** WebSockets through the gateway: agent connection (credential passed through) and the browser's job stream. */
class GatewayWebSocketTest {
    private static TestStack stack;
    private static TestStack.Session viewer;

    @BeforeAll
    static void start() {
        stack = new TestStack();
        TestStack.Session admin = stack.setupAdmin();
        viewer = stack.createUser(admin, "victor", "viewer");
    }

    @AfterAll
    static void stop() {
        stack.close();
    }

    /** Collects text frames and the close code. */
    static final class Collector implements WebSocket.Listener {
        final BlockingQueue<String> texts = new LinkedBlockingQueue<>();
        final CompletableFuture<Integer> closed = new CompletableFuture<>();
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                texts.add(partial.toString());
                partial.setLength(0);
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }

        String next() throws InterruptedException {
            String text = texts.poll(5, TimeUnit.SECONDS);
            if (text == null) {
                throw new AssertionError("no frame within 5 s");
            }
            return text;
        }
    }

    private static WebSocket connect(String path, Collector collector, String... headers) throws Exception {
        WebSocket.Builder builder = stack.client.newWebSocketBuilder();
        for (int i = 0; i < headers.length; i += 2) {
            builder.header(headers[i], headers[i + 1]);
        }
        return builder.buildAsync(URI.create("ws://127.0.0.1:" + stack.server.port() + path), collector)
                .get(10, TimeUnit.SECONDS);
    }

    @Test
    void agentFramesFlowBothWaysAndBackendCloseClosesTheAgent() throws Exception {
        Collector agent = new Collector();
        WebSocket ws = connect("/ws/agent", agent, "Authorization", "Bearer rma_good");
        ws.sendText("hello", true).get(5, TimeUnit.SECONDS);
        assertThat(agent.next(), is("echo:hello"));
        String big = "x".repeat(512 * 1024);
        ws.sendText(big, true).get(5, TimeUnit.SECONDS);
        String reply = agent.next();
        assertThat(reply.length(), is(big.length() + 5));
        assertThat("one message, intact", reply.equals("echo:" + big), is(true));
        ws.sendText("bye", true).get(5, TimeUnit.SECONDS);
        assertThat(agent.closed.get(5, TimeUnit.SECONDS), is(1000));
    }

    @Test
    void aBadAgentCredentialIsRefusedAtTheUpgrade() {
        assertThat(refusedWith("/ws/agent", "Authorization", "Bearer rma_stolen"), is(401));
        assertThat(refusedWith("/ws/agent"), is(401));
    }

    @Test
    void jobStreamCarriesThePrincipalAndEchoes() throws Exception {
        Collector browser = new Collector();
        WebSocket ws = connect("/api/jobs/j1/stream", browser, "Cookie", viewer.cookie());
        assertThat(browser.next(), is("hello victor/viewer from 127.0.0.1"));
        ws.sendText("ping", true).get(5, TimeUnit.SECONDS);
        assertThat(browser.next(), is("echo:ping"));
        ws.sendClose(1000, "done").get(5, TimeUnit.SECONDS);
        assertThat(browser.closed.get(5, TimeUnit.SECONDS), is(1000));
    }

    @Test
    void jobStreamNeedsALogin() {
        assertThat(refusedWith("/api/jobs/j1/stream"), is(401));
        assertThat(refusedWith("/api/jobs/j1/stream", "Cookie", "rm_session=rmc_forged"), is(401));
    }

    @Test
    void jobStreamRefusesForeignOrigins() {
        assertThat(refusedWith("/api/jobs/j1/stream", "Cookie", viewer.cookie(), "Origin", "https://evil.example"),
                   is(403));
    }

    @Test
    void aDownServiceRefusesTheUpgradeWith503() {
        StubService hub = stack.stubs.get(Upstreams.HUB);
        hub.stop();
        try {
            assertThat(refusedWith("/ws/agent", "Authorization", "Bearer rma_good"), is(503));
        } finally {
            stack.stubs.put(Upstreams.HUB, new StubService(Upstreams.HUB, hub.port()));
        }
    }

    /** Connects expecting a refusal; returns the HTTP status the client got instead of 101. */
    private static int refusedWith(String path, String... headers) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> connect(path, new Collector(), headers));
        if (!(e.getCause() instanceof WebSocketHandshakeException h)) {
            throw new AssertionError("not a handshake refusal", e);
        }
        return h.getResponse().statusCode();
    }
}
