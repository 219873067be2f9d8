package io.resticmanager.hub;

import io.resticmanager.kit.Problem;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

/**
 * {@code restic-manager-agent.tar.gz}: the agent jar and its {@code libs/}, packed from the agent's build
 * directory and kept in memory until a file there changes.
 */
final class AgentBundle {
    private static final System.Logger LOG = System.getLogger(AgentBundle.class.getName());
    static final String JAR = "restic-manager-agent.jar";
    private final Path dist;
    private volatile Cached cached;

    private record Cached(List<String> signature, byte[] bytes, String sha256) {
    }

    AgentBundle(Path dist) {
        this.dist = dist;
    }

    /** The archive, or a 404 problem when the agent has not been built. */
    byte[] archive() {
        List<Path> files = files();
        List<String> signature = new ArrayList<>();
        try {
            for (Path f : files) {
                signature.add(dist.relativize(f) + ":" + Files.size(f) + ":" + Files.getLastModifiedTime(f).toMillis());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Cached current = cached;
        if (current != null && current.signature().equals(signature)) {
            return current.bytes();
        }
        synchronized (this) {
            if (cached == null || !cached.signature().equals(signature)) {
                byte[] bytes = pack(files);
                cached = new Cached(signature, bytes, sha256(bytes));
            }
            return cached.bytes();
        }
    }

    /**
     * The SHA-256 (hex) of {@link #archive()}: it goes into the install command and the served install.sh,
     * which refuses a bundle with any other digest. Empty when the agent has not been built.
     */
    java.util.Optional<String> sha256() {
        try {
            archive();
        } catch (Problem e) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(cached.sha256());
    }

    private static String sha256(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
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
        Path libs = dist.resolve("libs");
        if (Files.isDirectory(libs)) {
            try (Stream<Path> s = Files.list(libs)) {
                s.filter(p -> p.getFileName().toString().endsWith(".jar") && Files.isRegularFile(p))
                        .sorted()
                        .forEach(files::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return files;
    }

    private byte[] pack(List<Path> files) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
            Ustar tar = new Ustar(gz);
            boolean libsWritten = false;
            for (Path f : files) {
                String name = dist.relativize(f).toString().replace('\\', '/');
                long mtime = Files.getLastModifiedTime(f).toMillis() / 1000;
                if (name.startsWith("libs/") && !libsWritten) {
                    tar.directory("libs", mtime);
                    libsWritten = true;
                }
                tar.file(name, 0644, Files.readAllBytes(f), mtime);
            }
            tar.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot pack the agent bundle from " + dist, e);
        }
        return bytes.toByteArray();
    }
}
