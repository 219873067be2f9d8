package io.resticmanager.kit;

import io.helidon.config.Config;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

class RmConfigTest {
    @Test
    void environmentOverridesTheYamlDefaults() {
        Config config = RmConfig.load("RM_TEST_PORT", Map.of("RM_TEST_PORT", "9999", "RM_DATA_DIR", "/tmp/x",
                                                             "RM_JOBS_URL", "http://jobs:1"));
        assertThat(config.get("server.port").asInt().get(), is(9999));
        assertThat(RmConfig.dataDir(config).toString(), is("/tmp/x"));
        assertThat(RmConfig.peer(config, "jobs"), is("http://jobs:1"));
        assertThat(RmConfig.localMode(config), is(true));
    }

    @Test
    void theMetricsAllowListComesFromItsVariableAndABlankOneIsIgnored() {
        Config config = RmConfig.load("RM_TEST_PORT", Map.of("RM_METRICS_ALLOW", "192.0.2.0/24"));
        assertThat(config.get("rm.gateway.metrics-allow").asString().get(), is("192.0.2.0/24"));
        assertThat(RmConfig.load("RM_TEST_PORT", Map.of("RM_METRICS_ALLOW", " ")).get("rm.gateway.metrics-allow")
                           .asString().isPresent(), is(false));
    }

    @Test
    void productionRefusesAPlainHttpPublicUrlExceptOnThisMachine() {
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> RmConfig.load("RM_TEST_PORT", Map.of("RM_MODE", "production",
                                                           "RM_PUBLIC_URL", "http://backup.example.com")));
        assertThat(e.getMessage().contains("https://"), is(true));
        for (String ok : new String[] {"https://backup.example.com", "http://127.0.0.1:8080", "http://localhost:8080"}) {
            RmConfig.load("RM_TEST_PORT", Map.of("RM_MODE", "production", "RM_PUBLIC_URL", ok));
        }
        // local mode (one machine, the demo) keeps plain http
        RmConfig.load("RM_TEST_PORT", Map.of("RM_PUBLIC_URL", "http://backup.example.com"));
    }

    @Test
    void yamlDefaultsApplyWithoutEnvironment() {
        Config config = RmConfig.load("RM_TEST_PORT", Map.of());
        assertThat(config.get("server.port").asInt().get(), is(7777));
    }
}
