package io.resticmanager.hub;

import java.time.Instant;

/** One enrolled agent as stored in {@code agents} (the credential hash stays in the store). */
record AgentRecord(String hostId, String hostname, String os, String arch, String agentVersion,
                   String resticVersion, Integer protocolVersion, boolean disabled, boolean revoked,
                   Instant enrolledAt, Instant lastSeenAt) {

    /** May this agent connect? */
    boolean active() {
        return !disabled && !revoked;
    }
}
