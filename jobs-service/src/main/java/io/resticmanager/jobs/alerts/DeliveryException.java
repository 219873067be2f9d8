package io.resticmanager.jobs.alerts;

/**
 * A notification that did not reach its channel. {@code retryable} says whether trying again later can help
 * (server down, timeout, 5xx) or not (bad address, refused credentials, 4xx). Messages never carry secrets.
 */
public final class DeliveryException extends Exception {
    private final boolean retryable;

    public DeliveryException(String message, boolean retryable) {
        super(message);
        this.retryable = retryable;
    }

    public boolean retryable() {
        return retryable;
    }
}
