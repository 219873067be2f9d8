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
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

/**
 * {@code restic-manager-agent.tar.gz}: the agent jar, its {@code libs/}, its Java flags ({@code agent.jvm}) and, where
 * the build linked one, its own Java runtime ({@code runtime/}), so a host needs nothing but restic. Packed from the
 * agent's build directory into a file in the hub's data directory (tens of MiB: never held in memory), and packed
 * again when a file there changes.
 */
final class AgentBundle {
    private static final System.Logger LOG = System.getLogger(AgentBundle.class.getName());
    static final String JAR = "restic-manager-agent.jar";
    static final String FILE_NAME = "restic-manager-agent.tar.gz";
    private final Path dist;
    private final Path cacheDir;
    private volatile Packed packed;

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

    /** The archive, packed anew when its inputs changed, or a 404 problem when the agent has not been built. */
    Packed archive() {
        List<Path> files = files();
        List<String> inputs = new ArrayList<>();
        try {
            for (Path f : files) {
                inputs.add(dist.relativize(f) + ":" + Files.size(f) + ":" + Files.getLastModifiedTime(f).toMillis());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Packed current = packed;
        if (current != null && current.inputs().equals(inputs) && Files.isRegularFile(current.file())) {
            return current;
        }
        synchronized (this) {
            current = packed;
            if (current == null || !current.inputs().equals(inputs) || !Files.isRegularFile(current.file())) {
                packed = current = pack(files, inputs);
            }
            return current;
        }
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

    private Packed pack(List<Path> files, List<String> inputs) {
        try {
            Files.createDirectories(cacheDir);
            Path partial = Files.createTempFile(cacheDir, FILE_NAME, ".partial");
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            try (OutputStream file = Files.newOutputStream(partial);
                 GZIPOutputStream gz = new GZIPOutputStream(new DigestOutputStream(file, sha), 64 * 1024)) {
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
            Path target = cacheDir.resolve(FILE_NAME);
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            String digest = HexFormat.of().formatHex(sha.digest());
            LOG.log(Level.INFO, "agent bundle packed: " + files.size() + " files, " + Files.size(target)
                    + " bytes, SHA-256 " + digest);
            return new Packed(target, inputs, digest);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot pack the agent bundle from " + dist + " into " + cacheDir, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
