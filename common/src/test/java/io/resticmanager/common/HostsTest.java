package io.resticmanager.common;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

class HostsTest {
    /** Plain http is allowed only to this machine: a name that merely looks local must not pass. */
    @ParameterizedTest
    @CsvSource({
            "localhost, true", "LOCALHOST, true", "127.0.0.1, true", "127.8.9.10, true", "[::1], true", "::1, true",
            "10.0.0.1, false", "[::2], false", "example.com, false", "localhost.example.com, false",
            "127.0.0.1.nip.io, false", "0x7f.0.0.1, false"})
    void onlyLoopbackLiteralsAndLocalhostCount(String host, boolean loopback) {
        assertThat(host, Hosts.loopback(host), is(loopback));
    }
}
