package io.resticmanager.jobs.alerts;

import io.resticmanager.common.Loop;
import io.resticmanager.common.Wakeup;
import io.resticmanager.kit.SecretBox;
import io.resticmanager.proto.Json;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * Durable delivery: every notification is a row of {@code alert_deliveries} first, then sent by this worker, each
 * on its own virtual thread so a slow channel never holds up another. A channel that is down gets the message when
 * it is back: retryable failures back off (1 s, 2 s, 4 s … at most a minute) for up to two days; a refusal that
 * retrying cannot fix (bad credentials, 4xx) ends the delivery as failed with the reason. The delivery log is the
 * table itself.
 */
public final class Outbox implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Outbox.class.getName());
    static final Duration MAX_BACKOFF = Duration.ofMinutes(1);
    static final Duration GIVE_UP_AFTER = Duration.ofDays(2);
    private static final Duration IDLE = Duration.ofSeconds(5);

    private final AlertStore store;
    private final SecretBox box;
    private final Clock clock;
    private final Set<Long> inFlight = ConcurrentHashMap.newKeySet();
    private final Wakeup wakeup = new Wakeup();
    private Loop loop;

    public Outbox(AlertStore store, SecretBox box, Clock clock) {
        this.store = store;
        this.box = box;
        this.clock = clock;
    }

    /** Seals a channel's settings under the service key, bound to the channel id. */
    String seal(String channelId, ChannelConfig config) {
        return box.seal(config.toJson(), context(channelId));
    }

    ChannelConfig open(AlertStore.ChannelRow row) {
        return ChannelConfig.fromJson(row.kind(), box.open(row.settingsSealed(), context(row.id())));
    }

    private static String context(String channelId) {
        return "alert-channel:" + channelId + ":settings";
    }

    /** Records one delivery and wakes the worker. */
    void enqueue(String alertId, String channelId, String state, Notification n, Instant now) {
        store.enqueue(alertId, channelId, state, Json.write(n), now);
        poke();
    }

    /** Sends a test message now, outside the outbox; empty when it was delivered, else why not. */
    Optional<String> test(AlertStore.ChannelRow row) {
        Instant now = clock.instant();
        Notification n = new Notification("test", "test", "info", "firing", null, null, null, null,
                                          "restic-manager test message for channel " + row.name(), now, null, now,
                                          true);
        try {
            Senders.forKind(row.kind()).send(open(row), n);
            return Optional.empty();
        } catch (DeliveryException e) {
            return Optional.of(e.getMessage());
        }
    }

    public void start() {
        loop = Loop.start("jobs-alert-outbox", clock, wakeup, IDLE, this::pass);
    }

    /** Starts a sender for each delivery due; returns how long until the next one is due (shorter while sending). */
    private Duration pass(Instant now) {
        for (AlertStore.DueDelivery d : store.due(now, 50)) {
            if (inFlight.add(d.id())) {
                Thread.ofVirtual().name("jobs-alert-send-" + d.id()).start(() -> {
                    try {
                        send(d);
                    } finally {
                        inFlight.remove(d.id());
                        poke();
                    }
                });
            }
        }
        Duration sleep = store.nextDue().map(t -> Duration.between(clock.instant(), t)).orElse(IDLE);
        sleep = sleep.compareTo(IDLE) > 0 ? IDLE : sleep.isNegative() ? Duration.ofMillis(50) : sleep;
        return inFlight.isEmpty() ? sleep : Duration.ofMillis(Math.min(sleep.toMillis(), 200));
    }

    private void send(AlertStore.DueDelivery d) {
        // the pass that read d may have read it just before an earlier sender of d finished and left inFlight:
        // that sender has already recorded its outcome, so the row tells whether d is still to send
        if (!store.stillDue(d)) {
            return;
        }
        Instant now = clock.instant();
        Optional<AlertStore.ChannelRow> channel = store.channel(d.channelId());
        if (channel.isEmpty()) {
            store.failed(d.id(), "channel deleted");
            return;
        }
        try {
            Notification n = Json.read(d.bodyJson(), Notification.class);
            Senders.forKind(channel.get().kind()).send(open(channel.get()), n);
            store.sent(d.id(), clock.instant());
        } catch (DeliveryException e) {
            boolean tooOld = Duration.between(d.createdAt(), now).compareTo(GIVE_UP_AFTER) > 0;
            if (!e.retryable() || tooOld) {
                LOG.warning("alert delivery " + d.id() + " to channel " + channel.get().name() + " failed: "
                                    + e.getMessage());
                store.failed(d.id(), e.getMessage());
                return;
            }
            long backoff = Math.min(MAX_BACKOFF.toMillis(), 1000L << Math.min(d.attempts(), 16));
            store.retry(d.id(), now.plusMillis(backoff), e.getMessage());
        } catch (RuntimeException e) {
            store.failed(d.id(), "cannot send: " + e.getClass().getSimpleName() + " " + e.getMessage());
        }
    }

    private void poke() {
        wakeup.wake();
    }

    @Override
    public void close() {
        if (loop != null) {
            loop.close();
        }
    }
}
