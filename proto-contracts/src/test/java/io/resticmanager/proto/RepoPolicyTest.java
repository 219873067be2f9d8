package io.resticmanager.proto;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Map;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The variables and targets a repository may hand to the host that runs restic for it. */
class RepoPolicyTest {

    @ParameterizedTest
    @CsvSource({
            "/srv/repo, PATH",
            "/srv/repo, LD_PRELOAD",
            "sftp:backup@nas:/srv/repo, SSH_ASKPASS",
            "sftp:backup@nas:/srv/repo, SSH_ASKPASS_REQUIRE",
            "sftp:backup@nas:/srv/repo, PATH",
            "rclone:remote:bucket, RCLONE_CONFIG_X_TYPE",
            "rclone:remote:bucket, RCLONE_SFTP_SSH",
            "rclone:remote:bucket, RCLONE_CONFIG",
            "s3:s3.amazonaws.com/bucket, LD_LIBRARY_PATH",
            "s3:s3.amazonaws.com/bucket, B2_ACCOUNT_KEY",
            "rest:https://h/, AWS_SECRET_ACCESS_KEY",
            "/srv/repo, RESTIC_PASSWORD_COMMAND",
            "/srv/repo, RESTIC_CACHE_DIR",
            "/srv/repo, HTTP_PROXY"})
    void refusesEveryVariableItsBackendDoesNotDocument(String url, String key) {
        RepoPolicy.Violation v = assertThrows(RepoPolicy.Violation.class,
                                              () -> RepoPolicy.check(url, Map.of(key, "/tmp/evil")));
        assertThat(v.getMessage(), containsString(key));
        assertThat(v.getMessage(), not(containsString("/tmp/evil")));
    }

    @ParameterizedTest
    @CsvSource({
            "s3:s3.amazonaws.com/bucket, AWS_ACCESS_KEY_ID",
            "s3:https://minio:9000/bucket, AWS_SECRET_ACCESS_KEY",
            "s3:s3.amazonaws.com/bucket, HTTPS_PROXY",
            "b2:bucket:path, B2_ACCOUNT_KEY",
            "azure:container:/path, AZURE_ACCOUNT_KEY",
            "gs:bucket:/path, GOOGLE_APPLICATION_CREDENTIALS",
            "swift:container:/path, OS_PASSWORD",
            "rest:https://h/, RESTIC_REST_PASSWORD",
            "rclone:remote:bucket, RCLONE_CONFIG_PASS",
            "/srv/repo, RESTIC_COMPRESSION",
            "sftp:backup@nas:/srv, RESTIC_PACK_SIZE"})
    void acceptsWhatResticDocuments(String url, String key) {
        RepoPolicy.check(url, Map.of(key, "value"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "sftp:-oProxyCommand=touch${IFS}/tmp/pwned:/srv",
            "sftp:-oProxyCommand=sh@nas:/srv",
            "sftp:user@-oProxyCommand=x:/srv",
            "sftp://-oProxyCommand=x/srv",
            "sftp://user@-oProxyCommand=x/srv",
            "rclone:-vv:bucket",
            "rclone:--config=/tmp/x:bucket",
            "rclone::sftp,ssh=touch:/x",
            "rclone:remote,ssh=touch:/x",
            "ftp:host/path"})
    void refusesTargetsSshOrRcloneWouldReadAsOptions(String url) {
        assertThrows(RepoPolicy.Violation.class, () -> RepoPolicy.check(url, Map.of()));
    }

    @Test
    void namesTheBackendOfEveryAcceptedForm() {
        assertThat(RepoPolicy.backend("/srv/repo"), is("local"));
        assertThat(RepoPolicy.backend("C:\\backup"), is("local"));
        assertThat(RepoPolicy.backend("local:/srv/repo"), is("local"));
        assertThat(RepoPolicy.backend("sftp:u@h:/p"), is("sftp"));
        assertThat(RepoPolicy.backend("rclone:my remote:p"), is("rclone"));
        assertThat(RepoPolicy.allowedKeys("local").contains("HTTPS_PROXY"), is(false));
        assertThat(RepoPolicy.allowedKeys("s3").contains("HTTPS_PROXY"), is(true));
    }
}
