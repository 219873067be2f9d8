package io.resticmanager.hub;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.resticmanager.kit.Http;
import io.resticmanager.kit.InternalAuth;
import io.resticmanager.kit.Problem;
import io.resticmanager.kit.Tokens;
import io.resticmanager.proto.Json;
import io.resticmanager.proto.Principal;
import io.resticmanager.proto.ProblemBody;
import io.resticmanager.proto.Role;
import io.resticmanager.proto.internal.HostEvents;

import java.lang.System.Logger.Level;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Enrollment: admins mint one-time tokens; an agent trades one for its permanent credential. */
final class EnrollmentRoutes implements HttpService {
    private static final System.Logger LOG = System.getLogger(EnrollmentRoutes.class.getName());
    static final long DEFAULT_EXPIRY_S = 3600;
    static final long MAX_EXPIRY_S = 7 * 24 * 3600;

    private final AgentHub hub;

    EnrollmentRoutes(AgentHub hub) {
        this.hub = hub;
    }

    record CreateToken(String name, Long expiresInS) {
    }

    record CreatedToken(String id, String token, Instant expiresAt, String installCommand,
                        String installCommandWindows) {
    }

    record TokenView(String id, String name, String createdBy, Instant createdAt, Instant expiresAt, Instant usedAt,
                     String usedByHostId, String status) {
    }

    record EnrollRequest(String token, String hostname, String os, String arch, String agentVersion) {
    }

    record Enrolled(String hostId, String agentToken) {
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/api/enrollment-tokens", this::create)
                .get("/api/enrollment-tokens", this::list)
                .post("/api/agents/enroll", this::enroll);
    }

    private void create(ServerRequest req, ServerResponse res) {
        Principal admin = InternalAuth.require(req, Role.ADMIN);
        String text = req.content().hasEntity() ? req.content().as(String.class) : "";
        CreateToken body = text.isBlank() ? new CreateToken(null, null) : Http.parse(text, CreateToken.class);
        long expiresIn = body.expiresInS() == null ? DEFAULT_EXPIRY_S : body.expiresInS();
        if (expiresIn < 1 || expiresIn > MAX_EXPIRY_S) {
            throw Problem.badRequest("expires_in_s must be between 1 and " + MAX_EXPIRY_S + " (7 days)");
        }
        String name = body.name() == null || body.name().isBlank() ? null : body.name().strip();
        if (name != null && name.length() > 200) {
            throw Problem.badRequest("name is longer than 200 characters");
        }
        String id = UUID.randomUUID().toString();
        String token = Tokens.random("rme_");
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        Instant expiresAt = now.plusSeconds(expiresIn);
        hub.store().createEnrollmentToken(id, name, Tokens.sha256(token), admin.userId(), now, expiresAt);
        Http.audit(res, "enrollment_token.create", "token=" + id);
        String publicUrl = hub.settings().publicUrl();
        Http.json(res, 201, new CreatedToken(id, token, expiresAt,
                                             installCommand(publicUrl, token, hub.bundle().sha256()),
                                             windowsInstallCommand(publicUrl, token, hub.bundle().windowsSha256())));
    }

    /**
     * What the admin pastes on the host. It names the bundle's SHA-256, so install.sh installs exactly the agent
     * this server showed the admin, whatever a network in between serves.
     */
    static String installCommand(String publicUrl, String token, java.util.Optional<String> bundleSha256) {
        return "curl -fsSL " + publicUrl + "/install.sh | sudo sh -s -- --server " + publicUrl + " --token " + token
                + bundleSha256.map(sha -> " --sha256 " + sha).orElse("");
    }

    /**
     * The same for Windows, pasted into an elevated PowerShell: install.ps1 run as a script block, so its parameters
     * can follow (Windows PowerShell 5.1 first needs TLS 1.2 switched on to fetch it).
     */
    static String windowsInstallCommand(String publicUrl, String token, java.util.Optional<String> bundleSha256) {
        return "[Net.ServicePointManager]::SecurityProtocol = 'Tls12'; & ([scriptblock]::Create((irm " + publicUrl
                + "/install.ps1))) -Server " + publicUrl + " -Token " + token
                + bundleSha256.map(sha -> " -Sha256 " + sha).orElse("");
    }

    private void list(ServerRequest req, ServerResponse res) {
        InternalAuth.require(req, Role.ADMIN);
        Instant now = Instant.now();
        List<TokenView> items = hub.store().enrollmentTokens().stream()
                .map(t -> new TokenView(t.id(), t.name(), t.createdBy(), t.createdAt(), t.expiresAt(), t.usedAt(),
                                        t.usedByHostId(), t.status(now)))
                .toList();
        Http.json(res, Map.of("items", items));
    }

    private void enroll(ServerRequest req, ServerResponse res) {
        EnrollRequest body = Http.body(req, EnrollRequest.class);
        if (body.token() == null || body.token().isBlank()) {
            throw Problem.badRequest("token is required");
        }
        if (body.hostname() == null || body.hostname().isBlank() || body.hostname().length() > 253) {
            throw Problem.badRequest("hostname is required (at most 253 characters)");
        }
        String hostname = body.hostname().strip();
        String hostId = UUID.randomUUID().toString();
        String agentToken = Tokens.random("rma_");
        Instant now = Instant.now();
        AgentRecord agent = new AgentRecord(hostId, hostname, blankToNull(body.os()), blankToNull(body.arch()),
                                            blankToNull(body.agentVersion()), null, null, false, false, now, null);
        String payload = Json.write(new HostEvents.Enrolled(hostname, agent.os(), agent.arch(), agent.agentVersion()));
        boolean enrolled = hub.store().enroll(Tokens.sha256(body.token().strip()), now, agent,
                                              Tokens.sha256(agentToken), payload);
        if (!enrolled) {
            LOG.log(Level.WARNING, "enrollment refused for hostname " + hostname + " from "
                    + InternalAuth.sourceAddress(req) + ": token unknown, used or expired");
            Http.audit(res, "agent.enroll", "hostname=" + hostname + " result=denied");
            Http.problem(res, ProblemBody.of(401, "Unauthorized",
                                             "enrollment token is unknown, already used or expired"));
            return;
        }
        hub.wakeForwarders();
        LOG.log(Level.INFO, "host " + hostId + " (" + hostname + ") enrolled");
        Http.audit(res, "agent.enroll", "host=" + hostId + " hostname=" + hostname + " result=ok");
        Http.json(res, 201, new Enrolled(hostId, agentToken));
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}
