package io.resticmanager.system;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.resticmanager.proto.Json;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * {@code src/test/resources/fuzz-corpus/}: every input that ever produced a server error, one JSON file each with
 * a one-line {@code why}, replayed before anything random. Strings longer than {@value #INLINE} chars (10 KB
 * segments, 1 MB bodies) are stored gzipped as {@code {"gzip_base64": …}} so the files stay reviewable.
 */
final class FuzzCorpus {
    private static final int INLINE = 2000;

    record Entry(String file, String why, JsonNode input) {
    }

    private final Path dir;
    private final Set<String> known = new HashSet<>();

    FuzzCorpus(Path dir) {
        this.dir = dir;
    }

    static FuzzCorpus standard() {
        return new FuzzCorpus(Stack.ROOT.resolve("system-tests/src/test/resources/fuzz-corpus"));
    }

    List<Entry> load() throws IOException {
        List<Entry> entries = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return entries;
        }
        try (var files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
                JsonNode node = Json.MAPPER.readTree(f.toFile());
                known.add(key(node));
                entries.add(new Entry(f.getFileName().toString(), node.path("why").asText(), node));
            }
        }
        return entries;
    }

    /** Saves a new finding (unless the same input is already there); returns the file name. */
    String save(String name, String why, ObjectNode input) {
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("why", why);
        out.setAll(input);
        if (!known.add(key(out))) {
            return null;
        }
        try {
            Files.createDirectories(dir);
            String file = name.replaceAll("[^A-Za-z0-9._-]+", "-") + "-" + Integer.toHexString(key(out).hashCode())
                    + ".json";
            Files.writeString(dir.resolve(file), Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(out)
                    + "\n");
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String key(JsonNode node) {
        ObjectNode copy = node.deepCopy();
        copy.remove("why");
        return copy.toString();
    }

    static JsonNode text(String s) {
        if (s.length() <= INLINE) {
            return TextNode.valueOf(s);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
            gz.write(s.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("gzip_base64", Base64.getEncoder().encodeToString(bytes.toByteArray()));
        return n;
    }

    static String untext(JsonNode n) {
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isObject()) {
            return n.asText();
        }
        try (GZIPInputStream gz = new GZIPInputStream(new ByteArrayInputStream(
                Base64.getDecoder().decode(n.path("gzip_base64").asText())))) {
            return new String(gz.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
