package io.resticmanager.gateway;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.resticmanager.proto.Role;

/**
 * A dashboard/API user as the API shows it (never the password hash). A disabled user ({@code disabledAt} set)
 * cannot log in, has no sessions and its API tokens do not work.
 */
record User(String id, String username, Role role, String createdAt, String disabledAt) {
    User(String id, String username, Role role, String createdAt) {
        this(id, username, role, createdAt, null);
    }

    /** Always in the JSON (false for an active user), so a client need not know that null means active. */
    @JsonProperty("disabled")
    public boolean disabled() {
        return disabledAt != null;
    }
}
