package io.resticmanager.inventory;

import io.resticmanager.kit.Problem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RepoUrlsTest {

    @ParameterizedTest
    @ValueSource(strings = {
            "/srv/restic-repo",
            "local:/srv/restic-repo",
            "C:\\backups\\repo",
            "local:D:/backups/repo",
            "sftp:backup@nas.lan:/srv/restic",
            "sftp:nas.lan:restic",
            "sftp://backup@nas.lan:2222//srv/restic",
            "rest:http://127.0.0.1:8000/",
            "rest:https://user:secret@rest.example.com/host-a/",
            "s3:s3.amazonaws.com/my-bucket/restic",
            "s3:https://minio.lan:9000/backups",
            "b2:my-bucket:hosts/web-1",
            "azure:restic-container:/hosts/web-1",
            "gs:my-bucket:/restic",
            "rclone:onedrive:backups/restic",
    })
    void acceptsEveryBackendForm(String url) {
        assertThat(RepoUrls.validate(url), is(url));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "relative/path                       | unsupported repository URL",
            "local:relative                      | unsupported repository URL",
            "ftp://host/repo                     | unsupported repository URL",
            "sftp:host                           | unsupported repository URL",
            "rest:ftp://host/                    | unsupported repository URL",
            "rest:https://                       | unsupported repository URL",
            "s3:                                 | unsupported repository URL",
            "s3:https://minio.lan:9000           | unsupported repository URL",
            "b2:bucket                           | unsupported repository URL",
            "azure:Bad_Container:/x              | unsupported repository URL",
            "gs:bucket                           | unsupported repository URL",
            "rclone:remote                       | unsupported repository URL",
            "' /srv/repo'                        | spaces",
            "/                                   | unsupported repository URL",
    })
    void rejectsWithAClearMessage(String url, String message) {
        Problem p = assertThrows(Problem.class, () -> RepoUrls.validate(url));
        assertThat(p.status(), is(422));
        assertThat(p.detail(), containsString(message));
    }

    @Test
    void rejectsControlCharactersAndNeverEchoesTheUrl() {
        Problem p = assertThrows(Problem.class, () -> RepoUrls.validate("rest:https://u:hunter2@h/\n"));
        assertThat(p.status(), is(422));
        assertThat(p.detail(), not(containsString("hunter2")));
        Problem q = assertThrows(Problem.class, () -> RepoUrls.validate("ftp://u:hunter2@h/"));
        assertThat(q.detail(), not(containsString("hunter2")));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "rest:https://user:s3cr%40t@rest.example.com/repo/ | rest:https://user:***@rest.example.com/repo/",
            "rest:http://alice:pw@127.0.0.1:8000/              | rest:http://alice:***@127.0.0.1:8000/",
            "rest:https://rest.example.com:8000/repo/          | rest:https://rest.example.com:8000/repo/",
            "rest:https://bob@rest.example.com/                | rest:https://bob@rest.example.com/",
            "s3:https://key:secret@minio.lan/bucket            | s3:https://key:***@minio.lan/bucket",
            "sftp:backup@nas.lan:/srv/restic                   | sftp:backup@nas.lan:/srv/restic",
            "/srv/restic-repo                                  | /srv/restic-repo",
    })
    void redactsEmbeddedPasswordsOnly(String url, String shown) {
        assertThat(RepoUrls.redact(url), is(shown));
    }
}
