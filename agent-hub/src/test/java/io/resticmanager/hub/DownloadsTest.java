package io.resticmanager.hub;

import io.resticmanager.kit.TarWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.sameInstance;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class DownloadsTest {
    @RegisterExtension
    static final HubFixture f = HubFixture.perClass();

    @Test
    void theInstallScriptCarriesThePublicUrlAndTheSandboxedUnit() {
        HttpResponse<String> r = f.get("/install.sh", null);
        assertThat(r.statusCode(), is(200));
        String script = r.body();
        assertThat(script, containsString("SERVER=\"https://backup.example.test\""));
        assertThat(script, not(containsString("@@")));
        assertThat(script, containsString("ExecStart=/opt/restic-manager-agent/restic-manager-agent run --config "
                + "/var/lib/restic-manager-agent/agent.yaml"));
        assertThat(script, containsString("enroll --server \"$SERVER\" --token \"$TOKEN\" --config \"$CONFIG\""));
        assertThat(script, containsString("systemctl enable --now"));
        assertThat(script, containsString("$SERVER/downloads/restic-manager-agent.tar.gz"));

        HttpResponse<String> unit = f.get("/downloads/restic-manager-agent.service", null);
        assertThat(unit.statusCode(), is(200));
        for (String line : List.of("NoNewPrivileges=yes", "ProtectSystem=yes",
                                   "ReadWritePaths=/var/lib/restic-manager-agent", "ProtectHome=no",
                                   "PrivateTmp=yes", "ProtectKernelTunables=yes", "ProtectKernelModules=yes",
                                   "ProtectControlGroups=yes", "RestrictSUIDSGID=yes", "LockPersonality=yes",
                                   "Restart=always")) {
            assertThat(unit.body(), containsString("\n" + line + "\n"));
            assertThat(script, containsString("\n" + line + "\n"));
        }
    }

    @Test
    void theServedInstallScriptPassesShellcheck(@TempDir Path tmp) throws Exception {
        assumeTrue(onPath("shellcheck"), "shellcheck is not installed");
        Path script = tmp.resolve("install.sh");
        Files.writeString(script, f.get("/install.sh", null).body());
        Process p = new ProcessBuilder("shellcheck", "-s", "sh", script.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS), is(true));
        assertThat(out, p.exitValue(), is(0));
    }

    @Test
    void theInstallScriptRefusesBadArgumentsBeforeTouchingAnything(@TempDir Path tmp) throws Exception {
        Path script = tmp.resolve("install.sh");
        Files.writeString(script, f.get("/install.sh", null).body());
        Result unknown = sh(script, "--bogus");
        assertThat(unknown.code(), is(1));
        assertThat(unknown.out(), containsString("unknown argument: --bogus"));
        Result badServer = sh(script, "--server", "ftp://x", "--token", "t");
        assertThat(badServer.code(), is(1));
        assertThat(badServer.out(), containsString("must be an https:// URL"));
        Result plain = sh(script, "--server", "http://backup.example.com", "--token", "t");
        assertThat(plain.code(), is(1));
        assertThat(plain.out(), containsString("plain HTTP"));
        Result noDigest = sh(script, "--server", "https://backup.example.com", "--token", "t");
        assertThat(noDigest.code(), is(1));
        assertThat(noDigest.out(), containsString("--sha256"));
        Result help = sh(script, "--help");
        assertThat(help.code(), is(0));
        assertThat(help.out(), containsString("--token TOKEN"));
    }

    @Test
    void withoutABuiltAgentTheBundleIsAClear404() {
        HttpResponse<String> r = f.get("/downloads/restic-manager-agent.tar.gz", null);
        assertThat(r.statusCode(), is(404));
        assertThat(r.body(), containsString("restic-manager-agent.jar"));
        assertThat(r.body(), containsString("RM_AGENT_DIST"));
    }

    @Test
    void theBundleHoldsTheJarAndItsLibsAndIsRebuiltWhenTheyChange(@TempDir Path tmp) throws Exception {
        assumeTrue(onPath("tar"), "tar is not installed");
        Path dist = tmp.resolve("dist");
        Files.createDirectories(dist.resolve("libs"));
        byte[] jar = new byte[70_000];
        Arrays.fill(jar, (byte) 7);
        Files.write(dist.resolve("restic-manager-agent.jar"), jar);
        Files.writeString(dist.resolve("libs/helidon-common-4.5.0.jar"), "lib one");
        String longName = "libs/" + "a-very-long-library-name-".repeat(5) + "1.0.jar";
        Files.writeString(dist.resolve(longName), "lib two");
        Files.writeString(dist.resolve("libs/notes.txt"), "not a jar");
        Files.writeString(dist.resolve("agent.jvm"), "-XX:+UseSerialGC\n");
        Path javaBin = Files.createDirectories(dist.resolve("runtime/bin")).resolve("java");
        Files.writeString(javaBin, "#!/bin/sh\n");
        javaBin.toFile().setExecutable(true);
        Files.writeString(Files.createDirectories(dist.resolve("runtime/lib")).resolve("modules"), "image");
        // a link in the build directory could point anywhere on the server: never packed
        Files.createSymbolicLink(dist.resolve("runtime/lib/elsewhere"), Path.of("/etc/hostname"));

        AgentBundle bundle = new AgentBundle(dist, tmp.resolve("cache"));
        AgentBundle.Packed first = bundle.archive();
        assertThat(bundle.archive(), sameInstance(first));
        Path out = extract(tmp, Files.readAllBytes(first.file()));
        assertThat(Files.readAllBytes(out.resolve("restic-manager-agent.jar")), is(jar));
        assertThat(Files.readString(out.resolve("libs/helidon-common-4.5.0.jar")), is("lib one"));
        assertThat(Files.readString(out.resolve(longName)), is("lib two"));
        assertThat(Files.exists(out.resolve("libs/notes.txt")), is(false));
        // the agent's own runtime and flags: a host needs nothing but restic
        assertThat(Files.readString(out.resolve("agent.jvm")), is("-XX:+UseSerialGC\n"));
        assertThat(Files.isExecutable(out.resolve("runtime/bin/java")), is(true));
        assertThat(Files.isExecutable(out.resolve("runtime/lib/modules")), is(false));
        assertThat(Files.readString(out.resolve("runtime/lib/modules")), is("image"));
        assertThat(Files.exists(out.resolve("runtime/lib/elsewhere"), java.nio.file.LinkOption.NOFOLLOW_LINKS), is(false));
        // packed to a file in the data directory, not held in memory
        assertThat(first.file().getParent(), is(tmp.resolve("cache")));

        Files.writeString(dist.resolve("libs/helidon-common-4.5.0.jar"), "lib one, rebuilt");
        Path again = extract(tmp.resolve("2"), Files.readAllBytes(bundle.archive().file()));
        assertThat(Files.readString(again.resolve("libs/helidon-common-4.5.0.jar")), is("lib one, rebuilt"));
    }

    @Test
    void theBundleIsServedOverHttp() throws Exception {
        Path dist = f.dataDir.resolve("dist");
        Files.createDirectories(dist);
        Files.writeString(dist.resolve("restic-manager-agent.jar"), "jar bytes");
        HttpResponse<byte[]> r = f.http.send(HttpRequest.newBuilder(URI.create(f.base()
                + "/downloads/restic-manager-agent.tar.gz")).header("X-RM-Internal-Token", HubFixture.TOKEN).build(),
                                             HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode(), is(200));
        assertThat(r.headers().firstValue("Content-Type").orElse(""), is("application/gzip"));
        Path out = extract(f.dataDir.resolve("extract"), r.body());
        assertThat(Files.readString(out.resolve("restic-manager-agent.jar")), is("jar bytes"));

        // the install command and the served script both pin exactly these bytes
        String sha = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                                                                .digest(r.body()));
        assertThat(f.get("/install.sh", null).body(), containsString("SHA256=\"" + sha + "\""));
        String command = HubFixture.json(f.post("/api/enrollment-tokens", HubFixture.ADMIN, "{}"))
                .path("install_command").asText();
        assertThat(command, org.hamcrest.Matchers.endsWith(" --sha256 " + sha));
        Files.delete(dist.resolve("restic-manager-agent.jar"));
    }

    @Test
    void theChecksumListIsSignedWithTheReleaseKeyTheInstallScriptCarries(@TempDir Path tmp) throws Exception {
        assumeTrue(onPath("openssl"), "openssl is not installed");
        Path dist = f.dataDir.resolve("dist");
        Files.createDirectories(dist);
        Files.writeString(dist.resolve("restic-manager-agent.jar"), "jar bytes for signing");
        try {
            HttpResponse<byte[]> download = f.http.send(HttpRequest.newBuilder(URI.create(f.base()
                    + "/downloads/restic-manager-agent.tar.gz")).header("X-RM-Internal-Token", HubFixture.TOKEN).build(),
                                                        HttpResponse.BodyHandlers.ofByteArray());
            assertThat(download.statusCode(), is(200));
            byte[] bundle = download.body();
            String sha = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                                                                    .digest(bundle));
            String sums = f.get("/downloads/SHA256SUMS", null).body();
            // and the APT repository's keyring, so install.sh trusts it only when it is the server's
            byte[] keyring = f.http.send(HttpRequest.newBuilder(URI.create(f.base() + "/downloads/apt/restic-manager.gpg"))
                                                 .header("X-RM-Internal-Token", HubFixture.TOKEN).build(),
                                         HttpResponse.BodyHandlers.ofByteArray()).body();
            String windows = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(java.nio.file.Files.readAllBytes(f.hub.bundle().windowsArchive().file())));
            assertThat(sums, is(sha + "  restic-manager-agent.tar.gz\n" + windows
                    + "  restic-manager-agent-windows.zip\n" + AptRepository.sha256(keyring)
                    + "  apt/restic-manager.gpg\n"));
            byte[] sig = f.http.send(HttpRequest.newBuilder(URI.create(f.base() + "/downloads/SHA256SUMS.sig"))
                                             .header("X-RM-Internal-Token", HubFixture.TOKEN).build(),
                                     HttpResponse.BodyHandlers.ofByteArray()).body();
            assertThat(sig.length, is(64));

            // the key in the served install.sh is the published one, and openssl (as install.sh calls it) accepts
            String script = f.get("/install.sh", null).body();
            String pem = script.substring(script.indexOf("-----BEGIN PUBLIC KEY-----"),
                                          script.indexOf("-----END PUBLIC KEY-----") + 24) + "\n";
            assertThat(f.get("/downloads/release-keys.pem", null).body(), containsString(pem));
            Files.writeString(tmp.resolve("key.pem"), pem);
            Files.writeString(tmp.resolve("SHA256SUMS"), sums);
            Files.write(tmp.resolve("SHA256SUMS.sig"), sig);
            assertThat(verify(tmp), is(0));
            // one changed digest and the signature no longer holds
            Files.writeString(tmp.resolve("SHA256SUMS"), (sha.charAt(0) == '0' ? "1" : "0") + sums.substring(1));
            assertThat(verify(tmp), is(not(0)));
        } finally {
            Files.delete(dist.resolve("restic-manager-agent.jar"));
        }
    }

    private static int verify(Path dir) throws Exception {
        Process p = new ProcessBuilder("openssl", "pkeyutl", "-verify", "-pubin", "-inkey", "key.pem", "-rawin",
                                       "-in", "SHA256SUMS", "-sigfile", "SHA256SUMS.sig")
                .directory(dir.toFile()).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor();
    }

    @Test
    void tarArchivesAreReadBySystemTar(@TempDir Path tmp) throws Exception {
        assumeTrue(onPath("tar"), "tar is not installed");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
            TarWriter tar = new TarWriter(gz);
            tar.directory("d", 1_700_000_000L);
            tar.file("d/empty", 0644, new byte[0], 1_700_000_000L);
            tar.file("d/exact-512", 0755, new byte[512], 1_700_000_000L);
            tar.file("d/" + "long-".repeat(40) + "name", 0644, "x".getBytes(StandardCharsets.UTF_8), 1_700_000_000L);
            tar.close();
        }
        Path out = extract(tmp, bytes.toByteArray());
        assertThat(Files.readString(out.resolve("d/" + "long-".repeat(40) + "name")), is("x"));
        assertThat(Files.size(out.resolve("d/empty")), is(0L));
        assertThat(Files.size(out.resolve("d/exact-512")), is(512L));
        assertThat(Files.isExecutable(out.resolve("d/exact-512")), is(true));
        assertThat(Files.getLastModifiedTime(out.resolve("d/empty")).toMillis(), is(1_700_000_000_000L));
    }

    private static Path extract(Path dir, byte[] tarGz) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path archive = dir.resolve("bundle.tar.gz");
        Files.write(archive, tarGz);
        Path out = dir.resolve("out");
        Files.createDirectories(out);
        Process p = new ProcessBuilder("tar", "-xzf", archive.toString(), "-C", out.toString())
                .redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS), is(true));
        assertThat(log, p.exitValue(), is(0));
        assertThat("tar printed warnings: " + log, log.isEmpty(), is(true));
        return out;
    }

    private record Result(int code, String out) {
    }

    private static Result sh(Path script, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("sh", script.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(30, TimeUnit.SECONDS);
        return new Result(p.exitValue(), out);
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }
}
