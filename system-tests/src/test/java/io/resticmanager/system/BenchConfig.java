package io.resticmanager.system;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Sizes of one benchmark run. Defaults are the full run; {@code --quick} the small one; any size can be
 * set with {@code --name=value} (see {@link #USAGE}).
 */
record BenchConfig(boolean quick,
                   Set<String> only,
                   int agents,
                   int heartbeatS,
                   int heartbeatWindowS,
                   int dispatchSamples,
                   int logLines,
                   int logBatch,
                   int watchers,
                   int pacedRate,
                   int pacedSeconds,
                   int hosts,
                   int snapshots,
                   int pageRequests,
                   int dataMb,
                   int backupRuns,
                   int alertSamples,
                   int soakMinutes,
                   int soakAgents,
                   int idleSeconds,
                   long seed,
                   Path out,
                   int indexFiles,
                   int indexSnapshots,
                   int indexSnapshotFiles,
                   int indexChanges) {

    static final List<String> BENCHMARKS = List.of("backup", "fleet", "logs", "dashboard", "alerts", "agent",
                                                     "index", "soak");
    /** The soak runs for minutes by design: only when named in --only, never as part of the default run. */
    static final List<String> DEFAULT = BENCHMARKS.subList(0, BENCHMARKS.size() - 1);

    static final String USAGE = """
            usage: script/bench [--quick] [--only=backup,fleet,logs,dashboard,alerts,agent,index,soak] [--name=value ...]
              --quick               small sizes (about 2 minutes)
              --only=LIST           run only these benchmarks (default: all but soak, in the order above)
              --agents=N            simulated agents for the fleet benchmark (default 10000; quick 500)
              --heartbeat-s=N       heartbeat interval the hub tells agents (default 15, the product default)
              --heartbeat-window-s=N  one window of heartbeat (and idle) CPU; the figure is the median of 3
                                    (default 20; quick 8)
              --dispatch-samples=N  run-now jobs timed at full fleet load (default 300; quick 50)
              --log-lines=N         lines streamed as fast as the agent can send (default 200000; quick 20000)
              --log-batch=N         lines per job.log frame (default 500)
              --watchers=N          browsers tailing the job (default 10)
              --paced-rate=N        lines/s of the paced phase measuring tail latency (default 2000)
              --paced-s=N           seconds of the paced phase (default 10; quick 5)
              --hosts=N             hosts seeded for the dashboard (default 1000; quick 200)
              --snapshots=N         snapshots seeded for one host (default 100000; quick 10000)
              --page-requests=N     timed requests per page (default 200; quick 50)
              --data-mb=N           backup data set size (default 200; quick 20)
              --backup-runs=N       timed runs of each kind of backup (default 3)
              --alert-samples=N     real backups that fail or recover, each timed to its notifications
                                    (default 30; quick 10)
              --soak-minutes=N      length of the soak's measured window, after a warm-up (default 10; quick 2)
              --soak-agents=N       simulated agents connected during the soak (default 1000; quick 200)
              --idle-s=N            how long the idle agent's memory and CPU are watched (default 60; quick 20)
              --index-files=N       files in the tree-index data set (default 50000; quick 20000; the issue's
                                    full size is 1000000)
              --index-snapshots=N   snapshots seeded for the search benchmark (default 1000; quick 50)
              --index-snapshot-files=N  files in each seeded snapshot (default 100000; quick 20000)
              --index-changes=N     files changed from one seeded snapshot to the next (default 10)
              --seed=N              data set seed (default 42)
              --out=DIR             where the JSON goes (default bench/results)
            """;

    static BenchConfig parse(String[] args, Path root) {
        boolean quick = List.of(args).contains("--quick");
        Map<String, String> values = new LinkedHashMap<>();
        for (String arg : args) {
            if (arg.equals("--quick")) {
                continue;
            }
            if (arg.equals("--help") || arg.equals("-h")) {
                throw new IllegalArgumentException("");
            }
            if (!arg.startsWith("--") || !arg.contains("=")) {
                throw new IllegalArgumentException("unknown argument: " + arg);
            }
            values.put(arg.substring(2, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
        }
        Set<String> only = new LinkedHashSet<>(DEFAULT);
        String onlyText = values.remove("only");
        if (onlyText != null) {
            only.clear();
            for (String name : onlyText.split(",")) {
                if (!BENCHMARKS.contains(name.strip())) {
                    throw new IllegalArgumentException("unknown benchmark: " + name + " (known: " + BENCHMARKS + ")");
                }
                only.add(name.strip());
            }
        }
        Ints ints = new Ints(values);
        BenchConfig config = new BenchConfig(quick, only,
                ints.get("agents", quick ? 500 : 10_000),
                ints.get("heartbeat-s", 15),
                ints.get("heartbeat-window-s", quick ? 8 : 20),
                ints.get("dispatch-samples", quick ? 50 : 300),
                ints.get("log-lines", quick ? 20_000 : 200_000),
                ints.get("log-batch", 500),
                ints.get("watchers", 10),
                ints.get("paced-rate", 2_000),
                ints.get("paced-s", quick ? 5 : 10),
                ints.get("hosts", quick ? 200 : 1_000),
                ints.get("snapshots", quick ? 10_000 : 100_000),
                ints.get("page-requests", quick ? 50 : 200),
                ints.get("data-mb", quick ? 20 : 200),
                ints.get("backup-runs", 3),
                ints.get("alert-samples", quick ? 10 : 30),
                ints.get("soak-minutes", quick ? 2 : 10),
                ints.get("soak-agents", quick ? 200 : 1_000),
                ints.get("idle-s", quick ? 20 : 60),
                ints.get("seed", 42),
                root.resolve(values.getOrDefault("out", "bench/results")),
                ints.get("index-files", quick ? 20_000 : 50_000),
                ints.get("index-snapshots", quick ? 50 : 1_000),
                ints.get("index-snapshot-files", quick ? 20_000 : 100_000),
                ints.get("index-changes", 10));
        values.remove("out");
        values.keySet().removeAll(ints.used);
        if (!values.isEmpty()) {
            throw new IllegalArgumentException("unknown option(s): " + values.keySet());
        }
        return config;
    }

    private static final class Ints {
        private final Map<String, String> values;
        private final Set<String> used = new LinkedHashSet<>();

        Ints(Map<String, String> values) {
            this.values = values;
        }

        int get(String name, int fallback) {
            used.add(name);
            String v = values.get(name);
            if (v == null) {
                return fallback;
            }
            try {
                int n = Integer.parseInt(v.replace("_", ""));
                if (n < 1) {
                    throw new IllegalArgumentException("--" + name + " must be at least 1");
                }
                return n;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--" + name + " needs a whole number, not " + v);
            }
        }
    }
}
