package io.resticmanager.jobs.alerts;

/** The sender for each channel kind; senders are stateless and shared. */
public final class Senders {
    private static final Sender WEBHOOK = new WebhookSender();
    private static final Sender NTFY = new NtfySender();
    private static final Sender EMAIL = new EmailSender();

    private Senders() {
    }

    public static Sender forKind(ChannelKind kind) {
        return switch (kind) {
            case WEBHOOK -> WEBHOOK;
            case NTFY -> NTFY;
            case EMAIL -> EMAIL;
        };
    }

    /** Guards against handing a sender another kind's settings, which would fail in confusing ways. */
    static void requireKind(ChannelConfig config, ChannelKind kind) {
        if (config.kind() != kind) {
            throw new IllegalArgumentException("a " + kind.wire() + " sender cannot send to a "
                                               + config.kind().wire() + " channel");
        }
    }
}
