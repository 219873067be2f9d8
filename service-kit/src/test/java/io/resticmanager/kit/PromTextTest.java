package io.resticmanager.kit;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

class PromTextTest {
    @Test
    void escapesLabelValuesAndHelp() {
        String text = PromText.create()
                .gauge("agent_online", "1 when \\ online\nnow")
                .sample("agent_online", 1, "host_id", "h1", "hostname", "we\"ird\\host\nx")
                .text();
        assertThat(text, is("# HELP restic_manager_agent_online 1 when \\\\ online\\nnow\n"
                + "# TYPE restic_manager_agent_online gauge\n"
                + "restic_manager_agent_online{host_id=\"h1\",hostname=\"we\\\"ird\\\\host\\nx\"} 1\n"));
    }

    @Test
    void histogramBucketsAreCumulativeAndEndWithInf() {
        PromText.Histogram h = new PromText.Histogram(1, 5, 15);
        h.observe(0.5).observe(5).observe(7).observe(100);
        String text = PromText.create().histogramFamily("job_duration_seconds", "d")
                .histogram("job_duration_seconds", h, "kind", "backup").text();
        assertThat(text, is("# HELP restic_manager_job_duration_seconds d\n"
                + "# TYPE restic_manager_job_duration_seconds histogram\n"
                + "restic_manager_job_duration_seconds_bucket{kind=\"backup\",le=\"1\"} 1\n"
                + "restic_manager_job_duration_seconds_bucket{kind=\"backup\",le=\"5\"} 2\n"
                + "restic_manager_job_duration_seconds_bucket{kind=\"backup\",le=\"15\"} 3\n"
                + "restic_manager_job_duration_seconds_bucket{kind=\"backup\",le=\"+Inf\"} 4\n"
                + "restic_manager_job_duration_seconds_sum{kind=\"backup\"} 112.5\n"
                + "restic_manager_job_duration_seconds_count{kind=\"backup\"} 4\n"));
    }

    @Test
    void cumulativeCountsGiveTheSameLinesAsObservations() {
        PromText.Histogram observed = new PromText.Histogram(1, 5).observe(0.5).observe(3).observe(9);
        PromText.Histogram counted = PromText.Histogram.fromCumulative(new double[] {1, 5}, new long[] {1, 2}, 3, 12.5);
        assertThat(PromText.create().histogram("d", counted).text(),
                   is(PromText.create().histogram("d", observed).text()));
    }

    @Test
    void numbersAreWholeWhenWhole() {
        assertThat(PromText.number(3.0), is("3"));
        assertThat(PromText.number(0.25), is("0.25"));
        assertThat(PromText.number(Double.POSITIVE_INFINITY), is("+Inf"));
    }
}
