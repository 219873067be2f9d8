package io.resticmanager.hub;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import javax.xml.parsers.DocumentBuilderFactory;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The Windows side of agent distribution as far as it runs here (no Windows machine does): install.ps1 as served,
 * the Windows bundle and its WinSW service config, and the signature verifier install.ps1 carries — run for real on
 * this JVM's java against the server's real signatures, as the script runs it on the host's Java.
 */
class WindowsInstallTest {
    @RegisterExtension
    static final HubFixture f = HubFixture.perClass();
    private Path dist;

    @BeforeEach
    void agentBuilt() throws Exception {
        dist = f.dataDir.resolve("dist");
        Files.createDirectories(dist.resolve("libs"));
        Files.writeString(dist.resolve("restic-manager-agent.jar"), "agent jar bytes");
        Files.writeString(dist.resolve("libs/snakeyaml-2.4.jar"), "lib");
        Files.writeString(dist.resolve("agent.jvm"), "-XX:+UseSerialGC\n");
        Path java = Files.createDirectories(dist.resolve("runtime/bin")).resolve("java");
        Files.writeString(java, "#!/bin/sh\n");
        java.toFile().setExecutable(true);
    }

    @AfterEach
    void agentRemoved() throws Exception {
        try (var files = Files.walk(dist)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void theWindowsBundleHoldsTheAgentAndItsServiceConfigButNotTheLinuxRuntime() throws Exception {
        byte[] zip = download("/downloads/restic-manager-agent-windows.zip");
        Map<String, byte[]> entries = unzip(zip);
        assertThat(new ArrayList<>(entries.keySet()), is(List.of(
                "restic-manager-agent/restic-manager-agent.jar", "restic-manager-agent/agent.jvm",
                "restic-manager-agent/libs/snakeyaml-2.4.jar", "restic-manager-agent/restic-manager-agent.xml")));
        assertThat(new String(entries.get("restic-manager-agent/restic-manager-agent.jar"), StandardCharsets.UTF_8),
                   is("agent jar bytes"));

        // the WinSW config: a service that runs the agent from its own directory, config under %ProgramData%
        String xml = new String(entries.get("restic-manager-agent/restic-manager-agent.xml"), StandardCharsets.UTF_8);
        Document service = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
        assertThat(text(service, "id"), is("restic-manager-agent"));
        assertThat(text(service, "executable"), is("@@JAVA@@"));
        assertThat(text(service, "arguments"), is("\"@%BASE%\\agent.jvm\" -jar \"%BASE%\\restic-manager-agent.jar\" "
                + "run --config \"%ProgramData%\\restic-manager\\agent.yaml\""));
        assertThat(text(service, "startmode"), is("Automatic"));
        assertThat(service.getElementsByTagName("onfailure").getLength(), is(3));
        assertThat(text(service, "logpath"), is("%ProgramData%\\restic-manager\\logs"));
        assertThat(xml, containsString("\r\n"));
    }

    @Test
    void theServedScriptPinsTheWindowsBundleAndTheCommandRunsIt() throws Exception {
        String sha = sha256(download("/downloads/restic-manager-agent-windows.zip"));
        String script = f.get("/install.ps1", null).body();
        assertThat(script, startsWith("#Requires -Version 5.1\r\n"));
        // every placeholder filled in, but the one install.ps1 fills in itself in the WinSW config (the Java it found)
        assertThat(script.replace("'@@JAVA@@'", ""), not(containsString("@@")));
        assertThat(script, containsString("[string]$Server = 'https://backup.example.test',"));
        assertThat(script, containsString("[string]$Sha256 = '" + sha + "',"));
        assertThat(script.replace("\r\n", "\n"), containsString(f.get("/downloads/release-keys.pem", null).body()
                .lines().filter(l -> !l.startsWith("#")).reduce("", (a, b) -> a + b + "\n")));
        // every line ends CRLF: Windows PowerShell 5.1 reads the here-string holding the key line by line
        assertThat(script.replace("\r\n", "").contains("\n"), is(false));

        String command = HubFixture.json(f.post("/api/enrollment-tokens", HubFixture.ADMIN, "{}"))
                .path("install_command_windows").asText();
        assertThat(command, startsWith("[Net.ServicePointManager]::SecurityProtocol = 'Tls12'; & ([scriptblock]::"
                + "Create((irm https://backup.example.test/install.ps1))) -Server https://backup.example.test "
                + "-Token rme_"));
        assertThat(command, endsWith(" -Sha256 " + sha));
    }

    @Test
    void theScriptNeverDisablesScheduledTasksAndChecksWhatItDownloads() {
        String script = f.get("/install.ps1", null).body();
        // lists restic's scheduled tasks for review, never changes them
        assertThat(script, containsString("Get-ScheduledTask"));
        for (String change : List.of("Disable-ScheduledTask -", "Unregister-ScheduledTask", "Stop-ScheduledTask",
                                     "schtasks")) {
            assertThat(script.replace("Disable-ScheduledTask -TaskPath '$(", ""), not(containsString(change)));
        }
        // WinSW pinned to one reviewed release by its SHA-256; the bundle checked before it is unpacked
        assertThat(script, containsString("releases/download/v2.12.0/WinSW-x64.exe"));
        assertThat(script, containsString("'05b82d46ad331cc16bdc00de5c6332c1ef818df8ceefcd49c726553209b3a0da'"));
        int verified = script.indexOf("Test-Bundle $tmp $javaExe $bundle");
        assertThat(verified > 0 && verified < script.indexOf("Expand-Archive -LiteralPath $bundle"), is(true));
        // "$name:" in a double-quoted string is a scope-qualified name to PowerShell: a parse error on Windows
        Matcher scoped = Pattern.compile("\"[^\"\\r\\n]*\\$(?!env:|script:|global:|using:)[A-Za-z_]\\w*:[^\"\\r\\n]*\"")
                .matcher(script);
        List<String> bad = new ArrayList<>();
        while (scoped.find()) {
            bad.add(scoped.group());
        }
        assertThat(bad, is(empty()));
    }

    @Test
    void theVerifierTheScriptCarriesAcceptsTheServersSignatureAndNothingElse(@TempDir Path tmp) throws Exception {
        String script = f.get("/install.ps1", null).body();
        Matcher carried = Pattern.compile("\\$VerifierClass = '([A-Za-z0-9+/=]+)'").matcher(script);
        assertThat(carried.find(), is(true));
        Path classes = Files.createDirectories(tmp.resolve("verifier/io/resticmanager/common"));
        Files.write(classes.resolve("SignedSums.class"), Base64.getDecoder().decode(carried.group(1)));
        String pem = script.substring(script.indexOf("-----BEGIN PUBLIC KEY-----"),
                                      script.indexOf("-----END PUBLIC KEY-----") + 24).replace("\r\n", "\n");
        Files.writeString(tmp.resolve("release-key.pem"), pem + "\n");
        byte[] zip = download("/downloads/restic-manager-agent-windows.zip");
        String sums = f.get("/downloads/SHA256SUMS", null).body();
        assertThat(sums, containsString(sha256(zip) + "  restic-manager-agent-windows.zip\n"));
        Files.writeString(tmp.resolve("SHA256SUMS"), sums);
        Files.write(tmp.resolve("SHA256SUMS.sig"), download("/downloads/SHA256SUMS.sig"));

        Run ok = verifier(tmp, sha256(zip));
        assertThat(ok.out(), ok.code(), is(0));
        assertThat(ok.out(), containsString("signature verified"));
        // a tampered bundle: its digest is not the one the signed list names
        Run tampered = verifier(tmp, sha256("something else".getBytes(StandardCharsets.UTF_8)));
        assertThat(tampered.code(), is(1));
        assertThat(tampered.out(), containsString("does not name restic-manager-agent-windows.zip"));
        // a tampered list: the signature no longer holds
        Files.writeString(tmp.resolve("SHA256SUMS"), sums.replace(sha256(zip), sha256(new byte[1])));
        Run forged = verifier(tmp, sha256(new byte[1]));
        assertThat(forged.code(), is(1));
        assertThat(forged.out(), containsString("not signed by the server's release key"));
        // a list signed by another key (a forged server): refused with this server's key
        Files.writeString(tmp.resolve("SHA256SUMS"), sums);
        ReleaseKeys other = ReleaseKeys.parse(ReleaseKeys.newKeyLine(), tmp.resolve("other.key"));
        Files.write(tmp.resolve("SHA256SUMS.sig"), other.sign(sums.getBytes(StandardCharsets.UTF_8)));
        assertThat(verifier(tmp, sha256(zip)).code(), is(1));
    }

    @Test
    void theServedScriptParsesAsPowerShell(@TempDir Path tmp) throws Exception {
        assumeTrue(onPath("node") && onPath("npm"), "node/npm are not installed (apt-get install nodejs npm)");
        Path script = tmp.resolve("install.ps1");
        Files.writeString(script, f.get("/install.ps1", null).body());
        Run lint = run(tmp, List.of(Path.of("..").toAbsolutePath().normalize().resolve("script/pslint").toString(),
                                    script.toString()));
        assertThat(lint.out(), lint.code(), is(0));
        // and the check does catch a broken script
        Files.writeString(script, f.get("/install.ps1", null).body().replace("function Find-Restic {",
                                                                             "function Find-Restic {{"));
        assertThat(run(tmp, List.of(Path.of("..").toAbsolutePath().normalize().resolve("script/pslint").toString(),
                                    script.toString())).code(), is(1));
    }

    private record Run(int code, String out) {
    }

    private static Run verifier(Path dir, String sha) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        return run(dir, List.of(java, "-cp", "verifier", "io.resticmanager.common.SignedSums", "release-key.pem",
                                "SHA256SUMS", "SHA256SUMS.sig", sha, "restic-manager-agent-windows.zip"));
    }

    private static Run run(Path dir, List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS), is(true));
        return new Run(p.exitValue(), out);
    }

    private static byte[] download(String path) throws Exception {
        HttpResponse<byte[]> r = f.http.send(HttpRequest.newBuilder(URI.create(f.base() + path))
                                                     .header("X-RM-Internal-Token", HubFixture.TOKEN).build(),
                                             HttpResponse.BodyHandlers.ofByteArray());
        assertThat(path, r.statusCode(), is(200));
        return r.body();
    }

    private static Map<String, byte[]> unzip(byte[] zip) throws Exception {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                entries.put(e.getName(), in.readAllBytes());
            }
        }
        return entries;
    }

    private static String text(Document doc, String tag) {
        return doc.getElementsByTagName(tag).item(0).getTextContent();
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    private static boolean onPath(String tool) {
        return java.util.Arrays.stream(System.getenv().getOrDefault("PATH", "").split(":"))
                .anyMatch(d -> Files.isExecutable(Path.of(d, tool)));
    }
}
