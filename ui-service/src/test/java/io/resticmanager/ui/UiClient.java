package io.resticmanager.ui;

import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webclient.api.HttpClientRequest;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.api.WebClient;
import io.helidon.webserver.WebServer;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** Calls ui-service the way the gateway does: internal token, CSRF header, session cookie and the signed-in user. */
final class UiClient {
    private final WebClient client;
    private final String token;
    private final String csrf;
    private final String cookie;
    private final String username;

    UiClient(WebServer server, String token, String csrf, String cookie, String username) {
        this.client = WebClient.builder().baseUri("http://127.0.0.1:" + server.port()).followRedirects(false).build();
        this.token = token;
        this.csrf = csrf;
        this.cookie = cookie;
        this.username = username;
    }

    /** The plain client, for requests that must not look like the gateway's. */
    WebClient client() {
        return client;
    }

    record Page(int status, String body, Map<String, List<String>> headers) {
        String header(String name) {
            List<String> values = headers.get(name);
            return values == null || values.isEmpty() ? null : values.getFirst();
        }
    }

    /** A page as the user with {@code role} sees it (no principal when null); {@code form} is a urlencoded body. */
    Page request(Method method, String path, String role, String form, String... extraHeaders) {
        HttpClientRequest req = client.method(method).path(path.contains("?") ? path.substring(0, path.indexOf('?')) : path)
                .header(HeaderNames.create("X-RM-Internal-Token"), token)
                .header(HeaderNames.create("X-RM-CSRF"), csrf)
                .header(HeaderNames.COOKIE, cookie);
        if (path.contains("?")) {
            for (String pair : path.substring(path.indexOf('?') + 1).split("&")) {
                String[] kv = pair.split("=", 2);
                req.queryParam(kv[0], kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
            }
        }
        if (role != null) {
            req.header(HeaderNames.create("X-RM-Principal"),
                       "{\"user_id\":\"u-1\",\"username\":\"" + username + "\",\"role\":\"" + role + "\"}");
        }
        for (int i = 0; i + 1 < extraHeaders.length; i += 2) {
            req.header(HeaderNames.create(extraHeaders[i]), extraHeaders[i + 1]);
        }
        try (HttpClientResponse res = form == null ? req.request()
                : req.header(HeaderNames.CONTENT_TYPE, "application/x-www-form-urlencoded").submit(form)) {
            String body = res.entity().hasEntity() ? res.as(String.class) : "";
            return new Page(res.status().code(), body, res.headers().toMap());
        }
    }
}
