package io.resticmanager.agent;

import io.resticmanager.proto.Protocol;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.logging.LogManager;

/**
 * {@code restic-manager-agent enroll | run | version}. Exit codes: 0 ok, 1 the action failed (server
 * refused or unreachable), 2 usage or configuration error.
 */
public final class AgentMain {
    /** The usage text, naming this platform's default config file. */
    static String usage(Platform platform) {
        return """
                usage: restic-manager-agent enroll --server URL --token TOKEN [--config FILE] [--tls-pin-sha256 HEX] [--restic PATH]
                       restic-manager-agent run [--config FILE]
                       restic-manager-agent version [--config FILE]
                --config defaults to %s (enroll and run); the spool, schedules and drill scratch
                directories live beside it.""".formatted(platform.defaultConfigFile());
    }

    private AgentMain() {
    }

    public static void main(String[] args) {
        configureLogging();
        int code = execute(args, System.out, System.err);
        if (code != 0) {
            System.exit(code);
        }
    }

    /** The bundled {@code logging.properties}, unless {@code -Djava.util.logging.config.file} names another. */
    private static void configureLogging() {
        if (System.getProperty("java.util.logging.config.file") != null) {
            return;
        }
        try (InputStream in = AgentMain.class.getResourceAsStream("/logging.properties")) {
            if (in != null) {
                LogManager.getLogManager().readConfiguration(in);
            }
        } catch (IOException e) {
            System.err.println("logging.properties: " + e.getMessage());
        }
    }

    static int execute(String[] args, PrintStream out, PrintStream err) {
        return execute(args, out, err, Platform.current());
    }

    static int execute(String[] args, PrintStream out, PrintStream err, Platform platform) {
        String usage = usage(platform);
        if (args.length == 0) {
            err.println(usage);
            return 2;
        }
        try {
            return switch (args[0]) {
                case "enroll" -> enroll(options(args, Set.of("--server", "--token", "--config", "--tls-pin-sha256",
                                                              "--restic"), usage), out, usage, platform);
                case "run" -> run(options(args, Set.of("--config"), usage), platform);
                case "version", "--version" -> version(options(args, Set.of("--config"), usage), out);
                case "help", "--help", "-h" -> {
                    out.println(usage);
                    yield 0;
                }
                default -> throw new AgentException(2, "unknown command: " + args[0] + "\n" + usage);
            };
        } catch (AgentException e) {
            err.println("error: " + e.getMessage());
            return e.exitCode();
        }
    }

    private static Map<String, String> options(String[] args, Set<String> allowed, String usage) {
        Map<String, String> opts = new HashMap<>();
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            String key = a;
            String value;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                key = a.substring(0, eq);
                value = a.substring(eq + 1);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new AgentException(2, "missing value for " + a);
            }
            if (!allowed.contains(key)) {
                throw new AgentException(2, "unknown option " + key + " for " + args[0] + "\n" + usage);
            }
            opts.put(key, value);
        }
        return opts;
    }

    private static String required(Map<String, String> opts, String key, String usage) {
        String v = opts.get(key);
        if (v == null || v.isBlank()) {
            throw new AgentException(2, "missing " + key + "\n" + usage);
        }
        return v;
    }

    /** {@code --config}, else the platform's default file. */
    static Path configFile(Map<String, String> opts, Platform platform) {
        String given = opts.get("--config");
        return Path.of(given == null || given.isBlank() ? platform.defaultConfigFile() : given);
    }

    private static int enroll(Map<String, String> opts, PrintStream out, String usage, Platform platform) {
        Path file = configFile(opts, platform);
        URI server = AgentConfig.serverUrl(file, required(opts, "--server", usage));
        String token = opts.getOrDefault("--token", platform.variable("RM_ENROLL_TOKEN").orElse(null));
        if (token == null || token.isBlank()) {
            throw new AgentException(2, "missing --token (or RM_ENROLL_TOKEN)\n" + usage);
        }
        Optional<String> pin = Optional.ofNullable(opts.get("--tls-pin-sha256")).map(p -> AgentConfig.normalizePin(file, p));
        Optional<Path> restic = Optional.ofNullable(opts.get("--restic")).map(Path::of);
        // keep local settings of an earlier enrollment (restic path, spool dir, heartbeat)
        Optional<AgentConfig> previous = previous(file);
        Enrollment.Result result = Enrollment.enroll(server, token, pin, HostInfo.current());
        Path dir = file.toAbsolutePath().getParent();
        AgentConfig config = new AgentConfig(server, result.hostId(), result.agentToken(), pin,
                                             restic.or(() -> previous.flatMap(AgentConfig::resticBinary)),
                                             previous.map(AgentConfig::spoolDir).orElse(dir.resolve("spool")),
                                             previous.map(AgentConfig::heartbeatIntervalS).orElse(OptionalInt.empty()),
                                             file);
        config.write();
        out.println("enrolled as host " + result.hostId() + "; config written to " + file.toAbsolutePath());
        return 0;
    }

    private static Optional<AgentConfig> previous(Path file) {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(AgentConfig.load(file));
        } catch (AgentException e) {
            // an unreadable old config is simply replaced
            return Optional.empty();
        }
    }

    private static int run(Map<String, String> opts, Platform platform) {
        AgentConfig config = AgentConfig.load(configFile(opts, platform));
        Agent agent = new Agent(config, HostInfo.current(), Agent.detectRestic(config.resticBinary()), Backoff.standard());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> agent.stop(Duration.ofSeconds(12)), "agent-shutdown"));
        agent.run();
        return 0;
    }

    private static int version(Map<String, String> opts, PrintStream out) {
        Optional<Path> configured = Optional.empty();
        if (opts.containsKey("--config")) {
            configured = AgentConfig.load(Path.of(opts.get("--config"))).resticBinary();
        }
        Jobs.ResticSetup restic = Agent.detectRestic(configured);
        out.println("restic-manager-agent " + AgentVersion.current());
        out.println("protocol " + Protocol.VERSION);
        out.println("restic " + restic.version().map(ResticVersion::toString)
                .orElse("not found (" + restic.problem().orElse("unknown") + ")"));
        return 0;
    }
}
