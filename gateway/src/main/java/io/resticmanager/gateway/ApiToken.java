package io.resticmanager.gateway;

import io.resticmanager.proto.Role;

/** An API token as listed (never its value or hash). */
record ApiToken(String id, String name, Role role, String createdBy, String createdAt, String lastUsedAt) {
}
