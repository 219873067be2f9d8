package io.resticmanager.gateway;

import io.resticmanager.kit.Problem;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PasswordsTest {
    private final Passwords passwords = new Passwords(256, 1, 1);

    @Test
    void hashesAreSaltedArgon2idThatVerify() {
        String a = passwords.hash("correct horse battery");
        String b = passwords.hash("correct horse battery");
        assertThat(a, startsWith("$argon2id$v=19$m=256,t=1,p=1$"));
        assertThat(a, is(not(b)));
        assertThat(passwords.verify("correct horse battery", a), is(true));
        assertThat(passwords.verify("correct horse batterY", a), is(false));
    }

    @Test
    void hashesKeepTheirParametersWhenTheDefaultsChange() {
        String old = passwords.hash("correct horse battery");
        Passwords stronger = new Passwords(512, 2, 1);
        assertThat(stronger.verify("correct horse battery", old), is(true));
    }

    @Test
    void malformedHashesNeverMatch() {
        assertThat(passwords.verify("x", "plain"), is(false));
        assertThat(passwords.verify("x", "$argon2i$v=19$m=256,t=1,p=1$AAAA$AAAA"), is(false));
        assertThat(passwords.verify("x", "$argon2id$v=19$m=zz,t=1,p=1$AAAA$AAAA"), is(false));
    }

    @Test
    void policyNeedsTwelveCharacters() {
        Problem p = assertThrows(Problem.class, () -> Passwords.checkPolicy("elevenchars"));
        assertThat(p.status(), is(422));
        Passwords.checkPolicy("twelve chars");
    }
}
