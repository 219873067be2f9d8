package io.resticmanager.inventory;

import io.resticmanager.kit.Problem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Map;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ValidateTest {

    @ParameterizedTest
    @ValueSource(strings = {"RESTIC_PASSWORD", "RESTIC_PASSWORD_FILE", "RESTIC_PASSWORD_COMMAND", "RESTIC_REPOSITORY",
            "aws_key", "1ABC", "A-B", ""})
    void refusesForbiddenOrMalformedEnvKeys(String key) {
        Problem p = assertThrows(Problem.class, () -> Validate.env(Map.of(key, "the-value-xyz"), "env"));
        assertThat(p.status(), is(422));
        assertThat(p.detail(), not(containsString("the-value-xyz")));
    }

    @Test
    void acceptsBackendVariables() {
        Map<String, String> env = Map.of("AWS_ACCESS_KEY_ID", "AKIA", "_X1", "v", "B2_ACCOUNT_KEY", "k");
        assertThat(Validate.env(env, "env"), is(env));
    }

    @Test
    void tagsAreCheckedDedupedAndSorted() {
        assertThat(Validate.tags(List.of("prod", "db", "prod", "eu-west.1_a")), is(List.of("db", "eu-west.1_a", "prod")));
        assertThat(assertThrows(Problem.class, () -> Validate.tags(List.of("Prod"))).status(), is(422));
        assertThat(assertThrows(Problem.class, () -> Validate.tags(List.of("a b"))).status(), is(422));
        assertThat(assertThrows(Problem.class, () -> Validate.tags(List.of("x".repeat(41)))).status(), is(422));
    }

    @Test
    void namesAreOneToHundredCharacters() {
        assertThat(Validate.name("  web-1  ", "name"), is("web-1"));
        assertThat(Validate.name("x".repeat(100), "name").length(), is(100));
        assertThat(assertThrows(Problem.class, () -> Validate.name("x".repeat(101), "name")).status(), is(422));
        assertThat(assertThrows(Problem.class, () -> Validate.name("   ", "name")).status(), is(422));
    }
}
