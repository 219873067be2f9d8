package io.resticmanager.system;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static io.resticmanager.system.BenchReport.Goal;

/**
 * The soak's rows: start against end per service process and per database, the bytes each stored item costs,
 * and the first minute's latencies against the last minute's. Bounds (growth within noise):
 * <ul>
 *   <li>live heap after full GC: end ≤ start × 1.2 + 16 MiB (G1 counts use by region, so two readings of the
 *       same live set differ by MiBs, and the running mix keeps requests in flight);</li>
 *   <li>open descriptors: end ≤ start + 20 (pooled connections and the live-log streams come and go);</li>
 *   <li>stored bytes per log row ≤ 512 (about 150 bytes of data), per job and per snapshot ≤ 2 KiB: a few times
 *       what the row holds, B-tree pages and indexes included;</li>
 *   <li>last-minute p99 ≤ first-minute p99 × 2 + 50 ms (p99 of a minute's samples is noisy); the first minute
 *       against the goals of the fleet and dashboard benchmarks (1 s dispatch, 500 ms pages, 200 ms API).</li>
 * </ul>
 */
final class SoakVerdict {
    private static final double MIB = 1024 * 1024;
    private static final double HEAP_RATIO = 1.2;
    private static final long HEAP_SLACK = 16L * 1024 * 1024;
    private static final long FD_SLACK = 20;
    /** A line is ~80 characters of text, a timestamp, the job id and seq: about 150 bytes before B-tree overhead. */
    private static final double BYTES_PER_LINE = 512;
    /** A job row: ids, status, times, params, restic's summary and the command line, plus two indexes. */
    private static final double BYTES_PER_JOB = 2048;
    /** A snapshot row: two 64-hex ids, time, paths, tags, hostname, summary, plus its indexes. */
    private static final double BYTES_PER_SNAPSHOT = 2048;
    private static final long MINUTE = 60_000_000_000L;

    private final String name;
    private final BenchReport report;
    private final SoakReading start;
    private final SoakReading end;
    private final long windowStart;
    private final long windowEnd;

    /** Readings at the start and the end of the window [windowStart, windowEnd) (System.nanoTime()). */
    SoakVerdict(String name, BenchReport report, SoakReading start, SoakReading end, long windowStart,
                long windowEnd) {
        this.name = name;
        this.report = report;
        this.start = start;
        this.end = end;
        this.windowStart = windowStart;
        this.windowEnd = windowEnd;
    }

    void report(SoakMix mix) {
        processes();
        databases();
        latencies(mix.samples());
        SoakTail tail = mix.tail();
        report.add(name, "live-log browsers that got every line", tail.complete(), "browsers",
                   Goal.atLeast(tail.watched()), SoakTail.WATCHERS + " browsers per job, " + SoakTail.RATE
                           + " lines/s for " + SoakTail.JOB_S + " s, one job after another");
        BenchStats live = mix.samples().between(SoakTail.SAMPLES, windowStart, windowEnd);
        report.add(name, "live tail latency p99", live.percentile(99), "ms", Goal.NONE, live.count() + " lines shown");
        report.add(name, "failed operations", mix.samples().failures(), "ops", Goal.atMost(0),
                   mix.samples().failureSummary());
    }

    private void processes() {
        for (String service : end.processes().keySet()) {
            SoakReading.Proc a = start.processes().get(service);
            SoakReading.Proc b = end.processes().get(service);
            double bound = (a.heapBytes() * HEAP_RATIO + HEAP_SLACK - a.heapBytes()) / MIB;
            report.add(name, service + " live heap growth", (b.heapBytes() - a.heapBytes()) / MIB, "MiB",
                       Goal.atMost(bound), String.format(Locale.ROOT, "after full GC %.1f → %.1f MiB (bound: end ≤ "
                               + "start × %.1f + %d MiB)", a.heapBytes() / MIB, b.heapBytes() / MIB, HEAP_RATIO,
                               HEAP_SLACK >> 20));
            report.add(name, service + " open descriptors growth", b.fds() - a.fds(), "fds", Goal.atMost(FD_SLACK),
                       a.fds() + " → " + b.fds());
            report.add(name, service + " RSS growth", (b.rssBytes() - a.rssBytes()) / MIB, "MiB", Goal.NONE,
                       String.format(Locale.ROOT, "%.1f → %.1f MiB (the JVM grows its heap as it likes: no leak "
                               + "signal alone)", a.rssBytes() / MIB, b.rssBytes() / MIB));
        }
    }

    private void databases() {
        for (String db : end.databases().keySet()) {
            BenchSqlite.Usage a = start.databases().get(db);
            BenchSqlite.Usage b = end.databases().get(db);
            if (a == null) {
                continue;
            }
            report.add(name, db + " growth (pages in use)", (b.usedBytes() - a.usedBytes()) / MIB, "MiB", Goal.NONE,
                       String.format(Locale.ROOT, "in use %.2f → %.2f MiB, on disk with WAL %.2f → %.2f MiB; %s",
                                     a.usedBytes() / MIB, b.usedBytes() / MIB, a.diskBytes() / MIB,
                                     b.diskBytes() / MIB, grownTables(a, b)));
        }
        long jobs = start.rowsAdded(end, "jobs.db", "jobs");
        long lines = start.rowsAdded(end, "jobs.db", "job_logs");
        long snapshots = start.rowsAdded(end, "inventory.db", "snapshots");
        report.add(name, "run-now and live-log jobs stored", jobs, "jobs", Goal.NONE);
        report.add(name, "log rows stored", lines, "rows", Goal.NONE, "lines plus each job's ack and finish");
        report.add(name, "snapshots stored", snapshots, "snapshots", Goal.NONE);
        perItem("stored bytes per log row (job_logs)", "jobs.db", "job_logs", lines, BYTES_PER_LINE);
        perItem("stored bytes per job (jobs)", "jobs.db", "jobs", jobs, BYTES_PER_JOB);
        perItem("stored bytes per snapshot (snapshots)", "inventory.db", "snapshots", snapshots, BYTES_PER_SNAPSHOT);
        long all = end.databases().values().stream().mapToLong(BenchSqlite.Usage::usedBytes).sum()
                - start.databases().values().stream().mapToLong(BenchSqlite.Usage::usedBytes).sum();
        report.add(name, "all databases, bytes per job (all-in)", jobs == 0 ? Double.NaN : all / (double) jobs, "B",
                   Goal.NONE, "every database's growth over the jobs stored: their lines, snapshots, events, audit");
    }

    private void perItem(String metric, String db, String table, long rows, double bound) {
        long bytes = start.bytesAdded(end, db, table);
        report.add(name, metric, rows <= 0 ? Double.NaN : bytes / (double) rows, "B", Goal.atMost(bound),
                   String.format(Locale.ROOT, "%s.%s grew %.2f MiB for %,d rows", db, table, bytes / MIB, rows));
    }

    /** The tables that grew most, with their new rows: where the growth went. */
    private static String grownTables(BenchSqlite.Usage a, BenchSqlite.Usage b) {
        List<String> parts = new ArrayList<>();
        b.tables().keySet().stream()
                .map(t -> Map.entry(t, new BenchSqlite.Table(b.table(t).bytes() - a.table(t).bytes(),
                                                             b.table(t).rows() - a.table(t).rows())))
                .filter(e -> e.getValue().bytes() != 0 || e.getValue().rows() != 0)
                .sorted(Comparator.comparingLong(e -> -e.getValue().bytes()))
                .limit(4)
                .forEach(e -> parts.add(String.format(Locale.ROOT, "%s %+.1f KiB / %+,d rows", e.getKey(),
                                                      e.getValue().bytes() / 1024.0, e.getValue().rows())));
        return parts.isEmpty() ? "no table changed" : String.join(", ", parts);
    }

    /** First minute against the goals of the fleet and dashboard benchmarks; last minute against the first. */
    private void latencies(SoakSamples samples) {
        latency(samples, SoakMix.DISPATCH, 1000, "POST /api/hosts/{id}/jobs → job.start at the agent");
        latency(samples, SoakMix.DASHBOARD, 500, "GET / as a logged-in user");
        latency(samples, SoakMix.HOST_PAGE, 500, "GET /hosts/{id} as a logged-in user");
        latency(samples, SoakMix.API, 200, "a host, its snapshots, the job list, a job's log (viewer token)");
    }

    private void latency(SoakSamples samples, String kind, double goalMs, String what) {
        BenchStats first = samples.between(kind, windowStart, Math.min(windowEnd, windowStart + MINUTE));
        BenchStats last = samples.between(kind, Math.max(windowStart, windowEnd - MINUTE), windowEnd);
        report.add(name, kind + " p99, first minute", first.percentile(99), "ms", Goal.atMost(goalMs),
                   what + ", " + first.count() + " samples");
        report.add(name, kind + " p99, last minute", last.percentile(99), "ms",
                   Goal.atMost(first.percentile(99) * 2 + 50),
                   last.count() + " samples; bound: first minute × 2 + 50 ms");
    }
}
