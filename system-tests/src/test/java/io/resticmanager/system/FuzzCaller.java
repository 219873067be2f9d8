package io.resticmanager.system;

import java.util.ArrayList;
import java.util.List;

/**
 * Who sends a fuzzed request: the credential headers it adds and, for a session, the CSRF token that
 * {@code {{csrf}}} in a request stands for. Roles: "admin", "operator", "viewer" or "none".
 */
record FuzzCaller(String name, String role, String authorization, String cookie, String csrf) {
    static final List<String> NAMES = List.of("admin-session", "admin-token", "operator-session", "operator-token",
                                              "viewer-session", "viewer-token", "anonymous", "bad-token",
                                              "bad-cookie");

    boolean session() {
        return cookie != null && csrf != null && !role.equals("none");
    }

    List<String[]> headers() {
        List<String[]> h = new ArrayList<>();
        if (authorization != null) {
            h.add(new String[] {"Authorization", authorization});
        }
        if (cookie != null) {
            h.add(new String[] {"Cookie", cookie});
        }
        return h;
    }
}
