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
        Set<String> linked = new TreeSet<>();
        for (String line : Files.readAllLines(release)) {
            if (line.startsWith("MODULES=")) {
                linked.addAll(Arrays.asList(line.substring(8).replace("\"", "").strip().split("\\s+")));
            }
        }
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
}
