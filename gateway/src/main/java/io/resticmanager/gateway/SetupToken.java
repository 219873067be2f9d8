package io.resticmanager.gateway;

import io.resticmanager.common.SecretFiles;
import io.resticmanager.kit.Tokens;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The first-run token: exists only while there is no admin. Kept in {@code <data dir>/setup-token} (0600) so it
 * survives a restart, and deleted when the first admin is created. The log names the file, never the token: logs
 * travel to collectors and other readers, and whoever holds the token becomes the first admin.
 */
final class SetupToken {
    private static final System.Logger LOG = System.getLogger(SetupToken.class.getName());
    private final Path file;
    private volatile String token;

    private SetupToken(Path file, String token) {
        this.file = file;
        this.token = token;
    }

    static SetupToken init(Path dataDir, boolean adminExists) {
        Path file = dataDir.resolve("setup-token");
        if (adminExists) {
            deleteQuietly(file);
            return new SetupToken(file, null);
        }
        String token;
        try {
            token = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8).strip() : "";
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        if (token.isEmpty()) {
            token = Tokens.random("rms_");
            SecretFiles.writeAtomically(file, token + "\n");
        }
        LOG.log(Level.WARNING, "no admin yet: open /setup with the setup token from " + file
                + " (readable by this service's user only)");
        return new SetupToken(file, token);
    }

    Optional<String> value() {
        return Optional.ofNullable(token);
    }

    boolean matches(String presented) {
        String current = token;
        return current != null && Tokens.same(presented, current);
    }

    void consume() {
        token = null;
        deleteQuietly(file);
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot delete " + file + ": " + e.getMessage());
        }
    }
}
