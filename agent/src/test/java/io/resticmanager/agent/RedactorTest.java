package io.resticmanager.agent;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/** What leaves the agent never carries a password, however short (the review found 3-character ones escaping). */
class RedactorTest {
    @Test
    void aShortPasswordIsMaskedAnywayWhileShortBackendValuesAreNot() {
        Redactor r = new Redactor(List.of("pw7"), List.of("eu", "long-secret-key"));
        assertThat(r.apply("Fatal: wrong password pw7 for repo in eu"), is("Fatal: wrong password *** for repo in eu"));
        assertThat(r.apply("key long-secret-key"), is("key ***"));
        assertThat(r.apply("sftp://backup:hunter2@nas/srv"), is("sftp://***@nas/srv"));
    }
}
