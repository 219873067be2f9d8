package io.resticmanager.gateway;

import io.resticmanager.proto.Role;

/** A dashboard/API user as the API shows it (never the password hash). */
record User(String id, String username, Role role, String createdAt) {
}
