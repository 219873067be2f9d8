package io.resticmanager.gateway;

import io.helidon.common.buffers.BufferData;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;
import io.helidon.websocket.WsUpgradeException;
import io.resticmanager.kit.Problem;

import java.lang.System.Logger.Level;
import java.util.Optional;

/**
 * The client half of one proxied WebSocket. Normally the {@link AccessGuard} already authenticated the upgrade
 * and opened the backend (so a refusal gets a real status); this listener claims that link. Should an upgrade
 * ever arrive without it, the listener authorizes and connects itself (then a refusal can only be Helidon's 400).
 */
final class WsBridge implements WsListener {
    private static final System.Logger LOG = System.getLogger(WsBridge.class.getName());
    private final WsProxy proxy;
    private volatile BackendLink link;

    WsBridge(WsProxy proxy) {
        this.proxy = proxy;
    }

    @Override
    public Optional<Headers> onHttpUpgrade(HttpPrologue prologue, Headers headers) throws WsUpgradeException {
        Optional<BackendLink> prepared = proxy.claim(headers);
        if (prepared.isPresent()) {
            link = prepared.get();
            return Optional.empty();
        }
        try {
            link = proxy.openUnrouted(prologue, headers);
        } catch (Problem p) {
            throw new WsUpgradeException(p.detail());
        }
        return Optional.empty();
    }

    @Override
    public void onOpen(WsSession session) {
        link.attach(session);
    }

    @Override
    public void onMessage(WsSession session, String text, boolean last) {
        link.sendText(text, last);
    }

    @Override
    public void onMessage(WsSession session, BufferData buffer, boolean last) {
        link.sendBinary(buffer, last);
    }

    @Override
    public void onClose(WsSession session, int status, String reason) {
        if (link != null) {
            link.clientClosed(status, reason);
        }
    }

    @Override
    public void onError(WsSession session, Throwable t) {
        LOG.log(Level.DEBUG, "client WebSocket error: " + t.getMessage());
        if (link != null) {
            link.abort();
        }
    }
}
