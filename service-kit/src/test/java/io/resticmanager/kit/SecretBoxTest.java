package io.resticmanager.kit;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SecretBoxTest {
    @Test
    void sealsAndOpensWithoutLeakingPlaintext() {
        SecretBox box = SecretBox.parse(SecretBox.newKeyLine());
        String sealed = box.seal("correct horse battery staple", "repo:1:password");
        assertThat(sealed, startsWith("v1." + box.activeKeyId() + "."));
        assertThat(sealed, not(containsString("horse")));
        assertThat(box.open(sealed, "repo:1:password"), is("correct horse battery staple"));
    }

    @Test
    void contextIsBound() {
        SecretBox box = SecretBox.parse(SecretBox.newKeyLine());
        String sealed = box.seal("pw", "repo:1:password");
        assertThrows(IllegalStateException.class, () -> box.open(sealed, "repo:2:password"));
    }

    @Test
    void rotationKeepsOldKeysReadableAndSealsWithTheNewest() throws InterruptedException {
        String first = "k1:" + java.util.Base64.getEncoder().encodeToString(new byte[32]);
        SecretBox old = SecretBox.parse(first);
        String sealedOld = old.seal("pw", "c");
        byte[] k2 = new byte[32];
        k2[0] = 7;
        SecretBox rotated = SecretBox.parse(first + "\nk2:" + java.util.Base64.getEncoder().encodeToString(k2));
        assertThat(rotated.activeKeyId(), is("k2"));
        assertThat(rotated.open(sealedOld, "c"), is("pw"));
        assertThat(SecretBox.keyIdOf(rotated.seal("pw", "c")), is("k2"));
    }

    @Test
    void rejectsBadKeyFiles() {
        assertThrows(IllegalStateException.class, () -> SecretBox.parse("# nothing\n"));
        assertThrows(IllegalStateException.class, () -> SecretBox.parse("k1:c2hvcnQ="));
    }
}
