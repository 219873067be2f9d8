package io.resticmanager.agent;

import io.resticmanager.proto.Envelope;
import io.resticmanager.proto.ErrorCode;
import io.resticmanager.proto.FrameException;
import io.resticmanager.proto.Frames;
import io.resticmanager.proto.Message;
import io.resticmanager.proto.Protocol;

import java.io.IOException;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One WebSocket connection to the hub ({@link HubConnection} makes one per connect): the listener that reassembles
 * and decodes frames (too large or undecodable ones are answered with an error frame) and hands them to the
 * {@link HubConnection.Handler}, sends serialized on one lock, and this connection's replay position per job.
 */
final class HubSession implements WebSocket.Listener, HubConnection.Link {
    private static final Logger LOG = Logger.getLogger(HubSession.class.getName());
    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(30);

    private final HubConnection.Handler handler;
    final CompletableFuture<Message.HelloOk> helloOk = new CompletableFuture<>();
    final CompletableFuture<Void> closed = new CompletableFuture<>();
    final Map<String, Long> sentUpTo = new ConcurrentHashMap<>();
    private final ReentrantLock sendLock = new ReentrantLock();
    private final StringBuilder partial = new StringBuilder();
    volatile WebSocket ws;
    volatile boolean ready;
    volatile long lastReceived = System.nanoTime();
    volatile boolean pongSeen;
    volatile Optional<String> closeReason = Optional.empty();
    private boolean oversized;

    HubSession(HubConnection.Handler handler) {
        this.handler = handler;
    }

    @Override
    public boolean send(Envelope envelope) {
        return sendText(Frames.encode(envelope));
    }

    @Override
    public boolean open() {
        return ws != null && !closed.isDone();
    }

    boolean sendText(String text) {
        WebSocket w = ws;
        if (w == null || closed.isDone()) {
            return false;
        }
        sendLock.lock();
        try {
            w.sendText(text, true).get(SEND_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            return true;
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            closeReason = Optional.of("send failed: " + describe(e));
            abort();
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            sendLock.unlock();
        }
    }

    void ping() {
        WebSocket w = ws;
        if (w == null || closed.isDone()) {
            return;
        }
        sendLock.lock();
        try {
            w.sendPing(ByteBuffer.allocate(0)).get(SEND_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            abort();
        } finally {
            sendLock.unlock();
        }
    }

    void abort() {
        WebSocket w = ws;
        if (w != null) {
            w.abort();
        }
        closed.complete(null);
        helloOk.completeExceptionally(new IOException("closed"));
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        lastReceived = System.nanoTime();
        if (partial.length() + data.length() <= Protocol.MAX_FRAME_BYTES) {
            partial.append(data);
        } else {
            oversized = true;
        }
        if (last) {
            String text = partial.toString();
            partial.setLength(0);
            boolean tooLarge = oversized;
            oversized = false;
            if (tooLarge) {
                send(Envelope.of(Message.Error.of(ErrorCode.FRAME_TOO_LARGE, "frame exceeds "
                        + Protocol.MAX_FRAME_BYTES + " bytes")));
            } else {
                dispatch(text);
            }
        }
        webSocket.request(1);
        return null;
    }

    private void dispatch(String text) {
        Envelope env;
        try {
            env = Frames.decode(text);
        } catch (FrameException e) {
            LOG.warning("rejected a frame from the hub: " + e.code().wire() + ": " + e.getMessage());
            send(Envelope.of(Message.Error.of(e.code(), e.getMessage())));
            return;
        }
        try {
            if (env.payload() instanceof Message.HelloOk ok) {
                helloOk.complete(ok);
            } else {
                handler.received(env, this);
            }
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "error handling " + env.type().wire(), e);
            send(Envelope.replyTo(env, Message.Error.of(ErrorCode.INTERNAL, "the agent failed to handle "
                    + env.type().wire())));
        }
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
        lastReceived = System.nanoTime();
        if (last) {
            send(Envelope.of(Message.Error.of(ErrorCode.BAD_JSON, "binary frames are not part of the protocol")));
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
        lastReceived = System.nanoTime();
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onPong(WebSocket webSocket, ByteBuffer message) {
        lastReceived = System.nanoTime();
        pongSeen = true;
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closeReason = Optional.of("closed by the hub: " + statusCode + (reason == null || reason.isBlank() ? ""
                : " " + reason));
        closed.complete(null);
        helloOk.completeExceptionally(new IOException("closed"));
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closeReason = Optional.of(describe(error));
        closed.complete(null);
        helloOk.completeExceptionally(new IOException("closed"));
    }

    /** The innermost cause, named by its class and message (never a secret: the JDK's socket errors). */
    static String describe(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c.getMessage() == null ? c.getClass().getSimpleName() : c.getClass().getSimpleName() + ": " + c.getMessage();
    }
}
