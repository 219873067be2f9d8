package io.resticmanager.deploy;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.hasEntry;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** deploy/systemd/restic-manager-agent.service: sandboxed, always restarted, running the agent's jar. */
class SystemdUnitTest {
    private static final Path UNIT = Repo.DEPLOY.resolve("systemd/restic-manager-agent.service");

    /** "Section.Key" → values (a key may repeat). */
    private static Map<String, List<String>> unit() {
        Map<String, List<String>> entries = new LinkedHashMap<>();
        String section = "";
        for (String raw : Repo.read(UNIT).split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            if (line.startsWith("[")) {
                section = line.substring(1, line.length() - 1);
                continue;
            }
            int eq = line.indexOf('=');
            entries.computeIfAbsent(section + "." + line.substring(0, eq).strip(), k -> new ArrayList<>())
                    .add(line.substring(eq + 1).strip());
        }
        return entries;
    }

    private static String one(Map<String, List<String>> unit, String key) {
        List<String> values = unit.getOrDefault(key, List.of());
        assertThat(key + " is set once", values.size(), is(1));
        return values.get(0);
    }

    @Test
    void runsTheAgentLauncherWithItsConfigAndAlwaysRestarts() {
        Map<String, List<String>> unit = unit();
        String exec = one(unit, "Service.ExecStart");
        // the launcher (written by install.sh) execs the Java it found with --enable-native-access
        assertThat(exec, is("/opt/restic-manager-agent/restic-manager-agent run --config "
                            + "/var/lib/restic-manager-agent/agent.yaml"));
        assertThat(one(unit, "Service.KillMode"), is("mixed"));
        assertThat("systemd wants an absolute program path", exec, org.hamcrest.Matchers.startsWith("/"));
        assertThat(one(unit, "Service.Restart"), is("always"));
        assertThat(one(unit, "Install.WantedBy"), is("multi-user.target"));
        assertThat(unit.get("Unit.After"), hasItem(containsString("network-online.target")));
    }

    /** One unit: what install.sh writes on hosts is exactly this file. */
    @Test
    void theInstallerServesThisVeryUnit() {
        assertThat(Repo.read(Repo.ROOT.resolve(
                "agent-hub/src/main/resources/install/restic-manager-agent.service")), is(Repo.read(UNIT)));
    }

    @Test
    void isSandboxedButMayWriteItsStateDirectory() {
        Map<String, List<String>> unit = unit();
        Map<String, String> required = new LinkedHashMap<>();
        required.put("NoNewPrivileges", "yes");
        // restores to the original location, local repositories and hooks write outside the state directory:
        // only the package-managed OS stays read-only (see the unit's comments)
        required.put("ProtectSystem", "yes");
        required.put("ReadWritePaths", "/var/lib/restic-manager-agent");
        required.put("ProtectHome", "no");
        required.put("PrivateDevices", "yes");
        required.put("PrivateTmp", "yes");
        required.put("ProtectKernelTunables", "yes");
        required.put("ProtectKernelModules", "yes");
        required.put("ProtectKernelLogs", "yes");
        required.put("ProtectControlGroups", "yes");
        required.put("RestrictSUIDSGID", "yes");
        required.put("LockPersonality", "yes");
        required.put("RestrictRealtime", "yes");
        Map<String, String> actual = new LinkedHashMap<>();
        unit.forEach((k, v) -> actual.put(k, String.join(" ", v)));
        required.forEach((key, value) -> assertThat(actual, hasEntry("Service." + key, value)));
        // the JVM's JIT needs W+X memory: this hardening would kill the agent at start
        assertThat(actual.getOrDefault("Service.MemoryDenyWriteExecute", "no"), not(is("yes")));
        // the config path of ExecStart is inside the writable state directory
        assertThat(one(unit, "Service.StateDirectory"), is("restic-manager-agent"));
    }

    @Test
    void systemdAcceptsTheUnit() {
        assumeTrue(Proc.which("systemd-analyze").isPresent(), "systemd-analyze is not installed: verify skipped");
        String exec = one(unit(), "Service.ExecStart");
        // the launcher exists only on installed hosts: verify a copy whose program is one that exists here
        Path copy;
        try {
            Path dir = Files.createTempDirectory("unit-");
            copy = dir.resolve(UNIT.getFileName());
            Files.writeString(copy, Repo.read(UNIT).replace(exec.split(" ")[0], "/bin/true"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        Proc.Result result = Proc.run(copy.getParent(), List.of("systemd-analyze", "verify", copy.toString()));
        assertThat(result.output(), result.ok(), is(true));
        assertThat(result.output(), not(containsString("Unknown key")));
    }
}
