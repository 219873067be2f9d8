package io.resticmanager.ui;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** Builds the gateway API paths and page links that carry ids and names. */
final class Urls {
    private Urls() {
    }

    /** One path segment or query value, percent-encoded; a space as {@code %20}, which paths and queries accept. */
    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
