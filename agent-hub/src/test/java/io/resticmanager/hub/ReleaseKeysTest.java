package io.resticmanager.hub;

import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ReleaseKeysTest {
    @Test
    void theKeyIsMadeOnceOwnerOnlyAndKeptAcrossRestarts(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("release.key");
        ReleaseKeys first = ReleaseKeys.load(file, true);
        assertThat(Files.getPosixFilePermissions(file).toString(), is("[OWNER_READ, OWNER_WRITE]"));
        assertThat(ReleaseKeys.load(file, true).activePem(), is(first.activePem()));
        // production mode never makes one
        IllegalStateException missing = assertThrows(IllegalStateException.class,
                                                      () -> ReleaseKeys.load(dir.resolve("absent.key"), false));
        assertThat(missing.getMessage(), containsString("does not exist"));
    }

    @Test
    void afterARotationTheNewKeySignsAndBothStayPublished(@TempDir Path dir) throws Exception {
        String oldLine = ReleaseKeys.newKeyLine();
        String newLine = "r2:" + Base64.getEncoder().encodeToString(new byte[32]);
        ReleaseKeys before = ReleaseKeys.parse(oldLine, dir);
        ReleaseKeys after = ReleaseKeys.parse(oldLine + "\n" + newLine + "\n", dir);
        assertThat(after.activeId(), is("r2"));
        assertThat(after.allPems(), containsString(before.activePem()));
        assertThat(after.allPems(), containsString(after.activePem()));
        assertThat(after.activePem(), is(not(before.activePem())));

        byte[] message = "abc  restic-manager-agent.tar.gz\n".getBytes(StandardCharsets.UTF_8);
        assertThat(verifies(after.activePem(), message, after.sign(message)), is(true));
        assertThat(verifies(before.activePem(), message, after.sign(message)), is(false));
    }

    @Test
    void aMalformedLineIsRefusedWithoutEchoingIt(@TempDir Path dir) {
        for (String bad : new String[] {"r1:c2hvcnQ=", "no-colon-here", "bad id!:" + Base64.getEncoder()
                .encodeToString(new byte[32]), "r1:%%%"}) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> ReleaseKeys.parse(bad, dir));
            assertThat(e.getMessage(), containsString("line 1"));
            assertThat(e.getMessage(), not(containsString(bad)));
        }
    }

    private static boolean verifies(String pem, byte[] message, byte[] signature) {
        byte[] spki = Base64.getDecoder().decode(pem.replaceAll("-----[A-Z ]+-----|\\s", ""));
        Ed25519Signer verifier = new Ed25519Signer();
        verifier.init(false, new Ed25519PublicKeyParameters(spki, spki.length - 32));
        verifier.update(message, 0, message.length);
        return verifier.verifySignature(signature);
    }
}
