package io.resticmanager.inventory;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

/** A big fleet is read a page at a time, by name, with search and filters, and counted in one cheap call. */
class HostPagingTest {
    private static TestEnv env;

    @BeforeAll
    static void setUp() {
        env = TestEnv.start();
        // 120 hosts: every 10th tagged "db", every 7th with a failed last backup, one named with LIKE wildcards
        for (int i = 0; i < 120; i++) {
            String id = env.enroll(String.format("web-%03d", i));
            if (i % 10 == 0) {
                assertThat(env.admin("PATCH", "/api/hosts/" + id, Map.of("tags", List.of("db"))).status(), is(200));
            }
            if (i % 7 == 0) {
                assertThat(env.call("POST", "/internal/hosts/" + id + "/job-result", Map.of("job_id", "j" + i,
                        "kind", "backup", "status", "failed", "finished_at", Instant.now().toString(), "summary",
                        Map.of()), null).status(), is(204));
            }
        }
        String odd = env.enroll("odd-host");
        env.admin("PATCH", "/api/hosts/" + odd, Map.of("name", "100%_real"));
    }

    @AfterAll
    static void tearDown() {
        env.close();
    }

    @Test
    void pagesWalkTheWholeFleetByNameExactlyOnce() {
        List<String> names = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            JsonNode page = env.get("/api/hosts?limit=50" + (cursor == null ? "" : "&cursor=" + cursor)).json();
            page.get("items").forEach(h -> names.add(h.get("name").asText()));
            cursor = page.get("next_cursor").isNull() ? null : page.get("next_cursor").asText();
            pages++;
        } while (cursor != null);
        assertThat(pages, is(3));
        assertThat(names.size(), is(121));
        List<String> sorted = new ArrayList<>(names);
        sorted.sort(String.CASE_INSENSITIVE_ORDER);
        assertThat(names, is(sorted));
        assertThat(names.stream().distinct().count(), is(121L));
    }

    @Test
    void searchTagAndStatusFilterThePage() {
        assertThat(names("/api/hosts?q=web-11"), contains("web-110", "web-111", "web-112", "web-113",
                                                          "web-114", "web-115", "web-116", "web-117", "web-118",
                                                          "web-119"));
        // LIKE's wildcards are searched for literally
        assertThat(names("/api/hosts?q=" + URLEncoder.encode("0%_", StandardCharsets.UTF_8)), contains("100%_real"));
        assertThat(names("/api/hosts?q=_"), contains("100%_real"));
        // a tag matches the search too, and the tag filter narrows it
        assertThat(names("/api/hosts?q=db&limit=500").size(), is(12));
        assertThat(names("/api/hosts?tag=db&limit=500").size(), is(12));
        List<String> failing = names("/api/hosts?status=failing&limit=500");
        assertThat(failing.size(), is(18));
        assertThat(failing.getFirst(), is("web-000"));
        assertThat(names("/api/hosts?status=failing&tag=db&limit=500"),
                   contains("web-000", "web-070"));
    }

    @Test
    void theSummaryCountsTheWholeFleetAndListsItsTags() {
        JsonNode summary = env.get("/api/hosts/summary").json();
        assertThat(summary.get("total").asLong(), is(121L));
        assertThat(summary.get("offline").asLong(), is(121L));
        assertThat(summary.get("online").asLong(), is(0L));
        assertThat(summary.get("failing").asLong(), is(18L));
        assertThat(summary.get("tags").toString(), is("[\"db\"]"));
        // version counts for the dashboard's skew notice: the whole fleet, not one page
        assertThat(summary.get("agent_versions").toString(), is("[{\"version\":\"0.1.0\",\"hosts\":121}]"));
        assertThat(summary.get("restic_versions").size(), is(0));
    }

    @Test
    void badPagingInputIsA400() {
        for (String query : List.of("limit=0", "limit=501", "limit=x", "cursor=%25%25%25", "cursor=bm9jb2xvbg",
                                    "status=failed", "q=" + "a".repeat(201))) {
            TestEnv.Reply r = env.get("/api/hosts?" + query);
            assertThat(query, r.status(), is(400));
            assertThat(r.body(), containsString("\"status\":400"));
        }
    }

    private static List<String> names(String path) {
        List<String> names = new ArrayList<>();
        env.get(path).json().get("items").forEach(h -> names.add(h.get("name").asText()));
        return names;
    }
}
