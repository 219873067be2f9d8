package io.resticmanager.agent;

import io.resticmanager.proto.Json;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

class BackupSummaryLineTest {
    @Test
    void summaryBecomesAReadableLogLine() throws Exception {
        var node = Json.MAPPER.readTree("{\"message_type\":\"summary\",\"files_new\":20,\"files_changed\":1,"
                + "\"files_unmodified\":3,\"dirs_new\":5,\"dirs_changed\":0,\"dirs_unmodified\":2,\"data_added\":29000,"
                + "\"total_bytes_processed\":3145728,\"total_duration\":1.25,\"snapshot_id\":\"b720a9db\"}");
        assertThat(BackupRunner.describe(node), is("Files: 20 new, 1 changed, 3 unmodified; Dirs: 5 new, 0 changed, "
                + "2 unmodified; Added to the repository: 28.3 KiB (3.0 MiB processed in 1.3 s); snapshot b720a9db saved"));
    }
}
