package io.resticmanager.agent;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Optional;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Without a pin the agent trusts what the Java runtime trusts, read at the first handshake: a real TLS server whose
 * certificate is in the runtime's trust store ({@code javax.net.ssl.trustStore}, as a system CA would be) is
 * accepted for the name it was issued to, and refused under any other name.
 */
class SystemTrustTest {
    @TempDir
    Path dir;

    @AfterEach
    void restore() {
        System.clearProperty("javax.net.ssl.trustStore");
        System.clearProperty("javax.net.ssl.trustStorePassword");
    }

    private void trust(TlsTestServer server) throws Exception {
        System.setProperty("javax.net.ssl.trustStore", server.trustStore(dir).toString());
        System.setProperty("javax.net.ssl.trustStorePassword", "changeit");
    }

    @Test
    void aServerTrustedByTheRuntimeIsAcceptedForItsOwnName() throws Exception {
        try (TlsTestServer server = new TlsTestServer(dir, "hub", "ip:127.0.0.1")) {
            trust(server);
            assertThat(Enrollment.enroll(server.url(), "tok", Optional.empty(), HostInfo.detect()).hostId(),
                       is("h-tls"));
        }
    }

    @Test
    void aTrustedCertificateIssuedToAnotherNameIsRefused() throws Exception {
        try (TlsTestServer server = new TlsTestServer(dir, "elsewhere", "dns:elsewhere.example")) {
            trust(server);
            AgentException e = assertThrows(AgentException.class,
                    () -> Enrollment.enroll(server.url(), "tok", Optional.empty(), HostInfo.detect()));
            assertThat(e.exitCode(), is(1));
        }
    }
}
