package io.resticmanager.ui;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.LongFunction;

/**
 * Trend charts as plain SVG the server renders (no chart library, nothing for the browser to fetch): a line through
 * the points with a dot per point (its tooltip the time and value), the value range and the time range as labels.
 * Coordinates are whole numbers in a fixed view box; the page's CSS sizes and colours them.
 */
final class Charts {
    static final int WIDTH = 600;
    static final int HEIGHT = 180;
    private static final int LEFT = 8;
    private static final int RIGHT = 592;
    private static final int TOP = 22;
    private static final int BOTTOM = 150;
    static final int SPARK_WIDTH = 80;
    static final int SPARK_HEIGHT = 20;

    private Charts() {
    }

    /** One measured value at a time. */
    record Point(Instant at, long value) {
    }

    /** A dot on the line, with its tooltip. */
    record Dot(int x, int y, String label) {
    }

    /**
     * A chart: {@code line} is the polyline's points attribute; {@code high}/{@code low} label the value range, {@code
     * from}/{@code to} the time range; {@code empty} when there is nothing to draw.
     */
    record Chart(String id, String title, int width, int height, String line, List<Dot> dots, String high, String low,
                 String from, String to, boolean empty, int count, int labelY, int labelRight) {
    }

    /** A sparkline for a card: the polyline only, with a text alternative. */
    record Sparkline(String points, String label, int width, int height) {
    }

    static Chart chart(String id, String title, List<Point> points, LongFunction<String> format) {
        if (points.isEmpty()) {
            return new Chart(id, title, WIDTH, HEIGHT, "", List.of(), "", "", "", "", true, 0, HEIGHT - 8, RIGHT);
        }
        long min = points.stream().mapToLong(Point::value).min().orElse(0);
        long max = points.stream().mapToLong(Point::value).max().orElse(0);
        long t0 = points.getFirst().at().toEpochMilli();
        long t1 = points.getLast().at().toEpochMilli();
        StringBuilder line = new StringBuilder();
        List<Dot> dots = new ArrayList<>();
        for (Point p : points) {
            int x = scale(p.at().toEpochMilli(), t0, t1, LEFT, RIGHT, points.size() == 1);
            int y = BOTTOM - scale(p.value(), min, max, 0, BOTTOM - TOP, min == max);
            if (!line.isEmpty()) {
                line.append(' ');
            }
            line.append(x).append(',').append(y);
            dots.add(new Dot(x, y, Format.absolute(p.at()) + ": " + format.apply(p.value())));
        }
        return new Chart(id, title, WIDTH, HEIGHT, line.toString(), dots, format.apply(max), format.apply(min),
                         Format.absolute(points.getFirst().at()), Format.absolute(points.getLast().at()), false,
                         points.size(), HEIGHT - 8, RIGHT);
    }

    /** A card's sparkline; null with fewer than two points (a line needs two). */
    static Sparkline sparkline(List<Point> points, String what) {
        if (points.size() < 2) {
            return null;
        }
        long min = points.stream().mapToLong(Point::value).min().orElse(0);
        long max = points.stream().mapToLong(Point::value).max().orElse(0);
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < points.size(); i++) {
            int x = scale(i, 0, points.size() - 1, 1, SPARK_WIDTH - 1, false);
            int y = SPARK_HEIGHT - 1 - scale(points.get(i).value(), min, max, 0, SPARK_HEIGHT - 2, min == max);
            if (i > 0) {
                line.append(' ');
            }
            line.append(x).append(',').append(y);
        }
        String label = String.format(Locale.ROOT, "%s: %s → %s over %d measurements", what,
                                     Format.bytes(points.getFirst().value()), Format.bytes(points.getLast().value()),
                                     points.size());
        return new Sparkline(line.toString(), label, SPARK_WIDTH, SPARK_HEIGHT);
    }

    /** {@code value} in [from, to] onto [lo, hi]; a flat range sits in the middle. */
    private static int scale(long value, long from, long to, int lo, int hi, boolean flat) {
        if (flat || to == from) {
            return (lo + hi) / 2;
        }
        return (int) Math.round(lo + (double) (value - from) * (hi - lo) / (double) (to - from));
    }
}
