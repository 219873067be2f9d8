package io.resticmanager.gateway;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ClientAddressTest {
    @Test
    void trustedProxyRangesMatchByPrefix() {
        ClientAddress.Cidr pods = ClientAddress.Cidr.parse("10.42.0.0/16");
        assertThat(pods.contains("10.42.7.9"), is(true));
        assertThat(pods.contains("10.43.0.1"), is(false));
        assertThat(pods.contains("fd00::1"), is(false));
        assertThat(pods.contains("not-an-ip"), is(false));
        ClientAddress.Cidr odd = ClientAddress.Cidr.parse("172.30.80.8/29");
        assertThat(odd.contains("172.30.80.15"), is(true));
        assertThat(odd.contains("172.30.80.16"), is(false));
        assertThat(ClientAddress.Cidr.parse("fd00::/8").contains("fd12::5"), is(true));
        assertThrows(IllegalStateException.class, () -> ClientAddress.Cidr.parse("10.0.0.0/33"));
        assertThrows(IllegalStateException.class, () -> ClientAddress.Cidr.parse("example.com/8"));
    }
}
