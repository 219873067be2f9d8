package io.resticmanager.system;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Rootful podman as the container engine for the compose stack, driven the way compose/README.md tells podman users
 * to: {@code podman system service} gives the Docker API on a private socket and docker-compose (v1) runs the
 * repository's own compose file against it. The Debian 12 base image is debootstrapped once and kept in podman's
 * image store ({@code localhost/debian-min:12}); the other images are (re)built from this checkout's jars.
 *
 * <p>Podman runs health checks from systemd timers, and this machine's PID 1 is not systemd: {@link #tickHealth}
 * runs them instead ({@code podman healthcheck run}), as the README says to where there is no systemd.
 */
final class ComposeEngine implements AutoCloseable {
    static final String DEBIAN_IMAGE = "localhost/debian-min:12";
    static final String JAVA_IMAGE = "localhost/restic-manager/jre:0.1.0";
    static final String CADDY_IMAGE = "localhost/restic-manager/caddy:2.6";
    static final String RCLONE_IMAGE = "localhost/restic-manager/rclone:1.60";
    static final String COMPOSE_FILE = "compose/docker-compose.yml";

    record Result(int exit, String output) {
        boolean ok() {
            return exit == 0;
        }

        String out() {
            return output.strip();
        }
    }

    private final String project;
    private final Path dir;
    private final Path log;
    private final Map<String, String> env = new LinkedHashMap<>();
    private Process service;
    private Thread ticker;
    private volatile boolean ticking;

    private ComposeEngine(String project, Path dir, Path log) {
        this.project = project;
        this.dir = dir;
        this.log = log;
    }

    /** Why podman and docker-compose cannot run the stack here, or empty when they can. */
    static Optional<String> unavailable() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return Optional.of("rootful podman needs root (running as " + System.getProperty("user.name") + ")");
        }
        for (String[] tool : new String[][] {{"podman", "podman"}, {"docker-compose", "docker-compose"}}) {
            if (NspawnHost.which(tool[0]).isEmpty()) {
                return Optional.of(tool[0] + " is not installed (apt-get install -y " + tool[1]
                                           + "; script/test installs it as root)");
            }
        }
        return Optional.empty();
    }

    /** Starts {@code podman system service} on a socket of its own; compose commands get it as DOCKER_HOST. */
    static ComposeEngine start(String project, Path logDir, Map<String, String> composeEnv)
            throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "rm-podman-");
        ComposeEngine engine = new ComposeEngine(project, dir, logDir.resolve("engine.log"));
        Path socket = dir.resolve("podman.sock");
        engine.service = new ProcessBuilder("podman", "system", "service", "--time=0", "unix://" + socket)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(logDir.resolve("podman-service.log").toFile()))
                .start();
        Await.until(Duration.ofSeconds(20), "podman's API socket " + socket, () -> {
            if (!engine.service.isAlive()) {
                throw new IllegalStateException("podman system service exited with " + engine.service.exitValue()
                                                        + ": see " + logDir.resolve("podman-service.log"));
            }
            try (SocketChannel ignored = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
                return true;
            } catch (IOException e) {
                return false;
            }
        });
        engine.env.put("DOCKER_HOST", "unix://" + socket);
        // the classic builder: podman's API has no BuildKit, and docker-compose must not look for a docker CLI
        engine.env.put("DOCKER_BUILDKIT", "0");
        engine.env.put("COMPOSE_DOCKER_CLI_BUILD", "0");

        engine.env.put("RM_JAVA_IMAGE", JAVA_IMAGE);
        engine.env.put("RM_CADDY_IMAGE", CADDY_IMAGE);
        engine.env.put("RM_RCLONE_IMAGE", RCLONE_IMAGE);
        engine.env.putAll(composeEnv);
        return engine;
    }

    // --- images ---------------------------------------------------------------------------------------------------

    /**
     * {@code localhost/debian-min:12}: a debootstrapped Debian 12 (minbase) imported into podman, made once and kept
     * in podman's image store. Aborts the test (an assumption) when it must be made and the mirror is unreachable.
     */
    void ensureDebianImage() throws IOException, InterruptedException {
        Files.createDirectories(NspawnHost.CACHE);
        try (FileChannel channel = FileChannel.open(NspawnHost.CACHE.resolve(".compose-lock"), StandardOpenOption.CREATE,
                                                    StandardOpenOption.WRITE);
             FileLock ignored = channel.lock()) {
            if (run(List.of("podman", "image", "exists", DEBIAN_IMAGE), Duration.ofSeconds(30)).ok()) {
                return;
            }
            if (NspawnHost.which("debootstrap").isEmpty()) {
                Assumptions.abort("no " + DEBIAN_IMAGE + " image and no debootstrap to make one (apt-get install -y debootstrap)");
            }
            String mirror = NspawnHost.mirror();
            Path rootfs = Files.createTempDirectory(Path.of("/var/tmp"), "rm-debian-min-");
            try {
                System.out.println("[compose] making " + DEBIAN_IMAGE + " with debootstrap from " + mirror);
                long t0 = System.nanoTime();
                Result built = run(List.of("debootstrap", "--variant=minbase", "--include=ca-certificates", "bookworm",
                                           rootfs.resolve("root").toString(), mirror), Duration.ofMinutes(10));
                if (!built.ok()) {
                    Assumptions.abort("debootstrap from " + mirror + " failed (exit " + built.exit() + "): "
                                              + NspawnHost.tail(built.output(), 10));
                }
                // what no image needs at run time: downloaded packages, package lists, documentation
                check(run(List.of("sh", "-c", "cd '" + rootfs.resolve("root") + "' && rm -rf var/cache/apt/archives/*.deb"
                        + " var/lib/apt/lists/* usr/share/doc/* usr/share/man/* usr/share/info/* usr/share/locale/*"),
                          Duration.ofMinutes(1)));
                check(run(List.of("sh", "-c", "tar -C '" + rootfs.resolve("root") + "' -c . | podman import - " + DEBIAN_IMAGE),
                          Duration.ofMinutes(3)));
                System.out.printf("[compose] %s made (%d s)%n", DEBIAN_IMAGE, (System.nanoTime() - t0) / 1_000_000_000);
            } finally {
                NspawnHost.remove(rootfs);
            }
        }
    }

    /** The base images no registry serves here, then the compose file's own images, from this checkout's jars. */
    void buildImages() {
        for (String[] image : new String[][] {{"jre", JAVA_IMAGE}, {"caddy", CADDY_IMAGE}, {"rclone", RCLONE_IMAGE}}) {
            check(run(List.of("podman", "build", "--build-arg", "DEBIAN_IMAGE=" + DEBIAN_IMAGE, "-f",
                              "deploy/docker/" + image[0] + ".Dockerfile", "-t", image[1], "."), Duration.ofMinutes(5)));
        }
        check(compose(Duration.ofMinutes(5), "--profile", "tls", "--profile", "demo", "build"));
    }

    // --- compose and podman ---------------------------------------------------------------------------------------

    /** {@code docker-compose -p PROJECT -f compose/docker-compose.yml ARGS...} from the repository root. */
    Result compose(Duration timeout, String... args) {
        List<String> cmd = new ArrayList<>(List.of("docker-compose", "-p", project, "-f", COMPOSE_FILE));
        cmd.addAll(List.of(args));
        return run(cmd, timeout);
    }

    Result podman(String... args) {
        List<String> cmd = new ArrayList<>(List.of("podman"));
        cmd.addAll(List.of(args));
        return run(cmd, Duration.ofMinutes(1));
    }

    /** The container id of a compose service (its first replica), or empty when it has none. */
    String container(String service) {
        return compose(Duration.ofSeconds(30), "ps", "-q", service).out().lines().findFirst().orElse("");
    }

    /** The health of a service's container: healthy, starting, unhealthy, or "" (no check, or not running). */
    String health(String service) {
        String id = container(service);
        return id.isEmpty() ? "" : podman("inspect", "--format", "{{.State.Health.Status}}", id).out();
    }

    String inspect(String service, String format) {
        return podman("inspect", "--format", format, container(service)).out();
    }

    /**
     * Runs this project's containers' health checks: every second while a container is starting, every 30 s
     * once it has an answer. Stopped by {@link #close}.
     */
    void tickHealth() {
        ticking = true;
        Map<String, Long> next = new HashMap<>();
        ticker = Thread.ofPlatform().daemon().name("compose-health").start(() -> {
            while (ticking) {
                for (String line : podman("ps", "--filter", "label=com.docker.compose.project=" + project, "--format",
                                          "{{.ID}} {{.Status}}").out().lines().toList()) {
                    String[] parts = line.split(" ", 2);
                    if (parts.length < 2 || !parts[1].contains("(")) {
                        continue; // no health check (caddy, rclone, the agent)
                    }
                    long now = System.nanoTime();
                    if (now >= next.getOrDefault(parts[0], 0L)) {
                        run(List.of("podman", "healthcheck", "run", parts[0]), Duration.ofSeconds(20));
                        next.put(parts[0], now + (parts[1].contains("starting") ? 1 : 30) * 1_000_000_000L);
                    }
                }
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    /** Containers, volumes and networks of this project: gone, whatever state the test left them in. */
    @Override
    public void close() throws InterruptedException {
        try {
            compose(Duration.ofMinutes(2), "--profile", "tls", "--profile", "demo", "down", "-v", "--remove-orphans",
                    "-t", "5");
            String label = "label=com.docker.compose.project=" + project;
            for (String id : podman("ps", "-aq", "--filter", label).out().lines().toList()) {
                podman("rm", "-f", id);
            }
            for (String volume : podman("volume", "ls", "-q", "--filter", label).out().lines().toList()) {
                podman("volume", "rm", "-f", volume);
            }
            for (String network : podman("network", "ls", "-q", "--filter", label).out().lines().toList()) {
                podman("network", "rm", "-f", network);
            }
        } finally {
            ticking = false;
            if (ticker != null) {
                ticker.interrupt();
                ticker.join(30_000);
            }
            if (service != null) {
                service.destroy();
                if (!service.waitFor(10, TimeUnit.SECONDS)) {
                    service.destroyForcibly();
                }
            }
            try {
                NspawnHost.remove(dir);
            } catch (IOException e) {
                System.out.println("[compose] could not remove " + dir + ": " + e);
            }
        }
    }

    private static Result check(Result result) {
        if (!result.ok()) {
            throw new AssertionError("exit " + result.exit() + ":\n" + NspawnHost.tail(result.output(), 40));
        }
        return result;
    }

    /** Runs a command from the repository root with the engine's environment; its output also goes to the log. */
    Result run(List<String> cmd, Duration timeout) {
        try {
            Path out = Files.createTempFile("rm-compose-", ".out");
            try {
                ProcessBuilder pb = new ProcessBuilder(cmd).directory(Stack.ROOT.toFile()).redirectErrorStream(true)
                        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                        .redirectOutput(out.toFile());
                pb.environment().putAll(env);
                if (cmd.contains("exec")) {
                    // exec through the API: docker-compose v1 otherwise runs the docker CLI for it, and where there
                    // is none on the PATH exec fails with exit 1 and no word of why (`run` keeps the CLI: through
                    // the API it loses a short-lived container's output)
                    pb.environment().put("COMPOSE_INTERACTIVE_NO_CLI", "1");
                }
                Process p = pb.start();
                if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                    p.waitFor(10, TimeUnit.SECONDS);
                    throw new AssertionError("timed out after " + timeout.toSeconds() + " s: " + String.join(" ", cmd)
                                                     + "\n" + NspawnHost.tail(Files.readString(out), 20));
                }
                String output = new String(Files.readAllBytes(out), StandardCharsets.UTF_8);
                if (!cmd.contains("healthcheck") && !(cmd.size() > 1 && cmd.get(1).equals("ps"))) {
                    synchronized (this) {
                        Files.writeString(log, "$ " + String.join(" ", cmd) + "\n" + output + "[exit " + p.exitValue()
                                + "]\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                    }
                }
                return new Result(p.exitValue(), output);
            } finally {
                Files.deleteIfExists(out);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted: " + String.join(" ", cmd));
        }
    }
}
