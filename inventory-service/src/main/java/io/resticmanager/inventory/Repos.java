package io.resticmanager.inventory;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import io.resticmanager.kit.Problem;
import io.resticmanager.proto.Json;
import io.resticmanager.proto.RepoAccess;
import io.resticmanager.proto.RepoPolicy;

import io.resticmanager.proto.view.HostView;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * Repositories and their credentials. Secrets are sealed before they touch the database and opened
 * only for {@link #access}, the internal call jobs-service makes right before a job.
 */
final class Repos {
    private static final Set<String> PATCH_FIELDS = Set.of("name", "url", "password", "env", "prune_url",
                                                           "offline_lease_days", "offline_lease_on_disk",
                                                           "maintenance_host_id",
                                                           "prune_password", "prune_env");
    private static final TypeReference<Map<String, String>> ENV = new TypeReference<>() {
    };
    private final RepoStore repos;
    private final HostStore hosts;
    private final Vault vault;
    private final Clock clock;

    Repos(RepoStore repos, HostStore hosts, Vault vault, Clock clock) {
        this.repos = repos;
        this.hosts = hosts;
        this.vault = vault;
        this.clock = clock;
    }

    /** Body of {@code POST /api/repos}; {@link #toString()} never shows a secret. */
    record CreateRequest(String name, String url, String password, Map<String, String> env, String prunePassword,
                         Map<String, String> pruneEnv, String pruneUrl) {
        @Override
        public String toString() {
            return "CreateRequest[name=" + name + "]";
        }
    }

    /** Answer of the rekey operation. */
    record Rekeyed(int resealed, String keyId) {
    }

    Repo.Created create(CreateRequest req) {
        String name = Validate.name(req.name(), "name");
        String url = RepoUrls.validate(req.url());
        String password = Validate.password(req.password(), "password");
        Map<String, String> env = Validate.env(req.env(), "env");
        String prunePassword = req.prunePassword() == null ? null : Validate.password(req.prunePassword(),
                                                                                       "prune_password");
        Map<String, String> pruneEnv = req.pruneEnv() == null ? null : Validate.env(req.pruneEnv(), "prune_env");
        String pruneUrl = req.pruneUrl() == null ? null : RepoUrls.validate(req.pruneUrl());
        checkPolicy(url, env, pruneUrl, pruneEnv);
        String id = UUID.randomUUID().toString();
        if (repos.nameTaken(name, id)) {
            throw Problem.conflict("a repository named \"" + name + "\" already exists");
        }
        Instant now = clock.instant();
        repos.insert(new RepoRow(id, name, RepoUrls.redact(url), vault.seal(id, "url", url),
                                 vault.seal(id, "password", password), vault.sealEnv(id, "env", env),
                                 new ArrayList<>(new TreeSet<>(env.keySet())), vault.seal(id, "prune_url", pruneUrl),
                                 vault.seal(id, "prune_password", prunePassword),
                                 vault.sealEnv(id, "prune_env", pruneEnv), null, null, now, now, null, null,
                                 false));
        return new Repo.Created(id, name, RepoUrls.redact(url));
    }

    List<Repo> list() {
        Map<String, Integer> counts = repos.hostCounts();
        return repos.list().stream().map(r -> view(r, counts.getOrDefault(r.id(), 0))).toList();
    }

    Repo get(String id) {
        RepoRow row = row(id);
        return view(row, repos.hostCount(id)).withHosts(repos.hostsOf(id));
    }

    /** Every repository, each with its last {@code trendPoints} size points (0: none, the list as usual). */
    List<Repo> list(int trendPoints) {
        List<Repo> all = list();
        return trendPoints == 0 ? all : all.stream().map(r -> r.withTrend(repos.trend(r.id(), trendPoints))).toList();
    }

    /** Every repository's id, name and (with {@code trendPoints} > 0) its last size points, nothing else. */
    List<Repo.Brief> brief(int trendPoints) {
        return repos.list().stream().map(r -> new Repo.Brief(r.id(), r.name(), trendPoints == 0 ? List.of()
                : repos.trend(r.id(), trendPoints))).toList();
    }

    List<Repo.StatsPoint> history(String id, int limit, java.util.Optional<String> mode) {
        row(id);
        mode.ifPresent(m -> {
            if (!m.equals("raw-data") && !m.equals("restore-size")) {
                throw Problem.badRequest("mode must be raw-data or restore-size");
            }
        });
        return repos.history(id, limit, mode);
    }

    /**
     * Applies a PATCH: name, url, password, env (replaced as a whole; {} or null clears) and the prune
     * credential (prune_url, prune_password, prune_env; null clears). Returns the changed field names
     * (for the audit entry; never values).
     */
    List<String> patch(String id, JsonNode body) {
        row(id);
        if (!body.isObject()) {
            throw Problem.badRequest("request body must be a JSON object");
        }
        List<String> fields = new ArrayList<>();
        body.fieldNames().forEachRemaining(fields::add);
        for (String field : fields) {
            if (!PATCH_FIELDS.contains(field)) {
                throw Problem.unprocessable("unknown field " + field + " (allowed: " + String.join(", ",
                        new TreeSet<>(PATCH_FIELDS)) + ")");
            }
        }
        RepoStore.Changes changes = new RepoStore.Changes();
        if (body.has("name")) {
            String name = Validate.name(text(body, "name", false), "name");
            if (repos.nameTaken(name, id)) {
                throw Problem.conflict("a repository named \"" + name + "\" already exists");
            }
            changes.name(name);
        }
        if (body.has("url")) {
            String url = RepoUrls.validate(text(body, "url", false));
            changes.url(RepoUrls.redact(url), vault.seal(id, "url", url));
        }
        if (body.has("password")) {
            changes.password(vault.seal(id, "password", Validate.password(text(body, "password", false), "password")));
        }
        if (body.has("env")) {
            Map<String, String> env = Validate.env(env(body, "env"), "env");
            changes.env(vault.sealEnv(id, "env", env), Json.write(new TreeSet<>(env.keySet())));
        }
        if (body.has("prune_url")) {
            String url = text(body, "prune_url", true);
            changes.pruneUrl(url == null ? null : vault.seal(id, "prune_url", RepoUrls.validate(url)));
        }
        if (body.has("prune_password")) {
            String password = text(body, "prune_password", true);
            changes.prunePassword(password == null ? null
                    : vault.seal(id, "prune_password", Validate.password(password, "prune_password")));
        }
        if (body.has("prune_env")) {
            Map<String, String> env = Validate.env(env(body, "prune_env"), "prune_env");
            changes.pruneEnv(vault.sealEnv(id, "prune_env", env));
        }
        if (body.has("offline_lease_days")) {
            JsonNode days = body.get("offline_lease_days");
            if (days.isNull()) {
                changes.offlineLease(null);
            } else if (!days.isIntegralNumber() || days.asLong() < 0 || days.asLong() > 365) {
                throw Problem.unprocessable("offline_lease_days must be a whole number of days from 0 (agents never "
                                                    + "run this repository's schedules without the server) to 365");
            } else {
                changes.offlineLease(days.asLong() * 86_400);
            }
        }
        if (body.has("offline_lease_on_disk")) {
            JsonNode onDisk = body.get("offline_lease_on_disk");
            if (!onDisk.isBoolean()) {
                throw Problem.unprocessable("offline_lease_on_disk must be true or false");
            }
            changes.leaseOnDisk(onDisk.asBoolean());
        }
        if (body.has("maintenance_host_id")) {
            String hostId = text(body, "maintenance_host_id", true);
            if (hostId != null) {
                HostView host = hosts.find(hostId).orElseThrow(() -> Problem.unprocessable(
                        "maintenance_host_id: no host " + hostId));
                if (host.disabled()) {
                    throw Problem.unprocessable("maintenance_host_id: host " + hostId + " is disabled");
                }
            }
            changes.maintenanceHost(hostId);
        }
        if (!changes.isEmpty()) {
            checkPolicy(id, body);
            repos.update(id, changes, clock.instant());
        }
        return fields.stream().sorted().toList();
    }

    /**
     * The host that runs restic must only ever get the variables its backend documents: checked for the
     * normal credential and for the prune credential as {@link #access} assembles it (each part falling back).
     */
    private static void checkPolicy(String url, Map<String, String> env, String pruneUrl, Map<String, String> pruneEnv) {
        try {
            RepoPolicy.check(url, env);
        } catch (RepoPolicy.Violation e) {
            throw Problem.unprocessable(e.getMessage());
        }
        if (pruneUrl != null || pruneEnv != null) {
            try {
                RepoPolicy.check(pruneUrl == null ? url : pruneUrl, pruneEnv == null ? env : pruneEnv);
            } catch (RepoPolicy.Violation e) {
                throw Problem.unprocessable("prune credential: " + e.getMessage());
            }
        }
    }

    /** As above, for a PATCH: what the body changes, the stored values for the rest. */
    private void checkPolicy(String id, JsonNode body) {
        if (!body.has("url") && !body.has("env") && !body.has("prune_url") && !body.has("prune_env")) {
            return;
        }
        RepoRow r = row(id);
        String url = body.has("url") ? body.get("url").asText() : vault.open(id, "url", r.urlSealed());
        Map<String, String> env = body.has("env") ? Validate.env(env(body, "env"), "env")
                : vault.openEnv(id, "env", r.envSealed());
        String pruneUrl = body.has("prune_url") ? (body.get("prune_url").isNull() ? null : body.get("prune_url").asText())
                : r.pruneUrlSealed() == null ? null : vault.open(id, "prune_url", r.pruneUrlSealed());
        Map<String, String> pruneEnv = body.has("prune_env")
                ? (body.get("prune_env").isNull() ? null : Validate.env(env(body, "prune_env"), "prune_env"))
                : r.pruneEnvSealed() == null ? null : vault.openEnv(id, "prune_env", r.pruneEnvSealed());
        checkPolicy(url, env, pruneUrl, pruneEnv);
    }

    void delete(String id) {
        row(id);
        if (!repos.deleteIfUnused(id)) {
            throw Problem.conflict("repository " + id + " is still assigned to " + repos.hostCount(id)
                                           + " host(s); assign them another repository first");
        }
    }

    /**
     * The credential a job on this host needs. Purpose {@code backup} gives the normal (backup) credential.
     * {@code full} (forget, prune) gives the full credential (the prune credential where the repository has one, each
     * of its parts falling back to the normal one); {@code check} gives the backup credential unless a maintenance
     * host checks the repository. With a maintenance host named, {@code full} and {@code check} are answered for that
     * host to run ({@link RepoAccess#maintenanceHostId()}, scoped to this host's hostname): the full credential never
     * goes to a backed-up host. A repository with a separate full credential and no maintenance host refuses
     * {@code full} (409), rather than hand the credential to the host it protects the backups from.
     */
    RepoAccess access(String hostId, String purpose, java.util.Optional<String> repoId) {
        if (!purpose.equals("backup") && !purpose.equals("full") && !purpose.equals("check")) {
            throw Problem.badRequest("purpose must be backup, full or check");
        }
        HostView host = hosts.find(hostId).orElseThrow(() -> Problem.notFound("no host " + hostId));
        if (host.disabled()) {
            throw Problem.conflict("host " + hostId + " is disabled");
        }
        String wanted;
        if (repoId.isPresent()) {
            // a host only ever gets the credential of a repository it is linked to
            wanted = repoId.get();
            if (!hosts.linked(hostId, wanted)) {
                throw Problem.conflict("host " + hostId + " does not back up to repository " + wanted);
            }
        } else if (host.repoId() == null) {
            throw Problem.conflict("host " + hostId + " has no repository assigned");
        } else {
            wanted = host.repoId();
        }
        RepoRow r = repos.find(wanted).orElseThrow(() -> Problem.conflict("host " + hostId
                + " has no repository assigned"));
        String maintainer = r.maintenanceHostId();
        boolean elsewhere = !purpose.equals("backup") && maintainer != null && !maintainer.equals(hostId);
        if (elsewhere) {
            HostView m = hosts.find(maintainer).orElseThrow(() -> Problem.conflict("repository " + r.name()
                    + " names maintenance host " + maintainer + ", which is gone; name another"));
            if (m.disabled()) {
                throw Problem.conflict("repository " + r.name() + "'s maintenance host " + m.name() + " is disabled");
            }
            if (host.hostname() == null || host.hostname().isBlank()) {
                throw Problem.conflict("host " + hostId + " has not reported its hostname yet, so its snapshots "
                                               + "cannot be told apart for the maintenance host");
            }
        }
        boolean full = purpose.equals("full") || elsewhere;
        if (full && !elsewhere && r.hasPruneCredential() && !hostId.equals(maintainer)) {
            throw Problem.conflict("repository " + r.name() + " keeps a separate full-access credential, which only "
                    + "its maintenance host may use; name one (PATCH /api/repos/" + r.id() + " maintenance_host_id) "
                    + "to run forget and prune");
        }
        String id = r.id();
        String url = full && r.pruneUrlSealed() != null ? vault.open(id, "prune_url", r.pruneUrlSealed())
                : vault.open(id, "url", r.urlSealed());
        String password = full && r.prunePasswordSealed() != null
                ? vault.open(id, "prune_password", r.prunePasswordSealed())
                : vault.open(id, "password", r.passwordSealed());
        Map<String, String> env = full && r.pruneEnvSealed() != null
                ? vault.openEnv(id, "prune_env", r.pruneEnvSealed())
                : vault.openEnv(id, "env", r.envSealed());
        return new RepoAccess(id, url, password, env, r.offlineLeaseS(), r.leaseOnDisk(),
                              elsewhere ? maintainer : null, elsewhere ? host.hostname() : null);
    }

    /** Re-seals every secret under the active key (after an operator appended a new key line). */
    Rekeyed rekey() {
        return new Rekeyed(repos.resealAll(vault), vault.keyId());
    }

    /** 404 unless the repo exists; cheap (no stats). */
    void requireExists(String id) {
        row(id);
    }

    private RepoRow row(String id) {
        return repos.find(id).orElseThrow(() -> Problem.notFound("no repository " + id));
    }

    private Repo view(RepoRow r, int hostCount) {
        return new Repo(r.id(), r.name(), r.urlRedacted(), r.envKeys(), r.hasPruneCredential(), hostCount,
                        repos.stats(r), r.createdAt(), r.updatedAt(), r.offlineLeaseDays(), r.leaseOnDisk(),
                        r.maintenanceHostId(), repos.locks(r.id()), null, null);
    }

    private static String text(JsonNode body, String field, boolean nullable) {
        JsonNode node = body.get(field);
        if (node.isNull() && nullable) {
            return null;
        }
        if (!node.isTextual()) {
            throw Problem.unprocessable(field + " must be a string" + (nullable ? " or null" : ""));
        }
        return node.asText();
    }

    private static Map<String, String> env(JsonNode body, String field) {
        JsonNode node = body.get(field);
        if (node.isNull()) {
            return Map.of();
        }
        if (!node.isObject()) {
            throw Problem.unprocessable(field + " must be an object of strings");
        }
        for (JsonNode value : node) {
            if (!value.isTextual()) {
                throw Problem.unprocessable(field + " must be an object of strings");
            }
        }
        return Json.MAPPER.convertValue(node, ENV);
    }
}
