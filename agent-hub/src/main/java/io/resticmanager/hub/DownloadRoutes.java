package io.resticmanager.hub;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * What a host needs to install the agent: the install script, the systemd unit, the agent bundle and its signed
 * checksum list ({@code SHA256SUMS}, signed with the server's Ed25519 release key: {@code SHA256SUMS.sig}, the raw
 * 64-byte signature; the public keys at {@code release-keys.pem}); and the signed APT repository of the agent's
 * Debian package under {@code apt/} ({@link AptRepository}), whose OpenPGP keyring {@code apt/restic-manager.gpg} is
 * in the signed checksum list, so install.sh can trust it before handing it to APT.
 */
final class DownloadRoutes implements HttpService {
    static final String UNIT_NAME = "restic-manager-agent.service";
    /** The APT repository's OpenPGP keyring, below /downloads/. */
    static final String KEYRING = "apt/restic-manager.gpg";
    private final AgentHub hub;
    private final String unit;
    private final String template;

    DownloadRoutes(AgentHub hub) {
        this.hub = hub;
        this.unit = resource("install/" + UNIT_NAME);
        this.template = installScript(hub.settings().publicUrl(), unit)
                .replace("@@RELEASE_KEY_PEM@@\n", hub.releaseKeys().activePem());
    }

    /** The install script with the server's public URL and the unit text filled in (the bundle digest still open). */
    static String installScript(String publicUrl, String unit) {
        return resource("install/install.sh")
                .replace("@@RM_PUBLIC_URL@@", publicUrl)
                .replace("@@SERVICE_UNIT@@\n", unit.endsWith("\n") ? unit : unit + "\n");
    }

    /** The script as served: it expects the current bundle's SHA-256 unless the command line names one. */
    String script() {
        return template.replace("@@BUNDLE_SHA256@@", hub.bundle().sha256().orElse(""));
    }

    static String resource(String name) {
        try (InputStream in = DownloadRoutes.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("resource " + name + " is missing from the build");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/install.sh", (req, res) -> text(res, "text/x-shellscript; charset=utf-8", script()))
                .get("/downloads/" + UNIT_NAME, (req, res) -> text(res, "text/plain; charset=utf-8", unit))
                .get("/downloads/" + AgentBundle.FILE_NAME, this::bundle)
                .get("/downloads/SHA256SUMS", (req, res) -> text(res, "text/plain; charset=utf-8", sums()))
                .get("/downloads/SHA256SUMS.sig", this::signature)
                .get("/downloads/release-keys.pem", (req, res) -> text(res, "application/x-pem-file",
                                                                      hub.releaseKeys().allPems()))
                .get("/downloads/" + KEYRING, (req, res) -> bytes(res, hub.apt().keyring()))
                .get("/downloads/apt/*", this::apt);
    }

    private static void text(ServerResponse res, String contentType, String body) {
        res.header(HeaderNames.CONTENT_TYPE, contentType);
        res.header(HeaderNames.CACHE_CONTROL, "no-cache");
        res.send(body);
    }

    /** The checksum list of what hosts download, in sha256sum's format (two spaces, then the file name). */
    String sums() {
        return hub.bundle().archive().sha256() + "  " + AgentBundle.FILE_NAME + "\n"
                + AptRepository.sha256(hub.apt().keyring()) + "  " + KEYRING + "\n";
    }

    private static void bytes(ServerResponse res, byte[] body) {
        res.header(HeaderNames.CONTENT_TYPE, "application/octet-stream");
        res.header(HeaderNames.CACHE_CONTROL, "no-cache");
        res.send(body);
    }

    private void apt(ServerRequest req, ServerResponse res) throws IOException {
        String path = req.path().rawPath().substring("/downloads/apt/".length());
        AptRepository.Served served = hub.apt().file(path);
        if (served.bytes().isPresent()) {
            bytes(res, served.bytes().get());
            return;
        }
        java.nio.file.Path file = served.file().orElseThrow();
        res.header(HeaderNames.CONTENT_TYPE, "application/vnd.debian.binary-package");
        res.header(HeaderNames.CONTENT_LENGTH, Long.toString(java.nio.file.Files.size(file)));
        try (InputStream in = java.nio.file.Files.newInputStream(file);
             java.io.OutputStream out = res.outputStream()) {
            in.transferTo(out);
        }
    }

    private void signature(ServerRequest req, ServerResponse res) {
        res.header(HeaderNames.CONTENT_TYPE, "application/octet-stream");
        res.header(HeaderNames.CACHE_CONTROL, "no-cache");
        res.send(hub.releaseKeys().sign(sums().getBytes(StandardCharsets.UTF_8)));
    }

    private void bundle(ServerRequest req, ServerResponse res) throws IOException {
        AgentBundle.Packed archive = hub.bundle().archive();
        res.header(HeaderNames.CONTENT_TYPE, "application/gzip");
        res.header(HeaderNames.CONTENT_DISPOSITION, "attachment; filename=\"" + AgentBundle.FILE_NAME + "\"");
        res.header(HeaderNames.CONTENT_LENGTH, Long.toString(archive.size()));
        try (InputStream in = java.nio.file.Files.newInputStream(archive.file());
             java.io.OutputStream out = res.outputStream()) {
            in.transferTo(out);
        }
    }
}
