package io.resticmanager.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.resticmanager.kit.SecretBox;
import io.resticmanager.proto.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.Map;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The sealing key's escrow: an admin downloads the key file encrypted under a passphrase the server never keeps; the
 * file opens with that passphrase only, to the very key file, which still opens what the key sealed; any change to
 * the file (parameters, salt, key ids, ciphertext) makes it refuse; operators and viewers never get it.
 */
class EscrowTest {
    private static final String PASSPHRASE = "correct horse battery staple, escrowed";
    private TestStack stack;
    private TestStack.Session admin;
    private String keyFile;

    @BeforeEach
    void start() throws Exception {
        stack = new TestStack(Map.of("rm.gateway.escrow.memory-kib", "1024", "rm.gateway.escrow.iterations", "1"));
        admin = stack.setupAdmin();
        keyFile = "k1:" + java.util.Base64.getEncoder().encodeToString(new byte[32]).replace('A', 'Q') + "\n"
                + SecretBox.newKeyLine() + "\n";
        Files.writeString(stack.dataDir.resolve("secret.key"), keyFile);
    }

    @AfterEach
    void stop() {
        stack.close();
    }

    @Test
    void anAdminDownloadsItAndItOpensToTheKeyFileWithThePassphraseOnly() {
        SecretBox box = SecretBox.parse(keyFile);
        String sealed = box.seal("repo-password", "repo:r1:password");

        HttpResponse<String> info = stack.as(admin, "GET", "/api/escrow/sealing-key", null);
        assertThat(info.statusCode(), is(200));
        assertThat(TestStack.tree(info).path("warning").asText(), containsString("cannot open"));
        assertThat(TestStack.tree(info).path("key_ids").size(), is(2));

        HttpResponse<String> r = stack.as(admin, "POST", "/api/escrow/sealing-key",
                                          Json.write(Map.of("passphrase", PASSPHRASE)));
        assertThat(r.body(), r.statusCode(), is(200));
        assertThat(r.headers().firstValue("Content-Disposition").orElse(""), containsString("escrow.json"));
        assertThat(r.headers().firstValue("Cache-Control").orElse(""), is("no-store"));
        String escrow = r.body();
        // no key material and no passphrase in clear
        for (String line : keyFile.strip().split("\n")) {
            assertThat(escrow, not(containsString(line.substring(line.indexOf(':') + 1))));
        }
        assertThat(escrow, not(containsString(PASSPHRASE)));
        JsonNode file = TestStack.tree(r);
        assertThat(file.path("format").asText(), is(Escrow.FORMAT));
        assertThat(file.path("kdf").path("name").asText(), is("argon2id"));
        assertThat(file.path("cipher").path("name").asText(), is("AES-256-GCM"));

        String opened = Escrow.open(escrow, PASSPHRASE);
        assertThat(opened, is(keyFile));
        assertThat(SecretBox.parse(opened).open(sealed, "repo:r1:password"), is("repo-password"));
        assertThat(assertThrows(IllegalArgumentException.class, () -> Escrow.open(escrow, PASSPHRASE + "x"))
                           .getMessage(), containsString("wrong passphrase"));

        // the audit log names it, never the passphrase
        String audit = stack.as(admin, "GET", "/api/audit", null).body();
        assertThat(audit, containsString("sealing_key.escrow"));
        assertThat(audit, not(containsString(PASSPHRASE)));
    }

    @Test
    void aChangedFileRefusesToOpen() throws Exception {
        String escrow = Escrow.seal(keyFile, PASSPHRASE, 1024, 1);
        for (String[] change : new String[][] {
                {"kdf", "iterations", "2"}, {"kdf", "salt", "AAAAAAAAAAAAAAAAAAAAAA=="}, {"", "key_ids", "[\"k9\"]"},
                {"cipher", "nonce", "AAAAAAAAAAAAAAAA"}}) {
            ObjectNode tree = (ObjectNode) Json.MAPPER.readTree(escrow);
            ObjectNode at = change[0].isEmpty() ? tree : (ObjectNode) tree.get(change[0]);
            at.set(change[1], Json.MAPPER.readTree(change[2].startsWith("[") || change[2].matches("\\d+")
                                                           ? change[2] : "\"" + change[2] + "\""));
            assertThrows(IllegalArgumentException.class, () -> Escrow.open(Json.MAPPER.writeValueAsString(tree),
                                                                           PASSPHRASE), String.join(".", change));
        }
        assertThrows(IllegalArgumentException.class, () -> Escrow.open("{\"format\":\"other\"}", PASSPHRASE));
        assertThrows(IllegalArgumentException.class, () -> Escrow.open("not json", PASSPHRASE));
    }

    @Test
    void onlyAdminsAndOnlyWithAStrongPassphrase() {
        TestStack.Session operator = stack.createUser(admin, "olivia", "operator");
        String body = Json.write(Map.of("passphrase", PASSPHRASE));
        assertThat(stack.as(operator, "POST", "/api/escrow/sealing-key", body).statusCode(), is(403));
        assertThat(stack.as(operator, "GET", "/api/escrow/sealing-key", null).statusCode(), is(403));
        assertThat(stack.send("POST", "/api/escrow/sealing-key", body).statusCode(), is(401));
        assertThat(stack.as(admin, "POST", "/api/escrow/sealing-key", Json.write(Map.of("passphrase", "short")))
                           .statusCode(), is(422));
        assertThat(stack.as(admin, "POST", "/api/escrow/sealing-key", "{}").statusCode(), is(422));
        assertThat(stack.as(admin, "POST", "/api/escrow/sealing-key", "{\"passphrase\":42}").statusCode(), is(422));
    }

    @Test
    void withoutAKeyFileTheGatewaySaysSo() throws Exception {
        Files.delete(stack.dataDir.resolve("secret.key"));
        HttpResponse<String> r = stack.as(admin, "POST", "/api/escrow/sealing-key",
                                          Json.write(Map.of("passphrase", PASSPHRASE)));
        assertThat(r.statusCode(), is(409));
        assertThat(r.body(), containsString("RM_SECRET_KEY_FILE"));
    }
}
