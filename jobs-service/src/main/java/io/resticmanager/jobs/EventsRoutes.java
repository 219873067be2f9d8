package io.resticmanager.jobs;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.resticmanager.kit.Http;
import io.resticmanager.kit.Problem;
import io.resticmanager.proto.internal.HubEvent;

/**
 * {@code POST /internal/events}: agent-hub's outbox delivers agent events here (at least once).
 * Answers {@code {accepted: n}} only after the batch is committed.
 */
final class EventsRoutes implements HttpService {
    /** Log batches can be larger than ordinary API bodies. */
    static final long MAX_BATCH_BYTES = 32L * 1024 * 1024;
    private final EventIngest ingest;

    EventsRoutes(EventIngest ingest) {
        this.ingest = ingest;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/internal/events", this::events);
    }

    private void events(ServerRequest req, ServerResponse res) {
        if (req.content().hasEntity() && req.headers().contentLength().orElse(0) > MAX_BATCH_BYTES) {
            throw new Problem(413, "Content Too Large", "event batch exceeds " + MAX_BATCH_BYTES + " bytes");
        }
        String text = req.content().hasEntity() ? req.content().as(String.class) : "";
        if (text.isBlank()) {
            throw Problem.badRequest("request body is required (JSON)");
        }
        EventBatch.Wire batch = Http.parse(text, EventBatch.Wire.class);
        Http.json(res, new HubEvent.Accepted(ingest.ingest(batch)));
    }
}
