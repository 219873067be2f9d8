package io.resticmanager.inventory;

import io.resticmanager.kit.Problem;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Where the next page of a directory listing starts (directories first, then the other entries, each by name):
 * after entry {@code name} of the directories ({@code dirs}) or of the other entries. Opaque to clients
 * (base64url), since a name may hold any character.
 */
record ListCursor(boolean dirs, String name) {
    static final ListCursor START = new ListCursor(true, "");

    String text() {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString(((dirs ? "d" : "f") + name).getBytes(StandardCharsets.UTF_8));
    }

    /** A cursor from a previous page's {@code next_cursor}; 400 for anything else. */
    static ListCursor parse(String text) {
        String raw;
        try {
            raw = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw Problem.badRequest("cursor is not one this server handed out");
        }
        if (raw.length() < 2 || raw.length() > 1024 || (raw.charAt(0) != 'd' && raw.charAt(0) != 'f')) {
            throw Problem.badRequest("cursor is not one this server handed out");
        }
        return new ListCursor(raw.charAt(0) == 'd', raw.substring(1));
    }

    /** Whether this cursor comes before an entry (a directory or not) in the listing order. */
    boolean precedes(boolean dir, String entry) {
        return dir == dirs ? entry.compareTo(name) > 0 : dirs;
    }
}
