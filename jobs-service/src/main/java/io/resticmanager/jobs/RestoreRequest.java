package io.resticmanager.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import io.resticmanager.kit.Problem;
import io.resticmanager.proto.Checks;
import io.resticmanager.proto.Principal;
import io.resticmanager.proto.Role;
import io.resticmanager.proto.JobParams;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A validated {@code POST /api/hosts/{id}/restores}: {@code {snapshot_id, paths:[…], target:"original"|"<dir>",
 * target_host_id?}}. 400 for wrong JSON types, 422 for values that are well-formed but not acceptable.
 */
record RestoreRequest(String snapshotId, List<String> paths, String target, Optional<String> targetHostId) {
    static final String ORIGINAL = "original";
    static final int MAX_PATHS = 1000;

    static RestoreRequest parse(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw Problem.badRequest("request body must be a JSON object");
        }
        String snapshot = text(body, "snapshot_id").map(s -> s.strip().toLowerCase(Locale.ROOT))
                .orElseThrow(() -> Problem.unprocessable("snapshot_id is required"));
        if (!Checks.snapshotId(snapshot)) {
            throw Problem.unprocessable("snapshot_id must be 8 to 64 hex characters");
        }
        JsonNode pathsNode = body.get("paths");
        if (pathsNode == null || pathsNode.isNull()) {
            throw Problem.unprocessable("paths is required: the absolute paths in the snapshot to restore");
        }
        if (!pathsNode.isArray()) {
            throw Problem.badRequest("wrong JSON type (field paths): expected an array of strings");
        }
        LinkedHashSet<String> paths = new LinkedHashSet<>();
        for (JsonNode p : pathsNode) {
            if (!p.isTextual()) {
                throw Problem.badRequest("wrong JSON type (field paths): expected an array of strings");
            }
            paths.add(snapshotPath(p.asText()));
        }
        if (paths.isEmpty()) {
            throw Problem.unprocessable("paths must name at least one file or directory to restore");
        }
        if (paths.size() > MAX_PATHS) {
            throw Problem.unprocessable("at most " + MAX_PATHS + " paths per restore");
        }
        String target = text(body, "target").map(String::strip).orElse(ORIGINAL);
        if (!target.equals(ORIGINAL)) {
            target = targetDir(target);
        }
        Optional<String> targetHost = text(body, "target_host_id").map(String::strip).filter(s -> !s.isEmpty());
        if (targetHost.isPresent() && !Checks.id(targetHost.get())) {
            throw Problem.unprocessable("target_host_id is not a host id");
        }
        return new RestoreRequest(snapshot, new ArrayList<>(paths), target, targetHost);
    }

    /**
     * Who may restore where. Admins: anywhere, onto any host. Operators: onto the same host, into a directory under
     * one of {@code operatorRoots} — never over the original files (that writes into system directories as root)
     * and never onto another host (that hands the other host this host's repository credential).
     */
    void requireAllowed(Principal principal, String hostId, List<String> operatorRoots) {
        if (principal.role().atLeast(Role.ADMIN)) {
            return;
        }
        if (target.equals(ORIGINAL)) {
            throw Problem.forbidden("restoring to the original location overwrites live files as root: admins only; "
                    + "operators restore into a directory under " + String.join(" or ", operatorRoots));
        }
        if (targetHostId.isPresent() && !targetHostId.get().equals(hostId)) {
            throw Problem.forbidden("restoring onto another host lends it this host's repository: admins only");
        }
        boolean under = operatorRoots.stream().anyMatch(root -> target.equals(root) || target.startsWith(root + "/"));
        if (!under) {
            throw Problem.forbidden("operators restore into a directory under " + String.join(" or ", operatorRoots)
                                            + "; admins may choose any directory");
        }
    }

    /** The restore's job parameters: restic's include list and where to restore. */
    JobParams params() {
        return new JobParams(null, null, null, null, null, null, null, snapshotId, null, paths, target, null);
    }

    /**
     * A path in the snapshot: restic names them POSIX-style on every system (a Windows host's as {@code /C/Users/…}).
     * Repeated and trailing slashes are dropped.
     */
    private static String snapshotPath(String raw) {
        String p = raw.strip();
        if (!Checks.posixAbsolutePath(p)) {
            throw Problem.unprocessable("paths must be absolute paths in the snapshot (as restic lists them, e.g. "
                                                + "/etc or /C/Users on Windows) without '..' segments, NUL or line "
                                                + "breaks, got: " + raw);
        }
        p = p.replaceAll("/+", "/");
        return p.length() > 1 && p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    }

    /**
     * The directory on the host to restore into: POSIX on Linux hosts, a drive or UNC path on Windows hosts
     * ({@link Checks#absolutePath}); a trailing separator is dropped (not from a root: "/", "C:\").
     */
    private static String targetDir(String raw) {
        String p = raw.strip();
        if (!Checks.absolutePath(p)) {
            throw Problem.unprocessable("target must be \"original\" or " + Checks.ABSOLUTE_PATH_RULE + ", got: "
                                                + raw);
        }
        if (p.startsWith("/")) {
            p = p.replaceAll("/+", "/");
            return p.length() > 1 && p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
        }
        // the root of a drive keeps its separator ("C:" alone means the drive's current directory)
        String trimmed = p.replaceAll("[\\\\/]+$", "");
        return trimmed.length() <= 2 ? trimmed + p.charAt(2) : trimmed;
    }

    private static Optional<String> text(JsonNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (!node.isTextual()) {
            throw Problem.badRequest("wrong JSON type (field " + field + "): expected a string");
        }
        return Optional.of(node.asText());
    }
}
