package io.resticmanager.system;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.spi.ToolProvider;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

/**
 * The Java runtime the agent ships with (linked by the agent's build on linux-x86_64): it holds every module the
 * agent and its libraries use, so an upgrade of a library that needs one more module fails here, not on a host.
 */
class AgentRuntimeTest {
    private static final Path DIST = Stack.ROOT.resolve("agent/target");

    @Test
    void theBundledRuntimeHoldsEveryModuleTheAgentUses() throws Exception {
        Path release = DIST.resolve("runtime/release");
        Assumptions.assumeTrue(Files.isRegularFile(release),
                               "no bundled runtime: the agent's build links one on linux-x86_64 only");
        Set<String> linked = linkedModules(release);
        ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow(() -> new AssertionError(
                "jdeps is missing: run the tests with a JDK, not a JRE"));
        StringWriter out = new StringWriter();
        int exit = jdeps.run(new PrintWriter(out), new PrintWriter(out), "--multi-release",
                             String.valueOf(Runtime.version().feature()), "--ignore-missing-deps",
                             "--print-module-deps", "--class-path", DIST.resolve("libs") + "/*",
                             DIST.resolve("restic-manager-agent.jar").toString());
        assertThat(out.toString(), exit, is(0));
        List<String> missing = new ArrayList<>();
        for (String module : out.toString().strip().split(",")) {
            if (!linked.contains(module.strip())) {
                missing.add(module.strip());
            }
        }
        // jdk.unsupported is loaded reflectively (sun.misc.Unsafe users): jdeps cannot see it
        if (!linked.contains("jdk.unsupported")) {
            missing.add("jdk.unsupported");
        }
        assertThat("add these to agent.runtime.modules in agent/pom.xml", missing, is(empty()));
    }

    @Test
    void theAgentRunsOnItWithItsOwnFlags() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(DIST.resolve("runtime/bin/java")),
                               "no bundled runtime: the agent's build links one on linux-x86_64 only");
        List<String> cmd = new ArrayList<>(AgentProcess.javaCommand());
        assertThat(cmd.getFirst(), is(DIST.resolve("runtime/bin/java").toString()));
        cmd.add("version");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS), is(true));
        assertThat(output, p.exitValue(), is(0));
        assertThat(output, containsString("restic-manager-agent"));
    }

    /** The newest .deb the agent's build made (restic-manager-agent_<version>_amd64.deb), if any. */
    static java.util.Optional<Path> debianPackage() throws java.io.IOException {
        try (var files = Files.list(DIST)) {
            return files.filter(f -> f.getFileName().toString().matches("restic-manager-agent_.*_amd64\\.deb"))
                    .max(java.util.Comparator.comparing(f -> f.toFile().lastModified()));
        }
    }

    @Test
    void theDebianPackageHoldsTheAgentItsRuntimeTheUnitAndTheCommand() throws Exception {
        Path deb = debianPackage().orElse(null);
        Assumptions.assumeTrue(deb != null, "no .deb: the agent's build makes one where it links the runtime");
        Assumptions.assumeTrue(NspawnHost.which("dpkg-deb").isPresent(), "dpkg-deb is not installed");
        String info = run("dpkg-deb", "--info", deb.toString());
        assertThat(info, containsString("Package: restic-manager-agent"));
        assertThat(info, containsString("Architecture: amd64"));
        assertThat(info, containsString("Depends: restic (>= 0.14)"));
        for (String script : List.of("postinst", "prerm", "postrm")) {
            assertThat(info, containsString(script));
        }
        String contents = run("dpkg-deb", "--contents", deb.toString());
        for (String entry : List.of("-rwxr-xr-x root/root .* ./opt/restic-manager-agent/restic-manager-agent\\n",
                                    " ./opt/restic-manager-agent/restic-manager-agent.jar\\n",
                                    " ./opt/restic-manager-agent/agent.jvm\\n",
                                    "-rwxr-xr-x root/root .* ./opt/restic-manager-agent/runtime/bin/java\\n",
                                    "-rwxr-xr-x root/root .* ./opt/restic-manager-agent/runtime/lib/jspawnhelper\\n",
                                    " ./opt/restic-manager-agent/libs/common-[^ ]*\\.jar\\n",
                                    " ./lib/systemd/system/restic-manager-agent.service\\n",
                                    " ./usr/bin/restic-manager-agent -> /opt/restic-manager-agent/restic-manager-agent\\n")) {
            assertThat(entry, java.util.regex.Pattern.compile(entry).matcher(contents).find(), is(true));
        }
        // the agent carries no server runtime (Helidon webserver, dbclient, SQLite natives)
        assertThat(contents, not(containsString("libs/service-kit-")));
        assertThat(contents, not(containsString("libs/sqlite-jdbc-")));
        // the agent's state (config, credential, spool) is never a package file: an upgrade cannot replace it
        assertThat(contents.contains("/var/lib/restic-manager-agent"), is(false));
    }

    private static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS), is(true));
        assertThat(output, p.exitValue(), is(0));
        return output;
    }

    /** The modules a jlinked runtime holds, as its {@code release} file lists them. */
    static Set<String> linkedModules(Path release) throws java.io.IOException {
        Set<String> linked = new TreeSet<>();
        for (String line : Files.readAllLines(release)) {
            if (line.startsWith("MODULES=")) {
                linked.addAll(Arrays.asList(line.substring(8).replace("\"", "").strip().split("\\s+")));
            }
        }
        return linked;
    }
}
