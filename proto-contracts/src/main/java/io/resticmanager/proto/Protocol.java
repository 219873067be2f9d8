package io.resticmanager.proto;

/** Constants of the agent ⇄ hub protocol. */
public final class Protocol {
    /** The protocol version this build speaks. Bump on incompatible changes. */
    public static final int VERSION = 1;
    /** The oldest agent protocol the hub still accepts; older agents get {@code protocol_too_old}. */
    public static final int MIN_SUPPORTED_VERSION = 1;
    /** Largest text frame either side accepts (1 MiB). */
    public static final int MAX_FRAME_BYTES = 1024 * 1024;
    /** Header carrying the agent credential on the WebSocket upgrade. */
    public static final String AUTHORIZATION = "Authorization";

    private Protocol() {
    }
}
