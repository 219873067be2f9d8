package io.resticmanager.agent;

import io.resticmanager.common.Hosts;
import io.resticmanager.common.SecretFiles;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The agent's YAML config file (mode 0600). It holds the agent's own credential and never a
 * repository password: those arrive per job, in memory only.
 *
 * @param serverUrl         the server's public URL (http or https), e.g. {@code https://backup.example.com}
 * @param hostId            the id the server gave this host at enrollment
 * @param agentToken        the agent credential (bearer token on the WebSocket upgrade)
 * @param tlsPinSha256      optional SHA-256 (hex) of the server's leaf certificate; when set, only it is trusted
 * @param resticBinary      optional path of restic; default: found on PATH
 * @param spoolDir          where unacknowledged job events wait; default {@code <config dir>/spool}
 * @param heartbeatIntervalS optional override of the server's heartbeat interval
 * @param file              where this config lives
 */
record AgentConfig(URI serverUrl, String hostId, String agentToken, Optional<String> tlsPinSha256,
                   Optional<Path> resticBinary, Path spoolDir, OptionalInt heartbeatIntervalS, Path file) {

    /** Reads and validates a config file; every problem becomes one clear {@link AgentException} (exit 2). */
    static AgentConfig load(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw bad(file, "file does not exist (enroll first: restic-manager-agent enroll --server URL --token T "
                    + "--config " + file + ")");
        } catch (IOException e) {
            throw bad(file, "cannot read it: " + e.getMessage());
        }
        Object root;
        try {
            root = new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
        } catch (YAMLException e) {
            String msg = e.getMessage() == null ? "invalid YAML" : e.getMessage().lines().findFirst().orElse("");
            throw bad(file, "not valid YAML: " + msg);
        }
        if (!(root instanceof Map<?, ?> map)) {
            throw bad(file, "expected a YAML mapping of keys (server_url, host_id, agent_token, …)");
        }
        for (Object key : map.keySet()) {
            String k = String.valueOf(key);
            if (k.toLowerCase(Locale.ROOT).contains("password")) {
                throw bad(file, "key '" + k + "' is not allowed: the agent config never holds a repository password");
            }
        }
        URI server = serverUrl(file, required(file, map, "server_url"));
        String hostId = required(file, map, "host_id");
        String token = required(file, map, "agent_token");
        Optional<String> pin = optional(file, map, "tls_pin_sha256").map(p -> normalizePin(file, p));
        Optional<Path> restic = optional(file, map, "restic_binary").map(Path::of);
        Path dir = file.toAbsolutePath().getParent();
        Path spool = optional(file, map, "spool_dir").map(s -> dir.resolve(s)).orElse(dir.resolve("spool"));
        OptionalInt heartbeat = OptionalInt.empty();
        Object hb = map.get("heartbeat_interval_s");
        if (hb != null) {
            if (!(hb instanceof Integer i) || i < 1 || i > 3600) {
                throw bad(file, "heartbeat_interval_s must be a whole number of seconds between 1 and 3600");
            }
            heartbeat = OptionalInt.of(i);
        }
        return new AgentConfig(server, hostId, token, pin, restic, spool, heartbeat, file);
    }

    /** Writes this config atomically with mode 0600 (tmp file + fsync + rename). */
    void write() {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("server_url", serverUrl.toString());
        values.put("host_id", hostId);
        values.put("agent_token", agentToken);
        tlsPinSha256.ifPresent(p -> values.put("tls_pin_sha256", p));
        resticBinary.ifPresent(p -> values.put("restic_binary", p.toString()));
        Path defaultSpool = file.toAbsolutePath().getParent().resolve("spool");
        if (!spoolDir.equals(defaultSpool)) {
            values.put("spool_dir", spoolDir.toString());
        }
        StringBuilder yaml = new StringBuilder("# restic-manager agent config; written by `enroll`. Keep it 0600.\n");
        values.forEach((k, v) -> yaml.append(k).append(": ").append(quote(v)).append('\n'));
        heartbeatIntervalS.ifPresent(h -> yaml.append("heartbeat_interval_s: ").append(h).append('\n'));
        SecretFiles.writeAtomically(file, yaml.toString());
    }

    /** The WebSocket endpoint: {@code <server>/ws/agent} with http→ws, https→wss. */
    URI websocketUri() {
        String base = serverUrl.toString().replaceAll("/+$", "");
        String ws = base.startsWith("https://") ? "wss://" + base.substring(8) : "ws://" + base.substring(7);
        return URI.create(ws + "/ws/agent");
    }

    /** Where restore drills make their scratch directories (each one new, removed when the drill ends). */
    Path drillsDir() {
        return file.toAbsolutePath().getParent().resolve("drills");
    }

    /** Where schedules pushed by the server are kept. */
    Path schedulesFile() {
        return file.toAbsolutePath().getParent().resolve("schedules.json");
    }

    @Override
    public String toString() {
        return "AgentConfig[serverUrl=" + serverUrl + ", hostId=" + hostId + ", agentToken=***, file=" + file + "]";
    }

    /** Set to {@code true} to let the agent talk plain HTTP to a server that is not on this machine. */
    static final String ALLOW_INSECURE_ENV = "RM_AGENT_ALLOW_INSECURE_HTTP";

    static URI serverUrl(Path file, String value) {
        return serverUrl(file, value, "true".equalsIgnoreCase(System.getenv(ALLOW_INSECURE_ENV)));
    }

    /**
     * The server's URL: https, or http only to this machine (loopback). The agent runs restic as root on what the
     * server sends, so a server reached in clear text is one anybody on the path can impersonate.
     */
    static URI serverUrl(Path file, String value, boolean allowInsecure) {
        URI uri;
        try {
            uri = URI.create(value.strip());
        } catch (IllegalArgumentException e) {
            throw bad(file, "server_url is not a valid URL: " + value);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
            throw bad(file, "server_url must be an http:// or https:// URL, got: " + value);
        }
        if (scheme.equals("http") && !Hosts.loopback(uri.getHost()) && !allowInsecure) {
            throw bad(file, "server_url " + value + " is plain HTTP to another machine: the agent only trusts a "
                    + "server over https:// (plain http:// is allowed to this machine only; set "
                    + ALLOW_INSECURE_ENV + "=true to accept the risk on a network you control)");
        }
        return uri;
    }

    static String normalizePin(Path file, String pin) {
        String hex = pin.replace(":", "").strip().toLowerCase(Locale.ROOT);
        if (!hex.matches("[0-9a-f]{64}")) {
            throw bad(file, "tls_pin_sha256 must be 64 hex digits (the SHA-256 of the server's certificate)");
        }
        return hex;
    }

    private static String required(Path file, Map<?, ?> map, String key) {
        return optional(file, map, key).orElseThrow(() -> bad(file, "missing required key: " + key));
    }

    private static Optional<String> optional(Path file, Map<?, ?> map, String key) {
        Object v = map.get(key);
        if (v == null) {
            return Optional.empty();
        }
        if (!(v instanceof String s)) {
            throw bad(file, key + " must be a string");
        }
        return s.isBlank() ? Optional.empty() : Optional.of(s.strip());
    }

    private static String quote(String v) {
        return "\"" + v.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static AgentException bad(Path file, String why) {
        return new AgentException(2, "invalid agent config " + file + ": " + why);
    }
}
