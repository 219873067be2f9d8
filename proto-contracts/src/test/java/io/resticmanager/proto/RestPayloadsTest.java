package io.resticmanager.proto;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import io.resticmanager.proto.internal.HubAgents;
import io.resticmanager.proto.view.HostView;
import io.resticmanager.proto.view.JobView;
import io.resticmanager.proto.view.Page;
import io.resticmanager.proto.view.SnapshotView;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/**
 * The REST payloads services exchange (internal ones, and the public views the UI binds): each golden file binds to
 * its record and writes back the same JSON.
 */
class RestPayloadsTest {
    record Golden(String name, TypeReference<?> type) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Golden> goldens() {
        return List.of(new Golden("internal/agents", new TypeReference<HubAgents.PresenceList>() { }),
                       new Golden("internal/agents.disabled", new TypeReference<HubAgents.Disabled>() { }),
                       new Golden("view/snapshots.page", new TypeReference<Page<SnapshotView>>() { }),
                       new Golden("view/jobs.page", new TypeReference<Page<JobView>>() { }),
                       new Golden("view/host", new TypeReference<HostView>() { }),
                       new Golden("view/hosts.page", new TypeReference<Page<HostView>>() { }));
    }

    @ParameterizedTest
    @MethodSource("goldens")
    void goldenFileRoundTrips(Golden golden) throws Exception {
        String text = read("/golden/" + golden.name() + ".json");
        Object bound = Json.MAPPER.readValue(text, golden.type());
        JsonNode expected = Json.MAPPER.readTree(text);
        // compared as written text read back, so a long field holding a small number equals the golden file's int
        assertThat(Json.MAPPER.readTree(Json.write(bound)), is(expected));
    }

    private static String read(String resource) throws IOException {
        try (InputStream in = RestPayloadsTest.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("no golden file " + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
