package io.resticmanager.system;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * {@code script/bench}: runs the whole-system benchmarks (each on its own fresh stack, bounded in time and
 * count), prints one table and writes it as JSON under {@code bench/results/}. Exit code 0 when every
 * benchmark measured (goals missed are reported, not failed), 1 when one could not run, 2 for bad arguments.
 */
public final class BenchMain {
    private BenchMain() {
    }

    @FunctionalInterface
    private interface Bench {
        void run(BenchConfig config, BenchReport report) throws Exception;
    }

    public static void main(String[] args) throws Exception {
        BenchConfig config;
        try {
            config = BenchConfig.parse(args, Stack.ROOT);
        } catch (IllegalArgumentException e) {
            if (!e.getMessage().isEmpty()) {
                System.err.println(e.getMessage());
            }
            System.err.print(BenchConfig.USAGE);
            System.exit(e.getMessage().isEmpty() ? 0 : 2);
            return;
        }
        BenchReport report = new BenchReport();
        String mode = config.quick() ? "quick" : "default";
        System.out.println("restic-manager benchmarks (" + mode + "), benchmarks: " + config.only()
                                   + ", logs of the stacks under " + Stack.ROOT.resolve("system-tests/target/system-logs"));
        long started = System.nanoTime();
        for (String name : config.only()) {
            Bench bench = switch (name) {
                case "backup" -> BackupOverheadBench::run;
                case "fleet" -> FleetBench::run;
                case "logs" -> JobLogBench::run;
                case "dashboard" -> DashboardBench::run;
                case "alerts" -> AlertBench::run;
                case "agent" -> AgentFootprintBench::run;
                case "index" -> IndexBench::run;
                case "soak" -> SoakBench::run;
                default -> throw new IllegalStateException(name);
            };
            System.out.println("== " + name);
            long t0 = System.nanoTime();
            try {
                bench.run(config, report);
            } catch (Exception | AssertionError e) {
                e.printStackTrace(System.out);
                report.error(name, e);
            }
            System.out.printf(Locale.ROOT, "== %s took %.0f s%n", name, (System.nanoTime() - t0) / 1e9);
        }
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        report.setting("took_s", took.toSeconds());
        Path json = report.writeJson(config.out(), mode);
        System.out.println();
        System.out.print(report.table());
        System.out.println();
        System.out.printf(Locale.ROOT, "took %d min %02d s; JSON: %s%n", took.toMinutes(), took.toSecondsPart(),
                          Stack.ROOT.relativize(json.toAbsolutePath()));
        System.exit(report.failed() ? 1 : 0);
    }
}
