package io.resticmanager.inventory;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.resticmanager.kit.Http;
import io.resticmanager.kit.Problem;
import io.resticmanager.proto.internal.HostEvents;
import io.resticmanager.proto.internal.HubEvent;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * {@code /internal/**}: only our own services (the internal token filter guards every path; the
 * gateway never routes these from outside).
 */
final class InternalRoutes implements HttpService {
    static final int MAX_EVENTS_BYTES = 32 * 1024 * 1024;
    private final HubEvents events;
    private final JobResults jobResults;
    private final Repos repos;
    private final HostStore hostStore;
    private final HostHooks hostHooks;

    InternalRoutes(HubEvents events, JobResults jobResults, Repos repos, HostStore hostStore, HostHooks hostHooks) {
        this.events = events;
        this.jobResults = jobResults;
        this.repos = repos;
        this.hostStore = hostStore;
        this.hostHooks = hostHooks;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/internal/events", this::events)
                .get("/internal/hosts/{id}/repo-access", this::repoAccess)
                .get("/internal/hosts/{id}/hooks", this::hooks)
                .post("/internal/hosts/{id}/job-result", this::jobResult);
    }

    private void events(ServerRequest req, ServerResponse res) {
        int accepted = events.apply(Http.parse(largeBody(req), HubEvent.Batch.class));
        Http.json(res, new HubEvent.Accepted(accepted));
    }

    /**
     * The hub batches events and one snapshots.report alone may fill a 1 MiB frame, so this body may
     * exceed {@link Http#MAX_BODY_BYTES}; it is still bounded.
     */
    private static String largeBody(ServerRequest req) {
        if (!req.content().hasEntity()) {
            throw Problem.badRequest("request body is required (JSON)");
        }
        try (InputStream in = req.content().inputStream()) {
            byte[] bytes = in.readNBytes(MAX_EVENTS_BYTES + 1);
            if (bytes.length > MAX_EVENTS_BYTES) {
                throw new Problem(413, "Content Too Large", "event batch exceeds " + MAX_EVENTS_BYTES + " bytes");
            }
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw Problem.badRequest("could not read the request body");
        }
    }

    private void repoAccess(ServerRequest req, ServerResponse res) {
        String purpose = Http.query(req, "purpose").orElse("backup");
        // The answer carries secrets: no cache anywhere may keep it.
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        Http.json(res, repos.access(HostRoutes.id(req), purpose, Http.query(req, "repo_id")));
    }

    /** The host's default backup hooks as the agent runs them (secrets: no cache may keep them). */
    private void hooks(ServerRequest req, ServerResponse res) {
        String id = HostRoutes.id(req);
        if (hostStore.find(id).isEmpty()) {
            throw Problem.notFound("no host " + id);
        }
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        Http.json(res, hostHooks.of(id));
    }

    private void jobResult(ServerRequest req, ServerResponse res) {
        jobResults.apply(HostRoutes.id(req), Http.body(req, HostEvents.JobResult.class));
        res.status(Status.NO_CONTENT_204).send();
    }
}
