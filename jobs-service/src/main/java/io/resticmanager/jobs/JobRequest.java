package io.resticmanager.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import io.resticmanager.kit.Problem;
import io.resticmanager.proto.Checks;
import io.resticmanager.proto.JobKind;
import io.resticmanager.proto.JobParams;
import io.resticmanager.proto.Json;
import io.resticmanager.proto.RetentionPolicy;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A validated run-now request: {@code POST /api/hosts/{id}/jobs}. Each kind reads only its own fields;
 * unknown fields are ignored (clients may be newer). {@code repo_id} names which of the host's repositories the job
 * uses (default: its primary one); a {@code copy} also names {@code from_repo_id}, the repository it copies from
 * (default: the primary one). Problems: 400 for wrong JSON types, 422 for values that are well-formed but not
 * acceptable.
 */
record JobRequest(JobKind kind, JobParams params, Optional<String> repoId) {
    /** Kinds this endpoint runs; restore, diff and ls have their own flows. */
    static final Set<JobKind> RUNNABLE = EnumSet.of(JobKind.BACKUP, JobKind.FORGET, JobKind.PRUNE, JobKind.CHECK,
                                                    JobKind.UNLOCK, JobKind.SNAPSHOTS, JobKind.STATS, JobKind.INIT,
                                                    JobKind.COPY, JobKind.DRILL, JobKind.SELF_BACKUP);

    static JobRequest parse(JsonNode body) {
        if (!body.isObject()) {
            throw Problem.badRequest("request body must be a JSON object");
        }
        JsonNode kindNode = body.get("kind");
        if (kindNode == null || kindNode.isNull()) {
            throw Problem.unprocessable("kind is required (one of " + runnable() + ")");
        }
        if (!kindNode.isTextual()) {
            throw Problem.badRequest("wrong JSON type (field kind)");
        }
        JobKind kind = JobKind.parse(kindNode.asText()).filter(RUNNABLE::contains).orElseThrow(
                () -> Problem.unprocessable("unknown job kind '" + kindNode.asText() + "' (one of " + runnable() + ")"));
        // a copy may name its destination to_repo_id, as the API documents it; repo_id means the same
        Optional<String> repoId = repoId(body, "repo_id").or(() -> kind == JobKind.COPY ? repoId(body, "to_repo_id")
                : Optional.empty());
        JobParams params = switch (kind) {
            case BACKUP -> backup(body);
            case FORGET -> forget(body);
            case CHECK -> check(body);
            case COPY -> copy(body, repoId);
            case DRILL -> drill(body);
            case SELF_BACKUP -> new JobParams(null, null, tags(body), limit(body, "limit_upload_kib"),
                                              limit(body, "limit_download_kib"), null, null, null, null, null, null,
                                              null);
            default -> JobParams.empty();
        };
        // restic's bandwidth limits are global flags: every kind that reads or writes the repository honours them
        if (kind != JobKind.BACKUP && kind != JobKind.SELF_BACKUP) {
            params = params.withLimits(limit(body, "limit_upload_kib"), limit(body, "limit_download_kib"));
        }
        return new JobRequest(kind, params, repoId);
    }

    /** An optional repository id field (absent, null or blank = the host's primary repository). */
    static Optional<String> repoId(JsonNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull() || (node.isTextual() && node.asText().isBlank())) {
            return Optional.empty();
        }
        if (!node.isTextual()) {
            throw Problem.badRequest("wrong JSON type (field " + field + "): expected a string");
        }
        String id = node.asText().strip();
        if (!Checks.id(id)) {
            throw Problem.unprocessable(field + " is not a repository id");
        }
        return Optional.of(id);
    }

    /**
     * A copy needs a source repository other than its destination. The source defaults to the primary one, which
     * jobs-service resolves when it queues the job (it knows the primary only then).
     */
    private static JobParams copy(JsonNode body, Optional<String> to) {
        Optional<String> from = repoId(body, "from_repo_id");
        if (to.isEmpty() && from.isEmpty()) {
            throw Problem.unprocessable("a copy needs repo_id (where to copy to); from_repo_id defaults to the host's "
                                                + "primary repository");
        }
        if (from.isPresent() && from.equals(to)) {
            throw Problem.unprocessable("from_repo_id and repo_id must be different repositories");
        }
        return new JobParams(null, null, tags(body), null, null, null, null, null, null, null, null, null,
                             from.orElse(null));
    }

    /**
     * A restore drill: {@code sample_files} (1–1000, default 20), {@code max_bytes} (1 B – 64 GiB, default 256 MiB) and
     * {@code target_host_id} (the enrolled host that restores the sample; default the host itself).
     */
    private static JobParams drill(JsonNode body) {
        Integer files = null;
        JsonNode f = body.get("sample_files");
        if (f != null && !f.isNull()) {
            if (!f.isIntegralNumber() || !f.canConvertToInt()) {
                throw Problem.badRequest("wrong JSON type (field sample_files): expected an integer");
            }
            files = f.asInt();
            if (files < 1 || files > JobParams.MAX_SAMPLE_FILES) {
                throw Problem.unprocessable("sample_files must be 1 to " + JobParams.MAX_SAMPLE_FILES);
            }
        }
        Long bytes = null;
        JsonNode b = body.get("max_bytes");
        if (b != null && !b.isNull()) {
            if (!b.isIntegralNumber() || !b.canConvertToLong()) {
                throw Problem.badRequest("wrong JSON type (field max_bytes): expected an integer");
            }
            bytes = b.asLong();
            if (bytes < 1 || bytes > JobParams.MAX_DRILL_BYTES) {
                throw Problem.unprocessable("max_bytes must be 1 to " + JobParams.MAX_DRILL_BYTES + " (64 GiB)");
            }
        }
        String target = null;
        JsonNode t = body.get("target_host_id");
        if (t != null && !t.isNull() && !(t.isTextual() && t.asText().isBlank())) {
            if (!t.isTextual()) {
                throw Problem.badRequest("wrong JSON type (field target_host_id): expected a string");
            }
            target = t.asText().strip();
            if (!Checks.id(target)) {
                throw Problem.unprocessable("target_host_id is not a host id");
            }
        }
        return JobParams.drill(files, bytes, target);
    }

    /**
     * A drill on another host hands that host this host's repository credential for the job (as a cross-host restore
     * does): admins only.
     */
    static void requireDrillRight(io.resticmanager.proto.Principal principal, String hostId, JobKind kind,
                                  JobParams params) {
        if (kind == JobKind.DRILL && params.targetHostId() != null && !params.targetHostId().equals(hostId)
                && !principal.role().atLeast(io.resticmanager.proto.Role.ADMIN)) {
            throw Problem.forbidden("a drill on another host lends it this host's repository: admins only");
        }
    }

    private static JobParams backup(JsonNode body) {
        List<String> paths = strings(body, "paths");
        if (paths.isEmpty()) {
            throw Problem.unprocessable("a backup needs at least one path in paths");
        }
        for (String path : paths) {
            if (path.isBlank()) {
                throw Problem.unprocessable("paths must not contain blank entries");
            }
        }
        // use_fs_snapshot: restic --use-fs-snapshot (Windows VSS); an agent on another system fails the job
        JsonNode vss = body.get("use_fs_snapshot");
        if (vss != null && !vss.isNull() && !vss.isBoolean()) {
            throw Problem.badRequest("wrong JSON type (field use_fs_snapshot): expected true or false");
        }
        return new JobParams(paths, strings(body, "excludes"), tags(body), limit(body, "limit_upload_kib"),
                             limit(body, "limit_download_kib"), null, null, null, null, null, null, null)
                .withFsSnapshot(vss != null && vss.asBoolean());
    }

    private static JobParams forget(JsonNode body) {
        JsonNode policyNode = body.get("policy");
        if (policyNode == null || policyNode.isNull()) {
            throw Problem.unprocessable("forget needs a retention policy (policy: {keep_last, keep_daily, …})");
        }
        if (!policyNode.isObject()) {
            throw Problem.badRequest("wrong JSON type (field policy)");
        }
        RetentionPolicy policy;
        try {
            policy = Json.MAPPER.treeToValue(policyNode, RetentionPolicy.class);
        } catch (com.fasterxml.jackson.databind.exc.ValueInstantiationException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw Problem.unprocessable("bad retention policy: " + cause.getMessage());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw Problem.badRequest("bad retention policy: wrong JSON type");
        }
        // dry_run (beside policy): restic forget --dry-run — what would be kept and removed, nothing deleted
        JsonNode dryRun = body.get("dry_run");
        if (dryRun != null && !dryRun.isNull() && !dryRun.isBoolean()) {
            throw Problem.badRequest("wrong JSON type (field dry_run): expected true or false");
        }
        if (dryRun != null && dryRun.asBoolean()) {
            policy = policy.preview();
        }
        return new JobParams(null, null, tags(body), null, null, policy, null, null, null, null, null, null);
    }

    private static JobParams check(JsonNode body) {
        JsonNode subset = body.get("read_data_subset");
        if (subset == null || subset.isNull()) {
            return JobParams.empty();
        }
        if (!subset.isTextual()) {
            throw Problem.badRequest("wrong JSON type (field read_data_subset)");
        }
        String value = subset.asText().strip();
        if (!Checks.readDataSubset(value)) {
            throw Problem.unprocessable(Checks.READ_DATA_SUBSET_RULE + ", got: " + value);
        }
        return new JobParams(null, null, null, null, null, null, value, null, null, null, null, null);
    }

    private static List<String> tags(JsonNode body) {
        List<String> tags = strings(body, "tags");
        for (String tag : tags) {
            if (tag.isBlank() || tag.contains(",")) {
                throw Problem.unprocessable("tags must be non-blank and must not contain commas");
            }
        }
        return tags;
    }

    private static List<String> strings(JsonNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw Problem.badRequest("wrong JSON type (field " + field + "): expected an array of strings");
        }
        List<String> result = new ArrayList<>();
        for (JsonNode item : node) {
            if (!item.isTextual()) {
                throw Problem.badRequest("wrong JSON type (field " + field + "): expected an array of strings");
            }
            result.add(item.asText());
        }
        return result;
    }

    private static Integer limit(JsonNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isIntegralNumber() || !node.canConvertToInt()) {
            throw Problem.badRequest("wrong JSON type (field " + field + "): expected an integer");
        }
        if (node.asInt() < 1) {
            throw Problem.unprocessable(field + " must be ≥ 1 KiB/s");
        }
        return node.asInt();
    }

    private static String runnable() {
        return RUNNABLE.stream().map(JobKind::wire).collect(Collectors.joining(", "));
    }

    /**
     * A self backup hands the agent that runs it every database and secret of the server (the sealing key included):
     * only admins may start or schedule one, or change such a schedule.
     */
    static void requireSelfBackupRight(io.resticmanager.proto.Principal principal, JobKind kind) {
        if (kind == JobKind.SELF_BACKUP && !principal.role().atLeast(io.resticmanager.proto.Role.ADMIN)) {
            throw Problem.forbidden("the self backup carries the server's secrets: admins only");
        }
    }

    /**
     * Prune deletes data for good: only admins may start or schedule it (the prune kind, or a forget with
     * {@code prune: true} that is not a preview). Operators keep backup, check, restore and forget.
     */
    static void requirePruneRight(io.resticmanager.proto.Principal principal, JobKind kind, JobParams params) {
        boolean prunes = kind == JobKind.PRUNE || kind == JobKind.FORGET && params.policy() != null
                && Boolean.TRUE.equals(params.policy().prune()) && !params.policy().previewOnly();
        if (prunes && !principal.role().atLeast(io.resticmanager.proto.Role.ADMIN)) {
            throw Problem.forbidden("only admins may prune (the prune job, or forget with prune)");
        }
    }
}
