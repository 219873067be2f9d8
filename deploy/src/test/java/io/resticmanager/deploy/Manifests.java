package io.resticmanager.deploy;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.BeanDeserializerBuilder;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Kubernetes manifests parsed strictly into fabric8 model types. fabric8's classes swallow unknown
 * fields into an "additionalProperties" any-setter; removing that setter makes
 * FAIL_ON_UNKNOWN_PROPERTIES apply, so a misspelt or misplaced field fails the parse with its path.
 */
final class Manifests {
    /** apiVersion/kind → model type. A kind missing here fails loudly: add it, do not skip it. */
    private static final Map<String, Class<? extends HasMetadata>> KINDS = Map.of(
            "v1/Namespace", Namespace.class,
            "v1/ConfigMap", ConfigMap.class,
            "v1/Secret", Secret.class,
            "v1/Service", Service.class,
            "apps/v1/Deployment", Deployment.class,
            "apps/v1/StatefulSet", StatefulSet.class,
            "networking.k8s.io/v1/Ingress", Ingress.class,
            "networking.k8s.io/v1/NetworkPolicy", NetworkPolicy.class,
            "policy/v1/PodDisruptionBudget", PodDisruptionBudget.class);

    static final ObjectMapper STRICT = strictMapper();

    /** One parsed document and where it came from. */
    record Doc(String source, HasMetadata resource) {
        String kind() {
            return resource.getKind();
        }

        String name() {
            return resource.getMetadata().getName();
        }
    }

    /** The pod-running resources, with their pod template. */
    record Workload(String kind, String name, int replicas, PodTemplateSpec template, HasMetadata resource) {
    }

    private Manifests() {
    }

    private static ObjectMapper strictMapper() {
        SimpleModule noAnySetter = new SimpleModule("no-additional-properties");
        noAnySetter.setDeserializerModifier(new BeanDeserializerModifier() {
            @Override
            public BeanDeserializerBuilder updateBuilder(DeserializationConfig config, BeanDescription beanDesc,
                                                         BeanDeserializerBuilder builder) {
                builder.setAnySetter(null);
                return builder;
            }
        });
        return YAMLMapper.builder(new YAMLFactory())
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
                .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                .addModule(noAnySetter)
                .build();
    }

    /** Every document of a YAML text, strictly typed; throws on the first that does not fit. */
    static List<Doc> parse(String source, String yaml) {
        List<Doc> docs = new ArrayList<>();
        try (var values = STRICT.readerFor(JsonNode.class).<JsonNode>readValues(yaml)) {
            int index = 0;
            while (values.hasNext()) {
                index++;
                JsonNode node;
                try {
                    node = values.next();
                } catch (RuntimeException e) {
                    throw new IllegalArgumentException(source + " document " + index + ": " + e.getMessage(), e);
                }
                if (node == null || node.isNull() || node.isEmpty()) {
                    continue;
                }
                String key = node.path("apiVersion").asText() + "/" + node.path("kind").asText();
                Class<? extends HasMetadata> type = KINDS.get(key);
                if (type == null) {
                    throw new IllegalArgumentException(source + " document " + index + ": unsupported " + key);
                }
                try {
                    docs.add(new Doc(source + "#" + index, STRICT.treeToValue(node, type)));
                } catch (IOException e) {
                    throw new IllegalArgumentException(source + " document " + index + " (" + key + "): "
                                                       + e.getMessage(), e);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(source + ": not YAML", e);
        }
        return docs;
    }

    static List<Doc> parse(Path file) {
        return parse(Repo.K8S.relativize(file).toString(), Repo.read(file));
    }

    /** The manifests kustomization.yaml applies (its resources), parsed. */
    @SuppressWarnings("unchecked")
    static List<Doc> applied() {
        List<Doc> docs = new ArrayList<>();
        for (Object resource : (List<Object>) Repo.yaml(Repo.K8S.resolve("kustomization.yaml")).get("resources")) {
            docs.addAll(parse(Repo.K8S.resolve(resource.toString())));
        }
        return docs;
    }

    static List<Workload> workloads(List<Doc> docs) {
        List<Workload> workloads = new ArrayList<>();
        for (Doc doc : docs) {
            if (doc.resource() instanceof Deployment d) {
                workloads.add(new Workload("Deployment", doc.name(), d.getSpec().getReplicas(),
                                           d.getSpec().getTemplate(), d));
            } else if (doc.resource() instanceof StatefulSet s) {
                workloads.add(new Workload("StatefulSet", doc.name(), s.getSpec().getReplicas(),
                                           s.getSpec().getTemplate(), s));
            }
        }
        return workloads;
    }

    static <T extends HasMetadata> List<T> ofType(List<Doc> docs, Class<T> type) {
        return docs.stream().map(Doc::resource).filter(type::isInstance).map(type::cast).toList();
    }

    static <T extends HasMetadata> Optional<T> named(List<Doc> docs, Class<T> type, String name) {
        return ofType(docs, type).stream().filter(r -> r.getMetadata().getName().equals(name)).findFirst();
    }
}
