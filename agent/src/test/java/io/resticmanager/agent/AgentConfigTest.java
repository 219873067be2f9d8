package io.resticmanager.agent;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.OptionalInt;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

class AgentConfigTest {
    @TempDir
    Path dir;

    @Test
    void writtenAtomicallyWithMode0600AndReadBack() throws Exception {
        Path file = dir.resolve("etc/agent.yaml");
        AgentConfig config = new AgentConfig(URI.create("https://backup.example.com"), "host-1", "rma_secret\"token",
                                             Optional.of("ab".repeat(32)), Optional.of(Path.of("/usr/bin/restic")),
                                             dir.resolve("etc/spool"), OptionalInt.of(15), file);
        config.write();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)), is("rw-------"));
        assertThat(Files.exists(file.resolveSibling(".agent.yaml.tmp")), is(false));
        AgentConfig read = AgentConfig.load(file);
        assertThat(read.hostId(), is("host-1"));
        assertThat(read.agentToken(), is("rma_secret\"token"));
        assertThat(read.tlsPinSha256(), is(Optional.of("ab".repeat(32))));
        assertThat(read.spoolDir(), is(dir.resolve("etc/spool").toAbsolutePath()));
        assertThat(read.heartbeatIntervalS(), is(OptionalInt.of(15)));
        assertThat(read.websocketUri(), is(URI.create("wss://backup.example.com/ws/agent")));
        assertThat(read.toString(), not(containsString("rma_secret")));
    }

    @Test
    void spoolDefaultsToADirectoryNextToTheConfig() throws Exception {
        Path file = dir.resolve("agent.yaml");
        Files.writeString(file, "server_url: http://127.0.0.1:8080/\nhost_id: h\nagent_token: t\n");
        AgentConfig c = AgentConfig.load(file);
        assertThat(c.spoolDir(), is(dir.resolve("spool").toAbsolutePath()));
        assertThat(c.websocketUri(), is(URI.create("ws://127.0.0.1:8080/ws/agent")));
    }

    @Test
    void badConfigIsOneClearLineAndExit2() throws Exception {
        Path file = dir.resolve("agent.yaml");
        assertBad(file, "server_url: ftp://x\nhost_id: h\nagent_token: t\n", "server_url must be an http");
        assertBad(file, "server_url: https://x\nagent_token: t\n", "missing required key: host_id");
        assertBad(file, "server_url: https://x\nhost_id: h\nagent_token: t\nrepository_password: p\n",
                  "never holds a repository password");
        assertBad(file, "server_url: https://x\nhost_id: [h\n", "not valid YAML");
        assertBad(file, "server_url: https://x\nhost_id: h\nagent_token: t\ntls_pin_sha256: abc\n", "64 hex digits");
        assertBad(file, "server_url: https://x\nhost_id: h\nagent_token: t\nheartbeat_interval_s: -1\n",
                  "heartbeat_interval_s");

        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = AgentMain.execute(new String[] {"run", "--config", file.toString()}, System.out,
                                     new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code, is(2));
        String text = err.toString(StandardCharsets.UTF_8);
        assertThat(text.strip().lines().count(), is(1L));
        assertThat(text, containsString("invalid agent config"));
    }

    @Test
    void plainHttpIsRefusedUnlessTheServerIsOnThisMachine() throws Exception {
        Path file = dir.resolve("agent.yaml");
        assertBad(file, "server_url: http://backup.example.com\nhost_id: h\nagent_token: t\n", "plain HTTP");
        assertBad(file, "server_url: http://10.1.2.3:8080\nhost_id: h\nagent_token: t\n", "plain HTTP");
        for (String ok : new String[] {"http://127.0.0.1:8080", "http://localhost:8080", "http://[::1]:8080",
                "https://backup.example.com"}) {
            assertThat(ok, AgentConfig.serverUrl(file, ok, false).toString(), is(ok));
        }
        assertThat(AgentConfig.serverUrl(file, "http://10.1.2.3:8080", true).getHost(), is("10.1.2.3"));
        // enroll refuses before it sends the token anywhere
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = AgentMain.execute(new String[] {"enroll", "--server", "http://backup.example.com", "--token",
                "rme_x", "--config", file.toString()}, System.out, new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code, is(2));
        assertThat(err.toString(StandardCharsets.UTF_8), containsString("https://"));
    }

    @Test
    void usageErrorsExit2() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        assertThat(AgentMain.execute(new String[] {"frobnicate"}, System.out, e), is(2));
        assertThat(AgentMain.execute(new String[] {"enroll", "--server", "https://x"}, System.out, e), is(2));
        assertThat(err.toString(StandardCharsets.UTF_8), containsString("usage:"));
    }

    @Test
    void versionPrintsAgentProtocolAndResticVersions() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = AgentMain.execute(new String[] {"version"}, new PrintStream(out, true, StandardCharsets.UTF_8),
                                     System.err);
        assertThat(code, is(0));
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(text, containsString("restic-manager-agent " + AgentVersion.current()));
        assertThat(text, containsString("protocol 1"));
        assertThat(text, containsString("restic " + TestRepo.restic().versionText()));
    }

    private static void assertBad(Path file, String yaml, String expected) throws Exception {
        Files.writeString(file, yaml);
        AgentException e = assertThrows(AgentException.class, () -> AgentConfig.load(file));
        assertThat(e.exitCode(), is(2));
        assertThat(e.getMessage(), containsString(expected));
    }
}
