package io.resticmanager.system;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

/**
 * The real {@code curl … | sh} install path against the real stack: the script downloads the agent bundle
 * from the server, installs it, enrolls, writes the sandboxed unit and enables it, and reports existing
 * restic cron jobs and timers with the command that disables each — without touching them. It runs below
 * a scratch root ({@code RM_INSTALL_ROOT}) with stand-ins for {@code systemctl} and {@code crontab}
 * (no systemd runs here); then the installed agent is started for real and comes online.
 */
class InstallScriptTest {
    private static Stack stack;
    private static Process installedAgent;
    private static Api admin;

    @BeforeAll
    static void start() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "the installer must run as root");
        stack = Stack.start("install-script");
    }

    @AfterAll
    static void stop() {
        if (installedAgent != null) {
            installedAgent.destroy();
        }
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void curlPipeShInstallsEnrollsAndReportsExistingSchedules() throws Exception {
        Api admin = admin();
        String command = admin.post("/api/enrollment-tokens", Map.of("name", "installer")).expect(201).json()
                .path("install_command").asText();
        assertThat(command, containsString("curl -fsSL " + stack.gateway() + "/install.sh | sudo sh -s --"));
        assertThat(command, command.matches(".* --sha256 [0-9a-f]{64}$"), is(true));

        Path root = stack.dataDir().resolve("host-root");
        Path cronFile = root.resolve("etc/cron.d/nightly-restic");
        Files.createDirectories(cronFile.getParent());
        String cron = "# managed by hand\n0 3 * * * root restic backup /home\n30 4 * * * root /usr/bin/logrotate\n";
        Files.writeString(cronFile, cron);
        Path bin = Files.createDirectories(stack.dataDir().resolve("fake-bin"));
        Path calls = stack.dataDir().resolve("systemctl.calls");
        script(bin.resolve("systemctl"), """
                #!/bin/sh
                echo "$*" >> %s
                case "$1" in
                  list-timers) echo "Mon 2026-11-30 03:00:00 UTC 5h left n/a n/a restic-nightly.timer restic-nightly.service" ;;
                  show) echo "restic-nightly.service" ;;
                  cat) echo "ExecStart=/usr/bin/restic backup /srv" ;;
                  is-active) exit 3 ;;
                esac
                exit 0
                """.formatted(calls));
        script(bin.resolve("crontab"), "#!/bin/sh\necho '15 * * * * restic forget --keep-last 3'\n");

        // exactly what the UI shows, minus sudo (we are root already)
        ProcessBuilder pb = new ProcessBuilder("sh", "-c", command.replace("| sudo sh", "| sh"))
                .redirectErrorStream(true);
        pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        pb.environment().put("RM_INSTALL_ROOT", root.toString());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS), is(true));
        System.out.println(output);
        assertThat(output, p.exitValue(), is(0));
        assertThat(output, containsString("Bundle: signed by the server's release key (Ed25519), signature verified"));

        // installed, enrolled, config private, unit sandboxed and enabled
        Path config = root.resolve("var/lib/restic-manager-agent/agent.yaml");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(config)), is("rw-------"));
        String yaml = Files.readString(config);
        assertThat(yaml, containsString("host_id"));
        assertThat(yaml.toLowerCase(), not(containsString("password")));
        String unit = Files.readString(root.resolve("etc/systemd/system/restic-manager-agent.service"));
        assertThat(unit, containsString("NoNewPrivileges=yes"));
        assertThat(unit, containsString("\nProtectSystem=yes\n"));
        assertThat(Files.readString(calls), containsString("enable --now restic-manager-agent.service"));

        // existing schedules are reported with their disable commands, and left alone
        assertThat(output, containsString("0 3 * * * root restic backup /home"));
        assertThat(output, containsString("sed -i -e '/^[[:space:]]*#/b' -e '/restic/s/^/#/' " + cronFile));
        assertThat(output, containsString("systemctl disable --now restic-nightly.timer"));
        assertThat(output, containsString("crontab -u root"));
        assertThat(output, not(containsString("logrotate")));
        assertThat(Files.readString(cronFile), is(cron));
        assertThat(Files.readString(calls), not(containsString("disable")));

        // the installed agent really runs and comes online
        String hostId = yaml.lines().filter(l -> l.startsWith("host_id:")).findFirst().orElseThrow()
                .substring("host_id:".length()).strip().replace("\"", "").replace("'", "");
        installedAgent = new ProcessBuilder(root.resolve("opt/restic-manager-agent/restic-manager-agent").toString(),
                                            "run", "--config", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(stack.logDir().resolve("installed-agent.log").toFile()))
                .start();
        Await.until(Duration.ofSeconds(30), "installed agent online", () ->
                "online".equals(admin.get("/api/hosts/" + hostId).json().path("status").asText()));
        assertThat(admin.get("/api/hosts").json().path("items").findValuesAsText("id"), is(List.of(hostId)));
    }

    @Test
    void aBundleThatIsNotTheOneTheCommandNamesIsNeverInstalled() throws Exception {
        Api admin = admin();
        String command = admin.post("/api/enrollment-tokens", Map.of("name", "tampered")).json()
                .path("install_command").asText();
        String sha = command.substring(command.length() - 64);
        String forged = (sha.charAt(0) == '0' ? "1" : "0") + sha.substring(1);
        Path root = stack.dataDir().resolve("tampered-root");
        ProcessBuilder pb = new ProcessBuilder("sh", "-c", command.replace("| sudo sh", "| sh").replace(sha, forged))
                .redirectErrorStream(true);
        pb.environment().put("RM_INSTALL_ROOT", root.toString());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS), is(true));
        assertThat(output, p.exitValue(), is(1));
        assertThat(output, containsString("refusing to install it"));
        assertThat(Files.exists(root.resolve("opt/restic-manager-agent")), is(false));
        assertThat(Files.exists(root.resolve("var/lib/restic-manager-agent/agent.yaml")), is(false));
    }

    @Test
    void aChecksumListNotSignedByTheServersReleaseKeyIsNeverInstalled() throws Exception {
        Api admin = admin();
        String command = admin.post("/api/enrollment-tokens", Map.of("name", "unsigned")).json()
                .path("install_command").asText();
        String script = new String(java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(stack.gateway() + "/install.sh")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofByteArray()).body(), StandardCharsets.UTF_8);
        String served = script.substring(script.indexOf("-----BEGIN PUBLIC KEY-----\n") + 27,
                                         script.indexOf("\n-----END PUBLIC KEY-----"));
        // the script a host runs trusts another key than the one the server signed with: an attacker's list
        String other = java.util.Base64.getEncoder().encodeToString(java.security.KeyPairGenerator
                .getInstance("Ed25519").generateKeyPair().getPublic().getEncoded());
        Path root = stack.dataDir().resolve("unsigned-root");
        ProcessBuilder pb = new ProcessBuilder("sh", "-c", command.replace("| sudo sh",
                "| sed 's#" + served + "#" + other + "#' | sh")).redirectErrorStream(true);
        pb.environment().put("RM_INSTALL_ROOT", root.toString());
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS), is(true));
        assertThat(output, p.exitValue(), is(1));
        assertThat(output, containsString("Bundle: SHA-256"));
        assertThat(output, containsString("not signed by this server's release key: refusing to install it"));
        assertThat(Files.exists(root.resolve("opt/restic-manager-agent")), is(false));
        assertThat(Files.exists(root.resolve("var/lib/restic-manager-agent/agent.yaml")), is(false));
    }

    private static synchronized Api admin() {
        if (admin == null) {
            admin = Api.setupAdmin(stack, "admin", "install-admin-password");
        }
        return admin;
    }

    private static void script(Path file, String body) throws Exception {
        Files.writeString(file, body);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}
