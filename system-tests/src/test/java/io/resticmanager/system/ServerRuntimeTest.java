package io.resticmanager.system;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.spi.ToolProvider;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;

/**
 * The Java runtime of the locally built base image (deploy/target/server-runtime, deploy/docker/jre.Dockerfile)
 * holds every module the five services and their libraries use, so a library upgrade that needs one more module fails
 * here rather than as a container that will not start. ComposeStackTest runs the services on it.
 */
class ServerRuntimeTest {
    private static final Map<String, String> JARS = Map.of(
            "gateway", "restic-manager-gateway.jar", "agent-hub", "restic-manager-agent-hub.jar",
            "jobs-service", "restic-manager-jobs.jar", "inventory-service", "restic-manager-inventory.jar",
            "ui-service", "restic-manager-ui.jar");

    @Test
    void theLinkedRuntimeHoldsEveryModuleTheServicesUse() throws Exception {
        Path release = Stack.ROOT.resolve("deploy/target/server-runtime/release");
        Assumptions.assumeTrue(Files.isRegularFile(release),
                               "no server runtime: the deploy module's build links one on linux-x86_64 only");
        Set<String> linked = AgentRuntimeTest.linkedModules(release);
        ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow(() -> new AssertionError(
                "jdeps is missing: run the tests with a JDK, not a JRE"));
        Set<String> missing = new TreeSet<>();
        for (var jar : JARS.entrySet()) {
            Path target = Stack.ROOT.resolve(jar.getKey()).resolve("target");
            StringWriter out = new StringWriter();
            int exit = jdeps.run(new PrintWriter(out), new PrintWriter(out), "--multi-release",
                                 String.valueOf(Runtime.version().feature()), "--ignore-missing-deps",
                                 "--print-module-deps", "--class-path", target.resolve("libs") + "/*",
                                 target.resolve(jar.getValue()).toString());
            assertThat(jar.getKey() + ": " + out, exit, is(0));
            for (String module : out.toString().strip().split(",")) {
                if (!linked.contains(module.strip())) {
                    missing.add(module.strip());
                }
            }
        }
        // what jdeps cannot see: sun.misc.Unsafe users load jdk.unsupported reflectively, SqliteStore opens its
        // migrations through the jar file system provider (jdk.zipfs, a service)
        List<String> needed = new ArrayList<>(List.of("jdk.unsupported", "jdk.zipfs"));
        needed.removeAll(linked);
        missing.addAll(needed);
        assertThat("add these to server.runtime.modules in deploy/pom.xml", missing, is(empty()));
    }
}
