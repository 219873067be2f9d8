package io.resticmanager.deploy;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** The repository under test: paths, file reading, and the service table of docs/INTERNAL-API.md. */
final class Repo {
    static final Path ROOT = Path.of(System.getProperty("rm.root", "..")).toAbsolutePath().normalize();
    static final Path DEPLOY = ROOT.resolve("deploy");
    static final Path K8S = DEPLOY.resolve("k8s");
    static final Path DOCKER = DEPLOY.resolve("docker");
    static final Path COMPOSE = ROOT.resolve("compose");
    /** Directories never scanned: build output, VCS, runtime data, generated secrets. */
    private static final Set<String> SKIP_DIRS = Set.of("target", ".git", "node_modules", "data", "secrets", ".idea");

    private static final Pattern SERVICE_ROW = Pattern.compile(
            "^\\|\\s*([a-z-]+)\\s*\\|\\s*`(RM_[A-Z_]+)`\\s*\\((\\d+)\\)\\s*\\|\\s*`([\\w.]+)`\\s*\\|\\s*(.+?)\\s*\\|\\s*$");

    private Repo() {
    }

    /**
     * One row of the "Ports and environment" table.
     *
     * @param module    Maven module (gateway, agent-hub, jobs-service, ...)
     * @param portVar   the variable that sets its port
     * @param port      its default port
     * @param mainClass its main class
     * @param stateful  whether it owns a SQLite file
     */
    record ServiceSpec(String module, String portVar, int port, String mainClass, boolean stateful) {
        /** Short name: jar suffix, image, compose service, Kubernetes workload and peer key. */
        String shortName() {
            return module.endsWith("-service") ? module.substring(0, module.length() - "-service".length()) : module;
        }

        /** {@code RM_<PEER>_URL}, the variable others use to reach it. */
        String urlVar() {
            return "RM_" + shortName().toUpperCase().replace('-', '_') + "_URL";
        }

        String jarName() {
            return "restic-manager-" + shortName() + ".jar";
        }
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The services of docs/INTERNAL-API.md, in table order. */
    static List<ServiceSpec> services() {
        List<ServiceSpec> services = new ArrayList<>();
        for (String line : read(ROOT.resolve("docs/INTERNAL-API.md")).split("\n")) {
            Matcher m = SERVICE_ROW.matcher(line);
            if (m.matches()) {
                services.add(new ServiceSpec(m.group(1), m.group(2), Integer.parseInt(m.group(3)), m.group(4),
                                             m.group(5).contains(".db")));
            }
        }
        if (services.size() < 5) {
            throw new IllegalStateException("docs/INTERNAL-API.md: expected the 5-service port table, found " + services);
        }
        return services;
    }

    static ServiceSpec service(String shortName) {
        return services().stream().filter(s -> s.shortName().equals(shortName)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no service " + shortName + " in docs/INTERNAL-API.md"));
    }

    /** The release the images are tagged with: the project version without -SNAPSHOT. */
    static String imageTag() {
        return System.getProperty("rm.version", "0.1.0-SNAPSHOT").replace("-SNAPSHOT", "");
    }

    /** Files under {@code dir} whose name matches, skipping build output, VCS and secrets. */
    static List<Path> files(Path dir, Pattern name) {
        List<Path> found = new ArrayList<>();
        walk(dir, name, found);
        found.sort(null);
        return found;
    }

    private static void walk(Path dir, Pattern name, List<Path> found) {
        try (Stream<Path> entries = Files.list(dir)) {
            for (Path p : entries.toList()) {
                String fileName = p.getFileName().toString();
                if (Files.isDirectory(p)) {
                    if (!SKIP_DIRS.contains(fileName)) {
                        walk(p, name, found);
                    }
                } else if (name.matcher(fileName).matches()) {
                    found.add(p);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** YAML with merge keys and anchors resolved (as compose does). */
    @SuppressWarnings("unchecked")
    static Map<String, Object> yaml(Path file) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        Object doc = new Yaml(options).load(read(file));
        return doc == null ? new LinkedHashMap<>() : (Map<String, Object>) doc;
    }

    /** A nested value by keys, e.g. {@code at(map, "server", "port")}. */
    @SuppressWarnings("unchecked")
    static Optional<Object> at(Map<String, Object> map, String... keys) {
        Object current = map;
        for (String key : keys) {
            if (!(current instanceof Map<?, ?> m) || !m.containsKey(key)) {
                return Optional.empty();
            }
            current = ((Map<String, Object>) m).get(key);
        }
        return Optional.ofNullable(current);
    }

    /** A module's application.yaml, when the module has written one. */
    static Optional<Map<String, Object>> applicationYaml(String module) {
        Path file = ROOT.resolve(module).resolve("src/main/resources/application.yaml");
        return Files.isRegularFile(file) ? Optional.of(yaml(file)) : Optional.empty();
    }

    /** Whether any main source file of the module contains the text. */
    static boolean mainSourcesContain(String module, String text) {
        Path src = ROOT.resolve(module).resolve("src/main/java");
        if (!Files.isDirectory(src)) {
            return false;
        }
        return files(src, Pattern.compile(".*\\.java")).stream().anyMatch(f -> read(f).contains(text));
    }
}
