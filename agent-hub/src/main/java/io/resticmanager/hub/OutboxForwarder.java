package io.resticmanager.hub;

import com.fasterxml.jackson.databind.util.RawValue;
import io.helidon.http.Method;
import io.resticmanager.common.Loop;
import io.resticmanager.kit.InternalClient;
import io.resticmanager.kit.Problem;
import io.resticmanager.kit.SqliteStore;
import io.resticmanager.proto.Json;
import io.resticmanager.proto.internal.HubEvent;

import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Posts the outbox to one receiver, oldest first, in batches, at least once: an event leaves the outbox
 * only after the receiver answered 2xx. A receiver that is down is retried with backoff (0.1 s → 5 s) and
 * holds back only its own events; one it calls malformed (400/422) is logged and skipped. It sleeps until
 * {@link #wake()} — called right after events are committed — so live log lines are not held up by polling.
 */
final class OutboxForwarder implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(OutboxForwarder.class.getName());
    private static final Duration MIN_BACKOFF = Duration.ofMillis(100);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);
    /** With nothing to send: how long until the outbox is looked at again without a wake-up. */
    private static final Duration IDLE = Duration.ofSeconds(1);
    /**
     * Payload per request, about 20k log lines: 500 log frames of 500 lines would be one huge body the
     * receiver must hold and parse at once (over its size cap); smaller ones pipeline with the hub's writes.
     */
    static final long MAX_BATCH_PAYLOAD_CHARS = 3L * 1024 * 1024;

    private final Destination destination;
    private final OutboxStore outbox;
    private final InternalClient client;
    private final int batchSize;
    private final Loop loop;
    private volatile boolean running = true;
    private boolean failing;
    private Duration backoff = MIN_BACKOFF;

    OutboxForwarder(Destination destination, SqliteStore store, InternalClient client, int batchSize, Clock clock) {
        this.destination = destination;
        this.outbox = new OutboxStore(store);
        this.client = client;
        this.batchSize = batchSize;
        this.loop = Loop.start("hub-forward-" + destination.peer(), clock, MAX_BACKOFF, now -> pass());
    }

    /** New events are in the outbox. */
    void wake() {
        loop.wake();
    }

    /** Events this receiver has not confirmed yet. */
    long pending() {
        return outbox.pendingCount(destination);
    }

    /** Sends the next batch; returns how long to wait: not at all after a success, longer after each failure. */
    private Duration pass() {
        List<OutboxStore.StoredEvent> batch = outbox.pending(destination, batchSize, MAX_BATCH_PAYLOAD_CHARS);
        if (batch.isEmpty()) {
            return IDLE;
        }
        if (deliver(batch)) {
            backoff = MIN_BACKOFF;
            return Duration.ZERO;
        }
        Duration wait = backoff;
        backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
        return wait;
    }

    /** @return true when every event of the batch is done with (stored or skipped as malformed) */
    private boolean deliver(List<OutboxStore.StoredEvent> batch) {
        InternalClient.Reply reply;
        try {
            reply = client.call(Method.POST, "/internal/events", new HubEvent.Batch(toWire(batch)), Optional.empty());
        } catch (Problem p) {
            failed(p.getMessage());
            return false;
        }
        if (reply.ok()) {
            recovered();
            outbox.delivered(destination, batch.stream().map(OutboxStore.StoredEvent::id).toList());
            return true;
        }
        if (reply.status() == 413 && batch.size() > 1) {
            // the receiver caps a request's size: send the same events, in order, in two smaller requests
            int half = batch.size() / 2;
            return deliver(batch.subList(0, half)) && deliver(batch.subList(half, batch.size()));
        }
        if (reply.status() != 400 && reply.status() != 422 && reply.status() != 413) {
            failed(destination.peer() + " answered " + reply.status());
            return false;
        }
        recovered();
        if (batch.size() == 1) {
            OutboxStore.StoredEvent e = batch.getFirst();
            LOG.log(Level.WARNING, destination.peer() + " rejected event " + e.id() + " (" + e.type() + ", host "
                    + e.hostId() + ") as " + (reply.status() == 413 ? "too large" : "malformed")
                    + ", skipping it: " + detail(reply));
            outbox.delivered(destination, List.of(e.id()));
            return true;
        }
        // find the bad event(s): one by one, in order
        for (OutboxStore.StoredEvent e : batch) {
            if (!deliver(List.of(e))) {
                return false;
            }
        }
        return true;
    }

    private static List<HubEvent> toWire(List<OutboxStore.StoredEvent> batch) {
        List<HubEvent> events = new ArrayList<>(batch.size());
        for (OutboxStore.StoredEvent e : batch) {
            // the payload was written by Json.write when stored: embed its text as is, no parse and re-encode
            events.add(new HubEvent(Long.toString(e.id()), e.hostId(), e.type(), e.at(),
                                    Json.MAPPER.getNodeFactory().rawValueNode(new RawValue(e.payload()))));
        }
        return events;
    }

    private void failed(String why) {
        if (!failing && running) {
            LOG.log(Level.WARNING, "cannot forward events to " + destination.peer() + " (will retry): " + why);
            failing = true;
        }
    }

    private void recovered() {
        if (failing) {
            LOG.log(Level.INFO, "forwarding events to " + destination.peer() + " again");
            failing = false;
        }
    }

    private static String detail(InternalClient.Reply reply) {
        String body = reply.body();
        return body.length() > 300 ? body.substring(0, 300) + "…" : body;
    }



    @Override
    public void close() {
        running = false;
        loop.close();
    }
}
