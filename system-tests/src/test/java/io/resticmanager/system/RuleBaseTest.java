package io.resticmanager.system;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** How MonitoringTest finds the query an alerting rule watches. */
class RuleBaseTest {
    @Test
    void theLastTopLevelComparisonSplits() {
        String[][] cases = {
                {"restic_manager_alerts_firing > 0", "restic_manager_alerts_firing"},
                {"time() - m > 26 * 3600", "time() - m"},
                {"delta(m{status=\"failed\"}[1h]) > 0", "delta(m{status=\"failed\"}[1h])"},
                {"up{job=\"a>b\"} == 0", "up{job=\"a>b\"}"},
                {"sum by (x) (m{a!=\"b\",c=~\"d<\"}) >= 2", "sum by (x) (m{a!=\"b\",c=~\"d<\"})"},
                {"(m > 1) != 0", "(m > 1)"},
                {"m <= 5", "m"},
                {"m", "m"},
        };
        for (String[] c : cases) {
            assertThat(c[0], RuleBase.of(c[0]), is(c[1]));
        }
    }

    @Test
    void conditionsJoinedBySetOperatorsHaveNoSingleBase() {
        assertThrows(IllegalArgumentException.class, () -> RuleBase.of("a > 1 and b < 2"));
        assertThrows(IllegalArgumentException.class, () -> RuleBase.of("a > 1 unless on (x) b"));
        assertThat(RuleBase.of("m{mode=\"and\"} > 0"), is("m{mode=\"and\"}"));
    }
}
