package io.resticmanager.common;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.function.Supplier;

/** Secret files: read, or in local mode generated once with mode 0600; written atomically. */
public final class SecretFiles {
    private SecretFiles() {
    }

    public static String readOrCreate(Path file, boolean mayCreate, Supplier<String> generator) {
        try {
            if (Files.exists(file)) {
                return Files.readString(file, StandardCharsets.UTF_8).strip();
            }
            if (!mayCreate) {
                throw new IllegalStateException("secret file " + file + " does not exist (production mode never "
                        + "generates secrets; create it with mode 0600)");
            }
            // Several services may start at once on one data dir: the first to link its file wins and
            // everyone else reads the winner's value (link(2) fails if the name exists; rename would replace).
            String value = generator.get();
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".new", ownerOnly());
            try {
                Files.writeString(tmp, value + "\n", StandardCharsets.UTF_8, StandardOpenOption.SYNC);
                Files.createLink(file, tmp);
                return value;
            } catch (java.nio.file.FileAlreadyExistsException e) {
                return Files.readString(file, StandardCharsets.UTF_8).strip();
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read secret file " + file, e);
        }
    }

    private static java.nio.file.attribute.FileAttribute<?>[] ownerOnly() {
        return java.nio.file.FileSystems.getDefault().supportedFileAttributeViews().contains("posix")
                ? new java.nio.file.attribute.FileAttribute<?>[] {
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
                : new java.nio.file.attribute.FileAttribute<?>[0];
    }

    /** tmp file (0600) + fsync + rename, so a crash never leaves a half-written secret. */
    public static void writeAtomically(Path file, String content) {
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = dir.resolve("." + file.getFileName() + ".tmp");
            Files.deleteIfExists(tmp);
            try {
                Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) {
                Files.createFile(tmp);
            }
            try (var channel = java.nio.channels.FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                channel.write(java.nio.ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8)));
                channel.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
