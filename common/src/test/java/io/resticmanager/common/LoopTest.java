package io.resticmanager.common;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

class LoopTest {
    private static final Duration LONG = Duration.ofMinutes(5);

    @Test
    void eachPassIsGivenTheTimeOfTheLoopsClock() throws Exception {
        Instant fixed = Instant.parse("2026-01-02T03:04:05Z");
        LinkedBlockingQueue<Instant> seen = new LinkedBlockingQueue<>();
        try (Loop loop = Loop.start("test-clock", Clock.fixed(fixed, ZoneOffset.UTC), LONG, now -> {
            seen.add(now);
            return LONG;
        })) {
            assertThat(seen.poll(5, TimeUnit.SECONDS), is(fixed));
            // waits as long as the pass said: no second pass on its own
            assertThat(seen.poll(200, TimeUnit.MILLISECONDS), is(nullValue()));
            loop.wake();
            assertThat("woken: runs again at once", seen.poll(5, TimeUnit.SECONDS), is(fixed));
        }
    }

    @Test
    void aFailingPassIsRetriedAfterTheRetryPauseNotInATightLoop() throws Exception {
        List<Long> starts = new CopyOnWriteArrayList<>();
        LinkedBlockingQueue<Integer> passes = new LinkedBlockingQueue<>();
        AtomicInteger n = new AtomicInteger();
        try (Loop loop = Loop.start("test-retry", Clock.systemUTC(), Duration.ofMillis(300), now -> {
            starts.add(System.nanoTime());
            passes.add(n.incrementAndGet());
            if (n.get() < 3) {
                throw new IllegalStateException("the database is away");
            }
            return LONG;
        })) {
            for (int i = 1; i <= 3; i++) {
                assertThat(passes.poll(5, TimeUnit.SECONDS), is(i));
            }
            assertThat((starts.get(1) - starts.get(0)) / 1_000_000, is(greaterThanOrEqualTo(250L)));
            assertThat(passes.poll(200, TimeUnit.MILLISECONDS), is(nullValue()));
        }
    }

    @Test
    void closeEndsAPassThatIsWaiting() throws Exception {
        LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
        Loop loop = Loop.start("test-close", Clock.systemUTC(), LONG, now -> {
            events.add("pass");
            try {
                Thread.sleep(LONG);
            } catch (InterruptedException e) {
                events.add("interrupted");
                throw e;
            }
            return LONG;
        });
        assertThat(events.poll(5, TimeUnit.SECONDS), is(notNullValue()));
        loop.close();
        assertThat(events.poll(5, TimeUnit.SECONDS), is("interrupted"));
        loop.wake();
        assertThat(events.poll(200, TimeUnit.MILLISECONDS), is(nullValue()));
    }
}
