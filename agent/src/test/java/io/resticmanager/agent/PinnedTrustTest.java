package io.resticmanager.agent;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Certificate pinning against a real TLS server with a self-signed certificate. */
class PinnedTrustTest {
    @TempDir
    static Path dir;
    static TlsTestServer server;
    static String pin;

    @BeforeAll
    static void start() throws Exception {
        server = new TlsTestServer(dir, "some-other-name", null);
        pin = PinnedTrust.sha256(server.certificate);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static URI url() {
        return server.url();
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
