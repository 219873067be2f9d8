package io.resticmanager.agent;

import com.fasterxml.jackson.databind.JsonNode;

/** For commands whose output is plain text: every line becomes a log line; stray JSON is logged as text. */
class TextOutput implements Restic.Output {
    private final JobSink sink;

    TextOutput(JobSink sink) {
        this.sink = sink;
    }

    @Override
    public void json(String stream, JsonNode node) {
        if (node.isObject() && "error".equals(node.path("message_type").asText())) {
            sink.log("stderr", ResticJson.errorText(node));
        } else {
            sink.log(stream, node.toString());
        }
    }

    @Override
    public void text(String stream, String line) {
        sink.log(stream, line);
    }
}
