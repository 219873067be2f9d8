package io.resticmanager.system;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Latencies of the soak's mix, each stamped with when it was taken (so the first and the last minute can be
 * compared), and the operations that failed, by kind, with the first reason of each kind.
 */
final class SoakSamples {
    private record Sample(long atNanos, double ms) {
    }

    private final Map<String, List<Sample>> samples = new LinkedHashMap<>();
    private final Map<String, Long> failures = new LinkedHashMap<>();
    private final Map<String, String> firstFailure = new LinkedHashMap<>();

    synchronized void add(String kind, long atNanos, double ms) {
        samples.computeIfAbsent(kind, k -> new ArrayList<>()).add(new Sample(atNanos, ms));
    }

    synchronized void failed(String kind, Throwable t) {
        failures.merge(kind, 1L, Long::sum);
        if (firstFailure.putIfAbsent(kind, t.toString()) == null) {
            System.out.println("  soak: " + kind + " failed: " + t);
        }
    }

    /** The samples of {@code kind} taken in [fromNanos, toNanos). */
    synchronized BenchStats between(String kind, long fromNanos, long toNanos) {
        return BenchStats.of(samples.getOrDefault(kind, List.of()).stream()
                                     .filter(s -> s.atNanos() >= fromNanos && s.atNanos() < toNanos)
                                     .map(Sample::ms).toList());
    }

    synchronized long failures() {
        return failures.values().stream().mapToLong(Long::longValue).sum();
    }

    /** "kind ×n (first reason)", one per kind that failed. */
    synchronized String failureSummary() {
        List<String> parts = new ArrayList<>();
        failures.forEach((kind, n) -> parts.add(kind + " ×" + n + " (" + firstFailure.get(kind) + ")"));
        return String.join("; ", parts);
    }
}
