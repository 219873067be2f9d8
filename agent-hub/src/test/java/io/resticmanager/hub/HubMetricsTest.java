package io.resticmanager.hub;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;
import java.time.Duration;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;

/** agent-hub's metrics fragment: connected agents, per-agent presence, unconfirmed outbox events. */
class HubMetricsTest {
    @RegisterExtension
    static final HubFixture f = HubFixture.perClass();

    @Test
    void showsWhoIsOnlineAndWhatIsPending() throws Exception {
        // inventory refuses for now: both host.enrolled and the host.online stay pending for it
        f.inventory.answer(b -> 503);
        HubFixture.Enrolled up = f.enroll("web-1");
        HubFixture.Enrolled down = f.enroll("db-1");
        try (TestAgent agent = f.online(up)) {
            f.jobs.await(StubReceiver.type("host.online", up.hostId()), 1, Duration.ofSeconds(10));
            // the hub marks events delivered just after the receiver's answer: wait for that
            HttpResponse<String> r = await("nothing pending for jobs").until(() -> f.get("/internal/metrics", null),
                    m -> m.body().contains("outbox_pending{destination=\"jobs\"} 0.0\n"));
            assertThat(r.body(), r.statusCode(), is(200));
            assertThat(r.headers().firstValue("Content-Type").orElse(""), startsWith("text/plain; version=0.0.4"));
            String text = r.body();
            assertThat(text, containsString("# TYPE restic_manager_agents_connected gauge\n"
                                                    + "restic_manager_agents_connected 1.0\n"));
            // the fixture's hello reports the host id as hostname, and hello facts win over enrollment's
            assertThat(text, containsString("restic_manager_agent_online{host_id=\"" + up.hostId()
                    + "\",hostname=\"" + up.hostId() + "\"} 1.0\n"));
            assertThat(text, containsString("restic_manager_agent_online{host_id=\"" + down.hostId()
                    + "\",hostname=\"db-1\"} 0.0\n"));
            assertThat(text, containsString("restic_manager_outbox_pending{destination=\"jobs\"} 0.0\n"));
            assertThat(text, containsString("restic_manager_outbox_pending{destination=\"inventory\"} 3.0\n"));
        } finally {
            f.inventory.answer(b -> 200);
        }
    }

    @Test
    void needsTheInternalToken() {
        HttpResponse<String> r = f.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(f.base() + "/internal/metrics")).GET().build());
        assertThat(r.statusCode(), is(401));
    }
}
