package io.resticmanager.kit;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpService;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * What every service's metrics have in common: the {@code restic_manager_} name prefix, the Prometheus text format
 * (0.0.4, written by the Prometheus client) and {@code GET /internal/metrics}, which the gateway merges into its
 * {@code /metrics}. Each service keeps one {@link PrometheusRegistry}; what lives in a database is registered as a
 * callback or collector, so it is read when scraped.
 */
public final class PromMetrics {
    public static final String PREFIX = "restic_manager_";
    public static final String CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;

    private static final PrometheusTextFormatWriter WRITER = PrometheusTextFormatWriter.create();

    private PromMetrics() {
    }

    /** The full metric name for a name without the common prefix. */
    public static String name(String name) {
        return PREFIX + name;
    }

    /** A label value as the exposition needs it: never null (an unknown value is empty, as Prometheus reads it). */
    public static String label(String value) {
        return value == null ? "" : value;
    }

    /** {@code GET /internal/metrics}: the registry, collected at scrape time. */
    public static HttpService endpoint(PrometheusRegistry registry) {
        return rules -> rules.get("/internal/metrics", (req, res) -> {
            byte[] text = bytes(registry.scrape());
            res.header(HeaderNames.CONTENT_TYPE, CONTENT_TYPE);
            res.send(text);
        });
    }

    public static String text(PrometheusRegistry registry) {
        return text(registry.scrape());
    }

    public static String text(MetricSnapshots snapshots) {
        return new String(bytes(snapshots), StandardCharsets.UTF_8);
    }

    private static byte[] bytes(MetricSnapshots snapshots) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
        try {
            WRITER.write(out, snapshots);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
        return out.toByteArray();
    }
}
