package io.resticmanager.kit;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;

/** {@code GET /health}: 200 with each check "up", or 503 naming what is down. */
public final class Health implements HttpService {
    private final String service;
    private final Map<String, BooleanSupplier> checks;

    private Health(String service, Map<String, BooleanSupplier> checks) {
        this.service = service;
        this.checks = checks;
    }

    public static Health create(String service, Map<String, BooleanSupplier> checks) {
        return new Health(service, new LinkedHashMap<>(checks));
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/health", this::health);
    }

    /** Runs every check; a check that throws counts as down. */
    public Map<String, String> check() {
        Map<String, String> result = new LinkedHashMap<>();
        checks.forEach((name, check) -> {
            boolean up;
            try {
                up = check.getAsBoolean();
            } catch (RuntimeException e) {
                up = false;
            }
            result.put(name, up ? "up" : "down");
        });
        return result;
    }

    private void health(ServerRequest req, ServerResponse res) {
        Map<String, String> result = check();
        boolean up = result.values().stream().allMatch("up"::equals);
        Http.json(res, up ? 200 : 503, Map.of("status", up ? "up" : "down", "service", service, "checks", result));
    }
}
