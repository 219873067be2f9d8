package io.resticmanager.ui;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.resticmanager.kit.Tokens;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code /assets/**}: our CSS/JS and htmx from its webjar, all served from this process (no CDN). A fixed
 * list, loaded once; ETags let browsers revalidate cheaply.
 * <p>
 * Not Helidon's static content: at 4.5.0 it answers a matching {@code If-None-Match} by throwing a 304
 * {@code HttpException}, which the webserver sends through its request-exception path with a body and a SEVERE
 * log line ("Attempt to send status 304 Not Modified with entity") for every revalidation — and with
 * {@code no-cache} every page load revalidates each asset.
 */
final class AssetRoutes implements HttpService {
    static final String HTMX = "META-INF/resources/webjars/htmx.org/2.0.10/dist/htmx.min.js";

    record Asset(byte[] bytes, String contentType, String etag) {
    }

    private final Map<String, Asset> assets = new HashMap<>();

    AssetRoutes() {
        add("app.css", "assets/app.css", "text/css; charset=UTF-8");
        add("app.js", "assets/app.js", "text/javascript; charset=UTF-8");
        add("live-log.js", "assets/live-log.js", "text/javascript; charset=UTF-8");
        add("favicon.svg", "assets/favicon.svg", "image/svg+xml");
        add("htmx.min.js", HTMX, "text/javascript; charset=UTF-8");
    }

    private void add(String name, String resource, String contentType) {
        try (InputStream in = AssetRoutes.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing asset resource " + resource);
            }
            byte[] bytes = in.readAllBytes();
            String etag = "\"" + Tokens.sha256(new String(bytes, StandardCharsets.ISO_8859_1)).substring(0, 16) + "\"";
            assets.put(name, new Asset(bytes, contentType, etag));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/assets/{name}", this::asset)
                .get("/favicon.ico", (req, res) -> {
                    res.header(HeaderNames.LOCATION, "/assets/favicon.svg");
                    res.status(301).send();
                });
    }

    private void asset(ServerRequest req, ServerResponse res) {
        Asset asset = assets.get(req.path().pathParameters().get("name"));
        if (asset == null) {
            res.status(404);
            res.header(HeaderNames.CONTENT_TYPE, "text/plain; charset=UTF-8");
            res.send("not found");
            return;
        }
        res.header(HeaderNames.ETAG, asset.etag());
        res.header(HeaderNames.CACHE_CONTROL, "no-cache");
        res.header(HeaderNames.create("X-Content-Type-Options"), "nosniff");
        if (req.headers().first(HeaderNames.IF_NONE_MATCH).filter(asset.etag()::equals).isPresent()) {
            res.status(304).send();
            return;
        }
        res.header(HeaderNames.CONTENT_TYPE, asset.contentType());
        res.send(asset.bytes());
    }
}
