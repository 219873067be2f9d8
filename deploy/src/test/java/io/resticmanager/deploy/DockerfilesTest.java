package io.resticmanager.deploy;

import io.resticmanager.deploy.Dockerfile.Instruction;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;

/** deploy/docker: the lint rules themselves, and each image building and running its module the same way. */
class DockerfilesTest {
    private static final String GOOD = """
            # syntax=docker/dockerfile:1
            FROM maven:3.9-eclipse-temurin-21 AS build
            RUN mvn -B package
            FROM eclipse-temurin:21-jre
            RUN apt-get update \\
             && apt-get install -y --no-install-recommends restic \\
             && rm -rf /var/lib/apt/lists/*
            COPY --from=build /src/x.jar /app/x.jar
            USER 10001:10001
            HEALTHCHECK CMD ["java", "-cp", "/app/healthcheck", "HealthCheck", "RM_PORT", "8080"]
            ENTRYPOINT ["java", "-jar", "/app/x.jar"]
            """;

    /** Every image this repository builds: the services of docs/INTERNAL-API.md plus the agent. */
    static List<String> imageNames() {
        List<String> names = new ArrayList<>(Repo.services().stream().map(Repo.ServiceSpec::shortName).toList());
        names.add("agent");
        return names;
    }

    static Path dockerfile(String name) {
        return Repo.DOCKER.resolve(name + ".Dockerfile");
    }

    @Test
    void aDockerfileFollowingTheRulesPasses() {
        assertThat(Dockerfile.parse(GOOD).lint(false), is(empty()));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            untagged base image  | FROM eclipse-temurin:21-jre                | FROM eclipse-temurin              | no tag
            latest base image    | FROM eclipse-temurin:21-jre                | FROM eclipse-temurin:latest       | latest tag
            root user            | USER 10001:10001                           | USER root                         | numeric non-zero uid
            uid zero             | USER 10001:10001                           | USER 0                            | numeric non-zero uid
            no user              | USER 10001:10001                           | LABEL x=y                         | no USER
            no healthcheck       | HEALTHCHECK CMD [                          | LABEL a=[                         | no HEALTHCHECK
            healthcheck none     | HEALTHCHECK CMD [                          | HEALTHCHECK NONE\\nLABEL a=[      | HEALTHCHECK NONE
            add of a url         | COPY --from=build /src/x.jar /app/x.jar    | ADD https://example.com/x.jar /app/x.jar | ADD https://example.com/x.jar
            shell entrypoint     | ENTRYPOINT ["java", "-jar", "/app/x.jar"]  | ENTRYPOINT java -jar /app/x.jar   | shell form
            apt recommends       | --no-install-recommends restic             | restic                            | --no-install-recommends
            apt lists kept       | rm -rf /var/lib/apt/lists/*                | true                              | /var/lib/apt/lists
            """)
    void eachLintRuleCatchesItsMistake(String rule, String good, String bad, String expected) {
        assertThat("fixture must contain " + good, GOOD, containsString(good));
        String broken = GOOD.replace(good, bad.replace("\\n", "\n"));
        List<String> problems = Dockerfile.parse(broken).lint(false);
        assertThat(rule + ": " + problems, problems.stream().anyMatch(p -> p.contains(expected)), is(true));
    }

    @Test
    void continuationLinesAndStagesAreParsed() {
        Dockerfile file = Dockerfile.parse(GOOD);
        assertThat(file.finalStage(), is(1));
        assertThat(file.baseImages(), contains("maven:3.9-eclipse-temurin-21", "eclipse-temurin:21-jre"));
        assertThat(file.all("RUN", true).get(0).args(),
                   is("apt-get update && apt-get install -y --no-install-recommends restic && rm -rf /var/lib/apt/lists/*"));
        assertThat(file.all("RUN", true).get(0).line(), is(5));
    }

    @Test
    void mavenJvmConfigStartsOnEveryJdkFrom21() {
        // Maven reads .mvn/jvm.config on every JDK, the images' 21 included: a launcher option newer than the JDK
        // (e.g. --sun-misc-unsafe-memory-access, JDK 23+) stops Maven before it starts; system properties never do
        Path config = Repo.ROOT.resolve(".mvn/jvm.config");
        if (Files.exists(config)) {
            for (String option : Repo.read(config).strip().split("\\s+")) {
                assertThat(option, option.isEmpty() || option.startsWith("-D"), is(true));
            }
        }
    }

    @TestFactory
    Stream<DynamicTest> everyDockerfileHereIsClean() {
        List<Path> files = Repo.files(Repo.ROOT, Pattern.compile(".*Dockerfile"));
        assertThat(files, hasItems(imageNames().stream().map(DockerfilesTest::dockerfile).toArray(Path[]::new)));
        return files.stream().map(f -> DynamicTest.dynamicTest(Repo.ROOT.relativize(f).toString(), () -> {
            // only an image with no HTTP port may opt out of a health check
            boolean servesHttp = Repo.services().stream()
                    .anyMatch(s -> f.getFileName().toString().equals(s.shortName() + ".Dockerfile"));
            assertThat(Dockerfile.parse(Repo.read(f)).lint(!servesHttp), is(empty()));
        }));
    }

    /** The root .dockerignore: what enters every image's build context (an allowlist after "*"). */
    static List<String> dockerignore() {
        return Repo.read(Repo.ROOT.resolve(".dockerignore")).lines().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    }

    @Test
    void onlyWhatMavenBuiltEntersTheBuildContext() {
        List<String> ignore = dockerignore();
        assertThat("everything is excluded first", ignore.getFirst(), is("*"));
        for (String allowed : ignore.subList(1, ignore.size())) {
            assertThat(allowed + " is an exception into a target directory", allowed.matches("![\\w-]+/target/.+"),
                       is(true));
        }
        // per-Dockerfile ignore files would win over this one under BuildKit and let other things in
        assertThat(Repo.files(Repo.DOCKER, Pattern.compile(".*\\.dockerignore")), is(empty()));
    }

    @Test
    void aBaseImageFromAnArgIsCheckedByItsDefault() {
        String fromArg = GOOD.replace("FROM eclipse-temurin:21-jre", "FROM ${JAVA_IMAGE}");
        assertThat(Dockerfile.parse("ARG JAVA_IMAGE=eclipse-temurin:21-jre\n" + fromArg).lint(false), is(empty()));
        assertThat(Dockerfile.parse("ARG JAVA_IMAGE=eclipse-temurin\n" + fromArg).lint(false).toString(),
                   containsString("no tag"));
        assertThat(Dockerfile.parse("ARG JAVA_IMAGE\n" + fromArg).lint(false).toString(), containsString("variable"));
    }

    @TestFactory
    Stream<DynamicTest> eachImageCopiesItsModulesJarOntoASelectableJavaBase() {
        List<String> ignore = dockerignore();
        return imageNames().stream().map(name -> DynamicTest.dynamicTest(name, () -> {
            String module = name.equals("agent") ? "agent"
                    : Repo.services().stream().filter(s -> s.shortName().equals(name)).findFirst().orElseThrow().module();
            String jar = "restic-manager-" + name + ".jar";
            Dockerfile file = Dockerfile.parse(Repo.read(dockerfile(name)));

            // one stage on JAVA_IMAGE: public by default, restic-manager/jre (jre.Dockerfile) where no registry is
            assertThat(file.globalArgs(), is(java.util.Map.of("JAVA_IMAGE", "eclipse-temurin:21-jre")));
            assertThat(file.all("FROM", false).stream().map(Instruction::args).toList(), contains("${JAVA_IMAGE}"));
            assertThat(file.all("RUN", false).stream().noneMatch(i -> i.args().contains("mvn ")), is(true));

            // the jar name is the module's finalName, and the module's main class is what the docs say
            String pom = Repo.read(Repo.ROOT.resolve(module).resolve("pom.xml"));
            assertThat(module + " finalName", pom, containsString("<finalName>restic-manager-" + name + "</finalName>"));
            List<String> copies = file.all("COPY", true).stream().map(Instruction::args).toList();
            assertThat(copies, hasItem(module + "/target/" + jar + " /app/" + jar));
            assertThat(copies, hasItem(module + "/target/libs/ /app/libs/"));
            assertThat(ignore, hasItems("!" + module + "/target/" + jar, "!" + module + "/target/libs/"));
            String entrypoint = file.last("ENTRYPOINT").orElseThrow().args();
            assertThat(entrypoint, containsString("\"--enable-native-access=ALL-UNNAMED\""));
            assertThat(entrypoint, containsString("\"-jar\", \"/app/" + jar + "\""));
        }));
    }

    @Test
    void theLocalJavaBaseIsDebianWithTheServersJlinkedRuntime() {
        Dockerfile jre = Dockerfile.parse(Repo.read(dockerfile("jre")));
        assertThat(jre.isBase(), is(true));
        assertThat(jre.baseImages(), contains("debian:12-slim"));
        assertThat(jre.all("COPY", true).stream().map(Instruction::args).toList(),
                   contains("deploy/target/server-runtime/ /opt/java/"));
        assertThat(String.join(" ", jre.all("ENV", true).stream().map(Instruction::args).toList()),
                   containsString("PATH=/opt/java/bin:"));
        assertThat(dockerignore(), hasItem("!deploy/target/server-runtime/"));
        // linked by the deploy module's build, like the agent's own runtime
        assertThat(Repo.read(Repo.ROOT.resolve("deploy/pom.xml")), containsString("<server.runtime.modules>"));
    }

    @TestFactory
    Stream<DynamicTest> eachServiceImageListsOnItsPortAndChecksItsHealth() {
        return Repo.services().stream().map(spec -> DynamicTest.dynamicTest(spec.shortName(), () -> {
            Dockerfile file = Dockerfile.parse(Repo.read(dockerfile(spec.shortName())));
            String env = String.join(" ", file.all("ENV", true).stream().map(Instruction::args).toList());
            assertThat(env, containsString(spec.portVar() + "=" + spec.port()));
            assertThat(env, containsString("RM_HOST=0.0.0.0"));
            assertThat(env, containsString("RM_MODE=production"));
            assertThat(env, containsString("RM_DATA_DIR=/data"));
            assertThat(file.all("EXPOSE", true).stream().map(Instruction::args).toList(), contains(String.valueOf(spec.port())));
            String health = file.last("HEALTHCHECK").orElseThrow().args();
            assertThat(health, containsString("\"HealthCheck\", \"" + spec.portVar() + "\", \"" + spec.port() + "\""));
            // the probe class is compiled by the deploy module's build
            assertThat(Repo.read(Repo.ROOT.resolve("deploy/pom.xml")), containsString("includes=\"HealthCheck.java\""));
            assertThat(file.all("COPY", true).stream().map(Instruction::args).toList(),
                       hasItem("deploy/target/healthcheck/ /app/healthcheck/"));
            assertThat(dockerignore(), hasItem("!deploy/target/healthcheck/"));
            List<String> volumes = file.all("VOLUME", true).stream().map(Instruction::args).toList();
            assertThat(spec.module() + " volume", volumes, is(spec.stateful() ? List.of("/data") : List.of()));
        }));
    }

    @Test
    void theHubImageCarriesTheAgentBundleItServes() {
        Dockerfile hub = Dockerfile.parse(Repo.read(dockerfile("agent-hub")));
        String env = String.join(" ", hub.all("ENV", true).stream().map(Instruction::args).toList());
        Matcher dist = Pattern.compile("RM_AGENT_DIST=(\\S+)").matcher(env);
        assertThat("RM_AGENT_DIST is set", dist.find(), is(true));
        List<String> copies = hub.all("COPY", true).stream().map(Instruction::args).toList();
        assertThat(copies, hasItem("agent/target/ " + dist.group(1) + "/"));
        // what of agent/target enters the context: every part of the bundle, the runtime where linked, nothing else
        List<String> agentParts = dockerignore().stream().filter(l -> l.startsWith("!agent/target/")).toList();
        assertThat(agentParts, contains("!agent/target/restic-manager-agent.jar", "!agent/target/libs/",
                                        "!agent/target/agent.jvm", "!agent/target/runtime/"));
        assertThat("the hub reads RM_AGENT_DIST", Repo.mainSourcesContain("agent-hub", "RM_AGENT_DIST")
                   || !Files.isDirectory(Repo.ROOT.resolve("agent-hub/src/main/java")), is(true));
    }

    @Test
    void theAgentImageHasResticAndRunsWithItsStateInAVolume() {
        Dockerfile agent = Dockerfile.parse(Repo.read(dockerfile("agent")));
        assertThat(agent.all("RUN", true).stream().anyMatch(i -> i.args().matches(".*apt-get install .*\\brestic\\b.*")),
                   is(true));
        assertThat(agent.last("CMD").orElseThrow().args(),
                   is("[\"run\", \"--config\", \"/var/lib/restic-manager-agent/agent.yaml\"]"));
        assertThat(agent.all("VOLUME", true), hasSize(1));
        assertThat(agent.last("VOLUME").orElseThrow().args(), is("/var/lib/restic-manager-agent"));
        assertThat(agent.last("HEALTHCHECK").orElseThrow().args(), is("NONE"));
        assertThat("the opt-out is explained", Repo.read(dockerfile("agent")), containsString("no /health"));
    }
}
