package io.resticmanager.deploy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.resticmanager.deploy.Manifests.Doc;
import io.resticmanager.deploy.Manifests.Workload;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** deploy/k8s: strictly typed, hardened, and wired the way docs/INTERNAL-API.md says. */
class K8sManifestsTest {
    private static final Pattern YAML = Pattern.compile(".*\\.ya?ml");

    /**
     * Who calls whom (docs/INTERNAL-API.md, ARCHITECTURE.md "Request paths"): the gateway proxies to every
     * service; agent-hub pushes events to jobs and inventory; jobs sends commands to the hub and reads repo
     * access from inventory; inventory revokes/disables agents on the hub; ui reads the gateway's /api.
     */
    private static final Map<String, Set<String>> CALLERS = Map.of(
            "agent-hub", Set.of("gateway", "jobs", "inventory"),
            "jobs", Set.of("gateway", "agent-hub"),
            "inventory", Set.of("gateway", "agent-hub", "jobs"),
            "ui", Set.of("gateway"));
    private static final String OUTSIDE = "<outside the namespace>";

    @TestFactory
    Stream<DynamicTest> everyManifestParsesStrictly() {
        return manifestFiles().stream().map(file -> DynamicTest.dynamicTest(Repo.K8S.relativize(file).toString(), () -> {
            List<Doc> docs = Manifests.parse(file);
            assertThat(file + " holds no resource", docs, not(empty()));
        }));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            misspelt spec field   | apiVersion: apps/v1\\nkind: Deployment\\nmetadata: {name: x}\\nspec: {replica: 2}
            misplaced field       | apiVersion: v1\\nkind: Service\\nmetadata: {name: x}\\nspec: {containerPort: 80}
            metadata typo         | apiVersion: v1\\nkind: Namespace\\nmetadata: {name: x, lables: {a: b}}
            unknown kind          | apiVersion: v1\\nkind: Sekret\\nmetadata: {name: x}
            duplicate key         | apiVersion: v1\\nkind: Namespace\\nmetadata: {name: x, name: y}
            """)
    void theStrictParserRejectsWhatKubectlWouldMisread(String why, String yaml) {
        String text = yaml.replace("\\n", "\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Manifests.parse(why, text));
        assertThat(e.getMessage(), containsString(why));
    }

    @Test
    void theStrictParserAcceptsAValidManifest() {
        List<Doc> docs = Manifests.parse("ok", """
                apiVersion: v1
                kind: Service
                metadata: {name: x}
                spec:
                  selector: {app: x}
                  ports: [{name: http, port: 80, targetPort: http}]
                """);
        assertThat(docs, hasSize(1));
        assertThat(((Service) docs.get(0).resource()).getSpec().getPorts().get(0).getTargetPort().getStrVal(),
                   is("http"));
    }

    @Test
    void kustomizationAppliesEveryManifestAndGeneratesTheSecretFromIgnoredFiles() {
        Map<String, Object> kustomization = Repo.yaml(Repo.K8S.resolve("kustomization.yaml"));
        Set<String> listed = new TreeSet<>();
        for (Object resource : (List<?>) kustomization.get("resources")) {
            listed.add(resource.toString());
        }
        Set<String> expected = manifestFiles().stream().map(f -> Repo.K8S.relativize(f).toString())
                .filter(name -> !name.endsWith(".example.yaml"))
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat("kustomization.yaml resources vs. the manifests in deploy/k8s", listed, is(expected));
        assertThat(kustomization.get("namespace"), is("restic-manager"));

        Map<?, ?> generator = (Map<?, ?>) ((List<?>) kustomization.get("secretGenerator")).get(0);
        String secretName = generator.get("name").toString();
        assertThat(Repo.at(kustomization, "generatorOptions", "disableNameSuffixHash").orElse(false), is(true));
        Set<String> keys = new HashSet<>();
        for (Object entry : (List<?>) generator.get("files")) {
            String[] keyAndFile = entry.toString().split("=", 2);
            keys.add(keyAndFile[0]);
            assertThat("secret files come from the ignored secrets/ directory", keyAndFile[1], containsString("secrets/"));
        }
        assertThat(keys, is(Set.of("internal-token", "secret.key", "release.key")));
        assertThat(Repo.read(Repo.K8S.resolve(".gitignore")), containsString("secrets/"));

        // every pod mounts exactly that Secret, with keys it really has
        for (Workload w : Manifests.workloads(Manifests.applied())) {
            w.template().getSpec().getVolumes().stream().filter(v -> v.getSecret() != null).forEach(v -> {
                assertThat(w.name(), v.getSecret().getSecretName(), is(secretName));
                v.getSecret().getItems().forEach(item -> assertThat(w.name(), keys, hasItem(item.getKey())));
            });
        }
    }

    @Test
    void kustomizeRendersOfflineIntoStrictlyValidResources(@TempDir Path tmp) throws IOException {
        assumeTrue(Proc.which("kubectl").isPresent(), "kubectl is not installed: `kubectl kustomize` check skipped");
        Path copy = tmp.resolve("k8s");
        Files.createDirectories(copy);
        for (Path f : manifestFiles()) {
            Files.copy(f, copy.resolve(f.getFileName()));
        }
        Files.copy(Repo.K8S.resolve("kustomization.yaml"), copy.resolve("kustomization.yaml"));
        Proc.Result missing = Proc.run(copy, List.of("kubectl", "kustomize", "."));
        assertThat("without generated secrets the build must fail", missing.ok(), is(false));

        assertThat(Proc.run(Repo.ROOT, List.of("sh", Repo.DEPLOY.resolve("gen-secrets.sh").toString(),
                                                copy.resolve("secrets").toString())).ok(), is(true));
        Proc.Result rendered = Proc.run(copy, List.of("kubectl", "kustomize", "."));
        assertThat(rendered.output(), rendered.ok(), is(true));
        List<Doc> docs = Manifests.parse("kubectl kustomize", rendered.output());
        for (Doc doc : docs) {
            if (!(doc.resource() instanceof Namespace)) {
                assertThat(doc.kind() + " " + doc.name(), doc.resource().getMetadata().getNamespace(), is("restic-manager"));
            }
        }
        Secret secret = Manifests.named(docs, Secret.class, "restic-manager-secrets").orElseThrow();
        assertThat(secret.getData().keySet(), is(Set.of("internal-token", "secret.key", "release.key")));
    }

    @Test
    void everyPodRunsHardenedWithProbesAndResources() {
        List<Workload> workloads = Manifests.workloads(Manifests.applied());
        assertThat(workloads, hasSize(Repo.services().size()));
        for (Workload w : workloads) {
            PodSpec pod = w.template().getSpec();
            String where = w.kind() + " " + w.name();
            assertThat(where + " runAsNonRoot", pod.getSecurityContext().getRunAsNonRoot(), is(true));
            assertThat(where + " runAsUser", pod.getSecurityContext().getRunAsUser(), greaterThanOrEqualTo(1000L));
            assertThat(where + " seccomp", pod.getSecurityContext().getSeccompProfile().getType(), is("RuntimeDefault"));
            assertThat(where + " service account token", pod.getAutomountServiceAccountToken(), is(false));
            for (Container c : pod.getContainers()) {
                String at = where + " container " + c.getName();
                var sc = c.getSecurityContext();
                assertThat(at + " readOnlyRootFilesystem", sc.getReadOnlyRootFilesystem(), is(true));
                assertThat(at + " allowPrivilegeEscalation", sc.getAllowPrivilegeEscalation(), is(false));
                assertThat(at + " runAsNonRoot", sc.getRunAsNonRoot(), is(true));
                assertThat(at + " capabilities", sc.getCapabilities().getDrop(), is(List.of("ALL")));
                assertThat(at + " adds capabilities", sc.getCapabilities().getAdd(), is(empty()));
                assertThat(at + " seccomp", sc.getSeccompProfile().getType(), is("RuntimeDefault"));

                for (String resource : List.of("cpu", "memory")) {
                    Quantity request = c.getResources().getRequests().get(resource);
                    Quantity limit = c.getResources().getLimits().get(resource);
                    assertThat(at + " requests." + resource, request, notNullValue());
                    assertThat(at + " limits." + resource, limit, notNullValue());
                    assertThat(at + " " + resource + " limit >= request",
                               limit.getNumericalAmount().compareTo(request.getNumericalAmount()), greaterThanOrEqualTo(0));
                }

                int port = onlyPort(c).getContainerPort();
                Probe readiness = c.getReadinessProbe();
                assertThat(at + " readiness probe", readiness, notNullValue());
                assertThat(at + " readiness path", readiness.getHttpGet().getPath(), is("/health"));
                assertThat(at + " readiness port", portOf(c, readiness.getHttpGet().getPort()), is(port));
                Probe liveness = c.getLivenessProbe();
                assertThat(at + " liveness probe", liveness, notNullValue());
                IntOrString livePort = liveness.getHttpGet() != null ? liveness.getHttpGet().getPort()
                                                                     : liveness.getTcpSocket().getPort();
                assertThat(at + " liveness port", portOf(c, livePort), is(port));
                if (liveness.getHttpGet() != null) {
                    assertThat(at + " liveness path", liveness.getHttpGet().getPath(), is("/health"));
                }

                assertThat(at + " image tag", c.getImage(), not(containsString(":latest")));
                assertThat(at + " image tag", c.getImage(), containsString(":"));
                // a read-only root needs a writable /tmp (JVM, sqlite-jdbc's native library)
                String tmpVolume = c.getVolumeMounts().stream().filter(m -> m.getMountPath().equals("/tmp"))
                        .findFirst().orElseThrow(() -> new AssertionError(at + " mounts no /tmp")).getName();
                assertThat(at + " /tmp is an emptyDir", pod.getVolumes().stream()
                        .anyMatch(v -> v.getName().equals(tmpVolume) && v.getEmptyDir() != null), is(true));
            }
        }
    }

    @Test
    void statefulServicesAreSingleReplicaStatefulSetsWithTheirOwnVolume() {
        List<Doc> docs = Manifests.applied();
        Map<String, Workload> byName = Manifests.workloads(docs).stream()
                .collect(Collectors.toMap(Workload::name, w -> w));
        for (Repo.ServiceSpec spec : Repo.services()) {
            Workload w = byName.get(spec.shortName());
            assertThat("no workload named " + spec.shortName(), w, notNullValue());
            if (spec.stateful()) {
                // SQLite has one writer: a second replica would be a second, diverging database
                assertThat(spec.module() + " owns a SQLite file", w.kind(), is("StatefulSet"));
                assertThat(spec.module() + " replicas", w.replicas(), is(1));
                StatefulSet set = (StatefulSet) w.resource();
                assertThat(set.getSpec().getVolumeClaimTemplates(), hasSize(1));
                String claim = set.getSpec().getVolumeClaimTemplates().get(0).getMetadata().getName();
                assertThat(spec.module() + " mounts its claim at /data",
                           w.template().getSpec().getContainers().get(0).getVolumeMounts().stream()
                                   .anyMatch(m -> m.getName().equals(claim) && m.getMountPath().equals("/data")),
                           is(true));
                assertThat(spec.module() + " manifest explains the single replica",
                           Repo.read(Repo.K8S.resolve(spec.shortName() + ".yaml")), containsString("one writer"));
            } else {
                assertThat(spec.module() + " is stateless", w.kind(), is("Deployment"));
                assertThat(spec.module() + " replicas", w.replicas(), greaterThanOrEqualTo(2));
            }
        }
    }

    @Test
    void servicesSelectTheirPodsAndStatefulSetsHaveHeadlessGoverningServices() {
        List<Doc> docs = Manifests.applied();
        List<Workload> workloads = Manifests.workloads(docs);
        for (Service service : Manifests.ofType(docs, Service.class)) {
            String name = service.getMetadata().getName();
            List<Workload> selected = workloads.stream()
                    .filter(w -> w.template().getMetadata().getLabels().entrySet()
                            .containsAll(service.getSpec().getSelector().entrySet()))
                    .toList();
            assertThat("Service " + name + " selects exactly one workload", selected, hasSize(1));
            Container c = selected.get(0).template().getSpec().getContainers().get(0);
            service.getSpec().getPorts().forEach(p -> assertThat("Service " + name + " targetPort",
                    portOf(c, p.getTargetPort()), is(onlyPort(c).getContainerPort())));
        }
        for (StatefulSet set : Manifests.ofType(docs, StatefulSet.class)) {
            Service governing = Manifests.named(docs, Service.class, set.getSpec().getServiceName())
                    .orElseThrow(() -> new AssertionError("StatefulSet " + set.getMetadata().getName()
                                                          + " names a missing Service"));
            assertThat("governing Service of " + set.getMetadata().getName() + " is headless",
                       governing.getSpec().getClusterIP(), is("None"));
            assertThat(set.getSpec().getTemplate().getMetadata().getLabels().entrySet()
                               .containsAll(governing.getSpec().getSelector().entrySet()), is(true));
        }
    }

    @Test
    void theIngressReachesOnlyTheGatewayAndKeepsWebSocketsOpen() {
        List<Doc> docs = Manifests.applied();
        List<Ingress> ingresses = Manifests.ofType(docs, Ingress.class);
        assertThat(ingresses, hasSize(1));
        Ingress ingress = ingresses.get(0);
        Map<String, String> annotations = ingress.getMetadata().getAnnotations();
        for (String timeout : List.of("nginx.ingress.kubernetes.io/proxy-read-timeout",
                                      "nginx.ingress.kubernetes.io/proxy-send-timeout")) {
            assertThat(timeout, Integer.parseInt(annotations.get(timeout)), greaterThanOrEqualTo(3600));
        }
        Service gateway = Manifests.named(docs, Service.class, "gateway").orElseThrow();
        ingress.getSpec().getRules().forEach(rule -> rule.getHttp().getPaths().forEach(path -> {
            var backend = path.getBackend().getService();
            assertThat(backend.getName(), is("gateway"));
            assertThat(gateway.getSpec().getPorts().stream().anyMatch(p -> p.getName().equals(backend.getPort().getName())
                    || p.getPort().equals(backend.getPort().getNumber())), is(true));
        }));
    }

    @Test
    void networkPoliciesAdmitOnlyTheCallersTheDocsName() {
        List<Doc> docs = Manifests.applied();
        List<NetworkPolicy> policies = Manifests.ofType(docs, NetworkPolicy.class);
        List<NetworkPolicy> denyAll = policies.stream()
                .filter(p -> p.getSpec().getPodSelector().getMatchLabels() == null
                             || p.getSpec().getPodSelector().getMatchLabels().isEmpty())
                .toList();
        assertThat("one default-deny policy", denyAll, hasSize(1));
        assertThat(denyAll.get(0).getSpec().getPolicyTypes(), hasItem("Ingress"));
        assertThat(denyAll.get(0).getSpec().getIngress(), is(empty()));

        List<Workload> workloads = Manifests.workloads(docs);
        for (Workload target : workloads) {
            Map<String, String> labels = target.template().getMetadata().getLabels();
            int port = onlyPort(target.template().getSpec().getContainers().get(0)).getContainerPort();
            Set<String> admitted = new TreeSet<>();
            for (NetworkPolicy policy : policies) {
                Map<String, String> selector = policy.getSpec().getPodSelector().getMatchLabels();
                if (selector == null || selector.isEmpty() || !labels.entrySet().containsAll(selector.entrySet())) {
                    continue;
                }
                for (NetworkPolicyIngressRule rule : policy.getSpec().getIngress()) {
                    rule.getPorts().forEach(p -> assertThat(policy.getMetadata().getName() + " port",
                                                            p.getPort().getIntVal(), is(port)));
                    admitted.addAll(sources(rule, workloads));
                }
            }
            if (target.name().equals("gateway")) {
                assertThat("the gateway is the public entry", admitted, hasItem(OUTSIDE));
            } else {
                Set<String> expected = new TreeSet<>(CALLERS.get(target.name()));
                assertThat("who may call " + target.name(), admitted, is(expected));
            }
        }
    }

    /** Workload names a rule admits; {@link #OUTSIDE} when it admits anything beyond this namespace's pods. */
    private static Set<String> sources(NetworkPolicyIngressRule rule, List<Workload> workloads) {
        Set<String> names = new TreeSet<>();
        if (rule.getFrom().isEmpty()) {
            names.add(OUTSIDE);
            workloads.forEach(w -> names.add(w.name()));
            return names;
        }
        for (NetworkPolicyPeer peer : rule.getFrom()) {
            if (peer.getNamespaceSelector() != null || peer.getIpBlock() != null || peer.getPodSelector() == null) {
                names.add(OUTSIDE);
                continue;
            }
            Map<String, String> selector = peer.getPodSelector().getMatchLabels();
            workloads.stream().filter(w -> w.template().getMetadata().getLabels().entrySet().containsAll(selector.entrySet()))
                    .forEach(w -> names.add(w.name()));
        }
        return names;
    }

    static List<Path> manifestFiles() {
        List<Path> files = new ArrayList<>(Repo.files(Repo.K8S, YAML));
        files.removeIf(f -> f.getFileName().toString().equals("kustomization.yaml"));
        return files;
    }

    static ContainerPort onlyPort(Container c) {
        assertThat(c.getName() + " exposes one port", c.getPorts(), hasSize(1));
        return c.getPorts().get(0);
    }

    /** A probe/Service port (number or container port name) as a number. */
    static int portOf(Container c, IntOrString port) {
        if (port.getIntVal() != null) {
            return port.getIntVal();
        }
        return c.getPorts().stream().filter(p -> port.getStrVal().equals(p.getName())).findFirst()
                .orElseThrow(() -> new AssertionError(c.getName() + " has no port named " + port.getStrVal()))
                .getContainerPort();
    }

    @Test
    void everyWorkloadSelectorMatchesItsTemplate() {
        for (Workload w : Manifests.workloads(Manifests.applied())) {
            Map<String, String> selector = w.resource() instanceof StatefulSet s
                    ? s.getSpec().getSelector().getMatchLabels()
                    : ((io.fabric8.kubernetes.api.model.apps.Deployment) w.resource()).getSpec().getSelector().getMatchLabels();
            assertThat(w.name(), w.template().getMetadata().getLabels().entrySet().containsAll(selector.entrySet()), is(true));
            assertThat(w.name() + " selector", selector.keySet(), everyItem(containsString("app.kubernetes.io/")));
        }
    }
}
