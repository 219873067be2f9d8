package io.resticmanager.agent;

import io.resticmanager.proto.Envelope;
import io.resticmanager.proto.Message;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Questions the agent asks the server over the live connection, each answered by a frame whose {@code corr} is the
 * question's id (the tree index's {@code index.have}, {@code index.upload}, {@code index.root}). Nothing is queued:
 * without a connection a question fails at once and its caller decides what to do.
 */
final class HubAsk {
    private final Map<String, CompletableFuture<Message>> waiting = new ConcurrentHashMap<>();
    private volatile HubConnection.Link link;

    /** The connection reached hello.ok. */
    void linked(HubConnection.Link link) {
        this.link = link;
    }

    /** The server refused a question: its {@code error} frame's code and message. */
    static final class Refused extends IOException {
        final String code;

        Refused(Message.Error error) {
            super(error.code() + ": " + error.message());
            this.code = error.code();
        }
    }

    /** Sends {@code question} and waits for its answer; an {@code error} answer is {@link Refused}. */
    Message ask(Message question, Duration timeout) throws IOException {
        HubConnection.Link l = link;
        if (l == null || !l.open()) {
            throw new IOException("not connected to the server");
        }
        Envelope env = Envelope.of(question);
        CompletableFuture<Message> answer = new CompletableFuture<>();
        waiting.put(env.id(), answer);
        try {
            if (!l.send(env)) {
                throw new IOException("the connection to the server closed");
            }
            Message reply = answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (reply instanceof Message.Error e) {
                throw new Refused(e);
            }
            return reply;
        } catch (TimeoutException e) {
            throw new IOException("no answer from the server within " + timeout.toSeconds() + " s");
        } catch (ExecutionException e) {
            throw new IOException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        } finally {
            waiting.remove(env.id());
        }
    }

    /** Hands an answer to its waiting question; false when nobody asked (late, or not an answer). */
    boolean answered(Envelope env) {
        CompletableFuture<Message> f = env.correlation().map(waiting::remove).orElse(null);
        if (f == null) {
            return false;
        }
        f.complete(env.payload());
        return true;
    }
}
