package io.resticmanager.jobs;

import io.helidon.http.Method;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.api.WebClient;
import io.resticmanager.kit.Http;
import io.resticmanager.kit.InternalClient;
import io.resticmanager.kit.Problem;
import io.resticmanager.proto.JobKind;
import io.resticmanager.proto.Principal;
import io.resticmanager.proto.RepoAccess;

import java.time.Duration;
import java.util.Optional;

/** Outbound calls to inventory-service: a host's repository access, and finished-job results. */
final class InventoryClient {
    private final InternalClient client;
    /** InternalClient cannot send a query string (its path is encoded whole), so repo-access uses this one. */
    private final WebClient web;
    private final String token;

    InventoryClient(String baseUri, String token) {
        this.client = InternalClient.create("inventory-service", baseUri, token, Duration.ofSeconds(10));
        this.web = WebClient.builder().baseUri(baseUri).connectTimeout(Duration.ofSeconds(2))
                .readTimeout(Duration.ofSeconds(10)).followRedirects(false).build();
        this.token = token;
    }

    /**
     * The repository and its secrets for a job of {@code kind} (forget/prune use the full credential; forget, prune and
     * check may be answered for the repository's maintenance host to run, {@link RepoAccess#runsElsewhere()}).
     * The result lives in memory only. Throws a 404/409 problem as inventory answered it, 503 when it is down.
     */
    RepoAccess repoAccess(String hostId, JobKind kind) {
        return repoAccess(hostId, kind, java.util.Optional.empty());
    }

    /** As above, for one of the host's repositories ({@code repoId}; empty = its primary one). */
    RepoAccess repoAccess(String hostId, JobKind kind, java.util.Optional<String> repoId) {
        String purpose = kind.destructive() ? "full" : kind == JobKind.CHECK ? "check" : "backup";
        InternalClient.Reply reply;
        var request = web.method(Method.GET).path("/internal/hosts/" + hostId + "/repo-access")
                .queryParam("purpose", purpose).header(Http.INTERNAL_TOKEN, token);
        repoId.ifPresent(id -> request.queryParam("repo_id", id));
        try (HttpClientResponse response = request.request()) {
            reply = new InternalClient.Reply(response.status().code(),
                                             response.entity().hasEntity() ? response.as(String.class) : "");
        } catch (RuntimeException e) {
            throw Problem.unavailable("inventory-service is unavailable: " + e.getClass().getSimpleName());
        }
        if (reply.status() == 404) {
            throw Problem.notFound("unknown host " + hostId);
        }
        if (reply.status() == 409) {
            String detail = reply.tree().path("detail").asText("");
            throw Problem.conflict(detail.isBlank() ? "host " + hostId + " has no repository" : detail);
        }
        if (!reply.ok()) {
            throw Problem.unavailable("inventory-service answered " + reply.status() + " for the host's repository");
        }
        try {
            return reply.as(RepoAccess.class);
        } catch (IllegalArgumentException e) {
            throw Problem.unavailable("inventory-service answered an incomplete repository access");
        }
    }

    /** Whether inventory knows the host (asked as the calling user, so no secret is fetched); 503 when it is down. */
    boolean hostExists(String hostId, Principal principal) {
        InternalClient.Reply reply = client.call(Method.GET, "/api/hosts/" + hostId, null, Optional.of(principal));
        if (reply.status() == 404) {
            return false;
        }
        if (!reply.ok()) {
            throw Problem.unavailable("inventory-service answered " + reply.status() + " when asked for host " + hostId);
        }
        return true;
    }

    /**
     * The repository in which inventory lists snapshot {@code snapshotId} (an id or its prefix) for the host; empty
     * when it lists none, "" when inventory does not say which; 503 when it is down.
     */
    Optional<String> snapshotRepo(String hostId, String snapshotId, Principal principal) {
        InternalClient.Reply reply = client.call(Method.GET, "/api/snapshots/" + snapshotId + "?host_id=" + hostId,
                                                 null, Optional.of(principal));
        if (reply.status() == 404) {
            return Optional.empty();
        }
        if (!reply.ok()) {
            throw Problem.unavailable("inventory-service answered " + reply.status() + " when asked for snapshot "
                                              + snapshotId);
        }
        return Optional.of(reply.tree().path("repo_id").asText(""));
    }

    /**
     * The ids of the hosts that back up to repository {@code repoId}, as inventory lists them (asked as the calling
     * user); 404 when there is no such repository, 503 when inventory is down.
     */
    java.util.List<String> repoHosts(String repoId, Principal principal) {
        InternalClient.Reply reply = client.call(Method.GET, "/api/repos/" + repoId, null, Optional.of(principal));
        if (reply.status() == 404) {
            throw Problem.notFound("no repository " + repoId);
        }
        if (!reply.ok()) {
            throw Problem.unavailable("inventory-service answered " + reply.status() + " when asked for repository "
                                              + repoId);
        }
        java.util.List<String> ids = new java.util.ArrayList<>();
        reply.tree().path("hosts").forEach(h -> {
            String id = h.path("id").asText("");
            if (!id.isEmpty()) {
                ids.add(id);
            }
        });
        return ids;
    }

    /**
     * The host's default hooks, shell and timeout (defaults when it has none; also for a host inventory does not
     * know, whose job fails elsewhere). Throws a 503 problem when inventory is down, so the job waits.
     */
    io.resticmanager.proto.Hooks hooks(String hostId) {
        InternalClient.Reply reply;
        try {
            reply = client.call(Method.GET, "/internal/hosts/" + hostId + "/hooks", null, Optional.empty());
        } catch (RuntimeException e) {
            throw Problem.unavailable("inventory-service is unavailable: " + e.getClass().getSimpleName());
        }
        if (reply.status() == 404) {
            return new io.resticmanager.proto.Hooks(null, null, null, null);
        }
        if (!reply.ok()) {
            throw Problem.unavailable("inventory-service answered " + reply.status() + " for the host's hooks");
        }
        return reply.as(io.resticmanager.proto.Hooks.class);
    }

    /** A host's display name (as the system asks; no secret is fetched); empty when unknown or inventory is down. */
    Optional<String> hostName(String hostId) {
        try {
            InternalClient.Reply reply = client.call(Method.GET, "/api/hosts/" + hostId, null, Optional.of(
                    new Principal("system", "system (alerts)", io.resticmanager.proto.Role.VIEWER)));
            return reply.ok() ? Optional.of(reply.tree().path("name").asText(hostId)) : Optional.empty();
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * The hostname a host's agent reports (what its snapshots carry): 404 problem for an unknown host, 409 when it has
     * reported none yet, 503 when inventory is down.
     */
    String hostname(String hostId) {
        InternalClient.Reply reply;
        try {
            reply = client.call(Method.GET, "/api/hosts/" + hostId, null, Optional.of(
                    new Principal("system", "system (jobs)", io.resticmanager.proto.Role.VIEWER)));
        } catch (RuntimeException e) {
            throw Problem.unavailable("inventory-service is unavailable: " + e.getClass().getSimpleName());
        }
        if (reply.status() == 404) {
            throw Problem.notFound("unknown host " + hostId);
        }
        if (!reply.ok()) {
            throw Problem.unavailable("inventory-service answered " + reply.status() + " when asked for host " + hostId);
        }
        String hostname = reply.tree().path("hostname").asText("");
        if (hostname.isBlank()) {
            throw Problem.conflict("host " + hostId + " has not reported its hostname yet");
        }
        return hostname;
    }

    /**
     * Posts one finished job's result. True when inventory took it (or will never want it: unknown
     * host); false when it should be retried.
     */
    boolean jobResult(String hostId, String bodyJson) {
        try {
            InternalClient.Reply reply = client.call(Method.POST, "/internal/hosts/" + hostId + "/job-result",
                                                     bodyJson, Optional.empty());
            return reply.ok() || reply.status() == 404;
        } catch (Problem p) {
            return false;
        }
    }
}
