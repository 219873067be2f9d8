package io.resticmanager.agent;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/** A real HTTPS server on loopback with a fresh self-signed certificate (keytool), answering the enroll call. */
final class TlsTestServer implements AutoCloseable {
    final HttpsServer server;
    final X509Certificate certificate;
    final Path keystore;

    /** {@code san} is keytool's subject-alternative-name value, e.g. {@code ip:127.0.0.1}, or null for none. */
    TlsTestServer(Path dir, String name, String san) throws Exception {
        keystore = dir.resolve(name + ".p12");
        Path keytool = Path.of(ProcessHandle.current().info().command().orElseThrow()).resolveSibling("keytool");
        List<String> cmd = new ArrayList<>(List.of(keytool.toString(), "-genkeypair", "-alias", "hub", "-keyalg", "EC",
                                                   "-dname", "CN=" + name, "-validity", "2", "-storetype", "PKCS12",
                                                   "-keystore", keystore.toString(), "-storepass", "changeit"));
        if (san != null) {
            cmd.addAll(List.of("-ext", "SAN=" + san));
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        assertThat(new String(p.getInputStream().readAllBytes()), p.waitFor(), is(0));
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            ks.load(in, "changeit".toCharArray());
        }
        certificate = (X509Certificate) ks.getCertificate("hub");
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "changeit".toCharArray());
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(ctx));
        server.createContext("/api/agents/enroll", ex -> {
            byte[] body = "{\"host_id\":\"h-tls\",\"agent_token\":\"rma_tls\"}".getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(201, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
    }

    /** A trust store (PKCS12) holding only this server's certificate, as a system CA list would. */
    Path trustStore(Path dir) throws Exception {
        KeyStore ts = KeyStore.getInstance("PKCS12");
        ts.load(null, null);
        ts.setCertificateEntry("ca", certificate);
        Path file = dir.resolve("trust-" + certificate.getSerialNumber() + ".p12");
        try (var out = Files.newOutputStream(file)) {
            ts.store(out, "changeit".toCharArray());
        }
        return file;
    }

    URI url() {
        return URI.create("https://127.0.0.1:" + server.getAddress().getPort());
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
