package io.resticmanager.system;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A {@link Stack} for one benchmark: retried once if it fails to come up, stopped by a shutdown hook too, so
 * Ctrl-C on {@code script/bench} leaves no service running, and its data directory (repositories of the
 * backup benchmark: hundreds of MB) deleted when it stops. Service logs stay in the stack's log directory.
 */
final class BenchStack implements AutoCloseable {
    private final Stack stack;
    private final Thread hook;

    private BenchStack(Stack stack) {
        this.stack = stack;
        this.hook = new Thread(this::stop, "bench-stack-stop");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    static BenchStack start(BenchReport report, String name, List<String> jvmOptions, String... jvmProperties) {
        try {
            return new BenchStack(Stack.start(name, jvmOptions, jvmProperties));
        } catch (RuntimeException | AssertionError first) {
            report.note(name + ": the stack failed to start (" + first.getMessage() + "); retried once");
            return new BenchStack(Stack.start(name, jvmOptions, jvmProperties));
        }
    }

    static BenchStack start(BenchReport report, String name, String... jvmProperties) {
        return start(report, name, List.of(), jvmProperties);
    }

    Stack stack() {
        return stack;
    }

    private void stop() {
        stack.close();
        try (Stream<Path> walk = Files.walk(stack.dataDir())) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            System.out.println("  could not delete " + stack.dataDir() + ": " + e.getMessage());
        }
    }

    @Override
    public void close() {
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or will run; nothing to undo
        }
    }
}
