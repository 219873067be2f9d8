package io.resticmanager.gateway;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * {@code GET /api/openapi.json}: the public API as an OpenAPI 3.1 document, the resource {@code openapi.json}.
 * Public (RouteTable): it describes the API's shape only, like docs/API.md in the repository, and holds no data.
 * OpenApiTest holds it to the access table and to the routes the gateway and the services register.
 */
final class OpenApiRoutes implements HttpService {
    static final String PATH = "/api/openapi.json";
    static final String RESOURCE = "openapi.json";

    private final byte[] document;

    private OpenApiRoutes(byte[] document) {
        this.document = document;
    }

    /** Reads the document once; a build without it fails at start rather than at the first request. */
    static OpenApiRoutes create() {
        try (InputStream in = OpenApiRoutes.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the resource " + RESOURCE + " is missing from the gateway's jar");
            }
            return new OpenApiRoutes(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get(PATH, this::document);
    }

    private void document(ServerRequest req, ServerResponse res) {
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.header(HeaderNames.CACHE_CONTROL, "no-cache");
        res.send(document);
    }
}
