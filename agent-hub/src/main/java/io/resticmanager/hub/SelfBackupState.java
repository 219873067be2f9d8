package io.resticmanager.hub;

import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.resticmanager.kit.Http;
import io.resticmanager.kit.InternalClient;
import io.resticmanager.kit.Problem;
import io.resticmanager.kit.StateExport;
import io.resticmanager.kit.TarWriter;
import io.resticmanager.proto.Checks;
import io.resticmanager.proto.Json;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code GET /api/agents/state?job_id=} — the server's whole state as one tar stream, for the agent that runs a self
 * backup ({@code restic backup --stdin}): agent-hub's own part, then each peer's ({@code GET /internal/state}), then
 * {@value #MANIFEST} naming every entry, then the end-of-archive blocks. The agent's credential (bearer, through the
 * gateway) says which host asks; jobs-service must confirm that the job is a self backup handed to that host and not
 * finished, and each job gets the state once. An archive cut short has neither manifest nor end blocks, so the agent
 * can refuse to store it.
 */
final class SelfBackupState implements HttpService {
    static final String PATH = "/api/agents/state";
    static final String MANIFEST = "restic-manager-state.json";
    private static final System.Logger LOG = System.getLogger(SelfBackupState.class.getName());

    /** A peer that serves its part: name and base URL. */
    record Peer(String name, String baseUrl) {
    }

    /** The manifest at the end of the archive: when, and what came from where. */
    record Manifest(int format, Instant createdAt, String jobId, String hostId, Map<String, List<String>> parts) {
    }

    private final AgentHub hub;
    private final StateExport own;
    private final List<Peer> peers;
    private final InternalClient jobs;
    private final String token;
    private final HttpClient http;
    /** Jobs that fetched the state already (one fetch per job; the newest 10,000 remembered). */
    private final Map<String, Boolean> fetched = java.util.Collections.synchronizedMap(
            new LinkedHashMap<>(16, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                    return size() > 10_000;
                }
            });

    SelfBackupState(AgentHub hub, StateExport own, List<Peer> peers, InternalClient jobs, String token) {
        this.hub = hub;
        this.own = own;
        this.peers = List.copyOf(peers);
        this.jobs = jobs;
        this.token = token;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get(PATH, this::state);
    }

    private void state(ServerRequest req, ServerResponse res) {
        AgentRecord agent = AgentEndpoint.bearer(req.headers()).flatMap(hub.store()::agentByTokenHash)
                .orElseThrow(() -> Problem.unauthorized("agent credential missing, unknown or revoked"));
        if (agent.disabled()) {
            throw Problem.forbidden("host " + agent.hostId() + " is disabled");
        }
        String jobId = Http.query(req, "job_id").orElseThrow(() -> Problem.badRequest("job_id is required"));
        if (!Checks.id(jobId)) {
            throw Problem.badRequest("malformed job_id");
        }
        InternalClient.Reply grant = jobs.call(Method.GET, "/internal/jobs/" + jobId + "/state-grant?host_id="
                + URLEncoder.encode(agent.hostId(), StandardCharsets.UTF_8), null, Optional.empty());
        if (grant.status() == 404 || grant.status() == 403) {
            LOG.log(System.Logger.Level.WARNING, "host " + agent.hostId() + " asked for the server's state for job "
                    + jobId + ", which is no self backup it runs: refused");
            throw Problem.forbidden("job " + jobId + " is no self backup this host is running");
        }
        if (!grant.ok()) {
            throw jobs.asProblem(grant);
        }
        if (fetched.putIfAbsent(jobId, Boolean.TRUE) != null) {
            throw Problem.conflict("the state of job " + jobId + " was fetched already");
        }
        res.header(HeaderNames.CONTENT_TYPE, "application/x-tar");
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        OutputStream[] body = new OutputStream[1];
        Map<String, List<String>> parts = new LinkedHashMap<>();
        Set<String> secrets = new LinkedHashSet<>();
        Set<String> ownEntries = own.write(() -> body[0] = res.outputStream(), Set.of(), false);
        parts.put("agent-hub", List.copyOf(ownEntries));
        secrets.addAll(own.secretNames());
        try {
            for (Peer peer : peers) {
                parts.put(peer.name(), part(peer, secrets, body[0]));
            }
            TarWriter tar = new TarWriter(body[0]);
            tar.file(MANIFEST, 0600, Json.write(new Manifest(1, Instant.now(), jobId, agent.hostId(), parts))
                    .getBytes(StandardCharsets.UTF_8), Instant.now().getEpochSecond());
            tar.close();
            body[0].close();
        } catch (IOException e) {
            throw new UncheckedIOException("the state stream for job " + jobId + " broke off", e);
        }
        LOG.log(System.Logger.Level.INFO, "server state streamed to host " + agent.hostId() + " for job " + jobId);
    }

    /**
     * Copies one peer's part into {@code out}, adding the secret entries it held to {@code secrets}. A peer that does
     * not answer breaks the stream off (the status line is out already): the agent then stores nothing.
     */
    private List<String> part(Peer peer, Set<String> secrets, OutputStream out) throws IOException {
        URI uri = URI.create(peer.baseUrl() + StateExport.PATH + "?trailer=false&skip="
                                     + URLEncoder.encode(String.join(",", secrets), StandardCharsets.UTF_8));
        HttpResponse<InputStream> response;
        try {
            response = http.send(HttpRequest.newBuilder(uri).header(Http.INTERNAL_TOKEN.defaultCase(), token)
                                         .timeout(Duration.ofMinutes(5)).GET().build(),
                                 HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while asking " + peer.name() + " for its state");
        }
        try (InputStream in = response.body()) {
            if (response.statusCode() != 200) {
                throw new IOException(peer.name() + " answered " + response.statusCode() + " for its state");
            }
            in.transferTo(out);
        }
        List<String> held = response.headers().firstValue(StateExport.ENTRIES_HEADER).stream()
                .flatMap(h -> Arrays.stream(h.split(","))).map(String::strip).filter(s -> !s.isEmpty()).toList();
        // the first entry is the peer's database; the rest are secret files the next parts leave out
        secrets.addAll(held.stream().skip(1).toList());
        return held;
    }
}
