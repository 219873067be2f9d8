package io.resticmanager.kit;

import io.helidon.webserver.WebServer;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

class StateExportTest {
    private static final String TOKEN = "rmi_state_test";
    @TempDir
    Path dir;

    @Test
    void aCopyTakenWhileWritersGoOnIsConsistentAndHoldsEveryCommittedRow() throws Exception {
        Path secretKey = Files.writeString(dir.resolve("secret.key"), "k1:AAAA\n");
        try (SqliteStore store = SqliteStore.open(dir.resolve("svc.db"))) {
            for (int i = 0; i < 500; i++) {
                insert(store, "before-" + i);
            }
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong committed = new AtomicLong(500);
            Thread writer = Thread.ofVirtual().start(() -> {
                for (int i = 0; !stop.get(); i++) {
                    insert(store, "during-" + i);
                    committed.incrementAndGet();
                }
            });
            while (committed.get() < 600) {
                Thread.onSpinWait();
            }
            long atStart = committed.get();
            StateExport export = new StateExport(store, Map.of(StateExport.SECRET_KEY, secretKey), TOKEN);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Set<String> written = export.write(() -> out, Set.of(), true);
            long atEnd = committed.get();
            stop.set(true);
            writer.join();

            assertThat(written, contains("svc.db", "secret.key"));
            Map<String, byte[]> entries = untar(out.toByteArray());
            assertThat(entries.keySet(), contains("svc.db", "secret.key"));
            assertThat(new String(entries.get("secret.key"), StandardCharsets.UTF_8), is("k1:AAAA\n"));
            Path restored = Files.write(dir.resolve("restored.db"), entries.get("svc.db"));
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + restored);
                 Statement s = c.createStatement()) {
                assertThat(scalar(s, "PRAGMA integrity_check"), is("ok"));
                long rows = Long.parseLong(scalar(s, "SELECT COUNT(*) FROM probe"));
                // every row committed before the copy began, none that was not committed by its end
                assertThat(rows, greaterThanOrEqualTo(atStart));
                assertThat(rows, lessThanOrEqualTo(atEnd));
                // the trigger's rows came in the same transactions: a consistent copy has one per row
                assertThat(Long.parseLong(scalar(s, "SELECT COUNT(*) FROM probe_log")), is(rows));
                assertThat(scalar(s, "SELECT MAX(version) FROM schema_migrations"), is("3"));
            }
            // the temporary copy is gone
            try (var files = Files.list(dir)) {
                assertThat(files.filter(p -> p.getFileName().toString().startsWith(".state-")).toList(), empty());
            }
        }
    }

    @Test
    void overHttpOnlyWithTheInternalTokenAndAPartSkipsSecretsAnotherPartHolds() throws Exception {
        Path token = Files.writeString(dir.resolve("internal-token"), TOKEN + "\n");
        Path key = Files.writeString(dir.resolve("secret.key"), "k1:BBBB\n");
        try (SqliteStore store = SqliteStore.open(dir.resolve("svc.db"))) {
            insert(store, "x");
            Map<String, Path> secrets = new LinkedHashMap<>();
            secrets.put(StateExport.INTERNAL_TOKEN, token);
            secrets.put(StateExport.SECRET_KEY, key);
            StateExport export = new StateExport(store, secrets, TOKEN);
            WebServer server = WebServer.builder().port(0).host("127.0.0.1")
                    .routing(r -> {
                        ErrorHandling.register(r);
                        r.register(export);
                    }).build().start();
            try {
                HttpClient http = HttpClient.newHttpClient();
                String base = "http://127.0.0.1:" + server.port() + StateExport.PATH;
                HttpResponse<byte[]> none = http.send(HttpRequest.newBuilder(URI.create(base)).build(),
                                                      HttpResponse.BodyHandlers.ofByteArray());
                assertThat(none.statusCode(), is(401));
                HttpResponse<byte[]> wrong = http.send(HttpRequest.newBuilder(URI.create(base))
                                                               .header("X-RM-Internal-Token", "rmi_guess").build(),
                                                       HttpResponse.BodyHandlers.ofByteArray());
                assertThat(wrong.statusCode(), is(401));

                HttpResponse<byte[]> full = http.send(HttpRequest.newBuilder(URI.create(base))
                                                              .header("X-RM-Internal-Token", TOKEN).build(),
                                                      HttpResponse.BodyHandlers.ofByteArray());
                assertThat(full.statusCode(), is(200));
                assertThat(untar(full.body()).keySet(), contains("svc.db", "internal-token", "secret.key"));
                byte[] tail = Arrays.copyOfRange(full.body(), full.body().length - 1024, full.body().length);
                assertThat(Arrays.equals(tail, new byte[1024]), is(true));

                HttpResponse<byte[]> part = http.send(
                        HttpRequest.newBuilder(URI.create(base + "?trailer=false&skip=internal-token"))
                                .header("X-RM-Internal-Token", TOKEN).build(), HttpResponse.BodyHandlers.ofByteArray());
                assertThat(untar(part.body()).keySet(), contains("svc.db", "secret.key"));
                byte[] last = Arrays.copyOfRange(part.body(), part.body().length - 512, part.body().length);
                assertThat("a part ends with the secret's data, not an end marker",
                           Arrays.equals(last, new byte[512]), is(false));
            } finally {
                server.stop();
            }
        }
    }

    private static void insert(SqliteStore store, String name) {
        store.write(tx -> tx.update("probe.insert", name));
    }

    private static String scalar(Statement s, String sql) throws Exception {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** Entries of a tar archive (or a part without the end-of-archive marker) by name, in order. */
    static Map<String, byte[]> untar(byte[] tar) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar))) {
            for (TarArchiveEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                entries.put(e.getName(), in.readAllBytes());
            }
        }
        return entries;
    }
}
