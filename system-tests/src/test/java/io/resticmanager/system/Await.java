package io.resticmanager.system;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;

import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * How the system tests wait for a condition: Awaitility, polled every 100 ms. An exception from the condition (a
 * service still starting, a connection refused) counts as "not yet", except an {@link IllegalStateException}, which a
 * condition throws when waiting is pointless (a process exited): that one fails the wait at once.
 */
final class Await {
    private Await() {
    }

    static ConditionFactory within(Duration timeout, String what) {
        return Awaitility.await(what).atMost(timeout).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(100))
                .ignoreExceptionsMatching(e -> e instanceof Exception && !(e instanceof IllegalStateException));
    }

    static void until(Duration timeout, String what, Callable<Boolean> condition) {
        within(timeout, what).until(condition);
    }
}
