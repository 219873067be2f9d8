package io.resticmanager.deploy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A Dockerfile read into instructions, and the lint rules our images follow (hadolint is not available
 * here): pinned base images (an {@code ARG}'s default counts), a non-root numeric USER, a HEALTHCHECK, no ADD of
 * URLs, exec-form ENTRYPOINT, tidy apt-get. A base image (one that runs nothing) needs no USER or HEALTHCHECK.
 */
final class Dockerfile {
    private static final Pattern URL = Pattern.compile("^(https?|ftp)://.*|^git@.*");
    private final List<Instruction> instructions;

    /**
     * @param line    first line of the instruction (1-based)
     * @param keyword upper-case instruction
     * @param args    everything after the keyword, continuation lines joined
     * @param stage   0-based build stage
     */
    record Instruction(int line, String keyword, String args, int stage) {
    }

    private Dockerfile(List<Instruction> instructions) {
        this.instructions = instructions;
    }

    static Dockerfile parse(String text) {
        List<Instruction> out = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        int stage = -1;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int first = i;
            StringBuilder logical = new StringBuilder();
            while (true) {
                String part = lines[i].strip();
                if (!part.startsWith("#")) {
                    boolean continued = part.endsWith("\\");
                    logical.append(continued ? part.substring(0, part.length() - 1) : part).append(' ');
                    if (!continued) {
                        break;
                    }
                }
                if (++i >= lines.length) {
                    break;
                }
            }
            String joined = logical.toString().strip().replaceAll("\\s+", " ");
            int space = joined.indexOf(' ');
            String keyword = (space < 0 ? joined : joined.substring(0, space)).toUpperCase(Locale.ROOT);
            String args = space < 0 ? "" : joined.substring(space + 1);
            if (keyword.equals("FROM")) {
                stage++;
            }
            out.add(new Instruction(first + 1, keyword, args, Math.max(stage, 0)));
        }
        return new Dockerfile(out);
    }

    List<Instruction> instructions() {
        return instructions;
    }

    int finalStage() {
        return instructions.stream().mapToInt(Instruction::stage).max().orElse(0);
    }

    /** Instructions of one keyword, optionally only in the final stage. */
    List<Instruction> all(String keyword, boolean finalStageOnly) {
        int last = finalStage();
        return instructions.stream()
                .filter(i -> i.keyword().equals(keyword) && (!finalStageOnly || i.stage() == last))
                .toList();
    }

    Optional<Instruction> last(String keyword) {
        List<Instruction> found = all(keyword, true);
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(found.size() - 1));
    }

    /** The image of each stage's FROM (flags dropped), a {@code ${ARG}} replaced by its default. */
    List<String> baseImages() {
        return all("FROM", false).stream().map(i -> fromImage(i.args())).toList();
    }

    /**
     * Defaults of the ARGs declared before the first FROM (the only ones a FROM can use), e.g. {@code JAVA_IMAGE}
     * of {@code ARG JAVA_IMAGE=eclipse-temurin:21-jre}; an ARG without a default maps to "".
     */
    java.util.Map<String, String> globalArgs() {
        java.util.Map<String, String> args = new java.util.LinkedHashMap<>();
        for (Instruction i : instructions) {
            if (i.keyword().equals("FROM")) {
                break;
            }
            if (i.keyword().equals("ARG")) {
                int eq = i.args().indexOf('=');
                args.put(eq < 0 ? i.args().strip() : i.args().substring(0, eq), eq < 0 ? "" : i.args().substring(eq + 1));
            }
        }
        return args;
    }

    private String fromImage(String args) {
        String image = List.of(args.split(" ")).stream().filter(t -> !t.startsWith("--")).findFirst().orElse("");
        for (var arg : globalArgs().entrySet()) {
            if (!arg.getValue().isEmpty()) {
                image = image.replace("${" + arg.getKey() + "}", arg.getValue()).replace("$" + arg.getKey(), arg.getValue());
            }
        }
        return image;
    }

    /** A base for other images: it runs nothing itself (no ENTRYPOINT, no CMD). */
    boolean isBase() {
        return last("ENTRYPOINT").isEmpty() && last("CMD").isEmpty();
    }

    /**
     * Problems found; empty when the file follows every rule.
     *
     * @param healthcheckNoneAllowed whether {@code HEALTHCHECK NONE} is acceptable (an image with no HTTP port)
     */
    List<String> lint(boolean healthcheckNoneAllowed) {
        List<String> problems = new ArrayList<>();
        Set<String> stages = new HashSet<>();
        for (Instruction from : all("FROM", false)) {
            String image = fromImage(from.args());
            boolean earlierStage = stages.contains(image);
            String[] parts = from.args().split(" ");
            if (parts.length >= 3 && parts[parts.length - 2].equalsIgnoreCase("AS")) {
                stages.add(parts[parts.length - 1]);
            }
            if (earlierStage) {
                continue;
            }
            if (image.contains("$")) {
                problems.add(from.line() + ": FROM " + image + ": base image from a variable cannot be checked for pinning");
                continue;
            }
            String nameAndTag = image.substring(image.lastIndexOf('/') + 1);
            if (!image.contains("@") && !nameAndTag.contains(":")) {
                problems.add(from.line() + ": FROM " + image + ": no tag (means latest); pin a version");
            } else if (nameAndTag.endsWith(":latest")) {
                problems.add(from.line() + ": FROM " + image + ": the latest tag is not a version; pin one");
            }
        }
        if (isBase()) {
            // user and health check are the business of the images built on it
            return lintSteps(problems);
        }
        Optional<Instruction> user = last("USER");
        if (user.isEmpty()) {
            problems.add("final stage has no USER: the image would run as root");
        } else {
            String uid = user.get().args().split(":")[0];
            if (!uid.matches("\\d+") || Integer.parseInt(uid) == 0) {
                problems.add(user.get().line() + ": USER " + user.get().args()
                             + ": use a numeric non-zero uid (Kubernetes runAsNonRoot can only verify numbers)");
            }
        }
        Optional<Instruction> health = last("HEALTHCHECK");
        if (health.isEmpty()) {
            problems.add("final stage has no HEALTHCHECK");
        } else if (health.get().args().strip().equalsIgnoreCase("NONE") && !healthcheckNoneAllowed) {
            problems.add(health.get().line() + ": HEALTHCHECK NONE on an image that serves /health");
        } else if (!health.get().args().strip().equalsIgnoreCase("NONE") && !health.get().args().contains("CMD")) {
            problems.add(health.get().line() + ": HEALTHCHECK without CMD");
        }
        return lintSteps(problems);
    }

    /** The rules for every image, base or not: no ADD of URLs, exec-form ENTRYPOINT/CMD, tidy apt-get. */
    private List<String> lintSteps(List<String> problems) {
        for (Instruction add : all("ADD", false)) {
            for (String token : add.args().replaceAll("[\\[\\]\",]", " ").split(" ")) {
                if (URL.matcher(token).matches()) {
                    problems.add(add.line() + ": ADD " + token + ": downloads at build time unchecked; fetch with a "
                                 + "verified RUN step or COPY a vendored file");
                }
            }
        }
        for (String keyword : List.of("ENTRYPOINT", "CMD")) {
            last(keyword).filter(i -> !i.args().startsWith("["))
                    .ifPresent(i -> problems.add(i.line() + ": " + keyword + " in shell form: java would not be PID 1 "
                                                 + "and would miss SIGTERM; use the exec (JSON) form"));
        }
        for (Instruction run : all("RUN", false)) {
            if (run.args().contains("apt-get install")) {
                if (!run.args().contains("--no-install-recommends")) {
                    problems.add(run.line() + ": apt-get install without --no-install-recommends");
                }
                if (!run.args().contains("rm -rf /var/lib/apt/lists")) {
                    problems.add(run.line() + ": apt-get install leaves /var/lib/apt/lists in the layer");
                }
                if (!run.args().matches(".*apt-get install[^&;]*\\s-y\\b.*")) {
                    problems.add(run.line() + ": apt-get install without -y");
                }
            }
        }
        return problems;
    }
}
