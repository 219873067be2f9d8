package io.resticmanager.inventory;

import io.resticmanager.kit.Problem;
import io.resticmanager.proto.Checks;
import io.resticmanager.proto.Message;
import io.resticmanager.proto.RepoAccess;
import io.resticmanager.proto.SnapshotInfo;

import io.resticmanager.proto.view.HostRepoView;
import io.resticmanager.proto.view.HostView;
import java.util.List;

/**
 * Restore browsing: one directory level of a host's snapshot, asked of the host's agent synchronously
 * (no job, so it never waits behind a running backup). The repository's backup credential is opened
 * here and travels in memory only, inside the request to the agent.
 */
final class SnapshotTree {

    private final Hosts hosts;
    private final Repos repos;
    private final SnapshotStore snapshots;
    private final HubRequests hub;
    private final FileIndex index;

    SnapshotTree(Hosts hosts, Repos repos, SnapshotStore snapshots, HubRequests hub, FileIndex index) {
        this.hosts = hosts;
        this.repos = repos;
        this.snapshots = snapshots;
        this.hub = hub;
        this.index = index;
    }

    /** The listing came from the server's tree index (host online or not). */
    static final String SOURCE_INDEX = "index";
    /** The listing came live from the host's agent: the snapshot is not indexed (yet). */
    static final String SOURCE_AGENT = "agent";

    /**
     * What {@code GET /api/snapshots/{id}/tree} answers: one page of a directory level; {@code source} says where it
     * came from, {@code nextCursor} where the next page starts (null on the last).
     */
    record Listing(String snapshotId, String path, List<Message.SnapshotEntry> items, boolean truncated,
                   String source, String nextCursor) {
    }

    /** A host's snapshot and the repository it is in. */
    record Found(SnapshotInfo snapshot, String repoId) {
    }

    /**
     * The host's snapshot by id or id prefix, in the given repository or else in any repository the host backs up
     * to (primary first); 404 when the host or the snapshot is unknown (or ambiguous).
     */
    Found snapshot(String snapshotId, String hostId, java.util.Optional<String> repoId) {
        if (!Checks.snapshotId(snapshotId)) {
            throw Problem.notFound("no snapshot " + snapshotId);
        }
        HostView host = hosts.get(hostId);
        for (HostRepoView link : host.repos()) {
            if (repoId.isPresent() && !repoId.get().equals(link.repoId())) {
                continue;
            }
            var found = snapshots.find(link.repoId(), host.hostname(), snapshotId);
            if (found.isPresent()) {
                return new Found(found.get(), link.repoId());
            }
        }
        throw Problem.notFound("host " + hostId + " has no snapshot " + snapshotId);
    }

    /** One page of {@code limit} entries after {@code cursor} (the index pages in SQL, the agent's listing here). */
    Listing list(String snapshotId, String hostId, String rawPath, java.util.Optional<String> repoId,
                 java.util.Optional<String> cursor, int limit) {
        String path = normalize(rawPath);
        Found found = snapshot(snapshotId, hostId, repoId);
        SnapshotInfo snapshot = found.snapshot();
        var indexed = index.list(hostId, found.repoId(), snapshot.id(), path, cursor, limit);
        if (indexed.isPresent()) {
            return indexed.get();
        }
        RepoAccess access = repos.access(hostId, "backup", java.util.Optional.of(found.repoId()));
        Message.SnapshotLsResult result = hub.snapshotLs(hostId, access, snapshot.id(), path);
        if (result.error() != null && !result.error().isBlank()) {
            if (result.error().startsWith("no such path")) {
                throw Problem.notFound(result.error());
            }
            throw new Problem(502, "Bad Gateway", "the agent could not list " + path + ": " + result.error());
        }
        ListCursor after = cursor.map(ListCursor::parse).orElse(ListCursor.START);
        List<Message.SnapshotEntry> rest = result.entries().stream()
                .filter(e -> after.precedes("dir".equals(e.type()), e.name())).toList();
        List<Message.SnapshotEntry> page = rest.subList(0, Math.min(rest.size(), limit));
        String next = rest.size() > limit
                ? new ListCursor("dir".equals(page.getLast().type()), page.getLast().name()).text() : null;
        return new Listing(snapshot.id(), result.path(), page, result.truncated() || next != null, SOURCE_AGENT, next);
    }

    /** Most paths one preview (or restore) selects. */
    static final int MAX_SELECTED = 1000;

    /**
     * What a restore of the selected paths of a host's snapshot would bring back, from the tree index (the host may
     * be offline): 404 for another host's snapshot or a path it lacks, 409 when the snapshot is not indexed (yet).
     */
    FileIndex.Preview preview(String snapshotId, String hostId, List<String> rawPaths,
                              java.util.Optional<String> repoId) {
        if (rawPaths.isEmpty() || rawPaths.size() > MAX_SELECTED) {
            throw Problem.unprocessable("paths must name 1 to " + MAX_SELECTED + " files or directories");
        }
        List<String> paths = rawPaths.stream().map(p -> {
            if (p == null || p.isBlank()) {
                throw Problem.unprocessable("paths must be absolute paths in the snapshot");
            }
            return normalize(p);
        }).toList();
        Found found = snapshot(snapshotId, hostId, repoId);
        return index.preview(hostId, found.repoId(), found.snapshot().id(), paths).orElseThrow(() -> Problem.conflict(
                "snapshot " + found.snapshot().shortId() + " is not indexed yet: the preview counts from the tree "
                        + "index (browse it live from the host meanwhile)"));
    }

    /** What {@code GET /api/snapshots/{id}/size} answers. */
    record Size(String snapshotId, String path, String type, long size, long files) {
    }

    Size size(String snapshotId, String hostId, String rawPath, java.util.Optional<String> repoId) {
        String path = normalize(rawPath);
        Found found = snapshot(snapshotId, hostId, repoId);
        RepoAccess access = repos.access(hostId, "backup", java.util.Optional.of(found.repoId()));
        Message.SnapshotSizeResult result = hub.snapshotSize(hostId, access, found.snapshot().id(), path);
        if (result.error() != null && !result.error().isBlank()) {
            if (result.error().startsWith("no such path")) {
                throw Problem.notFound(result.error());
            }
            throw new Problem(502, "Bad Gateway", "the agent could not size " + path + ": " + result.error());
        }
        return new Size(found.snapshot().id(), result.path(), result.type(), result.bytes(), result.files());
    }

    /** The snapshot, its repository and credential, and the checked path: what a download from it needs. */
    record Access(String snapshotId, String repoId, String path, RepoAccess repo) {
    }

    Access access(String snapshotId, String hostId, String rawPath, java.util.Optional<String> repoId) {
        if (rawPath.isBlank()) {
            throw Problem.badRequest("path is required");
        }
        String path = normalize(rawPath);
        Found found = snapshot(snapshotId, hostId, repoId);
        return new Access(found.snapshot().id(), found.repoId(), path,
                          repos.access(hostId, "backup", java.util.Optional.of(found.repoId())));
    }

    /** An absolute path without trailing slash; {@code ..} is refused (a snapshot has no such entries). */
    static String normalize(String raw) {
        String p = raw == null || raw.isBlank() ? "/" : raw.strip();
        if (!p.startsWith("/")) {
            throw Problem.badRequest("path must be absolute");
        }
        if (p.contains("\0") || p.contains("\n") || ("/" + p + "/").contains("/../")) {
            throw Problem.badRequest("path must not contain '..', NUL or newlines");
        }
        p = p.replaceAll("/+", "/");
        return p.length() > 1 && p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    }
}
