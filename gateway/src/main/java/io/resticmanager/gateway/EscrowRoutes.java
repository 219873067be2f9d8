package io.resticmanager.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.config.Config;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.resticmanager.kit.Http;
import io.resticmanager.kit.Problem;
import io.resticmanager.kit.RmConfig;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;

/**
 * The sealing key's escrow (admins; the gateway's route table says so): {@code GET /api/escrow/sealing-key} tells
 * which keys there are and why the escrow matters; {@code POST /api/escrow/sealing-key {passphrase}} answers the
 * escrow file ({@link Escrow}) as a download. The passphrase is used for this one answer and forgotten.
 */
final class EscrowRoutes implements HttpService {
    static final String WARNING = "Repository passwords, hooks and channel secrets are sealed with this key. Without "
            + "the key file (secret.key) or an escrow copy of it and its passphrase, a restored server cannot open "
            + "any of them: keep the escrow file and the passphrase apart from the server and from each other.";
    private final Path keyFile;
    private final int memoryKib;
    private final int iterations;
    // each escrow holds MEMORY_KIB of RAM for the KDF: one at a time
    private final Semaphore busy = new Semaphore(1);

    EscrowRoutes(Path keyFile, int memoryKib, int iterations) {
        this.keyFile = keyFile;
        this.memoryKib = memoryKib;
        this.iterations = iterations;
    }

    static EscrowRoutes create(Config config) {
        Path file = config.get("rm.secret-key-file").asString().map(String::strip).filter(s -> !s.isEmpty())
                .map(Path::of).orElse(RmConfig.dataDir(config).resolve("secret.key"));
        Config kdf = config.get("rm.gateway.escrow");
        return new EscrowRoutes(file, kdf.get("memory-kib").asInt().orElse(Escrow.MEMORY_KIB),
                                kdf.get("iterations").asInt().orElse(Escrow.ITERATIONS));
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/api/escrow/sealing-key", this::info)
                .post("/api/escrow/sealing-key", this::download);
    }

    private void info(ServerRequest req, ServerResponse res) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("available", Files.isReadable(keyFile));
        body.put("key_ids", Files.isReadable(keyFile) ? Escrow.keyIds(read()) : List.of());
        body.put("warning", WARNING);
        body.put("min_passphrase_length", Escrow.MIN_PASSPHRASE);
        Http.json(res, body);
    }

    private void download(ServerRequest req, ServerResponse res) {
        JsonNode body = Http.body(req, JsonNode.class);
        JsonNode pass = body.get("passphrase");
        if (pass == null || !pass.isTextual()) {
            throw Problem.unprocessable("passphrase is required (" + Escrow.MIN_PASSPHRASE + " characters or more)");
        }
        try {
            Escrow.checkPassphrase(pass.asText());
        } catch (IllegalArgumentException e) {
            throw Problem.unprocessable(e.getMessage());
        }
        if (!Files.isReadable(keyFile)) {
            throw Problem.conflict("the gateway has no sealing key to escrow (give it RM_SECRET_KEY_FILE, as the "
                                           + "compose and Kubernetes stacks do)");
        }
        if (!busy.tryAcquire()) {
            throw new Problem(429, "Too Many Requests", "another escrow is being made; try again in a second");
        }
        String escrow;
        String keys = read();
        try {
            escrow = Escrow.seal(keys, pass.asText(), memoryKib, iterations);
        } finally {
            busy.release();
        }
        req.context().get(AuditNote.class).ifPresent(n -> n.action("sealing_key.escrow",
                                                                   "keys=" + String.join(",", Escrow.keyIds(keys))));
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.header(HeaderNames.CONTENT_DISPOSITION, "attachment; filename=\"restic-manager-sealing-key.escrow.json\"");
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.header("X-RM-Escrow-Warning", WARNING);
        res.send(escrow.getBytes(StandardCharsets.UTF_8));
    }

    private String read() {
        try {
            return Files.readString(keyFile, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw Problem.unavailable("cannot read the sealing key file");
        }
    }
}
