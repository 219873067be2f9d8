package io.resticmanager.kit;

import io.helidon.config.Config;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A service's part of the stack's own state, for the self backup: a consistent copy of its SQLite file
 * ({@link SqliteStore#copyTo}) and the secret files it was started with, as ustar entries named like the files of a
 * local data directory ({@code jobs.db}, {@code internal-token}, {@code secret.key}, {@code release.key},
 * {@code oidc-client-secret}), so that unpacking every part into an empty directory gives a data directory the
 * stack starts on.
 * <p>
 * {@code GET /internal/state} (internal token required, checked here as well so the gateway can serve it too):
 * {@code trailer=false} leaves out the end-of-archive blocks (a part another archive continues), {@code skip=a,b}
 * leaves out secret files another part already holds; header {@value #ENTRIES_HEADER} names what it holds. One copy
 * at a time per service (429 otherwise): each holds a read transaction and a temporary file as large as the database.
 */
public final class StateExport implements HttpService {
    public static final String PATH = "/internal/state";
    /**
     * Response header: the entries the part holds (comma-separated, the database first), so the caller can name the
     * secret entries in the next part's {@code skip}.
     */
    public static final String ENTRIES_HEADER = "X-RM-State-Entries";
    /** The archive entry of each secret file, in the order they are written. */
    public static final String INTERNAL_TOKEN = "internal-token";
    public static final String SECRET_KEY = "secret.key";
    public static final String RELEASE_KEY = "release.key";
    public static final String OIDC_CLIENT_SECRET = "oidc-client-secret";
    private static final int MODE = 0600;

    private final SqliteStore store;
    private final Map<String, Path> secrets;
    private final String token;
    private final Semaphore busy = new Semaphore(1);

    StateExport(SqliteStore store, Map<String, Path> secrets, String token) {
        this.store = store;
        this.secrets = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(secrets)); // entry order kept
        this.token = token;
    }

    /** The export of {@code store} with every secret file {@code config} names that exists here. */
    public static StateExport create(SqliteStore store, Config config, String internalToken) {
        return new StateExport(store, secretFiles(config), internalToken);
    }

    /** The secret files a service started with (configured or local-mode default paths), those that exist. */
    static Map<String, Path> secretFiles(Config config) {
        Path data = RmConfig.dataDir(config);
        Map<String, Path> files = new LinkedHashMap<>();
        files.put(INTERNAL_TOKEN, configured(config, "rm.internal-token-file", data.resolve("internal-token")));
        files.put(SECRET_KEY, configured(config, "rm.secret-key-file", data.resolve("secret.key")));
        files.put(RELEASE_KEY, configured(config, "rm.release-key-file", data.resolve("release.key")));
        config.get("rm.gateway.oidc.client-secret-file").asString().map(String::strip).filter(s -> !s.isEmpty())
                .ifPresent(f -> files.put(OIDC_CLIENT_SECRET, Path.of(f)));
        files.values().removeIf(p -> !Files.isRegularFile(p));
        return files;
    }

    private static Path configured(Config config, String key, Path dflt) {
        return config.get(key).asString().map(String::strip).filter(s -> !s.isEmpty()).map(Path::of).orElse(dflt);
    }

    /** The names of the secret entries this part holds. */
    public Set<String> secretNames() {
        return secrets.keySet();
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get(PATH, this::handle);
    }

    private void handle(ServerRequest req, ServerResponse res) {
        if (!Tokens.same(req.headers().first(Http.INTERNAL_TOKEN).orElse(null), token)) {
            throw Problem.unauthorized("internal service token required");
        }
        boolean trailer = !Http.query(req, "trailer").map("false"::equals).orElse(false);
        Set<String> skip = Http.query(req, "skip")
                .map(s -> Arrays.stream(s.split(",")).map(String::strip).collect(Collectors.toSet()))
                .orElse(Set.of());
        res.header(HeaderNames.CONTENT_TYPE, "application/x-tar");
        List<String> entries = new ArrayList<>(List.of(store.file().getFileName().toString()));
        secrets.keySet().stream().filter(n -> !skip.contains(n)).forEach(entries::add);
        res.header(ENTRIES_HEADER, String.join(",", entries));
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        OutputStream[] body = new OutputStream[1];
        write(() -> body[0] = res.outputStream(), skip, trailer);
        try {
            body[0].close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Where a part goes, opened only once the copy is made (so a failed copy can still answer a problem). */
    public interface Sink {
        OutputStream open() throws IOException;
    }

    /**
     * Copies the database and writes this part to {@code sink}: the database first, then each secret file not in
     * {@code skip}; the end-of-archive marker only when {@code trailer}. Returns the entry names written.
     */
    public Set<String> write(Sink sink, Set<String> skip, boolean trailer) {
        if (!busy.tryAcquire()) {
            throw new Problem(429, "Too Many Requests", "a copy of this service's state is already being made");
        }
        Path scratch = null;
        try {
            // a private directory beside the database: the copy holds everything the database holds
            scratch = Files.createTempDirectory(store.file().getParent(), ".state-",
                                                PosixFilePermissions.asFileAttribute(
                                                        PosixFilePermissions.fromString("rwx------")));
            Path copy = scratch.resolve(store.file().getFileName());
            store.copyTo(copy);
            Set<String> written = new LinkedHashSet<>();
            long now = System.currentTimeMillis() / 1000;
            OutputStream out = sink.open();
            TarWriter tar = new TarWriter(out);
            try (InputStream in = Files.newInputStream(copy)) {
                tar.file(copy.getFileName().toString(), MODE, Files.size(copy), in, now);
            }
            written.add(copy.getFileName().toString());
            for (var secret : secrets.entrySet()) {
                if (!skip.contains(secret.getKey())) {
                    tar.file(secret.getKey(), MODE, Files.readAllBytes(secret.getValue()), now);
                    written.add(secret.getKey());
                }
            }
            if (trailer) {
                tar.close();
            } else {
                tar.flush();
            }
            return written;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot export the state of " + store.file().getFileName(), e);
        } finally {
            delete(scratch);
            busy.release();
        }
    }

    private static void delete(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            System.getLogger(StateExport.class.getName()).log(System.Logger.Level.WARNING,
                                                              "cannot delete the state copy in " + dir, e);
        }
    }
}
