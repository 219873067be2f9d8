package io.resticmanager.system;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.resticmanager.proto.Json;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One fuzzed HTTP request as a template: ids are {@code {{placeholders}}} resolved against the running
 * {@link FuzzWorld}, and the caller is named, so the same input replays on any later run.
 *
 * @param route     the route it aimed at, e.g. "POST /api/hosts/{host}/jobs" (for reports only)
 * @param latin1    send the body's chars 0–255 as single bytes (invalid UTF-8 on purpose)
 * @param cutBodyAt send only this many body bytes and hang up, under the full Content-Length (-1: all)
 */
record FuzzRequest(String route, String caller, String method, String target, List<String[]> headers, String body,
                   boolean latin1, int cutBodyAt, boolean chunked) {

    RawHttp.Wire wire(FuzzWorld world) {
        FuzzCaller c = world.caller(caller);
        List<String[]> all = new ArrayList<>(c.headers());
        for (String[] h : headers) {
            all.add(new String[] {h[0], world.resolve(h[1], c)});
        }
        String text = world.resolve(body, c);
        byte[] bytes = text == null ? new byte[0]
                : text.getBytes(latin1 ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8);
        return world.http.wire(method, world.resolve(target, c), all, bytes, cutBodyAt, chunked);
    }

    boolean unsafe() {
        return !List.of("GET", "HEAD", "OPTIONS", "TRACE").contains(method);
    }

    /** A short description for reports: long parts elided. */
    String brief() {
        String t = target.length() > 160 ? target.substring(0, 160) + "…(" + target.length() + " chars)" : target;
        String b = body == null ? "" : " body " + (body.length() > 160 ? body.substring(0, 160).replace('\n', ' ')
                + "…(" + body.length() + " chars)" : body.replace('\n', ' '));
        return caller + " " + method + " " + t + b;
    }

    ObjectNode toJson() {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("kind", "http");
        n.put("route", route);
        n.put("caller", caller);
        n.put("method", method);
        n.set("target", FuzzCorpus.text(target));
        ArrayNode hs = n.putArray("headers");
        for (String[] h : headers) {
            hs.addArray().add(h[0]).add(FuzzCorpus.text(h[1]));
        }
        if (body != null) {
            n.set("body", FuzzCorpus.text(body));
        }
        if (latin1) {
            n.put("latin1", true);
        }
        if (cutBodyAt >= 0) {
            n.put("cut_body_at", cutBodyAt);
        }
        if (chunked) {
            n.put("chunked", true);
        }
        return n;
    }

    static FuzzRequest fromJson(JsonNode n) {
        List<String[]> headers = new ArrayList<>();
        for (JsonNode h : n.path("headers")) {
            headers.add(new String[] {h.get(0).asText(), FuzzCorpus.untext(h.get(1))});
        }
        return new FuzzRequest(n.path("route").asText(""), n.path("caller").asText(), n.path("method").asText(),
                               FuzzCorpus.untext(n.get("target")), headers,
                               n.has("body") ? FuzzCorpus.untext(n.get("body")) : null, n.path("latin1").asBoolean(),
                               n.path("cut_body_at").asInt(-1), n.path("chunked").asBoolean());
    }
}
