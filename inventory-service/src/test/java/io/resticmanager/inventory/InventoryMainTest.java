package io.resticmanager.inventory;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.helidon.webserver.WebServerConfig;
import io.resticmanager.kit.RmConfig;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

class InventoryMainTest {

    @Test
    void defaultsFromApplicationYaml() {
        Config config = RmConfig.load("RM_INVENTORY_PORT_UNSET_IN_TESTS");
        assertThat(config.get("server.port").asInt().get(), is(8083));
        assertThat(config.get("server.host").asString().get(), is("127.0.0.1"));
        assertThat(RmConfig.peer(config, "agent-hub"), is("http://127.0.0.1:8081"));
        assertThat(InventoryMain.dbFile(config).getFileName().toString(), is("inventory.db"));
    }

    @Test
    void serverSendsSmallWritesWithoutNagleDelay() {
        WebServerConfig server = WebServerConfig.builder()
                .config(Config.just(ConfigSources.classpath("application.yaml")).get("server"))
                .buildPrototype();
        assertThat(server.connectionOptions().tcpNoDelay(), is(true));
    }
}
