package io.resticmanager.system;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.resticmanager.proto.Json;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static io.resticmanager.system.FuzzValues.chance;
import static io.resticmanager.system.FuzzValues.pick;

/**
 * Agent → hub frames, good and bad: well-typed events with hostile fields, wrong and repeated seqs, events for
 * the other host's job, envelopes that break the codec, oversize, fragmented and binary frames, hub-only types.
 * Agent "a" owns the running job {@code {{job}}}; agent "b" is the attacker on another host.
 */
final class FuzzFrames {
    /** One frame as sent: split into {@code fragments} continuation frames, or binary. */
    record Frame(String agent, String text, int fragments, boolean binary) {
        JsonNode toJson() {
            ObjectNode n = Json.MAPPER.createObjectNode();
            n.put("agent", agent);
            n.set("text", FuzzCorpus.text(text));
            if (fragments > 1) {
                n.put("fragments", fragments);
            }
            if (binary) {
                n.put("binary", true);
            }
            return n;
        }

        static Frame fromJson(JsonNode n) {
            return new Frame(n.path("agent").asText("b"), FuzzCorpus.untext(n.get("text")),
                             Math.max(1, n.path("fragments").asInt(1)), n.path("binary").asBoolean());
        }
    }

    static final String TS = "2025-06-01T12:00:00Z";
    private static final String HEX64 = "0123456789abcdef".repeat(4);
    private static final List<String> AGENT_TYPES = List.of("heartbeat", "job.ack", "job.progress", "job.log",
            "job.finished", "snapshots.report", "host.facts", "schedule.fire", "fs.list.result",
            "snapshot.ls.result", "error", "hello");
    private static final List<String> HUB_TYPES = List.of("job.start", "job.cancel", "schedules.sync",
            "job.events.ack", "fs.list", "snapshot.ls", "hello.ok");

    private final SplittableRandom r;
    private long seq = 2;

    FuzzFrames(SplittableRandom r) {
        this.r = r;
    }

    Frame next() {
        String agent = chance(r, 0.5) ? "a" : "b";
        int op = r.nextInt(100);
        if (op < 30) {
            String type = pick(r, AGENT_TYPES);
            return frame(agent, envelope(type, FuzzJson.fieldMutation(r, payload(type, agent))));
        }
        if (op < 48) {
            String type = pick(r, AGENT_TYPES);
            return frame(agent, envelope(type, payload(type, agent)));
        }
        if (op < 62) {
            return frame(agent, corruptEnvelope());
        }
        if (op < 68) {
            return frame(agent, pick(r, List.of("", "null", "[]", "{}", "1", "\"x\"", "{", "{\"v\":1", "\u0000",
                                                 "not json", "{\"v\":1,\"type\":\"heartbeat\"}}", "\uFEFF{}")));
        }
        if (op < 72) {
            return frame(agent, envelope("job.log", FuzzJson.nested(r, "{}")));
        }
        if (op < 75) {
            return frame(agent, envelope("job.log", "{\"job_id\":\"{{job}}\",\"seq\":" + seq() + ",\"lines\":[{"
                    + "\"seq\":1,\"ts\":\"" + TS + "\",\"stream\":\"stdout\",\"line\":\"" + "x".repeat(1024 * 1024 + 10)
                    + "\"}]}"));
        }
        if (op < 82) {
            String type = pick(r, AGENT_TYPES);
            return new Frame(agent, envelope(type, payload(type, agent)), 2 + r.nextInt(20), false);
        }
        if (op < 85) {
            return new Frame(agent, envelope("heartbeat", "{}"), 1, true);
        }
        if (op < 93) {
            return frame(agent, envelope(pick(r, HUB_TYPES), hubPayload()));
        }
        return frame(agent, envelope(pick(r, List.of("job.explode", "", "HEARTBEAT", "heartbeat ", "job.log.x",
                                                     "x".repeat(5000))), "{}"));
    }

    /** A burst of one kind, the way a runaway agent would send it. */
    List<Frame> flood(int n) {
        List<Frame> out = new ArrayList<>(n);
        int kind = r.nextInt(3);
        for (int i = 0; i < n; i++) {
            out.add(switch (kind) {
                case 0 -> frame("a", envelope("heartbeat", payload("heartbeat", "a")));
                case 1 -> frame("a", envelope("job.progress", payload("job.progress", "a")));
                default -> frame("b", envelope("job.log", payload("job.log", "b")));
            });
        }
        return out;
    }

    /** Pages and API reads that show what agents reported: a hostile value must not break them either. */
    private static final List<String> SHOWN = List.of("/api/jobs/{{job}}", "/jobs/{{job}}", "/jobs/{{job_done}}",
            "/api/jobs/{{job}}/logs?include=progress", "/api/hosts/{{host_b}}/snapshots", "/hosts/{{host_b}}",
            "/hosts/{{host_a}}", "/api/hosts", "/", "/repos/{{repo2}}", "/api/repos/{{repo2}}/snapshots",
            "/hosts/{{host_a}}/jobs", "/api/jobs?host_id={{host_a}}", "/api/agents", "/metrics", "/rpo", "/alerts",
            "/api/alerts", "/api/hosts/{{host_b}}", "/hosts/{{host_b}}/restore", "/api/repos/{{repo2}}");

    /** A read of something agents wrote into, as the admin's browser would make it. */
    FuzzRequest shown() {
        String path = pick(r, SHOWN);
        return new FuzzRequest("GET " + path, "admin-session", "GET", path, List.of(), null, false, -1, false);
    }

    private static Frame frame(String agent, String text) {
        return new Frame(agent, text, 1, false);
    }

    private String envelope(String type, String payload) {
        String corr = chance(r, 0.2) ? ",\"corr\":\"" + FuzzValues.uuid(r) + "\"" : "";
        return "{\"v\":1,\"type\":" + Json.write(type) + ",\"id\":\"" + FuzzValues.uuid(r) + "\"" + corr
                + ",\"ts\":\"" + TS + "\",\"payload\":" + payload + "}";
    }

    /** Out of order, repeated, zero, negative and huge seqs, next to increasing ones. */
    private String seq() {
        return switch (r.nextInt(8)) {
            case 0 -> "1";
            case 1 -> String.valueOf(r.nextInt(5) + 1);
            case 2 -> "0";
            case 3 -> "-1";
            case 4 -> "9223372036854775807";
            default -> String.valueOf(++seq);
        };
    }

    private String jobId(String agent) {
        // b's events for a's job are the attack; a's own job is where seq handling is tested
        return switch (r.nextInt(6)) {
            case 0 -> FuzzValues.uuid(r);
            case 1 -> "{{job_done}}";
            default -> "{{job}}";
        };
    }

    private String payload(String type, String agent) {
        String job = jobId(agent);
        String s = seq();
        return switch (type) {
            case "heartbeat" -> "{\"running_jobs\":[\"" + job + "\"]}";
            case "job.ack" -> "{\"job_id\":\"" + job + "\",\"seq\":" + s + ",\"accepted\":true,\"reason\":null,"
                    + "\"command_line\":\"restic backup /srv\",\"started_at\":\"" + TS + "\"}";
            case "job.progress" -> "{\"job_id\":\"" + job + "\",\"seq\":" + s + ",\"percent\":12.5,\"files_done\":1,"
                    + "\"total_files\":10,\"bytes_done\":100,\"total_bytes\":1000,\"eta_s\":5,\"current_file\":\"/srv/x\"}";
            case "job.log" -> "{\"job_id\":\"" + job + "\",\"seq\":" + s + ",\"lines\":[{\"seq\":" + s + ",\"ts\":\""
                    + TS + "\",\"stream\":\"stdout\",\"line\":\"fz " + agent + " line\"},{\"seq\":" + seq()
                    + ",\"ts\":\"" + TS + "\",\"stream\":\"event\",\"line\":\"" + agent + "\"}]}";
            case "job.finished" -> "{\"job_id\":\"" + job + "\",\"seq\":" + s + ",\"status\":\""
                    + pick(r, List.of("succeeded", "failed", "canceled", "lost", "succeeded_with_warnings"))
                    + "\",\"exit_code\":" + pick(r, List.of("0", "1", "3", "-9", "130")) + ",\"summary\":"
                    + "{\"snapshot_id\":\"" + HEX64 + "\",\"files_new\":1,\"data_added\":1e30},\"error\":null,"
                    + "\"finished_at\":\"" + TS + "\"}";
            case "snapshots.report" -> snapshots(agent);
            case "host.facts" -> "{\"hostname\":\"fz-" + agent + "\",\"os\":\"linux\",\"arch\":\"amd64\","
                    + "\"agent_version\":\"9.9.9\",\"restic_version\":\"0.16.0\",\"runs_as_root\":true}";
            case "schedule.fire" -> "{\"schedule_id\":\"" + pick(r, List.of("{{schedule}}", FuzzValues.uuid(r)))
                    + "\",\"job_id\":\"" + FuzzValues.uuid(r) + "\",\"fired_at\":\"" + TS + "\",\"catch_up\":"
                    + r.nextBoolean() + (chance(r, 0.3) ? ",\"offline\":true,\"repo_id\":\"{{repo}}\",\"kind\":\"check\""
                    : "") + "}";
            case "fs.list.result" -> "{\"path\":\"/\",\"entries\":[{\"name\":\"x\",\"type\":\"dir\",\"size\":0}],"
                    + "\"error\":null}";
            case "snapshot.ls.result" -> "{\"path\":\"/\",\"entries\":[{\"name\":\"x\",\"type\":\"file\",\"path\":"
                    + "\"/x\",\"size\":1,\"mtime\":\"" + TS + "\"}],\"error\":null,\"truncated\":false}";
            case "error" -> "{\"code\":\"" + pick(r, List.of("internal", "bad_json", "x", "unknown_job")) + "\","
                    + "\"message\":\"agent says no\"}";
            default -> "{\"hostname\":\"fz-" + agent + "\",\"os\":\"linux\",\"arch\":\"amd64\",\"agent_version\":"
                    + "\"fuzz\",\"restic_version\":\"0.16.0\",\"protocol_version\":" + pick(r, List.of("1", "0", "2",
                    "-1", "99999999999")) + ",\"jobs\":[{\"job_id\":\"" + job + "\",\"status\":\"running\","
                    + "\"last_seq\":5}]}";
        };
    }

    /** Only the attacker reports snapshots: host a keeps the one snapshot the HTTP phases aim at. */
    private String snapshots(String agent) {
        ObjectNode p = Json.MAPPER.createObjectNode();
        p.putNull("job_id");
        // host a reporting its own repository would replace the one snapshot the HTTP phases aim at
        p.put("repo_id", pick(r, agent.equals("a") ? List.of("{{repo2}}", FuzzValues.uuid(r))
                : List.of("{{repo2}}", "{{repo2}}", "{{repo}}", FuzzValues.uuid(r))));
        if (chance(r, 0.4)) {
            p.put("report_id", "r" + r.nextInt(5));
            int parts = 1 + r.nextInt(4);
            p.put("part", 1 + r.nextInt(parts + 1));
            p.put("parts", parts);
        }
        ArrayNode list = p.putArray("snapshots");
        for (int i = r.nextInt(4); i > 0; i--) {
            String id = Long.toHexString(r.nextLong() | Long.MIN_VALUE) + HEX64.substring(16);
            ObjectNode s = list.addObject();
            s.put("id", id);
            s.put("short_id", id.substring(0, 8));
            s.put("time", TS);
            s.putArray("paths").add("/srv");
            s.putArray("tags").add("fz");
            s.put("hostname", "fz-" + agent);
            s.put("username", "root");
            s.put("tree", HEX64);
            s.putObject("summary").put("total_files_processed", 1);
        }
        return p.toString();
    }

    private String hubPayload() {
        return pick(r, List.of("{\"job_id\":\"{{job}}\",\"kind\":\"backup\",\"repo\":{\"name\":\"r\",\"url\":\"/srv\","
                                       + "\"password\":\"p\",\"env\":{}}}", "{\"job_id\":\"{{job}}\"}",
                               "{\"schedules\":[]}", "{\"job_id\":\"{{job}}\",\"up_to_seq\":5}", "{\"path\":\"/\"}",
                               "{\"host_id\":\"{{host_a}}\",\"heartbeat_interval_s\":1}", "{}"));
    }

    private String corruptEnvelope() {
        String id = FuzzValues.uuid(r);
        String good = "{\"job_id\":\"{{job}}\",\"seq\":" + seq() + ",\"percent\":1}";
        return switch (r.nextInt(16)) {
            case 0 -> "{\"type\":\"job.progress\",\"id\":\"" + id + "\",\"ts\":\"" + TS + "\",\"payload\":" + good + "}";
            case 1 -> "{\"v\":2,\"type\":\"job.progress\",\"id\":\"" + id + "\",\"ts\":\"" + TS + "\",\"payload\":" + good + "}";
            case 2 -> "{\"v\":\"1\",\"type\":\"job.progress\",\"id\":\"" + id + "\",\"ts\":\"" + TS + "\",\"payload\":" + good + "}";
            case 3 -> "{\"v\":1e10,\"type\":\"job.progress\",\"id\":\"" + id + "\",\"ts\":\"" + TS + "\",\"payload\":" + good + "}";
            case 4 -> "{\"v\":1,\"type\":null,\"id\":\"" + id + "\",\"ts\":\"" + TS + "\",\"payload\":" + good + "}";
            case 5 -> "{\"v\":1,\"type\":\"job.progress\",\"ts\":\"" + TS + "\",\"payload\":" + good + "}";
            case 6 -> "{\"v\":1,\"type\":\"job.progress\",\"id\":\"" + FuzzValues.TEN_KB + "\",\"ts\":\"" + TS
                    + "\",\"payload\":" + good + "}";
            case 7 -> "{\"v\":1,\"type\":\"job.progress\",\"id\":\"" + id + "\",\"ts\":\"2024-13-45\",\"payload\":" + good + "}";
            case 8 -> "{\"v\":1,\"type\":\"job.progress\",\"id\":\"" + id + "\",\"ts\":\"+1000000000-01-01T00:00:00Z\","
                    + "\"payload\":" + good + "}";
            case 9 -> "{\"v\":1,\"type\":\"job.progress\",\"id\":\"" + id + "\",\"ts\":\"" + TS + "\",\"corr\":{\"a\":1},"
                    + "\"payload\":" + good + "}";
            case 10 -> "{\"v\":1,\"type\":\"job.progress\",\"id\":\"" + id + "\",\"ts\":\"" + TS + "\",\"payload\":[" + good + "]}";
            case 11 -> "{\"v\":1,\"type\":\"job.progress\",\"id\":\"" + id + "\",\"ts\":\"" + TS + "\",\"payload\":\"x\"}";
            case 12 -> "{\"v\":1,\"type\":\"job.progress\",\"id\":\"" + id + "\",\"ts\":\"" + TS + "\"}";
            case 13 -> "{\"v\":1,\"v\":1,\"type\":\"heartbeat\",\"type\":\"job.progress\",\"id\":\"" + id + "\",\"ts\":\""
                    + TS + "\",\"payload\":" + good + "}";
            case 14 -> "{\"v\":1,\"type\":\"job.progress\",\"id\":\"" + id + "\",\"ts\":\"" + TS + "\",\"payload\":"
                    + good + ",\"extra\":" + "[".repeat(2000) + "]".repeat(2000) + "}";
            default -> "{\"v\":1,\"type\":\"job.progress\",\"id\":123,\"ts\":1,\"payload\":" + good + "}";
        };
    }
}
