package io.resticmanager.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.ServerRequest;
import io.resticmanager.kit.Http;
import io.resticmanager.proto.Json;
import io.resticmanager.proto.ProblemBody;
import io.resticmanager.proto.RepoAccess;
import io.resticmanager.proto.internal.HubAgents;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** Small real HTTP servers standing in for agent-hub and inventory-service. */
final class Stubs {
    static final String TOKEN = "rmi_test-internal-token";

    private Stubs() {
    }

    private static boolean authorized(ServerRequest req) {
        return TOKEN.equals(req.headers().first(Http.INTERNAL_TOKEN).orElse(""));
    }

    /** agent-hub: records every command; answers 409 for hosts marked offline. */
    static final class Hub implements AutoCloseable {
        record Command(String hostId, String type, JsonNode payload) {
        }

        final List<Command> commands = new CopyOnWriteArrayList<>();
        final Set<String> offline = ConcurrentHashMap.newKeySet();
        final Map<String, Boolean> agents = new ConcurrentHashMap<>();
        final WebServer server;

        Hub() {
            server = WebServer.builder().host("127.0.0.1").port(0).routing(r -> r
                    .post("/internal/agents/{id}/commands", (req, res) -> {
                        if (!authorized(req)) {
                            Http.problem(res, ProblemBody.of(401, "Unauthorized", "token"));
                            return;
                        }
                        String host = req.path().pathParameters().get("id");
                        JsonNode body = Json.MAPPER.readTree(req.content().as(String.class));
                        if (offline.contains(host)) {
                            Http.problem(res, ProblemBody.of(409, "Conflict", "host is offline"));
                            return;
                        }
                        commands.add(new Command(host, body.path("type").asText(), body.path("payload")));
                        Http.json(res, Map.of("delivered", true, "envelope_id", UUID.randomUUID().toString()));
                    })
                    .get("/internal/agents", (req, res) -> Http.json(res, new HubAgents.PresenceList(
                            agents.entrySet().stream().map(e -> new HubAgents.Presence(e.getKey(), e.getKey(),
                                    e.getValue(), false, null, null, null)).toList())))).build().start();
        }

        String url() {
            return "http://127.0.0.1:" + server.port();
        }

        List<Command> commands(String hostId, String type) {
            return commands.stream().filter(c -> c.hostId().equals(hostId) && c.type().equals(type)).toList();
        }

        List<Command> starts(String jobId) {
            return commands.stream().filter(c -> c.type().equals("job.start")
                    && c.payload().path("job_id").asText().equals(jobId)).toList();
        }

        @Override
        public void close() {
            server.stop();
        }
    }

    /** inventory-service: repo access per host, and the job results it received. */
    static final class Inventory implements AutoCloseable {
        record Access(String hostId, String purpose) {
        }

        final Map<String, RepoAccess> repos = new ConcurrentHashMap<>();
        final Set<String> withoutRepo = ConcurrentHashMap.newKeySet();
        final List<Access> accesses = new CopyOnWriteArrayList<>();
        final List<JsonNode> results = new CopyOnWriteArrayList<>();
        final AtomicInteger failResults = new AtomicInteger();
        /** How many repo-access requests to answer 503 (inventory down). */
        final AtomicInteger failAccess = new AtomicInteger();
        /** Snapshots inventory knows, as "host id/snapshot id" (answered for the id or any prefix of it). */
        final Set<String> snapshots = ConcurrentHashMap.newKeySet();
        /** Repository id → the ids of the hosts that back up to it (GET /api/repos/{id}). */
        final Map<String, List<String>> repoHosts = new ConcurrentHashMap<>();
        final WebServer server;

        Inventory() {
            server = WebServer.builder().host("127.0.0.1").port(0).routing(r -> r
                    .get("/internal/hosts/{id}/repo-access", (req, res) -> {
                        if (!authorized(req)) {
                            Http.problem(res, ProblemBody.of(401, "Unauthorized", "token"));
                            return;
                        }
                        String host = req.path().pathParameters().get("id");
                        accesses.add(new Access(host, req.query().first("purpose").orElse("")));
                        if (failAccess.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                            Http.problem(res, ProblemBody.of(503, "Service Unavailable", "down"));
                        } else if (withoutRepo.contains(host)) {
                            Http.problem(res, ProblemBody.of(409, "Conflict", "host " + host + " has no repository"));
                        } else if (repos.containsKey(host)) {
                            Http.json(res, repos.get(host));
                        } else {
                            Http.problem(res, ProblemBody.of(404, "Not Found", "unknown host"));
                        }
                    })
                    .get("/api/hosts/{id}", (req, res) -> {
                        String host = req.path().pathParameters().get("id");
                        if (!authorized(req) || req.headers().first(Http.PRINCIPAL).isEmpty()) {
                            Http.problem(res, ProblemBody.of(401, "Unauthorized", "token and principal"));
                        } else if (repos.containsKey(host) || withoutRepo.contains(host)) {
                            Http.json(res, Map.of("id", host, "name", host, "hostname", "hostname-" + host));
                        } else {
                            Http.problem(res, ProblemBody.of(404, "Not Found", "unknown host"));
                        }
                    })
                    .get("/api/repos/{id}", (req, res) -> {
                        String repo = req.path().pathParameters().get("id");
                        if (!authorized(req) || req.headers().first(Http.PRINCIPAL).isEmpty()) {
                            Http.problem(res, ProblemBody.of(401, "Unauthorized", "token and principal"));
                        } else if (repoHosts.containsKey(repo)) {
                            Http.json(res, Map.of("id", repo, "hosts", repoHosts.get(repo).stream()
                                    .map(h -> Map.of("id", h)).toList()));
                        } else {
                            Http.problem(res, ProblemBody.of(404, "Not Found", "unknown repository"));
                        }
                    })
                    .get("/api/snapshots/{id}", (req, res) -> {
                        String key = req.query().first("host_id").orElse("") + "/" + req.path().pathParameters().get("id");
                        if (!authorized(req) || req.headers().first(Http.PRINCIPAL).isEmpty()) {
                            Http.problem(res, ProblemBody.of(401, "Unauthorized", "token and principal"));
                        } else if (snapshots.stream().anyMatch(s -> s.startsWith(key))) {
                            Http.json(res, Map.of("id", key.substring(key.indexOf('/') + 1)));
                        } else {
                            Http.problem(res, ProblemBody.of(404, "Not Found", "unknown snapshot"));
                        }
                    })
                    .post("/internal/hosts/{id}/job-result", (req, res) -> {
                        if (failResults.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                            Http.problem(res, ProblemBody.of(503, "Service Unavailable", "down"));
                            return;
                        }
                        results.add(Json.MAPPER.readTree(req.content().as(String.class)));
                        res.status(204).send();
                    })).build().start();
        }

        /** Registers a host with a repository; the password is a secret that must never leak. */
        void host(String hostId, String repoId) {
            repos.put(hostId, new RepoAccess(repoId, "/srv/restic/" + repoId, "pw-" + repoId + "-SECRET",
                                             Map.of("AWS_SECRET_ACCESS_KEY", "aws-SECRET")));
        }

        List<JsonNode> results(String jobId) {
            return results.stream().filter(r -> r.path("job_id").asText().equals(jobId)).toList();
        }

        String url() {
            return "http://127.0.0.1:" + server.port();
        }

        @Override
        public void close() {
            server.stop();
        }
    }
}
