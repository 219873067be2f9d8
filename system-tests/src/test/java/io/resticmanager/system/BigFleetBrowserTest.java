package io.resticmanager.system;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.Select;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;

/**
 * A fleet too big for one page, in real Chromium: the dashboard shows 50 cards by name with the whole fleet's
 * counts, pages forward and back to the first, searches by name and filters by tag with both in the URL, and the
 * page stays small. Hosts are seeded as the hub would report them (inventory's event intake).
 */
class BigFleetBrowserTest {
    private static final int HOSTS = 130;
    private static Stack stack;
    private static WebDriver browser;
    private static Page web;
    private static Api viewer;

    @BeforeAll
    static void start() throws Exception {
        Assumptions.assumeTrue(Browser.chromium().isPresent() && Browser.chromedriver().isPresent(),
                               "chromium and chromium-driver are not installed (script/test installs them)");
        stack = Stack.start("big-fleet");
        Api admin = Api.setupAdmin(stack, "admin", "big-fleet-admin-password");
        List<Map<String, Object>> events = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < HOSTS; i++) {
            String id = UUID.randomUUID().toString();
            ids.add(id);
            events.add(Map.of("id", "ev-" + UUID.randomUUID(), "host_id", id, "type", "host.enrolled",
                              "at", Instant.now().toString(), "payload", Map.of("hostname", String.format("host-%04d", i),
                                                                                "os", "linux", "arch", "amd64",
                                                                                "agent_version", "0.1.0")));
        }
        BenchSetup.inventory(stack).post("/internal/events", Map.of("events", events)).expect(200);
        for (int i = 0; i < HOSTS; i += 10) {
            admin.patch("/api/hosts/" + ids.get(i), Map.of("tags", List.of("db"))).expect(200);
        }
        admin.post("/api/users", Map.of("username", "vera", "password", "viewer-password-123", "role", "viewer"))
                .expect(201);
        viewer = Api.login(stack.gateway(), "vera", "viewer-password-123");
        browser = Browser.start();
        web = new Page(browser, stack.gateway(), Duration.ofMillis(200), "big-fleet-failure-");
        web.login("vera", "viewer-password-123");
    }

    @AfterAll
    static void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void theDashboardPagesSearchesAndFiltersABigFleet() {
        web.open("/");
        web.waitFor(d -> cards().size() == 50);
        assertThat(web.text("#count-hosts"), is("Hosts\n" + HOSTS));
        assertThat(cards().getFirst(), is("host-0000"));
        assertThat(cards().getLast(), is("host-0049"));
        assertThat(viewer.get("/").expect(200).body().length(), lessThan(150 * 1024));
        Browser.screenshot(browser, "big-fleet-01-first-page");

        web.click("#pager-next");
        web.waitFor(d -> cards().size() == 50 && cards().getFirst().equals("host-0050"));
        assertThat(browser.getCurrentUrl(), containsString("cursor="));
        web.click("#pager-next");
        web.waitFor(d -> cards().size() == HOSTS - 100 && cards().getFirst().equals("host-0100"));
        assertThat(browser.findElements(By.id("pager-next")).isEmpty(), is(true));
        Browser.screenshot(browser, "big-fleet-02-last-page");
        web.click("#pager-first");
        web.waitFor(d -> cards().size() == 50 && cards().getFirst().equals("host-0000"));

        // search as you type; the URL keeps it, so a reload or a shared link shows the same
        web.type("#filter-q", "host-012");
        web.waitFor(d -> cards().size() == 10 && cards().getFirst().equals("host-0120"));
        web.waitFor(d -> d.getCurrentUrl().contains("q=host-012"));
        Browser.screenshot(browser, "big-fleet-03-search");
        web.open("/?q=host-0123");
        web.waitFor(d -> cards().equals(List.of("host-0123")));

        web.open("/");
        new Select(browser.findElement(By.id("filter-tag"))).selectByValue("db");
        web.waitFor(d -> cards().size() == 13 && d.getCurrentUrl().contains("tag=db"));
        assertThat(web.text("#filter-summary"), containsString("Showing 13 matching of " + HOSTS + " hosts"));
        Browser.screenshot(browser, "big-fleet-04-tag");
    }

    private static List<String> cards() {
        return browser.findElements(By.cssSelector("#host-cards .host-name a")).stream().map(e -> e.getText()).toList();
    }
}
