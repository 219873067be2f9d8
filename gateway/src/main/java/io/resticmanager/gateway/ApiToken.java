package io.resticmanager.gateway;

import io.resticmanager.proto.Role;

/**
 * An API token as listed (never its value or hash). It belongs to the user who made it ({@code ownerId},
 * {@code owner}): it stops working when that user is deleted, never acts above that user's current role, and
 * ends at {@code expiresAt}. While its owner is disabled ({@code ownerDisabled}) it does not work either.
 * {@code lastUsedAt} is stamped at most once a minute.
 */
record ApiToken(String id, String name, Role role, String createdBy, String createdAt, String lastUsedAt,
                String ownerId, String owner, String expiresAt, boolean ownerDisabled) {

    boolean expired(String now) {
        return expiresAt != null && expiresAt.compareTo(now) <= 0;
    }
}
