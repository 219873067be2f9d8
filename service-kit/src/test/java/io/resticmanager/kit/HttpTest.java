package io.resticmanager.kit;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

class HttpTest {
    @Test
    void auditTextFromAClientIsAlwaysAValidHeaderValue() {
        // found by FuzzTest: an enrollment whose hostname holds a NUL made agent-hub answer 500 (Helidon refused
        // the audit header) after the enrollment was already stored
        assertThat(Http.headerSafe("hostname=a\u0000b\u007f\n x"), is("hostname=a\\u0000b\\u007f\\u000a x"));
        assertThat(Http.headerSafe(" host=日本 "), is("host=日本"));
    }
}
