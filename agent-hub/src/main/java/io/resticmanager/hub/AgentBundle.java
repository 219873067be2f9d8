package io.resticmanager.hub;

import io.resticmanager.kit.Problem;
import io.resticmanager.kit.TarWriter;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * The agent as hosts download it, packed from the agent's build directory into files in the hub's data directory
 * (tens of MiB: never held in memory), and packed again when a file there changes:
 * <ul>
 * <li>{@code restic-manager-agent.tar.gz} (Linux): the agent jar, its {@code libs/}, its Java flags
 *     ({@code agent.jvm}) and, where the build linked one, its own Java runtime ({@code runtime/}), so a host needs
 *     nothing but restic;</li>
 * <li>{@code restic-manager-agent-windows.zip}: the same jar, libs and flags below {@code restic-manager-agent/},
 *     with the WinSW service config ({@code restic-manager-agent.xml}); the linked runtime is Linux-only, so
 *     install.ps1 finds or installs a Java 21+ for it.</li>
 * </ul>
 */
final class AgentBundle {
    private static final System.Logger LOG = System.getLogger(AgentBundle.class.getName());
    static final String JAR = "restic-manager-agent.jar";
    static final String FILE_NAME = "restic-manager-agent.tar.gz";
    static final String WINDOWS_FILE_NAME = "restic-manager-agent-windows.zip";
    /** The WinSW service config in the Windows bundle (a resource of the hub: it names the service's paths). */
    static final String WINSW_CONFIG = "restic-manager-agent.xml";
    private final Path dist;
    private final Path cacheDir;
    private final AtomicReference<Packed> linux = new AtomicReference<>();
    private final AtomicReference<Packed> windows = new AtomicReference<>();

    /** The packed archive, what it was packed from, and its SHA-256 (hex). */
    record Packed(Path file, List<String> inputs, String sha256) {
        long size() {
            try {
                return Files.size(file);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    AgentBundle(Path dist, Path cacheDir) {
        this.dist = dist;
        this.cacheDir = cacheDir;
    }

    /** The Linux archive, packed anew when its inputs changed, or a 404 problem when the agent has not been built. */
    Packed archive() {
        return current(linux, files(), this::pack);
    }

    /** The Windows archive, packed anew when its inputs changed, or a 404 problem when the agent has not been built. */
    Packed windowsArchive() {
        return current(windows, files().stream().filter(f -> !dist.relativize(f).startsWith("runtime")).toList(),
                       this::packZip);
    }

    private Packed current(AtomicReference<Packed> slot, List<Path> files,
                           BiFunction<List<Path>, List<String>, Packed> packer) {
        List<String> inputs = inputs(files);
        Packed current = slot.get();
        if (current != null && current.inputs().equals(inputs) && Files.isRegularFile(current.file())) {
            return current;
        }
        synchronized (slot) {
            current = slot.get();
            if (current == null || !current.inputs().equals(inputs) || !Files.isRegularFile(current.file())) {
                current = packer.apply(files, inputs);
                slot.set(current);
            }
            return current;
        }
    }

    private List<String> inputs(List<Path> files) {
        List<String> inputs = new ArrayList<>();
        try {
            for (Path f : files) {
                inputs.add(dist.relativize(f) + ":" + Files.size(f) + ":" + Files.getLastModifiedTime(f).toMillis());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return inputs;
    }

    /**
     * The SHA-256 (hex) of {@link #archive()}: it goes into the install command and the served install.sh,
     * which refuses a bundle with any other digest. Empty when the agent has not been built.
     */
    Optional<String> sha256() {
        try {
            return Optional.of(archive().sha256());
        } catch (Problem e) {
            return Optional.empty();
        }
    }

    /** The SHA-256 (hex) of {@link #windowsArchive()}, for install.ps1 as {@link #sha256()} is for install.sh. */
    Optional<String> windowsSha256() {
        try {
            return Optional.of(windowsArchive().sha256());
        } catch (Problem e) {
            return Optional.empty();
        }
    }

    private List<Path> files() {
        Path jar = dist.resolve(JAR);
        if (!Files.isRegularFile(jar)) {
            LOG.log(Level.WARNING, "agent bundle requested, but " + jar + " does not exist");
            // the server's paths stay in the log: this answer is public
            throw Problem.notFound("the agent bundle is not available on this server: its agent directory "
                    + "(RM_AGENT_DIST) has no " + JAR + "; build the agent module or point RM_AGENT_DIST at it");
        }
        List<Path> files = new ArrayList<>();
        files.add(jar);
        Path flags = dist.resolve("agent.jvm");
        if (Files.isRegularFile(flags)) {
            files.add(flags);
        }
        files.addAll(under(dist.resolve("libs"), p -> p.getFileName().toString().endsWith(".jar")));
        if (Files.isExecutable(dist.resolve("runtime/bin/java"))) {
            files.addAll(under(dist.resolve("runtime"), p -> true));
        }
        return files;
    }

    private static List<Path> under(Path dir, java.util.function.Predicate<Path> keep) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(dir)) {
            // regular files only: a link could point anywhere on the server
            return s.filter(p -> Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS) && keep.test(p))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes an archive's content to the stream it is given (digested on its way to the file). */
    private interface Writer {
        void write(OutputStream out) throws IOException;
    }

    /** Packs into {@code <cache>/<name>}: a temporary file first, renamed over the old archive only when whole. */
    private Packed packInto(String name, List<String> inputs, Writer writer) {
        try {
            Files.createDirectories(cacheDir);
            Path partial = Files.createTempFile(cacheDir, name, ".partial");
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            try (OutputStream file = Files.newOutputStream(partial)) {
                writer.write(new DigestOutputStream(file, sha));
            }
            Path target = cacheDir.resolve(name);
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            String digest = HexFormat.of().formatHex(sha.digest());
            LOG.log(Level.INFO, name + " packed: " + inputs.size() + " files, " + Files.size(target) + " bytes, SHA-256 "
                    + digest);
            return new Packed(target, inputs, digest);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot pack " + name + " from " + dist + " into " + cacheDir, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The Windows zip: every entry below {@code restic-manager-agent/}, as Expand-Archive unpacks it. */
    private Packed packZip(List<Path> files, List<String> inputs) {
        return packInto(WINDOWS_FILE_NAME, inputs, out -> {
            try (ZipOutputStream zip = new ZipOutputStream(out)) {
                for (Path f : files) {
                    ZipEntry entry = new ZipEntry("restic-manager-agent/" + dist.relativize(f).toString().replace('\\', '/'));
                    entry.setLastModifiedTime(Files.getLastModifiedTime(f));
                    zip.putNextEntry(entry);
                    Files.copy(f, zip);
                    zip.closeEntry();
                }
                zip.putNextEntry(new ZipEntry("restic-manager-agent/" + WINSW_CONFIG));
                zip.write(DownloadRoutes.resource("install/" + WINSW_CONFIG).replace("\n", "\r\n")
                                  .getBytes(java.nio.charset.StandardCharsets.UTF_8));
                zip.closeEntry();
            }
        });
    }

    private Packed pack(List<Path> files, List<String> inputs) {
        return packInto(FILE_NAME, inputs, out -> {
            try (GZIPOutputStream gz = new GZIPOutputStream(out, 64 * 1024)) {
                TarWriter tar = new TarWriter(gz);
                java.util.Set<String> dirs = new java.util.HashSet<>();
                for (Path f : files) {
                    String name = dist.relativize(f).toString().replace('\\', '/');
                    long mtime = Files.getLastModifiedTime(f).toMillis() / 1000;
                    for (int i = name.indexOf('/'); i > 0; i = name.indexOf('/', i + 1)) {
                        if (dirs.add(name.substring(0, i))) {
                            tar.directory(name.substring(0, i), mtime);
                        }
                    }
                    try (InputStream in = Files.newInputStream(f)) {
                        tar.file(name, Files.isExecutable(f) ? 0755 : 0644, Files.size(f), in, mtime);
                    }
                }
                tar.close();
            }
        });
    }
}
