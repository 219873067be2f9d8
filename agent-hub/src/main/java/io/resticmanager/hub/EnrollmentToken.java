package io.resticmanager.hub;

import java.time.Instant;

/** An enrollment token as listed to admins: never its value (only its hash is stored). */
record EnrollmentToken(String id, String name, String createdBy, Instant createdAt, Instant expiresAt,
                       Instant usedAt, String usedByHostId) {

    String status(Instant now) {
        if (usedAt != null) {
            return "used";
        }
        return expiresAt.isAfter(now) ? "active" : "expired";
    }
}
