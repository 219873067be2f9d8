package io.resticmanager.system;

import java.util.List;

/**
 * A {@link Stack} for one benchmark: retried once if it fails to come up, and stopped by a shutdown hook
 * too, so Ctrl-C on {@code script/bench} leaves no service running.
 */
final class BenchStack implements AutoCloseable {
    private final Stack stack;
    private final Thread hook;

    private BenchStack(Stack stack) {
        this.stack = stack;
        this.hook = new Thread(stack::close, "bench-stack-stop");
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

    @Override
    public void close() {
        stack.close();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or will run; nothing to undo
        }
    }
}
