package io.resticmanager.hub;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.resticmanager.common.SignedSums;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * What a host needs to install the agent: the install script, the systemd unit, the agent bundle and its signed
 * checksum list ({@code SHA256SUMS}, signed with the server's Ed25519 release key: {@code SHA256SUMS.sig}, the raw
 * 64-byte signature; the public keys at {@code release-keys.pem}); and the signed APT repository of the agent's
 * Debian package under {@code apt/} ({@link AptRepository}), whose OpenPGP keyring {@code apt/restic-manager.gpg} is
 * in the signed checksum list, so install.sh can trust it before handing it to APT. Windows hosts get
 * {@code install.ps1} and the Windows bundle, named in the same signed list.
 */
final class DownloadRoutes implements HttpService {
    static final String UNIT_NAME = "restic-manager-agent.service";
    /** The APT repository's OpenPGP keyring, below /downloads/. */
    static final String KEYRING = "apt/restic-manager.gpg";
    private final AgentHub hub;
    private final String unit;
    private final String template;
    private final String windowsTemplate;

    DownloadRoutes(AgentHub hub) {
        this.hub = hub;
        this.unit = resource("install/" + UNIT_NAME);
        this.template = installScript(hub.settings().publicUrl(), unit)
                .replace("@@RELEASE_KEY_PEM@@\n", hub.releaseKeys().activePem());
        this.windowsTemplate = windowsInstallScript(hub.settings().publicUrl(), hub.releaseKeys().activePem());
    }

    /**
     * install.ps1 with the server's URL, its release key and the verifier that checks signatures with it (the
     * compiled {@link SignedSums}, base64) filled in; the bundle digest still open. CRLF line ends: it is a
     * Windows script, and Windows PowerShell reads a here-string's lines as they come.
     */
    static String windowsInstallScript(String publicUrl, String releaseKeyPem) {
        return resource("install/install.ps1")
                .replace("@@RM_PUBLIC_URL@@", publicUrl)
                .replace("@@RELEASE_KEY_PEM@@\n", releaseKeyPem)
                .replace("@@VERIFIER_CLASS_BASE64@@", Base64.getEncoder().encodeToString(verifierClass()))
                .replace("\r\n", "\n").replace("\n", "\r\n");
    }

    private static byte[] verifierClass() {
        String name = SignedSums.class.getName().replace('.', '/') + ".class";
        try (InputStream in = SignedSums.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is missing from the build");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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

    /** install.ps1 as served: it expects the current Windows bundle's SHA-256 unless the command line names one. */
    String windowsScript() {
        return windowsTemplate.replace("@@BUNDLE_SHA256@@", hub.bundle().windowsSha256().orElse(""));
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
                .get("/install.ps1", (req, res) -> text(res, "text/plain; charset=utf-8", windowsScript()))
                .get("/downloads/" + UNIT_NAME, (req, res) -> text(res, "text/plain; charset=utf-8", unit))
                .get("/downloads/" + AgentBundle.FILE_NAME,
                     (req, res) -> archive(res, hub.bundle().archive(), AgentBundle.FILE_NAME, "application/gzip"))
                .get("/downloads/" + AgentBundle.WINDOWS_FILE_NAME,
                     (req, res) -> archive(res, hub.bundle().windowsArchive(), AgentBundle.WINDOWS_FILE_NAME,
                                           "application/zip"))
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
                + hub.bundle().windowsArchive().sha256() + "  " + AgentBundle.WINDOWS_FILE_NAME + "\n"
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

    private static void archive(ServerResponse res, AgentBundle.Packed archive, String name, String contentType)
            throws IOException {
        res.header(HeaderNames.CONTENT_TYPE, contentType);
        res.header(HeaderNames.CONTENT_DISPOSITION, "attachment; filename=\"" + name + "\"");
        res.header(HeaderNames.CONTENT_LENGTH, Long.toString(archive.size()));
        try (InputStream in = java.nio.file.Files.newInputStream(archive.file());
             java.io.OutputStream out = res.outputStream()) {
            in.transferTo(out);
        }
    }
}
