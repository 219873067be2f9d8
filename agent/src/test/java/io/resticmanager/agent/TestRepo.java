package io.resticmanager.agent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Real restic repositories for tests. {@code restic init} costs seconds (key derivation calibration),
 * so one template is initialised per JVM and copied for each test class.
 */
final class TestRepo {
    static final String PASSWORD = "correct-horse-battery-staple";
    private static Path template;

    private TestRepo() {
    }

    static Jobs.ResticSetup restic() {
        Jobs.ResticSetup setup = Agent.detectRestic(Optional.empty());
        if (setup.binary().isEmpty()) {
            throw new IllegalStateException("tests need restic on PATH: " + setup.problem().orElse(""));
        }
        return setup;
    }

    /** A fresh, initialised repository at {@code dir/repo}. */
    static synchronized Path create(Path dir) throws Exception {
        if (template == null) {
            Path t = Files.createTempDirectory("rm-agent-repo-template").resolve("repo");
            ProcessBuilder pb = new ProcessBuilder("restic", "init").redirectErrorStream(true);
            pb.environment().put("RESTIC_REPOSITORY", t.toString());
            pb.environment().put("RESTIC_PASSWORD", PASSWORD);
            Process init = pb.start();
            String out = new String(init.getInputStream().readAllBytes());
            if (init.waitFor() != 0) {
                throw new IllegalStateException("restic init failed: " + out);
            }
            template = t;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(t.getParent())));
        }
        Path repo = dir.resolve("repo");
        copy(template, repo);
        return repo;
    }

    static Restic wrapper(Path repo) {
        Jobs.ResticSetup setup = restic();
        return new Restic(setup.binary().orElseThrow(), setup.version().orElseThrow(), repo.toString(), PASSWORD,
                          Map.of());
    }

    /** A directory of files with incompressible content. */
    static Path data(Path dir, String name, int files, int bytesEach) throws IOException {
        Path d = Files.createDirectories(dir.resolve(name));
        Random random = new Random(name.hashCode());
        for (int i = 0; i < files; i++) {
            byte[] b = new byte[bytesEach];
            random.nextBytes(b);
            Files.write(d.resolve("file-" + i + ".bin"), b);
        }
        return d;
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort: it is a temp directory
        }
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            walk.sorted(Comparator.naturalOrder()).forEach(p -> {
                try {
                    Path target = to.resolve(from.relativize(p).toString());
                    if (Files.isDirectory(p)) {
                        Files.createDirectories(target);
                    } else {
                        Files.copy(p, target);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
