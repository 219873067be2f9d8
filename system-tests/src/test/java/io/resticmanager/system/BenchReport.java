package io.resticmanager.system;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.resticmanager.proto.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The benchmark results of one run: rows of (benchmark, metric, value, unit, goal, verdict) printed as one
 * aligned table and written as JSON. A row's verdict is {@code ok} or {@code MISS} against its goal,
 * {@code -} when the figure has no goal, {@code ERROR} when the benchmark could not measure it.
 */
final class BenchReport {
    /** A bound a value should stay within; {@code NONE} for figures reported for information. */
    record Goal(String op, double bound) {
        static final Goal NONE = new Goal("", Double.NaN);

        static Goal atMost(double bound) {
            return new Goal("<=", bound);
        }

        static Goal atLeast(double bound) {
            return new Goal(">=", bound);
        }

        boolean present() {
            return !op.isEmpty();
        }

        boolean met(double value) {
            return "<=".equals(op) ? value <= bound : value >= bound;
        }

        String text() {
            return present() ? op + " " + BenchReport.format(bound) : "";
        }
    }

    record Row(String benchmark, String metric, double value, String unit, Goal goal, String verdict, String note) {
    }

    private final List<Row> rows = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private final Map<String, Object> settings = new LinkedHashMap<>();
    private final Instant started = Instant.now();

    synchronized void add(String benchmark, String metric, double value, String unit, Goal goal) {
        add(benchmark, metric, value, unit, goal, "");
    }

    synchronized void add(String benchmark, String metric, double value, String unit, Goal goal, String note) {
        String verdict = Double.isNaN(value) ? "ERROR" : goal.present() ? (goal.met(value) ? "ok" : "MISS") : "-";
        rows.add(new Row(benchmark, metric, value, unit, goal, verdict, note));
        System.out.printf(Locale.ROOT, "  [%s] %s = %s %s%s%n", benchmark, metric, format(value), unit,
                          goal.present() ? "  (goal " + goal.text() + ": " + verdict + ")" : "");
    }

    /** The benchmark failed before it could measure: one ERROR row carries the reason. */
    synchronized void error(String benchmark, Throwable t) {
        String reason = t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
        rows.add(new Row(benchmark, "error", Double.NaN, "", Goal.NONE, "ERROR", reason));
        note(benchmark + ": " + reason);
    }

    synchronized void note(String text) {
        notes.add(text);
        System.out.println("  note: " + text);
    }

    synchronized void setting(String key, Object value) {
        settings.put(key, value);
    }

    synchronized boolean failed() {
        return rows.stream().anyMatch(r -> "ERROR".equals(r.verdict()));
    }

    /** One aligned table: benchmark, metric, value, unit, goal, verdict. */
    synchronized String table() {
        String[] head = {"benchmark", "metric", "value", "unit", "goal", "verdict"};
        List<String[]> lines = new ArrayList<>();
        lines.add(head);
        for (Row r : rows) {
            lines.add(new String[] {r.benchmark(), r.metric(), Double.isNaN(r.value()) ? "-" : format(r.value()),
                                    r.unit(), r.goal().text(), r.verdict()});
        }
        int[] width = new int[head.length];
        for (String[] line : lines) {
            for (int i = 0; i < line.length; i++) {
                width[i] = Math.max(width[i], line[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (int n = 0; n < lines.size(); n++) {
            String[] line = lines.get(n);
            for (int i = 0; i < line.length; i++) {
                // numbers right-aligned, words left-aligned
                String cell = i == 2 ? pad(line[i], width[i], true) : pad(line[i], width[i], false);
                out.append(cell).append(i < line.length - 1 ? "  " : "");
            }
            out.append(System.lineSeparator());
            if (n == 0) {
                int total = 0;
                for (int w : width) {
                    total += w + 2;
                }
                out.append("-".repeat(total - 2)).append(System.lineSeparator());
            }
        }
        for (Row r : rows) {
            if (!r.note().isEmpty() && !"ERROR".equals(r.verdict())) {
                out.append("* ").append(r.benchmark()).append(" / ").append(r.metric()).append(": ")
                        .append(r.note()).append(System.lineSeparator());
            }
        }
        for (String note : notes) {
            out.append("note: ").append(note).append(System.lineSeparator());
        }
        return out.toString();
    }

    /** Writes {@code bench-<UTC timestamp>.json} into {@code dir}; returns the file. */
    synchronized Path writeJson(Path dir, String mode) throws IOException {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("mode", mode);
        root.put("started_at", started.toString());
        root.put("finished_at", Instant.now().toString());
        ObjectNode machine = root.putObject("machine");
        machine.put("cores", Runtime.getRuntime().availableProcessors());
        machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        machine.put("java", System.getProperty("java.runtime.version"));
        root.set("settings", Json.MAPPER.valueToTree(settings));
        ArrayNode results = root.putArray("results");
        for (Row r : rows) {
            ObjectNode o = results.addObject();
            o.put("benchmark", r.benchmark());
            o.put("metric", r.metric());
            if (Double.isNaN(r.value())) {
                o.putNull("value");
            } else {
                o.put("value", r.value());
            }
            o.put("unit", r.unit());
            if (r.goal().present()) {
                o.putObject("goal").put("op", r.goal().op()).put("bound", r.goal().bound());
            } else {
                o.putNull("goal");
            }
            o.put("verdict", r.verdict());
            if (!r.note().isEmpty()) {
                o.put("note", r.note());
            }
        }
        ArrayNode noteArray = root.putArray("notes");
        notes.forEach(noteArray::add);
        Files.createDirectories(dir);
        String stamp = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC).format(started);
        Path file = dir.resolve("bench-" + stamp + ".json");
        Files.writeString(file, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(root));
        return file;
    }

    /** Three significant digits (integers and values from 100 up without a fraction), thousands grouped. */
    static String format(double v) {
        if (Double.isNaN(v)) {
            return "-";
        }
        double a = Math.abs(v);
        if (v == Math.rint(v) && a < 1e15 || a >= 99.95) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        return new java.math.BigDecimal(v).round(new java.math.MathContext(3)).toPlainString();
    }

    private static String pad(String s, int width, boolean right) {
        String fill = " ".repeat(Math.max(0, width - s.length()));
        return right ? fill + s : s + fill;
    }
}
