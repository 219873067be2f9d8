package io.resticmanager.gateway;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** RM_METRICS_ALLOW: which client addresses may scrape /metrics without credentials. */
class MetricsAllowListTest {
    @Test
    void matchesIpv4AndIpv6RangesAndBareAddresses() {
        MetricsAllowList list = MetricsAllowList.parse(" 10.42.0.0/16, 192.168.1.7 ,fd00:1::/32,::1");
        assertThat(list.allows("10.42.255.1"), is(true));
        assertThat(list.allows("10.43.0.1"), is(false));
        assertThat(list.allows("192.168.1.7"), is(true));
        assertThat(list.allows("192.168.1.8"), is(false));
        assertThat(list.allows("fd00:1:ffff::9"), is(true));
        assertThat(list.allows("fd00:2::9"), is(false));
        assertThat(list.allows("0:0:0:0:0:0:0:1"), is(true));
        assertThat(list.allows("[::1]"), is(true));
        assertThat(list.allows("fd00:1::9%eth0"), is(true));
        // an IPv4 client seen on a dual-stack socket
        assertThat(list.allows("::ffff:10.42.0.3"), is(true));
        assertThat(list.allows("not-an-address"), is(false));
        assertThat(list.allows("10.42.0.999"), is(false));
        assertThat(list.allows(null), is(false));
    }

    @Test
    void prefixBoundariesAreExact() {
        MetricsAllowList list = MetricsAllowList.parse("172.30.80.8/29");
        assertThat(list.allows("172.30.80.7"), is(false));
        assertThat(list.allows("172.30.80.8"), is(true));
        assertThat(list.allows("172.30.80.15"), is(true));
        assertThat(list.allows("172.30.80.16"), is(false));
        assertThat(MetricsAllowList.parse("0.0.0.0/0").allows("203.0.113.5"), is(true));
        assertThat(MetricsAllowList.parse("0.0.0.0/0").allows("2001:db8::1"), is(false));
    }

    @Test
    void emptyAllowsNobody() {
        for (String raw : new String[] {"", " ", ",", " , "}) {
            MetricsAllowList list = MetricsAllowList.parse(raw);
            assertThat(raw, list.isEmpty(), is(true));
            assertThat(raw, list.allows("127.0.0.1"), is(false));
        }
    }

    @Test
    void refusesWhatIsNotARangeNamingTheSetting() {
        for (String bad : new String[] {"10.0.0.0/33", "fd00::/129", "10.0.0.0/x", "example.com/8", "example.com",
                "10.0.0.0/-1", "10.0.0/8", "10.0.0.256/24", "fee.cafe", "1.2.3.4/8/8"}) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                                                   () -> MetricsAllowList.parse("127.0.0.1/32, " + bad));
            assertThat(e.getMessage(), e.getMessage(),
                       is("RM_METRICS_ALLOW (rm.gateway.metrics-allow): not an address or CIDR range: " + bad));
        }
    }

    @Test
    void theConfigKeyIsRead() {
        // RM_METRICS_ALLOW overrides the key in RmConfig's table (RmConfigTest)
        Config config = Config.just(ConfigSources.create(Map.of(MetricsAllowList.KEY, "10.0.0.0/8")));
        assertThat(MetricsAllowList.create(config).allows("10.1.1.1"), is(true));
        assertThat(MetricsAllowList.create(config).allows("192.0.2.44"), is(false));
    }
}
