package io.resticmanager.ui;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

class FormatTest {
    @Test
    void bytesUseBinaryUnits() {
        assertThat(Format.bytes(0), is("0 B"));
        assertThat(Format.bytes(1023), is("1023 B"));
        assertThat(Format.bytes(1536), is("1.5 KiB"));
        assertThat(Format.bytes(1288490189L), is("1.2 GiB"));
        assertThat(Format.bytes(200L * 1024 * 1024), is("200 MiB"));
    }

    @Test
    void durationsReadShort() {
        assertThat(Format.duration(Duration.ofMillis(400)), is("<1 s"));
        assertThat(Format.duration(Duration.ofSeconds(42)), is("42 s"));
        assertThat(Format.duration(Duration.ofSeconds(192)), is("3 min 12 s"));
        assertThat(Format.duration(Duration.ofSeconds(3725)), is("1 h 2 min"));
        assertThat(Format.duration(Duration.ofHours(50)), is("2 d 2 h"));
    }

    @Test
    void relativeTimesAgoAndAhead() {
        Instant now = Instant.parse("2026-11-26T10:00:00Z");
        assertThat(Format.relative(now.minusSeconds(3), now), is("just now"));
        assertThat(Format.relative(now.minusSeconds(180), now), is("3 min ago"));
        assertThat(Format.relative(now.minusSeconds(5 * 3600), now), is("5 h ago"));
        assertThat(Format.relative(now.plusSeconds(3600), now), is("in 1 h"));
        assertThat(Format.relative(Instant.parse("2026-01-02T00:00:00Z"), now), is("2026-01-02"));
        assertThat(Format.when(now, now).absolute(), is("2026-11-26 10:00:00 UTC"));
    }

    @Test
    void progressFractionsBecomePercent() {
        assertThat(Format.percent(0.42), is(42));
        assertThat(Format.percent(1.0), is(100));
        assertThat(Format.percent(57.0), is(57));
        assertThat(Format.percent(-1), is(0));
    }
}
