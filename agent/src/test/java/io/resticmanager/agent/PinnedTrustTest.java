package io.resticmanager.agent;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
import java.util.Optional;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Certificate pinning against a real TLS server with a self-signed certificate. */
class PinnedTrustTest {
    @TempDir
    static Path dir;
    static HttpsServer server;
    static String pin;

    @BeforeAll
    static void start() throws Exception {
        Path keystore = dir.resolve("server.p12");
        Path keytool = Path.of(ProcessHandle.current().info().command().orElseThrow()).resolveSibling("keytool");
        Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "hub", "-keyalg", "EC",
                                       "-dname", "CN=some-other-name", "-validity", "2", "-storetype", "PKCS12",
                                       "-keystore", keystore.toString(), "-storepass", "changeit")
                .redirectErrorStream(true).start();
        assertThat(new String(p.getInputStream().readAllBytes()), p.waitFor(), is(0));
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            ks.load(in, "changeit".toCharArray());
        }
        pin = PinnedTrust.sha256((X509Certificate) ks.getCertificate("hub"));
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

    @AfterAll
    static void stop() {
        server.stop(0);
    }

    private static URI url() {
        return URI.create("https://127.0.0.1:" + server.getAddress().getPort());
    }

    @Test
    void theMatchingPinIsTrustedEvenForASelfSignedCertificateWithAnotherName() {
        Enrollment.Result r = Enrollment.enroll(url(), "tok", Optional.of(pin), HostInfo.detect());
        assertThat(r.hostId(), is("h-tls"));
    }

    @Test
    void anyOtherCertificateIsRefused() {
        AgentException e = assertThrows(AgentException.class,
                () -> Enrollment.enroll(url(), "tok", Optional.of("0".repeat(64)), HostInfo.detect()));
        assertThat(e.exitCode(), is(1));
        assertThat(e.getMessage(), containsString("does not match tls_pin_sha256"));
    }

    @Test
    void withoutAPinASelfSignedCertificateIsNotTrusted() {
        AgentException e = assertThrows(AgentException.class,
                () -> Enrollment.enroll(url(), "tok", Optional.empty(), HostInfo.detect()));
        assertThat(e.exitCode(), is(1));
    }
}
