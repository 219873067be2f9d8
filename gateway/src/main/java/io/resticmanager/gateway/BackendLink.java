package io.resticmanager.gateway;

import io.helidon.common.buffers.BufferData;
import io.helidon.websocket.WsSession;

import java.lang.System.Logger.Level;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The backend half of one proxied WebSocket. It is opened before the client's upgrade is accepted; frames from
 * the backend wait (no demand signalled) until the client session is attached. Closing either side closes the
 * other.
 */
final class BackendLink implements WebSocket.Listener {
    private static final System.Logger LOG = System.getLogger(BackendLink.class.getName());
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile WebSocket backend;
    private volatile WsSession client;

    void connected(WebSocket webSocket) {
        this.backend = webSocket;
    }

    /** The client upgrade succeeded: start pumping backend frames to it. */
    void attach(WsSession session) {
        this.client = session;
        backend.request(1);
    }

    void sendText(String text, boolean last) {
        try {
            backend.sendText(text, last).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            closeBoth(1011, "backend send failed");
        }
    }

    void sendBinary(BufferData buffer, boolean last) {
        byte[] bytes = new byte[buffer.available()];
        buffer.read(bytes);
        try {
            backend.sendBinary(ByteBuffer.wrap(bytes), last).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            closeBoth(1011, "backend send failed");
        }
    }

    void clientClosed(int status, String reason) {
        if (closed.compareAndSet(false, true)) {
            backend.sendClose(clientCode(status), reason == null ? "" : reason)
                    .orTimeout(5, TimeUnit.SECONDS)
                    .whenComplete((ws, e) -> backend.abort());
        }
    }

    /** Drops the backend connection without ceremony (client error, or an upgrade that never completed). */
    void abort() {
        if (closed.compareAndSet(false, true) && backend != null) {
            backend.abort();
        }
    }

    private void closeBoth(int code, String reason) {
        if (closed.compareAndSet(false, true)) {
            if (backend != null) {
                backend.abort();
            }
            if (client != null) {
                client.close(code, reason);
            }
        }
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        // No request(1) here: backend frames wait until attach().
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        client.send(data.toString(), last);
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
        byte[] bytes = new byte[data.remaining()];
        data.get(bytes);
        client.send(BufferData.create(bytes), last);
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        if (closed.compareAndSet(false, true) && client != null) {
            client.close(serverCode(statusCode), reason == null ? "" : reason);
        }
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        LOG.log(Level.DEBUG, "backend WebSocket error: " + error.getMessage());
        closeBoth(1011, "backend connection failed");
    }

    /** Codes the JDK client may send; anything else becomes a normal closure. */
    private static int clientCode(int code) {
        boolean legal = code == 1000 || code >= 1001 && code <= 1003 || code >= 1007 && code <= 1010
                || code >= 3000 && code <= 4999;
        return legal ? code : 1000;
    }

    /** Codes a server may put on the wire; 1005/1006/1015 are only ever reported, never sent. */
    private static int serverCode(int code) {
        return code == 1005 || code == 1006 || code == 1015 || code < 1000 || code > 4999 ? 1001 : code;
    }
}
