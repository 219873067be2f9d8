package io.resticmanager.kit;

import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

/** The text every service's /internal/metrics answers: escaped the way Prometheus parses it, read when scraped. */
class PromMetricsTest {
    @Test
    void escapesLabelValuesAndHelpAndReadsCallbacksAtScrapeTime() {
        PrometheusRegistry registry = new PrometheusRegistry();
        AtomicInteger reads = new AtomicInteger();
        GaugeWithCallback.builder().name(PromMetrics.name("agent_online")).help("1 when \\ online\nnow")
                .labelNames("host_id", "hostname")
                .callback(cb -> cb.call(reads.incrementAndGet(), "h1", "we\"ird\\host\nx"))
                .register(registry);
        assertThat(reads.get(), is(0));
        assertThat(PromMetrics.text(registry), is("# HELP restic_manager_agent_online 1 when \\\\ online\\nnow\n"
                + "# TYPE restic_manager_agent_online gauge\n"
                + "restic_manager_agent_online{host_id=\"h1\",hostname=\"we\\\"ird\\\\host\\nx\"} 1.0\n"));
        assertThat(PromMetrics.text(registry), containsString("hostname=\"we\\\"ird\\\\host\\nx\"} 2.0\n"));
        assertThat(PromMetrics.label(null), is(""));
    }
}
