package io.resticmanager.deploy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.resticmanager.deploy.Manifests.Doc;
import io.resticmanager.deploy.Manifests.Workload;
import io.resticmanager.deploy.Repo.ServiceSpec;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;

/**
 * The same facts — ports, port variables, peer URLs, secret files, image names — must agree between
 * docs/INTERNAL-API.md, each module's application.yaml and pom, the Dockerfiles, compose and Kubernetes.
 */
class WiringTest {
    /** Images of other projects: pinned, never built here. */
    private static final Set<String> THIRD_PARTY = Set.of("caddy", "rclone/rclone");

    @TestFactory
    Stream<DynamicTest> applicationYamlAndPomAgreeWithTheDocs() {
        List<ServiceSpec> services = Repo.services();
        return services.stream().map(spec -> DynamicTest.dynamicTest(spec.module(), () -> {
            String pom = Repo.read(Repo.ROOT.resolve(spec.module()).resolve("pom.xml"));
            assertThat(pom, containsString("<mainClass>" + spec.mainClass() + "</mainClass>"));
            assertThat(pom, containsString("<finalName>restic-manager-" + spec.shortName() + "</finalName>"));
            Optional<Map<String, Object>> yaml = Repo.applicationYaml(spec.module());
            if (yaml.isEmpty()) {
                return; // the module has not written its configuration yet; the pom and docs still agree
            }
            Map<String, Object> config = yaml.get();
            assertThat(spec.module() + " server.port", Repo.at(config, "server", "port").orElse(null), is(spec.port()));
            assertThat(spec.module() + " server.host", Repo.at(config, "server", "host").orElse(null), is("127.0.0.1"));
            for (ServiceSpec peer : services) {
                Repo.at(config, "rm", "peers", peer.shortName()).ifPresent(url -> assertThat(
                        spec.module() + " rm.peers." + peer.shortName(), url, is("http://127.0.0.1:" + peer.port())));
            }
        }));
    }

    @TestFactory
    Stream<DynamicTest> kubernetesPodsListenWhereTheirPeersCallThem() {
        List<Doc> docs = Manifests.applied();
        Map<String, Workload> workloads = new LinkedHashMap<>();
        Manifests.workloads(docs).forEach(w -> workloads.put(w.name(), w));
        return Repo.services().stream().map(spec -> DynamicTest.dynamicTest(spec.shortName(), () -> {
            Workload w = workloads.get(spec.shortName());
            assertThat("workload " + spec.shortName(), w, notNullValue());
            PodSpec pod = w.template().getSpec();
            Container c = pod.getContainers().get(0);
            assertThat(c.getImage(), is("restic-manager/" + spec.shortName() + ":" + Repo.imageTag()));
            assertThat(K8sManifestsTest.onlyPort(c).getContainerPort(), is(spec.port()));
            Map<String, String> env = k8sEnv(docs, c);
            assertThat(env.get(spec.portVar()), is(String.valueOf(spec.port())));
            assertCommonEnv(spec, env);

            for (ServiceSpec peer : Repo.services()) {
                URI url = URI.create(env.get(peer.urlVar()));
                Service service = Manifests.named(docs, Service.class, url.getHost()).orElseThrow(
                        () -> new AssertionError(spec.shortName() + ": " + peer.urlVar() + " names no Service"));
                assertThat(peer.urlVar() + " → Service " + url.getHost() + " selects " + peer.shortName(),
                           workloads.get(peer.shortName()).template().getMetadata().getLabels().entrySet()
                                   .containsAll(service.getSpec().getSelector().entrySet()), is(true));
                ServicePort port = service.getSpec().getPorts().stream().filter(p -> p.getPort() == url.getPort())
                        .findFirst().orElseThrow(() -> new AssertionError(peer.urlVar() + " port " + url.getPort()
                                                                          + " is not a port of Service " + url.getHost()));
                assertThat(K8sManifestsTest.portOf(workloads.get(peer.shortName()).template().getSpec().getContainers().get(0),
                                                   port.getTargetPort()), is(peer.port()));
            }

            assertThat(spec.shortName() + " internal token file is mounted",
                       secretFileMounted(pod, c, env.get("RM_INTERNAL_TOKEN_FILE"), "internal-token"), is(true));
            boolean seals = sealsSecrets(spec);
            assertThat(spec.shortName() + " gets the secret key exactly when it seals secrets",
                       env.containsKey("RM_SECRET_KEY_FILE"), is(seals));
            if (seals) {
                assertThat(secretFileMounted(pod, c, env.get("RM_SECRET_KEY_FILE"), "secret.key"), is(true));
            }
        }));
    }

    @TestFactory
    Stream<DynamicTest> composeServicesListenWhereTheirPeersCallThem() {
        Map<String, Object> compose = Repo.yaml(Repo.COMPOSE.resolve("docker-compose.yml"));
        return Repo.services().stream().map(spec -> DynamicTest.dynamicTest(spec.shortName(), () -> {
            Map<String, Object> service = ComposeTest.service(compose, spec.shortName());
            assertThat(service.get("image"), is("restic-manager/" + spec.shortName() + ":" + Repo.imageTag()));
            Map<String, String> env = ComposeTest.environment(service);
            assertThat(env.get(spec.portVar()), is(String.valueOf(spec.port())));
            assertCommonEnv(spec, env);
            for (ServiceSpec peer : Repo.services()) {
                assertThat(spec.shortName() + " " + peer.urlVar(), env.get(peer.urlVar()),
                           is("http://" + peer.shortName() + ":" + peer.port()));
                assertThat("compose service " + peer.shortName() + " exists",
                           ((Map<?, ?>) compose.get("services")).containsKey(peer.shortName()), is(true));
            }
            List<String> secrets = ComposeTest.strings(service.get("secrets"));
            assertThat(env.get("RM_INTERNAL_TOKEN_FILE"), is("/run/secrets/internal_token"));
            assertThat(secrets, hasItem("internal_token"));
            boolean seals = sealsSecrets(spec);
            assertThat(spec.shortName() + " gets the secret key exactly when it seals secrets",
                       env.containsKey("RM_SECRET_KEY_FILE"), is(seals));
            assertThat(secrets.contains("secret_key"), is(seals));
            if (seals) {
                assertThat(env.get("RM_SECRET_KEY_FILE"), is("/run/secrets/secret_key"));
            }
        }));
    }

    @Test
    void everyImageIsBuiltHereOrPinnedUpstream() {
        Set<String> images = new TreeSet<>();
        for (Workload w : Manifests.workloads(Manifests.applied())) {
            w.template().getSpec().getContainers().forEach(c -> images.add(c.getImage()));
            Optional.ofNullable(w.template().getSpec().getInitContainers())
                    .ifPresent(list -> list.forEach(c -> images.add(c.getImage())));
        }
        Map<String, Object> compose = Repo.yaml(Repo.COMPOSE.resolve("docker-compose.yml"));
        Map<?, ?> services = (Map<?, ?>) compose.get("services");
        // an image a variable can replace (RM_CADDY_IMAGE, where no registry serves it) is checked by its default
        services.forEach((name, s) -> images.add(((Map<?, ?>) s).get("image").toString()
                                                         .replaceAll("^\\$\\{[A-Z_]+:-(.+)}$", "$1")));

        Set<String> built = new TreeSet<>();
        for (String image : images) {
            int colon = image.lastIndexOf(':');
            assertThat(image + " has a tag", colon > image.lastIndexOf('/'), is(true));
            String repository = image.substring(0, colon);
            String tag = image.substring(colon + 1);
            assertThat(image, tag, not(is("latest")));
            if (repository.startsWith("restic-manager/")) {
                String name = repository.substring("restic-manager/".length());
                assertThat(image + " is built by deploy/docker/" + name + ".Dockerfile",
                           DockerfilesTest.dockerfile(name).toFile().isFile(), is(true));
                assertThat(image + " carries the release version", tag, is(Repo.imageTag()));
                built.add(name);
            } else {
                assertThat(image + " is a known upstream image", THIRD_PARTY, hasItem(repository));
                assertThat(image + " pins a version", tag.matches("\\d+(\\.\\d+)*.*"), is(true));
            }
        }
        assertThat("every Dockerfile's image is used", built, is(new TreeSet<>(DockerfilesTest.imageNames())));

        // compose builds each of its own images from the matching Dockerfile
        services.forEach((name, s) -> {
            Map<?, ?> service = (Map<?, ?>) s;
            String image = service.get("image").toString();
            if (image.startsWith("restic-manager/")) {
                Map<?, ?> build = (Map<?, ?>) service.get("build");
                assertThat(name + " builds its image here (build: section)", build, notNullValue());
                String short_ = image.substring("restic-manager/".length(), image.lastIndexOf(':'));
                assertThat(name + " build context", build.get("context"), is(".."));
                assertThat(name + " dockerfile", build.get("dockerfile"), is("deploy/docker/" + short_ + ".Dockerfile"));
            }
        });

        // kustomization's image list lets an operator retarget every one of them
        Set<String> kustomized = new TreeSet<>();
        for (Object entry : (List<?>) Repo.yaml(Repo.K8S.resolve("kustomization.yaml")).get("images")) {
            kustomized.add(((Map<?, ?>) entry).get("name").toString());
            assertThat(((Map<?, ?>) entry).get("newTag"), is(Repo.imageTag()));
        }
        Set<String> k8sImages = new TreeSet<>();
        Manifests.workloads(Manifests.applied()).forEach(w -> w.template().getSpec().getContainers()
                .forEach(c -> k8sImages.add(c.getImage().substring(0, c.getImage().lastIndexOf(':')))));
        assertThat(kustomized, is(k8sImages));
    }

    /** What every server process needs inside a container network, whatever the orchestrator. */
    private static void assertCommonEnv(ServiceSpec spec, Map<String, String> env) {
        String at = spec.shortName() + " ";
        assertThat(at + "RM_HOST (listen beyond loopback)", env.get("RM_HOST"), is("0.0.0.0"));
        assertThat(at + "RM_MODE (never generate secrets)", env.get("RM_MODE"), is("production"));
        assertThat(at + "RM_DATA_DIR", env.get("RM_DATA_DIR"), is("/data"));
        assertThat(env, hasKey("RM_INTERNAL_TOKEN_FILE"));
        assertThat(env, hasKey("RM_PUBLIC_URL"));
        for (ServiceSpec peer : Repo.services()) {
            // the application.yaml defaults point at 127.0.0.1: in a container that is the wrong host
            assertThat(at + peer.urlVar(), env, hasKey(peer.urlVar()));
        }
    }

    /** Whether the module loads the sealing key (service-kit SecretBox). */
    private static boolean sealsSecrets(ServiceSpec spec) {
        return Repo.mainSourcesContain(spec.module(), "SecretBox.fromConfig")
               || Repo.mainSourcesContain(spec.module(), "secret-key-file");
    }

    /** Container env with ConfigMap envFrom underneath (explicit env wins, as in Kubernetes). */
    private static Map<String, String> k8sEnv(List<Doc> docs, Container c) {
        Map<String, String> env = new LinkedHashMap<>();
        for (EnvFromSource from : Optional.ofNullable(c.getEnvFrom()).orElse(List.of())) {
            assertThat("envFrom is a ConfigMap", from.getConfigMapRef(), notNullValue());
            ConfigMap map = Manifests.named(docs, ConfigMap.class, from.getConfigMapRef().getName())
                    .orElseThrow(() -> new AssertionError("missing ConfigMap " + from.getConfigMapRef().getName()));
            env.putAll(map.getData());
        }
        for (EnvVar var : Optional.ofNullable(c.getEnv()).orElse(List.of())) {
            env.put(var.getName(), var.getValue());
        }
        return env;
    }

    /** Whether {@code path} is a key of a Secret volume the container mounts read-only. */
    private static boolean secretFileMounted(PodSpec pod, Container c, String path, String key) {
        if (path == null) {
            return false;
        }
        List<String> candidates = new ArrayList<>();
        for (VolumeMount mount : c.getVolumeMounts()) {
            // a mount without a pod volume is a StatefulSet's volumeClaimTemplate: never a Secret
            Volume volume = pod.getVolumes().stream().filter(v -> v.getName().equals(mount.getName())).findFirst()
                    .orElse(null);
            if (volume == null || volume.getSecret() == null || !Boolean.TRUE.equals(mount.getReadOnly())) {
                continue;
            }
            volume.getSecret().getItems().stream().filter(item -> item.getKey().equals(key))
                    .forEach(item -> candidates.add(mount.getMountPath() + "/" + item.getPath()));
        }
        return candidates.contains(path);
    }
}
