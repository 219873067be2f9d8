package io.resticmanager.inventory;

import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.resticmanager.kit.Http;
import io.resticmanager.kit.InternalAuth;
import io.resticmanager.kit.Problem;
import io.resticmanager.proto.Role;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** {@code /api/hosts/**} (but jobs and restores, which jobs-service serves). */
final class HostRoutes implements HttpService {
    private static final Set<String> STATUSES = Set.of(Host.ONLINE, Host.OFFLINE, Host.DISABLED);
    private final Hosts hosts;
    private final HostStore store;

    HostRoutes(Hosts hosts, HostStore store) {
        this.hosts = hosts;
        this.store = store;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/api/hosts", this::list)
                .get("/api/hosts/{id}", this::get)
                .patch("/api/hosts/{id}", this::patch)
                .delete("/api/hosts/{id}", this::delete);
    }

    private void list(ServerRequest req, ServerResponse res) {
        InternalAuth.require(req, Role.VIEWER);
        Optional<String> status = Http.query(req, "status");
        if (status.isPresent() && !STATUSES.contains(status.get())) {
            throw Problem.badRequest("status must be online, offline or disabled");
        }
        Http.json(res, Map.of("items", store.list(Http.query(req, "tag"), status)));
    }

    private void get(ServerRequest req, ServerResponse res) {
        InternalAuth.require(req, Role.VIEWER);
        Http.json(res, hosts.get(id(req)));
    }

    private void patch(ServerRequest req, ServerResponse res) {
        InternalAuth.require(req, Role.ADMIN);
        String id = id(req);
        Host host = hosts.patch(id, HostPatch.parse(Http.bodyTree(req)));
        Http.audit(res, "host.update", "host=" + id);
        Http.json(res, host);
    }

    private void delete(ServerRequest req, ServerResponse res) {
        InternalAuth.require(req, Role.ADMIN);
        String id = id(req);
        hosts.delete(id);
        Http.audit(res, "host.delete", "host=" + id);
        res.status(Status.NO_CONTENT_204).send();
    }

    static String id(ServerRequest req) {
        return req.path().pathParameters().get("id");
    }
}
