package io.resticmanager.inventory;

import io.resticmanager.proto.Hooks;
import io.resticmanager.proto.Json;
import io.resticmanager.proto.Role;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

/** A host's default hooks: admins set them, only admins read their text, sealed at rest, audited without text. */
class HostHooksTest {
    private static final String PRE = "pg_dump --dbname=postgresql://app:pg-Secret-9191@localhost/app > /srv/app.sql";
    private final TestEnv env = TestEnv.start();

    @AfterEach
    void close() {
        env.close();
    }

    @Test
    void adminsSetHooksEveryoneSeesThatTheyExistOnlyAdminsAndJobsSeeTheText() throws Exception {
        String host = env.enroll("db-1");
        assertThat(env.call("PUT", "/api/hosts/" + host + "/hooks", Map.of("pre_hook", PRE), Role.OPERATOR).status(),
                   is(403));
        TestEnv.Reply put = env.admin("PUT", "/api/hosts/" + host + "/hooks", Map.of(
                "pre_hook", PRE, "post_hook", "systemctl start app", "hook_shell", List.of("/bin/bash", "-c"),
                "hook_timeout_s", 120));
        assertThat(put.body(), put.status(), is(200));
        assertThat(put.header("X-RM-Audit-Target"),
                   is("host=" + host + " changed=pre_hook,post_hook,hook_shell,hook_timeout_s"));

        TestEnv.Reply viewer = env.call("GET", "/api/hosts/" + host + "/hooks", null, Role.VIEWER);
        assertThat(viewer.json().path("has_pre_hook").asBoolean(), is(true));
        assertThat(viewer.body(), not(containsString("pg-Secret")));
        assertThat(env.admin("GET", "/api/hosts/" + host + "/hooks", null).json().path("pre_hook").asText(), is(PRE));

        // what jobs-service gets for the agent
        Hooks hooks = Json.MAPPER.readValue(env.call("GET", "/internal/hosts/" + host + "/hooks", null, null).body(),
                                            Hooks.class);
        assertThat(hooks.pre(), is(PRE));
        assertThat(hooks.shell(), is(List.of("/bin/bash", "-c")));
        assertThat(hooks.timeoutS(), is(120));

        // bad input is refused and changes nothing; null clears one hook only
        assertThat(env.admin("PUT", "/api/hosts/" + host + "/hooks", Map.of("hook_shell", List.of("sh", "-c")))
                           .status(), is(422));
        assertThat(env.admin("PUT", "/api/hosts/" + host + "/hooks", Map.of("hook_timeout_s", 0)).status(), is(422));
        assertThat(env.admin("PUT", "/api/hosts/" + host + "/hooks", Map.of("pre_hook", "x".repeat(20_000)))
                           .status(), is(422));
        assertThat(env.admin("PUT", "/api/hosts/" + host + "/hooks", Map.of("hook", "x")).status(), is(422));
        assertThat(env.admin("PUT", "/api/hosts/nope/hooks", Map.of("pre_hook", "x")).status(), is(404));
        TestEnv.Reply cleared = env.admin("PUT", "/api/hosts/" + host + "/hooks", "{\"post_hook\":null}");
        assertThat(cleared.header("X-RM-Audit-Target"), is("host=" + host + " changed=post_hook"));
        assertThat(cleared.json().path("pre_hook").asText(), is(PRE));

        // sealed at rest
        for (Path file : Files.list(env.dir).toList()) {
            if (Files.isRegularFile(file)) {
                assertThat(file.toString(), new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1),
                           not(containsString("pg-Secret-9191")));
            }
        }
    }
}
