package io.resticmanager.proto;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.SplittableRandom;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/** Every instant is written exactly as Instant.toString (and so as the Java time module wrote it before). */
class InstantTextTest {
    @Test
    void writesWhatInstantToStringWrites() throws Exception {
        SplittableRandom random = new SplittableRandom(25);
        long[] seconds = {0, 1, 59, 86_399, 86_400, 951_782_400L /* 2000-02-29 */, 4_102_444_799L,
                253_402_300_799L, 253_402_300_800L, -1, -86_401, Long.MAX_VALUE / 2_000_000_000L};
        int[] nanos = {0, 1, 999, 1_000, 1_000_000, 100_000_000, 120_000_000, 123_456_000, 123_456_789, 999_999_999};
        for (long s : seconds) {
            for (int n : nanos) {
                check(Instant.ofEpochSecond(s, n));
            }
        }
        for (int i = 0; i < 200_000; i++) {
            check(Instant.ofEpochSecond(random.nextLong(-5_000_000_000L, 300_000_000_000L),
                                        switch (i % 4) {
                                            case 0 -> 0;
                                            case 1 -> random.nextInt(1000) * 1_000_000;
                                            case 2 -> random.nextInt(1_000_000) * 1_000;
                                            default -> random.nextInt(1_000_000_000);
                                        }));
        }
    }

    private static void check(Instant t) throws Exception {
        assertThat(t.getEpochSecond() + "/" + t.getNano(), InstantText.of(t), is(t.toString()));
        assertThat(Json.MAPPER.writeValueAsString(t), is("\"" + t + "\""));
    }
}
