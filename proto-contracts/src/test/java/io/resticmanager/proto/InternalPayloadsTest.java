package io.resticmanager.proto;

import com.fasterxml.jackson.databind.JsonNode;
import io.resticmanager.proto.internal.HubAgents;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/** The internal REST payloads between services: each golden file binds to its record and writes back the same JSON. */
class InternalPayloadsTest {
    record Golden(String name, Class<?> type) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Golden> goldens() {
        return List.of(new Golden("agents", HubAgents.PresenceList.class),
                       new Golden("agents.disabled", HubAgents.Disabled.class));
    }

    @ParameterizedTest
    @MethodSource("goldens")
    void goldenFileRoundTrips(Golden golden) throws Exception {
        String text = read("/golden/internal/" + golden.name() + ".json");
        Object bound = Json.MAPPER.readValue(text, golden.type());
        JsonNode expected = Json.MAPPER.readTree(text);
        assertThat(Json.MAPPER.valueToTree(bound), is(expected));
    }

    private static String read(String resource) throws IOException {
        try (InputStream in = InternalPayloadsTest.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("no golden file " + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
