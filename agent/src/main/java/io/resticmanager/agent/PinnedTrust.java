package io.resticmanager.agent;

import javax.net.ssl.SSLEngine;
import java.net.Socket;
import java.security.MessageDigest;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;

/**
 * Trusts exactly one server certificate: the leaf whose SHA-256 matches the configured pin. The pin
 * is the identity, so neither CA chain nor host name is consulted (self-signed servers work).
 * {@link SystemTrust#forServer} makes the TLS context from it.
 */
final class PinnedTrust extends ServerTrust {
    private final String pin;

    PinnedTrust(String pinHex) {
        this.pin = pinHex;
    }

    static String sha256(X509Certificate cert) throws CertificateException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new CertificateException(e);
        }
    }

    void check(X509Certificate[] chain) throws CertificateException {
        if (chain == null || chain.length == 0) {
            throw new CertificateException("server sent no certificate");
        }
        String actual = sha256(chain[0]);
        if (!MessageDigest.isEqual(actual.getBytes(), pin.getBytes())) {
            throw new CertificateException("server certificate SHA-256 " + actual + " does not match tls_pin_sha256");
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        check(chain);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
    }
}
