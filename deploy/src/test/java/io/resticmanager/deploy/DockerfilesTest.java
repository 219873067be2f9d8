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

    @TestFactory
    Stream<DynamicTest> eachImageBuildsItsModuleAndRunsItsJar() {
        return imageNames().stream().map(name -> DynamicTest.dynamicTest(name, () -> {
            String module = name.equals("agent") ? "agent"
                    : Repo.services().stream().filter(s -> s.shortName().equals(name)).findFirst().orElseThrow().module();
            String jar = "restic-manager-" + name + ".jar";
            Dockerfile file = Dockerfile.parse(Repo.read(dockerfile(name)));

            assertThat(file.baseImages(), contains("maven:3.9-eclipse-temurin-21", "eclipse-temurin:21-jre"));
            Instruction mvn = file.all("RUN", false).stream().filter(i -> i.args().contains("mvn ")).findFirst()
                    .orElseThrow(() -> new AssertionError(name + ": no mvn build"));
            assertThat(mvn.stage(), is(0));
            Matcher pl = Pattern.compile("-pl ([\\w,-]+) -am package -DskipTests").matcher(mvn.args());
            assertThat(name + ": " + mvn.args(), pl.find(), is(true));
            assertThat(List.of(pl.group(1).split(",")), hasItem(module));

            // the jar name is the module's finalName, and the module's main class is what the docs say
            String pom = Repo.read(Repo.ROOT.resolve(module).resolve("pom.xml"));
            assertThat(module + " finalName", pom, containsString("<finalName>restic-manager-" + name + "</finalName>"));
            List<String> copies = file.all("COPY", true).stream().map(Instruction::args).toList();
            assertThat(copies, hasItem("--from=build /src/" + module + "/target/" + jar + " /app/" + jar));
            assertThat(copies, hasItem("--from=build /src/" + module + "/target/libs/ /app/libs/"));
            String entrypoint = file.last("ENTRYPOINT").orElseThrow().args();
            assertThat(entrypoint, containsString("\"--enable-native-access=ALL-UNNAMED\""));
            assertThat(entrypoint, containsString("\"-jar\", \"/app/" + jar + "\""));

            Path ignore = Repo.DOCKER.resolve(name + ".Dockerfile.dockerignore");
            assertThat(ignore + " exists (BuildKit's per-Dockerfile ignore file)", Files.isRegularFile(ignore), is(true));
            List<String> ignored = Repo.read(ignore).lines().map(String::strip).toList();
            assertThat(ignored, hasItems("**/target", "compose/secrets", "deploy/k8s/secrets"));
        }));
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
            assertThat("the probe class is compiled in the build stage", file.all("RUN", false).stream()
                    .anyMatch(i -> i.stage() == 0 && i.args().contains("deploy/docker/HealthCheck.java")), is(true));
            assertThat(file.all("COPY", true).stream().map(Instruction::args).toList(),
                       hasItem("--from=build /healthcheck/ /app/healthcheck/"));
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
        assertThat(copies, hasItem("--from=build /agent-dist/ " + dist.group(1) + "/"));
        // the build stage gathers every part of the bundle there: jar, libs, Java flags, the runtime where linked
        String build = String.join(" ", hub.all("RUN", false).stream().map(Instruction::args).toList());
        for (String part : List.of("agent/target/restic-manager-agent.jar", "agent/target/libs", "agent/target/agent.jvm",
                                   "cp -R agent/target/runtime /agent-dist/")) {
            assertThat(build, containsString(part));
        }
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
