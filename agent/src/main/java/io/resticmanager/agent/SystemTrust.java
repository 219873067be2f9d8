package io.resticmanager.agent;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Optional;

/**
 * The Java runtime's own trust store (its CA certificates, host names checked), read at the first TLS handshake
 * instead of when an HTTP client is built: the JDK client otherwise parses every CA certificate up front, which
 * costs an agent talking plain HTTP on a LAN ~2 MiB it never uses. A server with a pin is trusted by the pin.
 */
final class SystemTrust extends ServerTrust {
    private volatile X509ExtendedTrustManager delegate;

    private SystemTrust() {
    }

    /** The TLS context for the agent's server: the pinned certificate when there is a pin, else the system CAs. */
    static SSLContext forServer(Optional<String> pin) {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {pin.<TrustManager>map(PinnedTrust::new).orElseGet(SystemTrust::new)},
                     null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot create TLS context", e);
        }
    }

    private X509ExtendedTrustManager delegate() throws CertificateException {
        X509ExtendedTrustManager d = delegate;
        if (d == null) {
            synchronized (this) {
                if (delegate == null) {
                    delegate = load();
                }
                d = delegate;
            }
        }
        return d;
    }

    private static X509ExtendedTrustManager load() throws CertificateException {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init((KeyStore) null);
            for (TrustManager tm : tmf.getTrustManagers()) {
                if (tm instanceof X509ExtendedTrustManager x) {
                    return x;
                }
            }
            throw new CertificateException("the Java runtime offers no X.509 trust manager");
        } catch (GeneralSecurityException e) {
            throw new CertificateException("cannot read the Java runtime's trust store", e);
        }
    }

    // the engine and socket forms are the ones TLS uses: they also check the server's host name
    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        delegate().checkServerTrusted(chain, authType, engine);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        delegate().checkServerTrusted(chain, authType, socket);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        delegate().checkServerTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        try {
            return delegate().getAcceptedIssuers();
        } catch (CertificateException e) {
            return new X509Certificate[0];
        }
    }
}
