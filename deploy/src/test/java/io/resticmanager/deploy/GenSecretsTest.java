package io.resticmanager.deploy;

import io.resticmanager.kit.SecretBox;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

/** deploy/gen-secrets.sh writes secrets the services accept, never replaces one, and keeps them private. */
class GenSecretsTest {
    private static final String SCRIPT = Repo.DEPLOY.resolve("gen-secrets.sh").toString();

    @Test
    void writesATokenAndAKeyThatTheServicesParse(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("secrets");
        Proc.Result result = Proc.run(tmp, List.of("sh", SCRIPT, dir.toString()));
        assertThat(result.output(), result.ok(), is(true));

        String token = Files.readString(dir.resolve("internal-token")).strip();
        assertThat(token, startsWith("rmi_"));
        assertThat("256 random bits", token.length(), greaterThanOrEqualTo(4 + 43));
        assertThat(token.matches("rmi_[A-Za-z0-9_-]+"), is(true));

        // the same parser the services run on RM_SECRET_KEY_FILE
        SecretBox box = SecretBox.parse(Files.readString(dir.resolve("secret.key")));
        assertThat(box.open(box.seal("repo password", "repo:1:password"), "repo:1:password"), is("repo password"));
        assertThat(box.activeKeyId(), is("k1"));

        // agent-hub's release key: "<key id>:<base64 32-byte Ed25519 seed>"
        String release = Files.readString(dir.resolve("release.key")).strip();
        assertThat(release, startsWith("r1:"));
        assertThat(java.util.Base64.getDecoder().decode(release.substring(3)).length, is(32));

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)), is("rwx------"));
        for (String file : List.of("internal-token", "secret.key", "release.key")) {
            assertThat(file, PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(file))),
                       is("r--r--r--"));
        }
    }

    @Test
    void neverReplacesAnExistingSecret(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("secrets");
        assertThat(Proc.run(tmp, List.of("sh", SCRIPT, dir.toString())).ok(), is(true));
        String key = Files.readString(dir.resolve("secret.key"));
        String token = Files.readString(dir.resolve("internal-token"));

        Proc.Result again = Proc.run(tmp, List.of("sh", SCRIPT, dir.toString()));
        assertThat(again.output(), again.ok(), is(true));
        assertThat(again.output(), containsString("kept"));
        assertThat("a new key would orphan every sealed secret", Files.readString(dir.resolve("secret.key")), is(key));
        assertThat(Files.readString(dir.resolve("internal-token")), is(token));

        Path other = tmp.resolve("other");
        assertThat(Proc.run(tmp, List.of("sh", SCRIPT, other.toString())).ok(), is(true));
        assertThat("keys are random", Files.readString(other.resolve("secret.key")), not(is(key)));
    }

    @Test
    void refusesToRunWithoutADirectory(@TempDir Path tmp) {
        Proc.Result result = Proc.run(tmp, List.of("sh", SCRIPT));
        assertThat(result.exit(), is(2));
        assertThat(result.output(), containsString("usage"));
    }
}
