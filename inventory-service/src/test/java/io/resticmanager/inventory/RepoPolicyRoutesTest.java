package io.resticmanager.inventory;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.HashMap;
import java.util.Map;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

/**
 * The review's "root on every host through repository env": an admin's repository may carry only the
 * variables restic documents for its backend, and no sftp host or rclone remote that reads as an option.
 * Every refusal is a 422 naming the key, and nothing is stored.
 */
class RepoPolicyRoutesTest {
    private static TestEnv env;

    @BeforeAll
    static void start() {
        env = TestEnv.start();
    }

    @AfterAll
    static void stop() {
        env.close();
    }

    @ParameterizedTest
    @CsvSource({
            "sftp:backup@nas:/srv/repo, PATH",
            "sftp:backup@nas:/srv/repo, SSH_ASKPASS",
            "/srv/repo, LD_PRELOAD",
            "rclone:remote:bucket, RCLONE_CONFIG_EVIL_TYPE",
            "s3:s3.amazonaws.com/bucket, PATH"})
    void aPlantedProgramVariableIsRefusedByName(String url, String key) {
        int before = repoCount();
        TestEnv.Reply reply = env.admin("POST", "/api/repos", Map.of("name", "evil-" + key, "url", url,
                "password", "long-enough-password", "env", Map.of(key, "/tmp/planted")));
        assertThat(reply.body(), reply.status(), is(422));
        assertThat(reply.json().path("detail").asText(), containsString(key));
        assertThat(reply.body().contains("/tmp/planted"), is(false));
        assertThat(repoCount(), is(before));
    }

    @ParameterizedTest
    @ValueSource(strings = {"sftp:-oProxyCommand=touch${IFS}/tmp/pwned:/srv", "sftp://-oProxyCommand=x/srv",
            "rclone:-vv:bucket", "rclone:remote,ssh=touch:/x"})
    void aHostOrRemoteThatReadsAsAnOptionIsRefused(String url) {
        TestEnv.Reply reply = env.admin("POST", "/api/repos", Map.of("name", "opt", "url", url,
                "password", "long-enough-password"));
        assertThat(reply.body(), reply.status(), is(422));
    }

    @Test
    void thePruneCredentialIsCheckedTooAndAPatchCannotSmuggleAVariableIn() {
        TestEnv.Reply prune = env.admin("POST", "/api/repos", Map.of("name", "p1", "url", "/srv/p1",
                "password", "long-enough-password", "prune_password", "another-long-password",
                "prune_env", Map.of("LD_PRELOAD", "/tmp/x.so")));
        assertThat(prune.body(), prune.status(), is(422));
        assertThat(prune.json().path("detail").asText(), containsString("prune credential"));

        String id = env.admin("POST", "/api/repos", Map.of("name", "s3-ok", "url", "s3:s3.amazonaws.com/bucket",
                "password", "long-enough-password", "env", Map.of("AWS_ACCESS_KEY_ID", "AKIA1234")))
                .json().path("id").asText();
        // switching the URL to sftp would leave an S3 key behind: refused as a whole
        TestEnv.Reply switchUrl = env.admin("PATCH", "/api/repos/" + id, Map.of("url", "sftp:u@nas:/srv"));
        assertThat(switchUrl.body(), switchUrl.status(), is(422));
        assertThat(switchUrl.json().path("detail").asText(), containsString("AWS_ACCESS_KEY_ID"));
        TestEnv.Reply addPath = env.admin("PATCH", "/api/repos/" + id, Map.of("env", Map.of("PATH", "/tmp")));
        assertThat(addPath.status(), is(422));
        TestEnv.Reply prunePath = env.admin("PATCH", "/api/repos/" + id, Map.of("prune_env", Map.of("PATH", "/tmp")));
        assertThat(prunePath.status(), is(422));
        JsonNode repo = env.get("/api/repos/" + id).json();
        assertThat(repo.path("url").asText(), is("s3:s3.amazonaws.com/bucket"));
        assertThat(repo.path("env_keys").toString(), is("[\"AWS_ACCESS_KEY_ID\"]"));

        // a change that stays within the policy still works
        Map<String, Object> ok = new HashMap<>();
        ok.put("url", "s3:https://minio.local:9000/bucket");
        ok.put("env", Map.of("AWS_ACCESS_KEY_ID", "AKIA5678", "AWS_SECRET_ACCESS_KEY", "s3cr3t-value"));
        assertThat(env.admin("PATCH", "/api/repos/" + id, ok).status(), is(200));
    }

    @Test
    void aPasswordTooShortToMaskReliablyIsRefused() {
        TestEnv.Reply reply = env.admin("POST", "/api/repos", Map.of("name", "short", "url", "/srv/short",
                "password", "abc"));
        assertThat(reply.status(), is(422));
        assertThat(reply.json().path("detail").asText(), containsString("at least 8 characters"));
    }

    @Test
    void theOfflineLeaseIsSetPerRepositoryInWholeDays() {
        String id = env.admin("POST", "/api/repos", Map.of("name", "lease", "url", "/srv/lease",
                "password", "long-enough-password")).json().path("id").asText();
        assertThat(env.get("/api/repos/" + id).json().path("offline_lease_days").asInt(), is(7));
        assertThat(env.admin("PATCH", "/api/repos/" + id, Map.of("offline_lease_days", 0)).status(), is(200));
        assertThat(env.get("/api/repos/" + id).json().path("offline_lease_days").asInt(), is(0));
        assertThat(env.admin("PATCH", "/api/repos/" + id, Map.of("offline_lease_days", 400)).status(), is(422));
        assertThat(env.admin("PATCH", "/api/repos/" + id, Map.of("offline_lease_days", "7")).status(), is(422));
    }

    private int repoCount() {
        return env.get("/api/repos").json().path("items").size();
    }

}
