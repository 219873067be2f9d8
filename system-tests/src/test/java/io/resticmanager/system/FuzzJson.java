package io.resticmanager.system;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.resticmanager.proto.Json;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;

import static io.resticmanager.system.FuzzValues.chance;
import static io.resticmanager.system.FuzzValues.pick;

/** Turns a valid JSON template into hostile bodies: wrong types, extremes, truncation, nesting, size. */
final class FuzzJson {
    /** Over the gateway's and every service's 1 MiB body limit. */
    static final int OVER_LIMIT = 1024 * 1024 + 4096;
    static final int NESTING = 10_000;

    private FuzzJson() {
    }

    /** Any body, valid or not (the mixed phase). */
    static String any(SplittableRandom r, String template) {
        int op = r.nextInt(100);
        if (op < 30) {
            return template;
        }
        if (op < 60) {
            return fieldMutation(r, template);
        }
        if (op < 70) {
            return structural(r, template);
        }
        if (op < 80) {
            return invalid(r, template);
        }
        if (op < 85) {
            return nested(r, template);
        }
        if (op < 88) {
            return huge(r, template, chance(r, 0.5));
        }
        return pick(r, List.of("[]", "[" + template + "]", "null", "0", "\"x\"", "true", "{}", "[{}]", "1e400",
                               "{\"a\":" + template + "}"));
    }

    /** A body no JSON parser accepts: the handler must refuse it before doing anything. */
    static String invalid(SplittableRandom r, String template) {
        // never trailing data after a complete value: Jackson reads the first value and ignores the rest
        return switch (r.nextInt(9)) {
            case 0 -> template.substring(0, 1 + r.nextInt(Math.max(1, template.length() - 1)));
            case 1 -> template.substring(0, template.length() - 1) + ",\"x\":}";
            case 2 -> template.replaceFirst("\"", "'");
            case 3 -> template.replaceFirst(":", ":\u0000");
            case 4 -> template.replaceFirst("\\{", "{/*c*/");
            case 5 -> template.replaceFirst("}$", ",}");
            case 6 -> template.replaceFirst(":", ":NaN,\"x\":");
            case 7 -> "{" + "\"a\":".repeat(3) + "]";
            default -> nestedInvalid(r);
        };
    }

    /** Syntactically valid, too deep to parse: 10k levels. */
    static String nested(SplittableRandom r, String template) {
        String deep = chance(r, 0.5) ? "[".repeat(NESTING) + "]".repeat(NESTING)
                : "{\"a\":".repeat(NESTING) + "1" + "}".repeat(NESTING);
        if (chance(r, 0.5) || !template.startsWith("{") || template.length() < 3) {
            return deep;
        }
        return "{\"nested\":" + deep + "," + template.substring(1);
    }

    private static String nestedInvalid(SplittableRandom r) {
        return "[".repeat(NESTING) + (chance(r, 0.5) ? "" : "}".repeat(NESTING));
    }

    /** Beyond the body limit (over = true) or just under it, with a valid shape. */
    static String huge(SplittableRandom r, String template, boolean over) {
        int size = over ? OVER_LIMIT : 900 * 1024;
        String pad = "\"pad\":\"" + "x".repeat(size) + "\"";
        return template.startsWith("{") && template.length() > 2 ? "{" + pad + "," + template.substring(1)
                : "{" + pad + "}";
    }

    /** One field of the template (at any depth) replaced, removed or added. */
    static String fieldMutation(SplittableRandom r, String template) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(template);
        } catch (Exception e) {
            return template;
        }
        if (!(root instanceof ObjectNode)) {
            return template;
        }
        List<ObjectNode> objects = new ArrayList<>();
        collect(root, objects);
        int rounds = 1 + r.nextInt(3);
        StringBuilder extra = new StringBuilder();
        for (int i = 0; i < rounds; i++) {
            ObjectNode obj = pick(r, objects);
            List<String> fields = new ArrayList<>();
            obj.fieldNames().forEachRemaining(fields::add);
            int op = r.nextInt(10);
            if (op < 6 && !fields.isEmpty()) {
                // a hostile value is kept as raw JSON text so numbers like 1e400 reach the server unparsed
                String field = pick(r, fields);
                obj.put(field, "\u0001RAW" + i);
                extra.append('\u0002').append(i).append('\u0003').append(FuzzValues.hostileFor(r, field));
            } else if (op < 8 && !fields.isEmpty()) {
                obj.remove(pick(r, fields));
            } else if (op < 9) {
                obj.put(pick(r, List.of("id", "role", "host_id", "repo_id", "kind", "paths", "admin", "user_id",
                                        "created_by", "env", "config", "status", "__proto__")), "\u0001RAW" + i);
                extra.append('\u0002').append(i).append('\u0003').append(pick(r, FuzzValues.JSON_VALUES));
            } else {
                nestIn(r, obj);
            }
        }
        String text = root.toString();
        for (String part : extra.toString().split("\u0002")) {
            if (part.isEmpty()) {
                continue;
            }
            int sep = part.indexOf('\u0003');
            text = text.replace("\"\\u0001RAW" + part.substring(0, sep) + "\"", part.substring(sep + 1));
        }
        return text;
    }

    /** Every object in the tree, nested ones (inside arrays too) included. */
    private static void collect(JsonNode node, List<ObjectNode> into) {
        if (node instanceof ObjectNode o) {
            into.add(o);
        }
        node.elements().forEachRemaining(child -> collect(child, into));
    }

    /** Arrays where objects are expected and the other way round, inside the template. */
    private static void nestIn(SplittableRandom r, ObjectNode obj) {
        List<String> fields = new ArrayList<>();
        obj.fieldNames().forEachRemaining(fields::add);
        if (fields.isEmpty()) {
            return;
        }
        String field = pick(r, fields);
        JsonNode value = obj.get(field);
        if (value.isArray()) {
            obj.putObject(field).set("0", value.isEmpty() ? obj.textNode("x") : value.get(0));
        } else {
            ArrayNode arr = obj.putArray(field);
            arr.add(value);
            arr.add(value);
        }
    }

    /** Duplicate keys, a BOM, trailing data, reordered or doubled objects. */
    private static String structural(SplittableRandom r, String template) {
        if (!template.startsWith("{") || template.length() < 3) {
            return template;
        }
        String inner = template.substring(1, template.length() - 1);
        return switch (r.nextInt(6)) {
            case 0 -> "{" + inner + "," + inner + "}";
            case 1 -> "\uFEFF" + template;
            case 2 -> template + " " + template;
            case 3 -> " \n\t" + template + "\n";
            case 4 -> "{\"\\u0000\":\"\\u0000\",\"\\ud83d\\ude42\":1," + inner + "}";
            default -> reversed(template);
        };
    }

    private static String reversed(String template) {
        try {
            ObjectNode obj = (ObjectNode) Json.MAPPER.readTree(template);
            ObjectNode out = Json.MAPPER.createObjectNode();
            List<String> names = new ArrayList<>();
            for (Iterator<String> it = obj.fieldNames(); it.hasNext(); ) {
                names.addFirst(it.next());
            }
            names.forEach(n -> out.set(n, obj.get(n)));
            return out.toString();
        } catch (Exception e) {
            return template;
        }
    }

    /** A UI form body: random known fields with hostile values, usually with the caller's CSRF field. */
    static String form(SplittableRandom r, boolean withCsrf) {
        StringBuilder b = new StringBuilder();
        if (chance(r, 0.6)) {
            b.append("action=").append(pick(r, FuzzValues.FORM_ACTIONS));
        }
        int n = r.nextInt(12);
        for (int i = 0; i < n; i++) {
            b.append(b.isEmpty() ? "" : "&").append(pick(r, FuzzValues.FORM_FIELDS)).append('=')
                    .append(pick(r, FuzzValues.FORM_VALUES));
        }
        if (chance(r, 0.1)) {
            b.append("&&=&%=%zz&").append("x".repeat(300 * 1024));
        }
        if (withCsrf) {
            b.append(b.isEmpty() ? "" : "&").append("_csrf={{csrf}}");
        }
        return b.toString();
    }
}
