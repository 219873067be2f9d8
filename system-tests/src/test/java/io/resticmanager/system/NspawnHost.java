package io.resticmanager.system;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Debian 12 machine for the tests: a debootstrapped root file system booted with systemd as PID 1 in
 * {@code systemd-nspawn}, sharing this machine's network (so it reaches the stack on 127.0.0.1). Commands run
 * inside with {@code nsenter} into the container's systemd (machinectl needs systemd as the host's PID 1).
 *
 * <p>The root file system is built once with debootstrap from the Debian mirror apt uses here and cached under
 * {@code /var/cache/restic-manager-tests} ({@code -Drm.test.nspawn-cache=DIR}); each test run boots a copy of it.
 * Debian 12 packages no Java 21+, and the machine has none: the agent brings its own runtime in its bundle.
 */
final class NspawnHost implements AutoCloseable {
    static final Path CACHE = Path.of(System.getProperty("rm.test.nspawn-cache", "/var/cache/restic-manager-tests"));
    static final String SUITE = "bookworm";
    /** What a small real host has; sudo because the dashboard's install command says {@code | sudo sh}. */
    static final List<String> PACKAGES = List.of("systemd", "systemd-sysv", "dbus", "curl", "ca-certificates",
                                                 "restic", "sudo");
    private static final String PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    record Result(int exit, String output) {
        boolean ok() {
            return exit == 0;
        }

        String out() {
            return output.strip();
        }
    }

    private final Path rootfs;
    private final String name;
    private final Path console;
    private Process nspawn;
    private long init;

    private NspawnHost(Path rootfs, String name, Path console) {
        this.rootfs = rootfs;
        this.name = name;
        this.console = console;
    }

    /** Why this machine cannot boot a container (not root, tools missing), or empty when it can. */
    static Optional<String> unavailable() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return Optional.of("systemd-nspawn and debootstrap need root (running as " + System.getProperty("user.name")
                                       + ")");
        }
        if (!"Linux".equals(System.getProperty("os.name"))) {
            return Optional.of("systemd-nspawn needs Linux");
        }
        for (String[] tool : new String[][] {{"systemd-nspawn", "systemd-container"}, {"debootstrap", "debootstrap"},
                                             {"nsenter", "util-linux"}}) {
            if (which(tool[0]).isEmpty()) {
                return Optional.of(tool[0] + " is not installed (apt-get install -y " + tool[1]
                                           + "; script/test installs it as root)");
            }
        }
        return Optional.empty();
    }

    // --- the cached root file system and runtime ------------------------------------------------------------------

    /**
     * The cached Debian root file system, built with debootstrap when missing (about 45 s, 280 MB). Aborts the
     * calling test (an assumption) when it must be built and the mirror cannot be reached.
     */
    static Path rootfs(Path log) throws IOException, InterruptedException {
        Path cached = CACHE.resolve(SUITE + "-rootfs");
        String key = "suite=" + SUITE + " variant=minbase include=" + String.join(",", PACKAGES) + "\n";
        Path marker = cached.resolve(".rm-test-rootfs");
        try (FileLock ignored = lock()) {
            if (Files.isRegularFile(marker) && Files.readString(marker).equals(key)) {
                return cached;
            }
            String mirror = mirror();
            Optional<String> unreachable = unreachable(mirror);
            if (unreachable.isPresent()) {
                String why = "no cached Debian root file system in " + cached + ", and the mirror " + mirror
                        + " cannot be reached to build one (" + unreachable.get() + ")";
                System.out.println("[real-host] skipped: " + why);
                Assumptions.abort(why);
            }
            Path partial = CACHE.resolve(SUITE + "-rootfs.partial");
            remove(partial);
            List<String> cmd = new ArrayList<>(List.of("debootstrap", "--variant=minbase",
                                                       "--include=" + String.join(",", PACKAGES), SUITE,
                                                       partial.toString(), mirror));
            System.out.println("[real-host] building the cached root file system: " + String.join(" ", cmd));
            long t0 = System.nanoTime();
            Result built = host(cmd, Duration.ofMinutes(10), log);
            if (!built.ok()) {
                throw new AssertionError("debootstrap failed (exit " + built.exit() + "), see " + log + ":\n"
                                                 + tail(built.output(), 30));
            }
            // the downloaded packages are not needed to boot: every copy per run is 100 MB smaller without them
            host(List.of("sh", "-c", "rm -f '" + partial + "'/var/cache/apt/archives/*.deb"), Duration.ofMinutes(1), log);
            Files.writeString(partial.resolve(".rm-test-rootfs"), key);
            remove(cached);
            Files.move(partial, cached);
            System.out.printf("[real-host] root file system cached in %s (%d s)%n", cached,
                              (System.nanoTime() - t0) / 1_000_000_000);
            return cached;
        }
    }

    /** The Debian mirror apt uses here (its first {@code bookworm … main} source), else deb.debian.org. */
    static String mirror() throws IOException {
        String override = System.getProperty("rm.test.debian-mirror", System.getenv("RM_TEST_DEBIAN_MIRROR"));
        if (override != null && !override.isBlank()) {
            return override.strip();
        }
        List<Path> files = new ArrayList<>();
        Path list = Path.of("/etc/apt/sources.list");
        if (Files.isRegularFile(list)) {
            files.add(list);
        }
        Path dir = Path.of("/etc/apt/sources.list.d");
        if (Files.isDirectory(dir)) {
            try (Stream<Path> s = Files.list(dir)) {
                s.filter(p -> p.toString().endsWith(".list") || p.toString().endsWith(".sources")).sorted()
                        .forEach(files::add);
            }
        }
        for (Path file : files) {
            String text = Files.readString(file);
            if (file.toString().endsWith(".sources")) {
                for (String stanza : text.split("\\n\\s*\\n")) {
                    String uris = field(stanza, "URIs");
                    List<String> suites = List.of(field(stanza, "Suites").split("\\s+"));
                    if (field(stanza, "Types").contains("deb") && suites.contains(SUITE)
                            && List.of(field(stanza, "Components").split("\\s+")).contains("main") && !uris.isBlank()) {
                        return uris.split("\\s+")[0];
                    }
                }
            } else {
                for (String line : text.lines().toList()) {
                    String[] words = line.replaceAll("\\[[^]]*]", " ").strip().split("\\s+");
                    if (words.length >= 4 && words[0].equals("deb") && words[2].equals(SUITE)
                            && List.of(words).subList(3, words.length).contains("main")) {
                        return words[1];
                    }
                }
            }
        }
        return "http://deb.debian.org/debian";
    }

    private static String field(String stanza, String name) {
        for (String line : stanza.lines().toList()) {
            if (line.regionMatches(true, 0, name + ":", 0, name.length() + 1)) {
                return line.substring(name.length() + 1).strip();
            }
        }
        return "";
    }

    private static Optional<String> unreachable(String mirror) {
        String url = mirror.replaceAll("/+$", "") + "/dists/" + SUITE + "/Release";
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NORMAL).build()) {
            int status = http.send(HttpRequest.newBuilder(URI.create(url)).method("HEAD", HttpRequest.BodyPublishers.noBody())
                                           .timeout(Duration.ofSeconds(10)).build(),
                                   HttpResponse.BodyHandlers.discarding()).statusCode();
            return status == 200 ? Optional.empty() : Optional.of("HEAD " + url + " answered " + status);
        } catch (IOException | IllegalArgumentException e) {
            return Optional.of("HEAD " + url + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted");
        }
    }

    /** Other engineers' test runs share the cache: one builder at a time. */
    private static FileLock lock() throws IOException {
        Files.createDirectories(CACHE);
        FileChannel channel = FileChannel.open(CACHE.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        return channel.lock(); // released (and the channel closed with it) by close()
    }

    private static byte[] sha256(String text) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // --- one machine ----------------------------------------------------------------------------------------------

    /** A copy of {@code cached} at {@code rootfs} (cp -a, reflinked where the file system can), named {@code name}. */
    static void copy(Path cached, Path rootfs, String name, Path log) throws IOException, InterruptedException {
        Result copied = host(List.of("cp", "-a", "--reflink=auto", cached.toString(), rootfs.toString()),
                             Duration.ofMinutes(5), log);
        if (!copied.ok()) {
            throw new AssertionError("copying the root file system failed: " + copied.output());
        }
        Files.writeString(rootfs.resolve("etc/hostname"), name + "\n");
        Files.writeString(rootfs.resolve("etc/hosts"), "127.0.0.1\tlocalhost\n127.0.1.1\t" + name + "\n"
                + "::1\tlocalhost ip6-localhost ip6-loopback\n");
    }

    /** Boots {@code rootfs} and waits until systemd has finished starting it up. */
    static NspawnHost boot(Path rootfs, String name, Path console, Duration timeout) throws IOException {
        NspawnHost machine = new NspawnHost(rootfs, name, console);
        try {
            machine.start(timeout);
        } catch (RuntimeException e) {
            try {
                machine.close(); // a container that hangs in its boot must not outlive the test
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
            throw e;
        }
        return machine;
    }

    private void start(Duration timeout) throws IOException {
        nspawn = new ProcessBuilder("systemd-nspawn", "-D", rootfs.toString(), "--boot", "--register=no", "--keep-unit",
                                    "--console=read-only", "-M", name)
                .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(console.toFile())).start();
        init = 0;
        long deadline = System.nanoTime() + timeout.toNanos();
        String state = "";
        while (System.nanoTime() < deadline) {
            if (!nspawn.isAlive()) {
                throw new BootFailed("systemd-nspawn exited with " + nspawn.exitValue() + " before the container was up:\n"
                                             + tail(read(console), 15));
            }
            if (init == 0) {
                init = nspawn.children().filter(c -> "systemd".equals(comm(c.pid()))).mapToLong(ProcessHandle::pid)
                        .findFirst().orElse(0);
            } else {
                state = sh(Duration.ofSeconds(10), "systemctl is-system-running").out();
                if (state.equals("running") || state.equals("degraded")) {
                    if (state.equals("degraded")) {
                        System.out.println("[real-host] booted degraded; failed units:\n"
                                                   + sh("systemctl --failed --no-legend --plain").out());
                    }
                    return;
                }
            }
            sleep(200);
        }
        throw new BootFailed("the container did not finish booting in " + timeout.toSeconds() + " s (systemd: "
                                     + (init == 0 ? "not started" : state) + "):\n" + tail(read(console), 15));
    }

    /** The container did not come up: nothing the product did. */
    static final class BootFailed extends RuntimeException {
        BootFailed(String message) {
            super(message);
        }
    }

    /** Runs a shell script as root inside the machine, with a clean login-like environment. */
    Result sh(String script) {
        return sh(Duration.ofMinutes(2), script);
    }

    Result sh(Duration timeout, String script) {
        if (init == 0) {
            throw new IllegalStateException("the machine is not running");
        }
        try {
            return host(List.of("nsenter", "-t", String.valueOf(init), "-a", "--", "/usr/bin/env", "-i", "PATH=" + PATH,
                                "HOME=/root", "LANG=C.UTF-8", "TERM=dumb", "/bin/sh", "-c", script), timeout, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /**
     * {@code systemctl reboot} inside, then the machine boots again from the same root file system;
     * {@code whileDown} runs between the two (the machine is off then).
     */
    void reboot(Duration timeout, Runnable whileDown) throws IOException, InterruptedException {
        sh(Duration.ofSeconds(30), "systemctl reboot"); // may be cut short by the shutdown itself
        if (!nspawn.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
            throw new AssertionError("the container did not shut down for its reboot in " + timeout.toSeconds() + " s");
        }
        // 133: the container asked to be started again (systemd-nspawn@.service restarts on it)
        if (nspawn.exitValue() != 133) {
            throw new AssertionError("systemd-nspawn exited with " + nspawn.exitValue() + " on reboot, not 133");
        }
        init = 0;
        whileDown.run();
        start(timeout);
    }

    /** The container is up (its systemd-nspawn still runs). */
    boolean running() {
        return nspawn != null && nspawn.isAlive() && init != 0;
    }

    Path rootfs() {
        return rootfs;
    }

    String name() {
        return name;
    }

    /** SIGTERM to systemd-nspawn: the container shuts down cleanly; forced after 30 s. */
    @Override
    public void close() throws InterruptedException {
        if (nspawn == null || !nspawn.isAlive()) {
            return;
        }
        nspawn.destroy();
        if (!nspawn.waitFor(30, TimeUnit.SECONDS)) {
            if (init != 0) {
                ProcessHandle.of(init).ifPresent(ProcessHandle::destroyForcibly); // ends its whole PID namespace
            }
            nspawn.destroyForcibly();
            nspawn.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** rm -rf that stays on this file system (a mount left under it is not followed). */
    static void remove(Path dir) throws IOException, InterruptedException {
        if (Files.exists(dir)) {
            Result r = host(List.of("rm", "-rf", "--one-file-system", dir.toString()), Duration.ofMinutes(2), null);
            if (!r.ok()) {
                throw new IOException("cannot remove " + dir + ": " + r.output());
            }
        }
    }

    /** Runs a command on this machine; its output goes to the result (and is appended to {@code log} if given). */
    private static Result host(List<String> cmd, Duration timeout, Path log) throws IOException, InterruptedException {
        Path out = Files.createTempFile("rm-nspawn-", ".out");
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(out.toFile()).start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError("timed out after " + timeout.toSeconds() + " s: " + String.join(" ", cmd)
                                                 + "\n" + tail(read(out), 20));
            }
            String output = read(out);
            if (log != null) {
                Files.writeString(log, "$ " + String.join(" ", cmd) + "\n" + output + "[exit " + p.exitValue() + "]\n",
                                  StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            }
            return new Result(p.exitValue(), output);
        } finally {
            Files.deleteIfExists(out);
        }
    }

    static Optional<Path> which(String program) {
        for (String dir : (System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/sbin:/usr/bin:/bin").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return Optional.of(Path.of(dir, program));
            }
        }
        return Optional.empty();
    }

    private static String comm(long pid) {
        try {
            return Files.readString(Path.of("/proc/" + pid + "/comm")).strip();
        } catch (IOException e) {
            return "";
        }
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? new String(Files.readAllBytes(file), StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
    }

    static String tail(String text, int lines) {
        List<String> all = text.lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted");
        }
    }
}
