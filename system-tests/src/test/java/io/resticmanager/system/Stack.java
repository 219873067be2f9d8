package io.resticmanager.system;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The whole server stack as real processes on loopback: each service from its module's runnable jar,
 * with a fresh data directory and free ports. One per test class; {@link #close()} stops everything.
 */
final class Stack implements AutoCloseable {
    /** service name → module dir and jar short name, in start order. */
    static final Map<String, String[]> SERVICES = new LinkedHashMap<>();

    static {
        SERVICES.put("inventory-service", new String[] {"inventory-service", "inventory", "RM_INVENTORY_PORT", "RM_INVENTORY_URL"});
        SERVICES.put("agent-hub", new String[] {"agent-hub", "agent-hub", "RM_AGENT_HUB_PORT", "RM_AGENT_HUB_URL"});
        SERVICES.put("jobs-service", new String[] {"jobs-service", "jobs", "RM_JOBS_PORT", "RM_JOBS_URL"});
        SERVICES.put("ui-service", new String[] {"ui-service", "ui", "RM_UI_PORT", "RM_UI_URL"});
        SERVICES.put("gateway", new String[] {"gateway", "gateway", "RM_PORT", "RM_GATEWAY_URL"});
    }

    static final Path ROOT = Path.of(System.getProperty("rm.root", "..")).toAbsolutePath().normalize();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Path dataDir;
    private final Path logDir;
    private final Map<String, Integer> ports = new LinkedHashMap<>();
    private final Map<String, Process> processes = new LinkedHashMap<>();
    private final Map<String, String> env = new LinkedHashMap<>();
    private final List<String> jvmProperties;
    private final List<String> jvmOptions;

    private Stack(String name, List<String> jvmOptions, List<String> jvmProperties) throws IOException {
        this(name, Files.createTempDirectory("rm-" + name + "-"), Map.of(), jvmOptions, jvmProperties);
    }

    /** {@code fixedPorts}: service → port to reuse (a stack restarted where agents expect it); others get free ones. */
    private Stack(String name, Path dataDir, Map<String, Integer> fixedPorts, List<String> jvmOptions,
                  List<String> jvmProperties) throws IOException {
        this.dataDir = dataDir;
        this.logDir = ROOT.resolve("system-tests/target/system-logs/" + name);
        Files.createDirectories(logDir);
        this.jvmProperties = jvmProperties;
        this.jvmOptions = jvmOptions;
        for (var entry : SERVICES.entrySet()) {
            int port = fixedPorts.containsKey(entry.getKey()) ? fixedPorts.get(entry.getKey()) : freePort();
            ports.put(entry.getKey(), port);
            env.put(entry.getValue()[2], String.valueOf(port));
            env.put(entry.getValue()[3], "http://127.0.0.1:" + port);
        }
        env.put("RM_DATA_DIR", dataDir.toString());
        env.put("RM_PUBLIC_URL", "http://127.0.0.1:" + ports.get("gateway"));
        env.put("RM_AGENT_DIST", ROOT.resolve("agent/target").toString());
    }

    /**
     * Starts every service and waits until the gateway reports all healthy.
     * @param jvmProperties extra {@code -Dkey=value} settings (config keys) for every service, e.g. shorter timeouts
     */
    static Stack start(String name, String... jvmProperties) {
        return start(name, List.of(), jvmProperties);
    }

    /**
     * As {@link #start(String, String...)}, with extra JVM options for every service placed after the defaults
     * (so e.g. {@code -Xmx1g} overrides the default heap cap).
     */
    static Stack start(String name, List<String> jvmOptions, String... jvmProperties) {
        try {
            return started(new Stack(name, List.copyOf(jvmOptions), List.of(jvmProperties)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A new stack on {@code dataDir} (e.g. a restored one) with the ports and settings of {@code like}, which must be
     * stopped: agents enrolled with {@code like} find it where they left it.
     */
    static Stack startOn(Stack like, String name, Path dataDir) {
        try {
            return started(new Stack(name, dataDir, like.ports, like.jvmOptions, like.jvmProperties));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Stack started(Stack stack) {
        try {
            for (String service : SERVICES.keySet()) {
                stack.startService(service);
            }
            for (String service : SERVICES.keySet()) {
                stack.awaitHealthy(service, Duration.ofSeconds(60));
            }
            return stack;
        } catch (IOException e) {
            stack.close(); // the services that did start must not outlive the failed start
            throw new UncheckedIOException(e);
        } catch (RuntimeException | AssertionError e) {
            stack.close();
            throw e;
        }
    }

    void startService(String service) throws IOException {
        String[] def = SERVICES.get(service);
        Path jar = ROOT.resolve(def[0] + "/target/restic-manager-" + def[1] + ".jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: build with `mvn install` first");
        }
        List<String> cmd = new ArrayList<>(List.of(javaBin(), "--enable-native-access=ALL-UNNAMED", "-Xmx256m"));
        cmd.addAll(jvmOptions);
        jvmProperties.forEach(p -> cmd.add("-D" + p));
        cmd.add("-jar");
        cmd.add(jar.toString());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logDir.resolve(service + ".log").toFile()));
        pb.environment().putAll(env);
        processes.put(service, pb.start());
    }

    void awaitHealthy(String service, Duration timeout) {
        String url = url(service) + "/health";
        Await.until(timeout, service + " healthy (see " + logDir.resolve(service + ".log") + ")", () -> {
            Process p = processes.get(service);
            if (p != null && !p.isAlive()) {
                throw new IllegalStateException(service + " exited with " + p.exitValue() + "; see "
                        + logDir.resolve(service + ".log"));
            }
            return status(url) == 200;
        });
    }

    /** kill -9: no shutdown hook runs. */
    void kill(String service) throws InterruptedException {
        Process p = processes.remove(service);
        p.destroyForcibly();
        p.waitFor();
    }

    void restart(String service) throws IOException {
        startService(service);
        awaitHealthy(service, Duration.ofSeconds(60));
    }

    /** Starts these services together (as {@link #start} does) and waits until each is healthy. */
    void restartAll(List<String> services) throws IOException {
        for (String service : services) {
            startService(service);
        }
        for (String service : services) {
            awaitHealthy(service, Duration.ofSeconds(60));
        }
    }

    static int status(String url) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(3)).build(),
                             HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    String url(String service) {
        return "http://127.0.0.1:" + ports.get(service);
    }

    String gateway() {
        return url("gateway");
    }

    /** The operating-system process id of a running service (for memory and CPU readings). */
    long pid(String service) {
        Process p = processes.get(service);
        if (p == null) {
            throw new IllegalStateException(service + " is not running");
        }
        return p.pid();
    }

    Path dataDir() {
        return dataDir;
    }

    Path logDir() {
        return logDir;
    }

    String internalToken() throws IOException {
        return Files.readString(dataDir.resolve("internal-token")).strip();
    }

    String setupToken() {
        Await.until(Duration.ofSeconds(10), "setup token file", () -> Files.exists(dataDir.resolve("setup-token")));
        try {
            return Files.readString(dataDir.resolve("setup-token")).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        processes.values().forEach(Process::destroy);
        for (Process p : processes.values()) {
            try {
                if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        processes.clear();
    }
}
