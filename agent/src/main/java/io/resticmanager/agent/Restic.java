package io.resticmanager.agent;

import com.fasterxml.jackson.databind.JsonNode;
import io.resticmanager.proto.Json;
import io.resticmanager.proto.RepoPolicy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A thin wrapper around the restic binary, in the spirit of Backrest's {@code pkg/restic}: it knows
 * the binary, one repository (URL, password, backend environment) and nothing of the agent.
 * Secrets travel only through the child's environment, never its arguments; inherited
 * {@code RESTIC_PASSWORD_FILE/COMMAND} and {@code RESTIC_REPOSITORY_FILE} are removed so they cannot
 * override ours.
 */
final class Restic {
    /** Inherited variables that would override or leak past the per-job credentials. */
    static final List<String> SCRUBBED = List.of("RESTIC_PASSWORD_FILE", "RESTIC_PASSWORD_COMMAND",
                                                 "RESTIC_REPOSITORY_FILE", "RESTIC_PASSWORD", "RESTIC_REPOSITORY",
                                                 "RESTIC_KEY_HINT", "RESTIC_FROM_PASSWORD_FILE",
                                                 "RESTIC_FROM_PASSWORD_COMMAND", "RESTIC_FROM_REPOSITORY_FILE",
                                                 "RESTIC_FROM_PASSWORD", "RESTIC_FROM_REPOSITORY",
                                                 "RESTIC_FROM_KEY_HINT");
    /** Terminal escapes and carriage returns: dropped from every output line (restic's and hooks'). */
    static final Pattern ANSI = Pattern.compile("\u001B\\[[0-9;?]*[A-Za-z]|\r");

    private final Path binary;
    private final ResticVersion version;
    private final String repoUrl;
    private final String password;
    private final Map<String, String> env;
    /** The source of a {@code copy} (null otherwise): its URL and password reach restic as RESTIC_FROM_*. */
    private final String fromUrl;
    private final String fromPassword;
    private final Redactor redactor;

    /** Receives restic's output line by line: JSON documents and plain-text lines (already redacted). */
    interface Output {
        void json(String stream, JsonNode node);

        void text(String stream, String line);
    }

    /** How a restic call ended; {@code tail} holds its last plain-text lines for error reports. */
    record Result(int exitCode, boolean cancelled, OutputTail tail) {
    }

    /**
     * @throws RepoPolicy.Violation when the repository asks for a variable its backend does not document or
     *                              names a host/remote ssh or rclone would read as an option: the agent does not
     *                              trust the server with its root shell
     */
    Restic(Path binary, ResticVersion version, String repoUrl, String password, Map<String, String> env) {
        this(binary, version, repoUrl, password, env, null, null);
        RepoPolicy.check(repoUrl, env);
    }

    private Restic(Path binary, ResticVersion version, String repoUrl, String password, Map<String, String> env,
                   String fromUrl, String fromPassword) {
        this.binary = binary;
        this.version = version;
        this.repoUrl = repoUrl;
        this.password = password;
        this.env = Map.copyOf(env);
        this.fromUrl = fromUrl;
        this.fromPassword = fromPassword;
        List<String> secrets = new ArrayList<>();
        // every backend value may be a key; URLs are masked separately, so they are not listed here
        this.env.forEach((k, v) -> secrets.add(v));
        List<String> passwords = new ArrayList<>(List.of(password));
        if (fromPassword != null) {
            passwords.add(fromPassword);
        }
        this.redactor = new Redactor(passwords, secrets);
    }

    /**
     * This repository as the destination of a {@code restic copy} from {@code source}. restic reads one environment
     * for both backends, so their variables must not disagree.
     *
     * @throws RepoPolicy.Violation when the source breaks the policy or a variable has two different values
     */
    Restic copyingFrom(io.resticmanager.proto.RepoAccess source) {
        RepoPolicy.check(source.url(), source.env());
        Map<String, String> merged = new HashMap<>(env);
        source.env().forEach((key, value) -> {
            String mine = merged.putIfAbsent(key, value);
            if (mine != null && !mine.equals(value)) {
                throw new RepoPolicy.Violation("both repositories set " + key + " to different values; restic copy "
                        + "reads one environment for both (give one of them its own credential scheme)");
            }
        });
        return new Restic(binary, version, repoUrl, password, merged, source.url(), source.password());
    }

    ResticVersion version() {
        return version;
    }

    Redactor redactor() {
        return redactor;
    }

    /** The repository URL with any user:password@ masked. */
    String redactedRepo() {
        return redactor.apply(repoUrl);
    }

    /**
     * Finds restic: the configured path, else {@code restic} ({@code restic.exe} on Windows) on the platform's PATH.
     * Throws {@link AgentException} (exit 2).
     */
    static Path locate(Optional<Path> configured, Platform platform) {
        if (configured.isPresent()) {
            Path p = configured.get();
            if (!Files.isRegularFile(p) || !Files.isExecutable(p)) {
                throw new AgentException(2, "restic_binary " + p + " is not an executable file");
            }
            return p;
        }
        String path = platform.variable("PATH").orElse("");
        for (String entry : path.split(Pattern.quote(platform.pathSeparator()))) {
            // Windows allows an entry in quotes ("C:\Program Files\restic"); the quotes are not part of the name
            String dir = platform.windows() ? entry.replace("\"", "") : entry;
            if (dir.isBlank()) {
                continue;
            }
            Path candidate = Path.of(dir, platform.resticBinaryName());
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new AgentException(2, platform.resticBinaryName() + " was not found on PATH; install it ("
                + (platform.windows() ? "e.g. winget install restic.restic" : "e.g. apt-get install restic")
                + ") or set restic_binary in the agent config");
    }

    /** Runs {@code restic version}; empty when the binary does not answer like restic. */
    static Optional<ResticVersion> detectVersion(Path binary) {
        try {
            Process p = new ProcessBuilder(binary.toString(), "version").redirectErrorStream(true).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readNBytes(4096), StandardCharsets.UTF_8);
            if (!p.waitFor(15, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return Optional.empty();
            }
            return ResticVersion.parse(out);
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** The full argument vector: no secret is ever part of it. */
    List<String> argv(List<String> args) {
        List<String> argv = new ArrayList<>(args.size() + 1);
        argv.add(binary.toString());
        argv.addAll(args);
        return argv;
    }

    /** What users see as the job's command line, e.g. {@code restic backup --json --tag x /data}. */
    String commandLine(List<String> args) {
        StringBuilder sb = new StringBuilder("restic");
        for (String a : args) {
            sb.append(' ').append(a.isEmpty() || a.matches(".*[\\s\"'$`\\\\].*") ? "'" + a.replace("'", "'\\''") + "'" : a);
        }
        return redactor.apply(sb.toString());
    }

    /** The child's environment: ours, minus credentials-by-file, plus the job's repository and backend env. */
    Map<String, String> environment(Map<String, String> inherited) {
        Map<String, String> out = new HashMap<>(inherited);
        SCRUBBED.forEach(out::remove);
        out.putAll(env);
        out.put("RESTIC_REPOSITORY", repoUrl);
        out.put("RESTIC_PASSWORD", password);
        if (fromUrl != null) {
            out.put("RESTIC_FROM_REPOSITORY", fromUrl);
            out.put("RESTIC_FROM_PASSWORD", fromPassword);
        }
        // JSON status at 60 fps is wasted work: we forward about one per second anyway
        out.putIfAbsent("RESTIC_PROGRESS_FPS", "2");
        return out;
    }

    /**
     * Runs {@code restic <args>} and feeds its stdout and stderr, line by line, to {@code output}.
     * Blocks until restic exits. {@code cancel} may stop it from another thread.
     */
    Result run(List<String> args, Output output, Cancellation cancel) throws IOException {
        return run(args, output, cancel, null);
    }

    /**
     * Writes restic's stdin; returns normally only when everything it had to give was written. Throws
     * {@link InputFailed} when its own source failed (any other IOException means restic stopped reading).
     */
    interface Stdin {
        void feed(java.io.OutputStream stdin) throws IOException;
    }

    /** The source of restic's stdin failed or ended too early: what restic read so far must not be kept. */
    static final class InputFailed extends IOException {
        InputFailed(String message) {
            super(message);
        }
    }

    /**
     * As above, with {@code stdin} (may be null) feeding restic's standard input from another thread. When the feeder
     * fails, restic is stopped before its input ends — so a {@code backup --stdin} never saves a snapshot of a cut
     * stream — and the feeder's failure is thrown once restic exited.
     */
    Result run(List<String> args, Output output, Cancellation cancel, Stdin stdin) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(argv(args));
        Map<String, String> childEnv = pb.environment();
        Map<String, String> computed = environment(childEnv);
        childEnv.clear();
        childEnv.putAll(computed);
        OutputTail tail = new OutputTail();
        Process process = pb.start();
        java.util.concurrent.atomic.AtomicReference<IOException> fed = new java.util.concurrent.atomic.AtomicReference<>();
        Thread feeder = null;
        if (stdin == null) {
            process.getOutputStream().close();
        } else {
            feeder = Thread.ofVirtual().name("restic-stdin-" + process.pid()).start(() -> {
                java.io.OutputStream in = process.getOutputStream();
                try {
                    stdin.feed(in);
                    in.close();
                } catch (InputFailed e) {
                    fed.set(e);
                    // restic must not see the end of its input: stop it while the pipe is still open
                    Cancellation.stop(process, java.time.Duration.ofSeconds(10));
                } catch (IOException e) {
                    // restic stopped reading (it failed or was cancelled): its exit code tells
                }
            });
        }
        cancel.attach(process);
        try {
            Thread stderr = Thread.ofVirtual().name("restic-stderr-" + process.pid())
                    .start(() -> pump(process.getErrorStream(), "stderr", output, tail));
            pump(process.getInputStream(), "stdout", output, tail);
            stderr.join();
            int exit = process.waitFor();
            if (feeder != null) {
                feeder.join();
                if (fed.get() != null) {
                    throw fed.get();
                }
            }
            return new Result(exit, cancel.requested(), tail);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            Cancellation.stop(process, java.time.Duration.ofSeconds(10));
            throw new IOException("interrupted while restic was running");
        } finally {
            cancel.detach();
        }
    }

    /** Receives restic's raw stdout in pieces; may block (that is the flow control) or throw to stop restic. */
    interface Bytes {
        void write(byte[] buffer, int length) throws IOException;
    }

    /**
     * Runs {@code restic <args>} and hands its stdout, unparsed, to {@code sink} in pieces of at most {@code piece}
     * bytes (for {@code dump}); stderr goes, redacted, to the result's tail. When the sink throws, restic is stopped
     * and the exception is rethrown after it exited.
     */
    Result stream(List<String> args, int piece, Bytes sink, Cancellation cancel) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(argv(args));
        Map<String, String> childEnv = pb.environment();
        Map<String, String> computed = environment(childEnv);
        childEnv.clear();
        childEnv.putAll(computed);
        OutputTail tail = new OutputTail();
        Process process = pb.start();
        process.getOutputStream().close();
        cancel.attach(process);
        Output ignore = new Output() {
            @Override
            public void json(String stream, JsonNode node) {
                tail.add(redactor.apply(node.toString()));
            }

            @Override
            public void text(String stream, String line) {
                // already in the tail
            }
        };
        try {
            Thread stderr = Thread.ofVirtual().name("restic-stderr-" + process.pid())
                    .start(() -> pump(process.getErrorStream(), "stderr", ignore, tail));
            IOException failed = null;
            try (InputStream out = process.getInputStream()) {
                byte[] buffer = new byte[piece];
                int n;
                while ((n = out.readNBytes(buffer, 0, piece)) > 0) {
                    sink.write(buffer, n);
                }
            } catch (IOException e) {
                failed = e;
                cancel.cancel();
            }
            stderr.join();
            int exit = process.waitFor();
            if (failed != null && !cancel.requested()) {
                throw failed;
            }
            return new Result(exit, cancel.requested(), tail);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            Cancellation.stop(process, java.time.Duration.ofSeconds(10));
            throw new IOException("interrupted while restic was running");
        } finally {
            cancel.detach();
        }
    }

    private void pump(InputStream in, String stream, Output output, OutputTail tail) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String raw;
            while ((raw = r.readLine()) != null) {
                String line = ANSI.matcher(raw).replaceAll("");
                Optional<JsonNode> json = parseJson(line);
                if (json.isPresent()) {
                    output.json(stream, json.get());
                } else if (!line.isBlank()) {
                    String clean = redactor.apply(line);
                    tail.add(clean);
                    output.text(stream, clean);
                }
            }
        } catch (IOException e) {
            // the stream closes when restic dies; nothing more to read
        } catch (RuntimeException e) {
            // a failing handler must not leave restic blocked on a full pipe: keep draining
            tail.add("agent: output handler failed: " + e);
            drain(in);
        }
    }

    private static void drain(InputStream in) {
        try {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        } catch (IOException ignored) {
            // process gone
        }
    }

    /** A line is JSON when it parses as an object or array; everything else is plain text. */
    static Optional<JsonNode> parseJson(String line) {
        String t = line.strip();
        if (t.isEmpty() || (t.charAt(0) != '{' && t.charAt(0) != '[')) {
            return Optional.empty();
        }
        try {
            JsonNode node = Json.MAPPER.readTree(t);
            return node != null && (node.isObject() || node.isArray()) ? Optional.of(node) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
