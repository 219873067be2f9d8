package io.resticmanager.proto;

/** A frame that cannot be accepted; {@link #code()} says why, in words the peer understands. */
public final class FrameException extends Exception {
    private final ErrorCode code;

    public FrameException(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}
