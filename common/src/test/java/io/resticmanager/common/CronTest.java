package io.resticmanager.common;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

class CronTest {
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

    private static List<String> fires(String cron, String from, ZoneId zone, int n) {
        Cron c = Cron.parse(cron);
        List<String> out = new ArrayList<>();
        Instant t = Instant.parse(from);
        for (int i = 0; i < n; i++) {
            t = c.next(t, zone).orElseThrow();
            out.add(t.toString());
        }
        return out;
    }

    @Test
    void listsRangesStepsAndNames() {
        assertThat(fires("*/20 9-10 * * *", "2026-11-26T08:59:00Z", ZoneOffset.UTC, 4),
                   is(List.of("2026-11-26T09:00:00Z", "2026-11-26T09:20:00Z", "2026-11-26T09:40:00Z",
                              "2026-11-26T10:00:00Z")));
        // 2026-11-26 is a Thursday: MON-FRI/2 = Mon, Wed, Fri
        assertThat(fires("15 3 * * MON-FRI/2", "2026-11-26T00:00:00Z", ZoneOffset.UTC, 3),
                   is(List.of("2026-11-27T03:15:00Z", "2026-11-30T03:15:00Z", "2026-12-02T03:15:00Z")));
        assertThat(fires("0 0 1,15 jan,jul *", "2026-11-26T00:00:00Z", ZoneOffset.UTC, 3),
                   is(List.of("2027-01-01T00:00:00Z", "2027-01-15T00:00:00Z", "2027-07-01T00:00:00Z")));
        // 7 and 0 are both Sunday; 5/20 runs from 5 to the end of the range
        assertThat(fires("5/20 12 * * 7", "2026-11-26T00:00:00Z", ZoneOffset.UTC, 4),
                   is(List.of("2026-11-29T12:05:00Z", "2026-11-29T12:25:00Z", "2026-11-29T12:45:00Z",
                              "2026-12-06T12:05:00Z")));
        assertThat(fires("@weekly", "2026-11-26T00:00:00Z", ZoneOffset.UTC, 1), is(List.of("2026-11-29T00:00:00Z")));
    }

    @Test
    void restrictedDayOfMonthAndDayOfWeekFireOnEither() {
        // the 1st of the month OR any Monday (Vixie cron)
        assertThat(fires("0 6 1 * 1", "2026-11-26T00:00:00Z", ZoneOffset.UTC, 3),
                   is(List.of("2026-11-30T06:00:00Z", "2026-12-01T06:00:00Z", "2026-12-07T06:00:00Z")));
    }

    @Test
    void nextIsStrictlyAfter() {
        assertThat(fires("0 2 * * *", "2026-11-26T02:00:00Z", ZoneOffset.UTC, 1), is(List.of("2026-11-27T02:00:00Z")));
    }

    @Test
    void springForwardInBerlinNeverSkipsADay() {
        // 2026-03-29 02:00 CET → 03:00 CEST: 02:30 does not exist that night; it fires when the clock jumps
        assertThat(fires("30 2 * * *", "2026-03-27T12:00:00Z", BERLIN, 4),
                   is(List.of("2026-03-28T01:30:00Z", "2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z",
                              "2026-03-31T00:30:00Z")));
        // a wall-clock schedule just follows the clock: 01:45 CET, then 03:00 CEST
        assertThat(fires("*/15 * * * *", "2026-03-29T00:40:00Z", BERLIN, 3),
                   is(List.of("2026-03-29T00:45:00Z", "2026-03-29T01:00:00Z", "2026-03-29T01:15:00Z")));
    }

    @Test
    void fallBackInBerlinFiresAFixedTimeOnce() {
        // 2026-10-25 03:00 CEST → 02:00 CET: 02:30 happens twice; a daily job runs at the first one only
        assertThat(fires("30 2 * * *", "2026-10-24T12:00:00Z", BERLIN, 3),
                   is(List.of("2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z", "2026-10-27T01:30:00Z")));
        // an every-30-minutes job runs in both passes of the repeated hour
        assertThat(fires("*/30 * * * *", "2026-10-24T23:50:00Z", BERLIN, 5),
                   is(List.of("2026-10-25T00:00:00Z", "2026-10-25T00:30:00Z", "2026-10-25T01:00:00Z",
                              "2026-10-25T01:30:00Z", "2026-10-25T02:00:00Z")));
    }

    @Test
    void rejectsWhatCannotWork() {
        for (String expression : List.of("", "* * * *", "* * * * * *", "60 * * * *", "* 24 * * *", "0 0 0 * *",
                                         "0 0 * 13 *", "0 0 * * 8", "5-1 * * * *", "*/0 * * * *", "a b c d e",
                                         "0 0 31 2 *", "@reboot", "1,,2 * * * *", "-1 * * * *")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Cron.parse(expression),
                                                      expression);
            assertThat(expression, e.getMessage(), containsString("cron"));
        }
    }

    @Test
    void leapDaySchedulesAreValid() {
        assertThat(fires("0 0 29 2 *", "2026-11-26T00:00:00Z", ZoneOffset.UTC, 1), is(List.of("2028-02-29T00:00:00Z")));
    }
}
