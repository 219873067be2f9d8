package io.resticmanager.inventory;

import com.fasterxml.jackson.databind.JsonNode;
import io.resticmanager.kit.SecretBox;
import io.resticmanager.proto.Json;
import io.resticmanager.proto.RepoAccess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;

/** Key rotation: seal under k1, the operator appends k2, rekey moves every sealed value to k2. */
class RekeyTest {
    private final Path dir = TestEnv.tempDir();

    @AfterEach
    void cleanUp() {
        TestEnv.deleteTree(dir);
    }

    private static String keyLine(String kid) {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return kid + ":" + Base64.getEncoder().encodeToString(key);
    }

    /** Creates a repo with every secret field under k1 and a host using it; returns the host id. */
    private String sealUnderK1(String k1) {
        try (TestEnv env = TestEnv.start(dir, SecretBox.parse(k1), true)) {
            String repo = env.createRepo(Map.of("name", "r1", "url", "rest:https://u:urlpw@h/", "password", "password-1",
                                                "env", Map.of("RESTIC_REST_PASSWORD", "aws1"), "prune_password", "prune-password-1",
                                                "prune_env", Map.of("RESTIC_REST_PASSWORD", "paws1"),
                                                "prune_url", "rest:https://admin:adminpw@h/"));
            String host = env.enroll("web-1");
            env.assign(host, repo);
            // the host is its repository's maintenance host, so it may hold the full credential
            env.admin("PATCH", "/api/repos/" + repo, Map.of("maintenance_host_id", host));
            for (String[] sealed : sealed(env)) {
                assertThat(SecretBox.keyIdOf(sealed[2]), is("k1"));
            }
            return host;
        }
    }

    private static List<String[]> sealed(TestEnv env) {
        return new RepoStore(env.store).sealedValues();
    }

    private static void assertSecretsStillOpen(TestEnv env, String host) throws Exception {
        RepoAccess backup = Json.MAPPER.readValue(env.call("GET", "/internal/hosts/" + host + "/repo-access", null,
                                                           null).body(), RepoAccess.class);
        assertThat(backup.password(), is("password-1"));
        assertThat(backup.url(), is("rest:https://u:urlpw@h/"));
        assertThat(backup.env(), is(Map.of("RESTIC_REST_PASSWORD", "aws1")));
        RepoAccess full = Json.MAPPER.readValue(env.call("GET", "/internal/hosts/" + host + "/repo-access?purpose=full",
                                                         null, null).body(), RepoAccess.class);
        assertThat(full.password(), is("prune-password-1"));
        assertThat(full.url(), is("rest:https://admin:adminpw@h/"));
        assertThat(full.env(), is(Map.of("RESTIC_REST_PASSWORD", "paws1")));
    }

    @Test
    void rekeyEndpointResealsEverySecretUnderTheNewKey() throws Exception {
        String k1 = keyLine("k1");
        String k2 = keyLine("k2");
        String host = sealUnderK1(k1);
        try (TestEnv env = TestEnv.start(dir, SecretBox.parse(k1 + "\n" + k2 + "\n"), true)) {
            TestEnv.Reply reply = env.admin("POST", "/api/repos/rekey", null);
            assertThat(reply.body(), reply.status(), is(200));
            JsonNode result = reply.json();
            assertThat(result.get("resealed").asInt(), is(6));
            assertThat(result.get("key_id").asText(), is("k2"));
            assertThat(reply.header("X-RM-Audit-Action"), is("repo.rekey"));
            List<String[]> all = sealed(env);
            assertThat(all, hasSize(6));
            for (String[] value : all) {
                assertThat(value[1] + " is under k2", SecretBox.keyIdOf(value[2]), is("k2"));
            }
            assertSecretsStillOpen(env, host);
        }
        // k1 can now be retired: k2 alone opens everything
        try (TestEnv env = TestEnv.start(dir, SecretBox.parse(k2), true)) {
            assertSecretsStillOpen(env, host);
        }
    }

    @Test
    void rekeyCommandDoesTheSameOffline() throws Exception {
        String k1 = keyLine("k1");
        String k2 = keyLine("k2");
        String host = sealUnderK1(k1);
        Path keyFile = dir.resolve("secret.key");
        Files.writeString(keyFile, k1 + "\n" + k2 + "\n");
        PrintStream out = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setProperty("rm.data-dir", dir.toString());
        System.setProperty("rm.secret-key-file", keyFile.toString());
        try {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            InventoryMain.main(new String[] {"rekey"});
        } finally {
            System.setOut(out);
            System.clearProperty("rm.data-dir");
            System.clearProperty("rm.secret-key-file");
        }
        String printed = captured.toString(StandardCharsets.UTF_8).strip();
        assertThat(Json.MAPPER.readTree(printed.lines().reduce((a, b) -> b).orElseThrow()).get("key_id").asText(),
                   is("k2"));
        try (TestEnv env = TestEnv.start(dir, SecretBox.parse(k2), true)) {
            for (String[] value : sealed(env)) {
                assertThat(SecretBox.keyIdOf(value[2]), is("k2"));
            }
            assertSecretsStillOpen(env, host);
        }
    }
}
