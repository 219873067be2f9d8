package io.resticmanager.inventory;

import io.helidon.dbclient.DbRow;
import io.resticmanager.kit.Problem;
import io.resticmanager.kit.SqliteStore;
import io.resticmanager.proto.view.HostRepoView;
import io.resticmanager.proto.view.HostView;
import io.resticmanager.proto.view.Page;

import java.sql.SQLException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * {@code hosts}, {@code host_tags} and {@code deleted_hosts}. Statements {@code hosts.*}, {@code host-tags.*} and
 * {@code deleted-hosts.*} in {@code db/statements.sql}.
 */
final class HostStore {
    private final SqliteStore store;

    HostStore(SqliteStore store) {
        this.store = store;
    }

    Optional<HostView> find(String id) {
        return store.db().execute().namedGet("hosts.find", id).map(HostStore::host);
    }

    /** Hosts filtered by tag and status (each optional), by name. */
    List<HostView> list(Optional<String> tag, Optional<String> status) {
        String t = tag.orElse(null);
        // anything but disabled or online means offline, as the API has always read it
        String s = status.map(v -> v.equals(HostView.DISABLED) || v.equals(HostView.ONLINE) ? v : HostView.OFFLINE)
                .orElse(null);
        return store.db().execute().namedQuery("hosts.list", t, t, s, s).map(HostStore::host).toList();
    }

    /** A page of the fleet's filters (each optional): search text, tag, status (online, offline, disabled, failing). */
    record HostFilter(Optional<String> search, Optional<String> tag, Optional<String> status) {
    }

    /** Fleet-wide counts, every tag in use and how many hosts run each agent and restic version. */
    record FleetSummary(long total, long online, long offline, long disabled, long failing, List<String> tags,
                        List<VersionCount> agentVersions, List<VersionCount> resticVersions) {
    }

    /** How many hosts report this version. */
    record VersionCount(String version, long hosts) {
    }

    /** One page of hosts by name (case-insensitive), then id; {@code cursor} is the previous page's next_cursor. */
    Page<HostView> page(HostFilter filter, Optional<String> cursor, int limit) {
        String q = filter.search().map(HostStore::likePattern).orElse(null);
        String t = filter.tag().orElse(null);
        String s = filter.status().orElse(null);
        Optional<NameKey> after = cursor.map(NameKey::decode);
        String afterName = after.map(NameKey::name).orElse(null);
        String afterId = after.map(NameKey::id).orElse(null);
        List<HostView> rows = store.db().execute().namedQuery("hosts.page", q, q, q, q, t, t, s, s, s,
                                                          afterName, afterName, afterName, afterId, limit + 1)
                .map(HostStore::host).toList();
        List<HostView> items = rows.subList(0, Math.min(limit, rows.size()));
        String next = null;
        if (rows.size() > limit) {
            HostView last = items.getLast();
            next = new NameKey(last.name() != null ? last.name() : last.hostname(), last.id()).encode();
        }
        return new Page<>(items, next);
    }

    FleetSummary summary() {
        DbRow counts = store.db().execute().namedGet("hosts.summary").orElseThrow();
        List<String> tags = store.db().execute().namedQuery("hosts.tags").map(r -> Rows.str(r, "tag")).toList();
        return new FleetSummary(Rows.lng(counts, "total"), Rows.lng(counts, "online"), Rows.lng(counts, "offline"),
                                Rows.lng(counts, "disabled"), Rows.lng(counts, "failing"), tags,
                                versions("hosts.agent-versions"), versions("hosts.restic-versions"));
    }

    private List<VersionCount> versions(String statement) {
        return store.db().execute().namedQuery(statement)
                .map(r -> new VersionCount(Rows.str(r, "version"), Rows.lng(r, "hosts"))).toList();
    }

    /** {@code text} found anywhere, literally: LIKE's own wildcards in it are escaped. */
    static String likePattern(String text) {
        return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
    }

    /** The keyset position after a page's last host; opaque to clients. */
    record NameKey(String name, String id) {
        String encode() {
            return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                    (id + ":" + name).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }

        static NameKey decode(String cursor) {
            try {
                String text = new String(java.util.Base64.getUrlDecoder().decode(cursor),
                                         java.nio.charset.StandardCharsets.UTF_8);
                int colon = text.indexOf(':');
                if (colon <= 0) {
                    throw new IllegalArgumentException(cursor);
                }
                return new NameKey(text.substring(colon + 1), text.substring(0, colon));
            } catch (RuntimeException e) {
                throw io.resticmanager.kit.Problem.badRequest("invalid cursor");
            }
        }
    }

    /**
     * Applies a validated PATCH in one transaction. {@code name} empty string = back to the hostname.
     * Returns false when the host does not exist (any more).
     */
    boolean patch(String id, HostPatch patch, Instant now) {
        return store.write(tx -> {
            if (!tx.exists("hosts.exists", id)) {
                return false;
            }
            if (patch.name().isPresent()) {
                String name = patch.name().get();
                tx.update("hosts.set-name", name.isEmpty() ? null : name, id);
            }
            if (patch.repoId().isPresent()) {
                String repoId = patch.repoId().get();
                if (repoId.isEmpty()) {
                    // the deprecated "no repository": the primary link goes, another link (if any) takes its place
                    Optional<String> primary = tx.text("hosts.repo-of", id);
                    if (primary.isPresent()) {
                        unlink(tx, id, primary.get());
                    }
                } else {
                    link(tx, id, repoId, Optional.empty(), true, now);
                }
            }
            if (patch.disabled().isPresent()) {
                tx.update("hosts.set-disabled", patch.disabled().get(), id);
            }
            if (patch.tags().isPresent()) {
                tx.update("host-tags.delete-for-host", id);
                tx.batch("host-tags.insert", patch.tags().get().stream().map(tag -> new Object[] {id, tag}).toList());
            }
            tx.update("hosts.touch", now, id);
            return true;
        });
    }

    /** Whether the host backs up to this repository (one indexed lookup; no snapshot counting). */
    boolean linked(String hostId, String repoId) {
        return store.db().execute().namedGet("host-repos.linked", hostId, repoId).isPresent();
    }

    /** The host's repositories, primary first. */
    List<HostRepoView> repos(String hostId) {
        return store.db().execute().namedQuery("host-repos.of-host", hostId).map(r -> {
            Long last = Rows.lng(r, "last_snapshot_ns");
            return new HostRepoView(Rows.str(r, "repo_id"), Rows.str(r, "name"), Rows.str(r, "url_redacted"),
                                Rows.str(r, "role"), Rows.bool(r, "is_primary"),
                                last == null ? null : SnapshotStore.fromNanos(last),
                                Rows.lng(r, "snapshot_count") == null ? 0 : Rows.lng(r, "snapshot_count"),
                                Rows.instant(r, "created_at"), result(r, "last_backup_"), result(r, "last_copy_"));
        }).toList();
    }

    private static HostRepoView.Result result(io.helidon.dbclient.DbRow r, String prefix) {
        String job = Rows.str(r, prefix + "job_id");
        return job == null ? null : new HostRepoView.Result(job, Rows.str(r, prefix + "status"),
                                                        Rows.instant(r, prefix + "finished_at"));
    }

    /** Records a backup's or copy's result on the host's link to the repository (newest wins; unlinked: nothing). */
    void recordOnLink(String hostId, String repoId, String kind, String jobId, String status, Instant finishedAt) {
        String statement = kind.equals("copy") ? "host-repos.record-copy" : "host-repos.record-backup";
        store.write(tx -> tx.update(statement, jobId, status, finishedAt, hostId, repoId, finishedAt));
    }

    /**
     * Links a repository to a host (or changes the link's role); {@code primary} makes it the one jobs use when they
     * name none. The first link of a host is its primary whatever was asked. False when the host does not exist.
     */
    boolean link(String hostId, String repoId, Optional<String> role, boolean primary, Instant now) {
        return store.write(tx -> {
            if (!tx.exists("hosts.exists", hostId)) {
                return false;
            }
            link(tx, hostId, repoId, role, primary, now);
            tx.update("hosts.touch", now, hostId);
            return true;
        });
    }

    /** Removes a link; when it was the primary one, the oldest remaining link becomes primary. False when absent. */
    boolean unlink(String hostId, String repoId, Instant now) {
        return store.write(tx -> {
            if (tx.text("host-repos.linked", hostId, repoId).isEmpty()) {
                return false;
            }
            unlink(tx, hostId, repoId);
            tx.update("hosts.touch", now, hostId);
            return true;
        });
    }

    private static void link(SqliteStore.Tx tx, String hostId, String repoId, Optional<String> role, boolean primary,
                             Instant now) throws SQLException {
        if (!tx.exists("repos.exists", repoId)) {
            throw Problem.unprocessable("repository " + repoId + " does not exist");
        }
        Optional<String> current = tx.text("hosts.repo-of", hostId);
        boolean makePrimary = primary || current.isEmpty();
        Optional<String> existing = tx.text("host-repos.linked", hostId, repoId);
        String label = role.or(() -> existing).orElse(makePrimary ? "primary" : "secondary");
        tx.update("host-repos.link", hostId, repoId, label, now);
        if (makePrimary) {
            tx.update("hosts.set-repo", repoId, hostId);
        }
    }

    private static void unlink(SqliteStore.Tx tx, String hostId, String repoId) throws SQLException {
        tx.update("host-repos.unlink", hostId, repoId);
        if (repoId.equals(tx.text("hosts.repo-of", hostId).orElse(null))) {
            tx.update("hosts.set-repo", tx.text("host-repos.next-primary", hostId).orElse(null), hostId);
        }
    }

    /** Deletes the host and remembers its id so replayed hub events cannot recreate it. */
    boolean delete(String id, Instant now) {
        return store.write(tx -> {
            int deleted = tx.update("hosts.delete", id);
            if (deleted > 0) {
                tx.update("host-hooks.delete", id);
                tx.update("deleted-hosts.insert", id, now);
            }
            return deleted > 0;
        });
    }

    /** Keeps the newest backup result (by finish time); older or replayed results change nothing. */
    boolean recordBackup(String hostId, HostView.LastBackup backup) {
        Instant at = backup.finishedAt();
        return store.write(tx -> tx.update("hosts.record-backup", backup.jobId(), backup.status(), at,
                                           backup.dataAdded(), backup.snapshotId(), hostId, at)) > 0;
    }

    /** Keeps the newest drill result (by finish time); older or replayed results change nothing. */
    boolean recordDrill(String hostId, HostView.LastDrill drill) {
        Instant at = drill.finishedAt();
        return store.write(tx -> tx.update("hosts.record-drill", drill.jobId(), drill.status(), at,
                                           drill.snapshotId(), hostId, at)) > 0;
    }

    // ---- hub events, inside the caller's transaction ----

    static boolean isDeleted(SqliteStore.Tx tx, String id) throws SQLException {
        return tx.exists("deleted-hosts.exists", id);
    }

    static boolean exists(SqliteStore.Tx tx, String id) throws SQLException {
        return tx.exists("hosts.exists", id);
    }

    /** The host's primary repository; empty when the host is unknown or has none. */
    static Optional<String> repoOf(SqliteStore.Tx tx, String id) throws SQLException {
        return tx.text("hosts.repo-of", id);
    }

    /** Whether the host backs up to this repository (primary or not). */
    static boolean linked(SqliteStore.Tx tx, String hostId, String repoId) throws SQLException {
        return tx.text("host-repos.linked", hostId, repoId).isPresent();
    }

    /** Creates the host record unless it exists (or was deleted). */
    static boolean create(SqliteStore.Tx tx, String id, String hostname, Instant at) throws SQLException {
        return tx.update("hosts.create", id, hostname, at, at) > 0;
    }

    /** Newer facts win; a null fact keeps what we knew. */
    static void facts(SqliteStore.Tx tx, String id, String hostname, String os, String arch, String agentVersion,
                      String resticVersion, Boolean runsAsRoot, Instant at) throws SQLException {
        tx.update("hosts.facts", blankToNull(hostname), blankToNull(os), blankToNull(arch), blankToNull(agentVersion),
                  blankToNull(resticVersion), runsAsRoot, at, id);
    }

    /**
     * Presence from the hub; an event older than the last one applied is ignored, so a late
     * {@code host.offline} never hides a newer {@code host.online}.
     */
    static void presence(SqliteStore.Tx tx, String id, boolean online, Instant at, Instant lastSeenAt)
            throws SQLException {
        tx.update("hosts.presence", online, at, lastSeenAt, lastSeenAt, id, at);
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }

    private static HostView host(DbRow r) {
        String hostname = Rows.str(r, "hostname");
        String name = Rows.str(r, "name");
        String status = Rows.bool(r, "disabled") ? HostView.DISABLED
                : Rows.bool(r, "online") ? HostView.ONLINE : HostView.OFFLINE;
        String tagList = Rows.str(r, "tag_list");
        List<String> tags = tagList == null || tagList.isEmpty() ? List.of()
                : Arrays.stream(tagList.split(",")).sorted().toList();
        String jobId = Rows.str(r, "last_backup_job_id");
        HostView.LastBackup backup = jobId == null ? null : new HostView.LastBackup(
                jobId, Rows.str(r, "last_backup_status"), Rows.instant(r, "last_backup_finished_at"),
                Rows.lng(r, "last_backup_data_added"), Rows.str(r, "last_backup_snapshot_id"));
        Long lastSnapshot = Rows.lng(r, "last_snapshot_ns");
        Long root = Rows.lng(r, "runs_as_root");
        return new HostView(Rows.str(r, "id"), name == null ? hostname : name, hostname, status,
                        Rows.instant(r, "last_seen_at"), Rows.str(r, "os"), Rows.str(r, "arch"),
                        Rows.str(r, "agent_version"), Rows.str(r, "restic_version"), root == null ? null : root != 0,
                        tags, Rows.str(r, "repo_id"), Rows.str(r, "repo_name"), backup,
                        lastSnapshot == null ? null : SnapshotStore.fromNanos(lastSnapshot),
                        Rows.instant(r, "created_at"), null,
                        Rows.lng(r, "repo_count") == null ? 0 : Rows.lng(r, "repo_count").intValue(),
                        Rows.lng(r, "secondary_snapshot_ns") == null ? null
                                : SnapshotStore.fromNanos(Rows.lng(r, "secondary_snapshot_ns")),
                        Rows.str(r, "last_drill_job_id") == null ? null : new HostView.LastDrill(
                                Rows.str(r, "last_drill_job_id"), Rows.str(r, "last_drill_status"),
                                Rows.instant(r, "last_drill_finished_at"), Rows.str(r, "last_drill_snapshot_id")));
    }
}
