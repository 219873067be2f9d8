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

import io.resticmanager.proto.view.HostRepoView;
import io.resticmanager.proto.view.HostView;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code /api/hosts/**} (but jobs and restores, which jobs-service serves), including the host's repositories:
 * {@code GET /api/hosts/{id}/repos}, {@code POST} (link: {@code {repo_id, role?, primary?}}), {@code PATCH
 * /api/hosts/{id}/repos/{repo_id}} ({@code {role?, primary?}}) and {@code DELETE} (unlink).
 */
final class HostRoutes implements HttpService {
    private static final Set<String> STATUSES = Set.of(HostView.ONLINE, HostView.OFFLINE, HostView.DISABLED);
    private static final String FAILING = "failing";
    private final Hosts hosts;
    private final HostStore store;
    private final HostHooks hooks;

    HostRoutes(Hosts hosts, HostStore store, HostHooks hooks) {
        this.hosts = hosts;
        this.store = store;
        this.hooks = hooks;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/api/hosts", this::list)
                .get("/api/hosts/summary", this::summary)
                .get("/api/hosts/{id}", this::get)
                .patch("/api/hosts/{id}", this::patch)
                .delete("/api/hosts/{id}", this::delete)
                .get("/api/hosts/{id}/hooks", this::hooks)
                .put("/api/hosts/{id}/hooks", this::putHooks)
                .get("/api/hosts/{id}/repos", this::repos)
                .post("/api/hosts/{id}/repos", this::link)
                .patch("/api/hosts/{id}/repos/{repo_id}", this::relink)
                .delete("/api/hosts/{id}/repos/{repo_id}", this::unlink);
    }

    /** Body of a link or relink. */
    record LinkRequest(String repoId, String role, Boolean primary) {
    }

    private void repos(ServerRequest req, ServerResponse res) {
        InternalAuth.require(req, Role.VIEWER);
        Http.json(res, Map.of("items", hosts.repos(id(req))));
    }

    private void link(ServerRequest req, ServerResponse res) {
        InternalAuth.require(req, Role.ADMIN);
        LinkRequest body = Http.body(req, LinkRequest.class);
        if (body.repoId() == null || body.repoId().isBlank()) {
            throw Problem.unprocessable("repo_id is required");
        }
        String id = id(req);
        HostRepoView link = hosts.link(id, body.repoId().strip(), Optional.ofNullable(body.role()),
                                   Boolean.TRUE.equals(body.primary()));
        Http.audit(res, "host.repo_link", "host=" + id + " repo=" + link.repoId() + " role=" + link.role());
        Http.json(res, 201, link);
    }

    private void relink(ServerRequest req, ServerResponse res) {
        InternalAuth.require(req, Role.ADMIN);
        LinkRequest body = Http.body(req, LinkRequest.class);
        String id = id(req);
        String repoId = req.path().pathParameters().get("repo_id");
        hosts.find(id);
        if (!store.linked(id, repoId)) {
            throw Problem.notFound("host " + id + " does not back up to repository " + repoId);
        }
        HostRepoView link = hosts.link(id, repoId, Optional.ofNullable(body.role()),
                                       Boolean.TRUE.equals(body.primary()));
        Http.audit(res, "host.repo_update", "host=" + id + " repo=" + repoId + " role=" + link.role()
                + (link.primary() ? " primary" : ""));
        Http.json(res, link);
    }

    private void unlink(ServerRequest req, ServerResponse res) {
        InternalAuth.require(req, Role.ADMIN);
        String id = id(req);
        String repoId = req.path().pathParameters().get("repo_id");
        hosts.unlink(id, repoId);
        Http.audit(res, "host.repo_unlink", "host=" + id + " repo=" + repoId);
        res.status(Status.NO_CONTENT_204).send();
    }

    /**
     * Every host (filtered by tag and status), or, with {@code limit}, {@code cursor} or {@code q}, one page of them by
     * name: {@code ?limit=} (default 50, at most 500) {@code &cursor=} (the previous page's {@code next_cursor})
     * {@code &q=} (in the name, hostname or a tag) {@code &tag=&status=} (also {@code failing}: the last backup failed).
     */
    private void list(ServerRequest req, ServerResponse res) {
        InternalAuth.require(req, Role.VIEWER);
        Optional<String> status = Http.query(req, "status");
        Optional<String> search = Http.query(req, "q").map(String::strip).filter(q -> !q.isEmpty());
        if (search.isPresent() && search.get().length() > 200) {
            throw Problem.badRequest("q must be at most 200 characters");
        }
        boolean paged = Http.query(req, "limit").isPresent() || Http.query(req, "cursor").isPresent()
                || search.isPresent() || status.filter(FAILING::equals).isPresent();
        if (status.isPresent() && !STATUSES.contains(status.get()) && !(paged && status.get().equals(FAILING))) {
            throw Problem.badRequest("status must be online, offline, disabled or (with paging) failing");
        }
        if (paged) {
            Http.json(res, store.page(new HostStore.HostFilter(search, Http.query(req, "tag"), status),
                                      Http.query(req, "cursor"), Http.intQuery(req, "limit", 50, 1, 500)));
        } else {
            Http.json(res, Map.of("items", store.list(Http.query(req, "tag"), status)));
        }
    }

    /** Counts of the whole fleet and every tag in use, for a paged dashboard. */
    private void summary(ServerRequest req, ServerResponse res) {
        InternalAuth.require(req, Role.VIEWER);
        Http.json(res, store.summary());
    }

    private void get(ServerRequest req, ServerResponse res) {
        InternalAuth.require(req, Role.VIEWER);
        Http.json(res, hosts.get(id(req)));
    }

    private void patch(ServerRequest req, ServerResponse res) {
        InternalAuth.require(req, Role.ADMIN);
        String id = id(req);
        HostView host = hosts.patch(id, HostPatch.parse(Http.bodyTree(req)));
        Http.audit(res, "host.update", "host=" + id);
        Http.json(res, host);
    }

    /** The host's default backup hooks; the text to admins only. */
    private void hooks(ServerRequest req, ServerResponse res) {
        io.resticmanager.proto.Principal p = InternalAuth.require(req, Role.VIEWER);
        String id = id(req);
        hosts.get(id);
        Http.json(res, hooks.view(id, p.role().atLeast(Role.ADMIN)));
    }

    /** Hooks run as root on the host: admins only, and the audit names which hook changed, never its text. */
    private void putHooks(ServerRequest req, ServerResponse res) {
        InternalAuth.require(req, Role.ADMIN);
        String id = id(req);
        hosts.get(id);
        List<String> changed = hooks.put(id, Http.bodyTree(req));
        Http.audit(res, "host.hooks", "host=" + id + " changed=" + (changed.isEmpty() ? "nothing"
                : String.join(",", changed)));
        Http.json(res, hooks.view(id, true));
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
