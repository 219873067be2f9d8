package io.resticmanager.inventory;

import com.fasterxml.jackson.databind.JsonNode;
import io.resticmanager.kit.SecretBox;
import io.resticmanager.proto.Json;
import io.resticmanager.proto.RepoAccess;
import io.resticmanager.proto.Role;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Secrets go in through the public API, stay sealed on disk, and come out only over repo-access. */
class RepoSecretsTest {
    // Distinctive values, so a leak anywhere is found by a plain substring search.
    private static final String PASSWORD = "pw-Zeta7781-backup";
    private static final String PRUNE_PASSWORD = "pw-Omicron4412-prune";
    private static final String ENV_VALUE = "AKIA-Kappa9931-secret";
    private static final String PRUNE_ENV_VALUE = "AKIA-Sigma2207-delete";
    private static final String URL_PASSWORD = "urlpass-Theta5150";
    private static final List<String> SECRETS = List.of(PASSWORD, PRUNE_PASSWORD, ENV_VALUE, PRUNE_ENV_VALUE,
                                                        URL_PASSWORD);
    private static TestEnv env;
    private static String repoId;
    private static String hostId;
    private static final List<TestEnv.Reply> replies = new ArrayList<>();

    private static SecretBox box;
    /** Held open so SQLite keeps the -wal file (the last close would checkpoint and delete it). */
    private static Connection walHolder;

    @BeforeAll
    static void setUp() {
        box = SecretBox.parse(SecretBox.newKeyLine());
        env = TestEnv.start(box, true);
        walHolder = env.store.connect();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", "offsite");
        body.put("url", "rest:https://backup:" + URL_PASSWORD + "@rest.example.com/web-1/");
        body.put("password", PASSWORD);
        body.put("env", Map.of("RESTIC_REST_USERNAME", ENV_VALUE));
        body.put("prune_password", PRUNE_PASSWORD);
        body.put("prune_env", Map.of("RESTIC_REST_USERNAME", PRUNE_ENV_VALUE));
        TestEnv.Reply created = env.admin("POST", "/api/repos", body);
        replies.add(created);
        assertThat(created.body(), created.status(), is(201));
        repoId = created.json().get("id").asText();
        hostId = env.enroll("web-1");
        env.assign(hostId, repoId);
    }

    @AfterAll
    static void tearDown() throws Exception {
        walHolder.close();
        env.close();
    }

    @Test
    void createAnswersIdNameAndRedactedUrl() {
        JsonNode created = replies.getFirst().json();
        assertThat(created.get("name").asText(), is("offsite"));
        assertThat(created.get("url").asText(), is("rest:https://backup:***@rest.example.com/web-1/"));
        assertThat(replies.getFirst().header("X-RM-Audit-Action"), is("repo.create"));
    }

    @Test
    void noPublicResponseContainsASecret() {
        List<TestEnv.Reply> all = new ArrayList<>(replies);
        all.add(env.get("/api/repos"));
        all.add(env.get("/api/repos/" + repoId));
        all.add(env.get("/api/hosts"));
        all.add(env.get("/api/hosts/" + hostId));
        all.add(env.get("/api/repos/" + repoId + "/stats/history"));
        all.add(env.get("/api/repos/" + repoId + "/snapshots"));
        all.add(env.admin("PATCH", "/api/repos/" + repoId, Map.of("name", "offsite")));
        // validation errors must not echo what was sent either
        all.add(env.admin("POST", "/api/repos", Map.of("name", "x", "url", "ftp://u:" + URL_PASSWORD + "@h/",
                                                       "password", PASSWORD)));
        all.add(env.admin("POST", "/api/repos", Map.of("name", "y", "url", "/srv/y", "password", PASSWORD,
                                                       "env", Map.of("RESTIC_PASSWORD", ENV_VALUE))));
        for (TestEnv.Reply reply : all) {
            for (String secret : SECRETS) {
                assertThat(reply.body(), not(containsString(secret)));
                reply.headers().values().forEach(v -> assertThat(v.toString(), not(containsString(secret))));
            }
        }
        JsonNode repo = env.get("/api/repos/" + repoId).json();
        assertThat(repo.get("has_prune_credential").asBoolean(), is(true));
        assertThat(repo.get("host_count").asInt(), is(1));
        assertThat(repo.get("env_keys").get(0).asText(), is("RESTIC_REST_USERNAME"));
        assertThat(repo.get("url").asText(), is("rest:https://backup:***@rest.example.com/web-1/"));
        assertThat(repo.has("stats"), is(true));
    }

    @Test
    void secretsAreSealedAtRestIncludingTheWal() throws IOException {
        Path db = env.store.file();
        List<Path> files;
        try (Stream<Path> s = Files.list(db.getParent())) {
            files = s.filter(p -> p.getFileName().toString().startsWith("inventory.db")).toList();
        }
        assertThat(files.stream().map(p -> p.getFileName().toString()).toList(), hasItem("inventory.db-wal"));
        for (Path file : files) {
            String bytes = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
            for (String secret : SECRETS) {
                assertThat(file + " leaks a secret", bytes, not(containsString(secret)));
            }
        }
    }

    @Test
    void repoAccessGivesTheCredentialForThePurpose() throws Exception {
        TestEnv.Reply backup = env.call("GET", "/internal/hosts/" + hostId + "/repo-access?purpose=backup", null, null);
        assertThat(backup.status(), is(200));
        assertThat(backup.header("Cache-Control"), is("no-store"));
        RepoAccess b = Json.MAPPER.readValue(backup.body(), RepoAccess.class);
        assertThat(b.repoId(), is(repoId));
        assertThat(b.url(), is("rest:https://backup:" + URL_PASSWORD + "@rest.example.com/web-1/"));
        assertThat(b.password(), is(PASSWORD));
        assertThat(b.env(), is(Map.of("RESTIC_REST_USERNAME", ENV_VALUE)));

        // a separate full credential never goes to the backed-up host itself: without a maintenance host, 409
        TestEnv.Reply refused = env.call("GET", "/internal/hosts/" + hostId + "/repo-access?purpose=full", null, null);
        assertThat(refused.status(), is(409));
        assertThat(refused.body(), containsString("maintenance host"));
        assertThat(refused.body(), not(containsString(PRUNE_PASSWORD)));
        String maintainer = env.enroll("maint-1");
        assertThat(env.admin("PATCH", "/api/repos/" + repoId, Map.of("maintenance_host_id", maintainer)).status(),
                   is(200));
        assertThat(env.get("/api/repos/" + repoId).json().get("maintenance_host_id").asText(), is(maintainer));
        RepoAccess f = Json.MAPPER.readValue(env.call("GET", "/internal/hosts/" + hostId + "/repo-access?purpose=full",
                                                      null, null).body(), RepoAccess.class);
        assertThat(f.password(), is(PRUNE_PASSWORD));
        assertThat(f.env(), is(Map.of("RESTIC_REST_USERNAME", PRUNE_ENV_VALUE)));
        assertThat(f.url(), is(b.url()));
        // ... answered for the maintenance host to run, scoped to this host's snapshots
        assertThat(f.maintenanceHostId(), is(maintainer));
        assertThat(f.forHostname(), is(env.get("/api/hosts/" + hostId).json().get("hostname").asText()));
        // check goes to the maintenance host with the full credential too; backup stays with the host
        RepoAccess c = Json.MAPPER.readValue(env.call("GET", "/internal/hosts/" + hostId
                + "/repo-access?purpose=check", null, null).body(), RepoAccess.class);
        assertThat(c.maintenanceHostId(), is(maintainer));
        assertThat(c.password(), is(PRUNE_PASSWORD));
        assertThat(Json.MAPPER.readValue(env.call("GET", "/internal/hosts/" + hostId + "/repo-access?purpose=backup",
                                                  null, null).body(), RepoAccess.class).maintenanceHostId(),
                   is((String) null));
        // only an existing host can be named; null clears
        assertThat(env.admin("PATCH", "/api/repos/" + repoId, Map.of("maintenance_host_id", "no-such-host")).status(),
                   is(422));
        assertThat(env.call("PATCH", "/api/repos/" + repoId, Map.of("maintenance_host_id", maintainer),
                            Role.OPERATOR).status(), is(403));
        assertThat(env.admin("PATCH", "/api/repos/" + repoId, "{\"maintenance_host_id\":null}").json()
                           .get("maintenance_host_id").isNull(), is(true));

        assertThat(env.call("GET", "/internal/hosts/nope/repo-access", null, null).status(), is(404));
        assertThat(env.call("GET", "/internal/hosts/" + hostId + "/repo-access?purpose=all", null, null).status(),
                   is(400));
        String bare = env.enroll("no-repo");
        assertThat(env.call("GET", "/internal/hosts/" + bare + "/repo-access", null, null).status(), is(409));
        // the internal API needs the internal token
        assertThat(env.call("GET", "/internal/hosts/" + hostId + "/repo-access", null, null, "wrong").status(),
                   is(401));
    }

    @Test
    void fullFallsBackToTheNormalCredentialWithoutAPruneOne() throws Exception {
        String plain = env.createRepo(Map.of("name", "plain", "url", "/srv/plain", "password", "plain-pw"));
        String host = env.enroll("db-1");
        env.assign(host, plain);
        RepoAccess f = Json.MAPPER.readValue(env.call("GET", "/internal/hosts/" + host + "/repo-access?purpose=full",
                                                      null, null).body(), RepoAccess.class);
        assertThat(f.password(), is("plain-pw"));
        assertThat(f.env(), is(Map.of()));
        assertThat(env.get("/api/repos/" + plain).json().get("has_prune_credential").asBoolean(), is(false));
    }

    @Test
    void patchReplacesSecretsWriteOnly() throws Exception {
        String id = env.createRepo(Map.of("name", "rotating", "url", "/srv/rot", "password", "old-password",
                                          "prune_password", "old-prune-password"));
        String host = env.enroll("rot-1");
        env.assign(host, id);
        TestEnv.Reply patched = env.admin("PATCH", "/api/repos/" + id, Map.of("password", "new-pw-Lambda",
                                                                              "env", Map.of("RESTIC_COMPRESSION", "max")));
        assertThat(patched.status(), is(200));
        assertThat(patched.body(), not(containsString("new-pw-Lambda")));
        assertThat(patched.header("X-RM-Audit-Target"), is("repo=" + id + " fields=env,password"));
        assertThat(env.admin("PATCH", "/api/repos/" + id, "{\"prune_password\":null}").json().get("has_prune_credential").asBoolean(),
                   is(false));
        RepoAccess a = Json.MAPPER.readValue(env.call("GET", "/internal/hosts/" + host + "/repo-access?purpose=full",
                                                      null, null).body(), RepoAccess.class);
        assertThat(a.password(), is("new-pw-Lambda"));
        assertThat(a.env(), is(Map.of("RESTIC_COMPRESSION", "max")));
        assertThat(env.admin("PATCH", "/api/repos/" + id, Map.of("passwd", "x")).status(), is(422));
        assertThat(env.admin("PATCH", "/api/repos/" + id, Map.of("url", "nope")).status(), is(422));
    }

    @Test
    void createValidatesAndChecksRoles() {
        assertThat(env.admin("POST", "/api/repos", Map.of("name", "bad", "url", "relative/dir", "password", "x"))
                           .json().get("detail").asText(), startsWith("unsupported repository URL"));
        assertThat(env.admin("POST", "/api/repos", Map.of("name", "nopw", "url", "/srv/x")).status(), is(422));
        assertThat(env.admin("POST", "/api/repos", Map.of("name", "offsite", "url", "/srv/x", "password", "repo-password"))
                           .status(), is(409));
        assertThat(env.call("POST", "/api/repos", Map.of("name", "v", "url", "/srv/v", "password", "repo-password"),
                            Role.OPERATOR).status(), is(403));
        assertThat(env.call("GET", "/api/repos", null, null).status(), is(401));
        assertThat(env.call("GET", "/api/repos", null, Role.VIEWER, null).status(), is(401));
        assertThat(env.admin("POST", "/api/repos", "{not json").status(), is(400));
    }

    @Test
    void deleteIsRefusedWhileHostsUseTheRepo() {
        String id = env.createRepo(Map.of("name", "busy", "url", "/srv/busy", "password", "repo-password"));
        String host = env.enroll("busy-1");
        env.assign(host, id);
        assertThat(env.admin("DELETE", "/api/repos/" + id, null).status(), is(409));
        assertThat(env.admin("PATCH", "/api/hosts/" + host, "{\"repo_id\":null}").status(), is(200));
        TestEnv.Reply deleted = env.admin("DELETE", "/api/repos/" + id, null);
        assertThat(deleted.status(), is(204));
        assertThat(deleted.header("X-RM-Audit-Action"), is("repo.delete"));
        assertThat(env.get("/api/repos/" + id).status(), is(404));
    }

    @Test
    void sealedValuesOnlyOpenInTheirOwnRowAndColumn() throws Exception {
        List<String[]> sealed = new RepoStore(env.store).sealedValues();
        assertThat(sealed, not(empty()));
        String[] password = sealed.stream().filter(v -> v[0].equals(repoId) && v[1].equals("password"))
                .findFirst().orElseThrow();
        assertThat(password[2], startsWith("v1."));
        Vault vault = new Vault(box);
        assertThat(vault.open(repoId, "password", password[2]), is(PASSWORD));
        assertThrows(IllegalStateException.class, () -> vault.open("other-repo", "password", password[2]));
        assertThrows(IllegalStateException.class, () -> vault.open(repoId, "prune_password", password[2]));
    }
}
