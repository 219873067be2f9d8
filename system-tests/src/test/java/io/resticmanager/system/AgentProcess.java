package io.resticmanager.system;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The real agent program, as a separate process: enroll once, then run (and be killed, and run again). */
final class AgentProcess implements AutoCloseable {
    private static final Path DIST = Stack.ROOT.resolve("agent/target");
    private static final Path JAR = DIST.resolve("restic-manager-agent.jar");
    private final Path dir;
    private final Path log;
    private final String hostname;
    private Process process;

    AgentProcess(Path dir, Path log) {
        this(dir, log, null);
    }

    /** An agent that reports {@code hostname} (RM_AGENT_HOSTNAME), so two agents on this machine are two hosts. */
    AgentProcess(Path dir, Path log, String hostname) {
        this.dir = dir;
        this.log = log;
        this.hostname = hostname;
    }

    Path config() {
        return dir.resolve("agent.yaml");
    }

    /** Runs {@code enroll}; returns its exit code. */
    int enroll(String server, String token) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Process p = builder(List.of("enroll", "--server", server, "--token", token, "--config", config().toString()))
                .start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("agent enroll hung");
        }
        return p.exitValue();
    }

    String hostId() throws IOException {
        for (String line : Files.readAllLines(config())) {
            if (line.startsWith("host_id:")) {
                return line.substring("host_id:".length()).strip().replace("\"", "").replace("'", "");
            }
        }
        throw new AssertionError("no host_id in " + config());
    }

    void start() throws IOException {
        process = builder(List.of("run", "--config", config().toString())).start();
    }

    /** kill -9 of the agent only (restic children are left as the OS leaves them). */
    void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly();
            process.waitFor();
            process = null;
        }
    }

    /**
     * The agent as it ships: the runtime bundled with it where the build linked one (else the JDK running the
     * tests), with the bundle's own Java flags, so every test runs the heap and GC settings hosts get.
     */
    static List<String> javaCommand() {
        Path bundled = DIST.resolve("runtime/bin/java");
        String java = Files.isExecutable(bundled) ? bundled.toString() : Stack.javaBin();
        return List.of(java, "@" + DIST.resolve("agent.jvm"), "-jar", JAR.toString());
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process != null && process.isAlive();
    }

    private ProcessBuilder builder(List<String> args) {
        List<String> cmd = new ArrayList<>(javaCommand());
        cmd.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        // catch-ups at once: the tests time them (the random delay has its own test)
        builder.environment().put("RM_AGENT_CATCHUP_JITTER_S", "0");
        if (hostname != null) {
            builder.environment().put("RM_AGENT_HOSTNAME", hostname);
        }
        return builder;
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
