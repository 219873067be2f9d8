package io.resticmanager.kit;

import java.util.Arrays;

/**
 * Writes Prometheus text exposition format (version 0.0.4): a family header ({@code # HELP} / {@code # TYPE}),
 * then its samples, with escaped label values. Names are given without the common {@code restic_manager_}
 * prefix, which is added here. Write all samples of a family right after its header: the format wants a
 * family's lines together. Labels are passed as name/value pairs.
 */
public final class PromText {
    public static final String PREFIX = "restic_manager_";
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final StringBuilder out = new StringBuilder();

    private PromText() {
    }

    /** {@code GET /internal/metrics} answering the fragment a service renders at scrape time. */
    public static io.helidon.webserver.http.HttpService endpoint(java.util.function.Supplier<String> fragment) {
        return rules -> rules.get("/internal/metrics", (req, res) -> {
            res.header(io.helidon.http.HeaderNames.CONTENT_TYPE, CONTENT_TYPE);
            res.send(fragment.get());
        });
    }

    public static PromText create() {
        return new PromText();
    }

    public PromText gauge(String name, String help) {
        return header(name, "gauge", help);
    }

    public PromText counter(String name, String help) {
        return header(name, "counter", help);
    }

    /** Starts a histogram family; write its series with {@link #histogram(String, Histogram, String...)}. */
    public PromText histogramFamily(String name, String help) {
        return header(name, "histogram", help);
    }

    public PromText sample(String name, double value, String... labels) {
        out.append(PREFIX).append(name);
        labels(labels, null);
        out.append(' ').append(number(value)).append('\n');
        return this;
    }

    /** One histogram series: cumulative {@code _bucket} lines (ending with {@code le="+Inf"}), {@code _sum}, {@code _count}. */
    public PromText histogram(String name, Histogram histogram, String... labels) {
        long cumulative = 0;
        for (int i = 0; i <= histogram.bounds.length; i++) {
            cumulative += histogram.counts[i];
            String le = i < histogram.bounds.length ? number(histogram.bounds[i]) : "+Inf";
            out.append(PREFIX).append(name).append("_bucket");
            labels(labels, le);
            out.append(' ').append(cumulative).append('\n');
        }
        out.append(PREFIX).append(name).append("_sum");
        labels(labels, null);
        out.append(' ').append(number(histogram.sum)).append('\n');
        out.append(PREFIX).append(name).append("_count");
        labels(labels, null);
        out.append(' ').append(histogram.count).append('\n');
        return this;
    }

    public String text() {
        return out.toString();
    }

    /** Observations counted into fixed upper bounds (ascending; {@code +Inf} is implied). Not thread-safe. */
    public static final class Histogram {
        private final double[] bounds;
        private final long[] counts;
        private double sum;
        private long count;

        public Histogram(double... bounds) {
            this.bounds = bounds.clone();
            Arrays.sort(this.bounds);
            this.counts = new long[bounds.length + 1];
        }

        /**
         * A histogram counted elsewhere (e.g. by SQL): {@code cumulative[i]} observations were at most
         * {@code bounds[i]}; {@code count} is the total (the {@code +Inf} bucket).
         */
        public static Histogram fromCumulative(double[] bounds, long[] cumulative, long count, double sum) {
            if (cumulative.length != bounds.length) {
                throw new IllegalArgumentException("one cumulative count per bound");
            }
            Histogram h = new Histogram(bounds);
            long previous = 0;
            for (int i = 0; i < bounds.length; i++) {
                h.counts[i] = cumulative[i] - previous;
                previous = cumulative[i];
            }
            h.counts[bounds.length] = count - previous;
            h.count = count;
            h.sum = sum;
            return h;
        }

        public Histogram observe(double value) {
            int i = 0;
            while (i < bounds.length && value > bounds[i]) {
                i++;
            }
            counts[i]++;
            sum += value;
            count++;
            return this;
        }

        public long count() {
            return count;
        }
    }

    private PromText header(String name, String type, String help) {
        out.append("# HELP ").append(PREFIX).append(name).append(' ').append(escapeHelp(help)).append('\n');
        out.append("# TYPE ").append(PREFIX).append(name).append(' ').append(type).append('\n');
        return this;
    }

    private void labels(String[] labels, String le) {
        if (labels.length % 2 != 0) {
            throw new IllegalArgumentException("labels come in name/value pairs");
        }
        if (labels.length == 0 && le == null) {
            return;
        }
        out.append('{');
        for (int i = 0; i < labels.length; i += 2) {
            if (i > 0) {
                out.append(',');
            }
            out.append(labels[i]).append("=\"").append(escapeLabel(labels[i + 1])).append('"');
        }
        if (le != null) {
            out.append(labels.length > 0 ? "," : "").append("le=\"").append(le).append('"');
        }
        out.append('}');
    }

    /** Label values: backslash, double quote and line feed are escaped; a missing value is empty. */
    public static String escapeLabel(String value) {
        if (value == null) {
            return "";
        }
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    /** HELP text: backslash and line feed are escaped. */
    public static String escapeHelp(String help) {
        return help.replace("\\", "\\\\").replace("\n", "\\n");
    }

    /** Whole numbers without a fraction (counts stay readable), others as Java doubles (Go parses both). */
    public static String number(double value) {
        if (Double.isNaN(value)) {
            return "NaN";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "+Inf" : "-Inf";
        }
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return Long.toString((long) value);
        }
        return Double.toString(value);
    }
}
