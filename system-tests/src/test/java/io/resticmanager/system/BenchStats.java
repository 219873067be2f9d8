package io.resticmanager.system;

import java.util.Arrays;
import java.util.Collection;

/** A sorted sample (e.g. latencies in ms) and its order statistics (nearest-rank percentiles). */
final class BenchStats {
    private final double[] sorted;

    private BenchStats(double[] values) {
        this.sorted = values.clone();
        Arrays.sort(sorted);
    }

    static BenchStats of(double[] values) {
        return new BenchStats(values);
    }

    static BenchStats of(Collection<? extends Number> values) {
        return new BenchStats(values.stream().mapToDouble(Number::doubleValue).toArray());
    }

    int count() {
        return sorted.length;
    }

    /** Nearest-rank percentile, p in (0, 100]; NaN for an empty sample. */
    double percentile(double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    /** The middle value (mean of the two middle values for an even count). */
    double median() {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    double max() {
        return sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1];
    }

    double min() {
        return sorted.length == 0 ? Double.NaN : sorted[0];
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "n=%d min=%.2f p50=%.2f p99=%.2f max=%.2f", count(), min(),
                             median(), percentile(99), max());
    }
}
