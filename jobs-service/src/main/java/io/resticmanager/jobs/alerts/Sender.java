package io.resticmanager.jobs.alerts;

/** Delivers one notification over one channel; blocking, bounded by the channel's timeouts. */
public interface Sender {
    void send(ChannelConfig config, Notification n) throws DeliveryException;
}
