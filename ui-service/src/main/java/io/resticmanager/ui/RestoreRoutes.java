package io.resticmanager.ui;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.resticmanager.kit.Http;
import io.resticmanager.proto.Checks;
import io.resticmanager.proto.view.HostView;
import io.resticmanager.proto.view.SnapshotView;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;

import static io.resticmanager.ui.Urls.enc;

/**
 * The restore wizard, {@code /hosts/{id}/restore?snapshot=&path=}: (1) the snapshot, preselected (newest by
 * default); (2) its tree, one directory level at a time — each directory row loads its children on click
 * ({@code /hosts/{id}/restore/tree}, an htmx fragment) and checkboxes pick files and directories; (3) where:
 * original location or a directory, on this host or another online one; (4) a confirmation, then the restore
 * job starts and the browser lands on its live page. The fast path for one deleted file: Restore… on the newest
 * snapshot, tick the file, "Restore…", confirm.
 */
final class RestoreRoutes implements HttpService {
    private static final int SNAPSHOT_CHOICES = 25;

    private final GatewayApi api;
    private final Pages pages;

    RestoreRoutes(GatewayApi api, Pages pages) {
        this.api = api;
        this.pages = pages;
    }

    record SnapshotChoice(String id, String shortId, Format.When when, String paths, boolean selected) {
    }

    /** One entry of a snapshot directory. {@code childrenUrl} loads a directory's entries (htmx). */
    record TreeRow(String name, String path, String type, boolean dir, String size, Format.When mtime,
                   String childrenUrl, boolean picked, String downloadUrl) {
    }

    /**
     * The download step: what will be streamed and how big it is, with the buttons that start it (a form POST to
     * the public API, which answers with the file itself). {@code allowed}: operators and admins only.
     */
    record Download(Views.HostSummary host, boolean allowed, String snapshotId, String shortId, String path,
                    String name, boolean dir, String size, long bytes, long files, Views.ProblemView problem,
                    String backUrl) {
        boolean file() {
            return !dir;
        }

        String filesLabel() {
            return files == 1 ? "1 file" : files + " files";
        }
    }

    /**
     * The tree of one directory: its rows, or why there are none; {@code source} says where the listing came from
     * (the server's tree index, or live from the host because the snapshot is not indexed yet), null when unknown.
     */
    record TreeView(List<TreeRow> rows, Views.ProblemView problem, boolean truncated, boolean empty, String source,
                    String moreUrl) {
        TreeView(List<TreeRow> rows, Views.ProblemView problem, boolean truncated, boolean empty) {
            this(rows, problem, truncated, empty, null, null);
        }
    }

    record Crumb(String label, String url, boolean current, boolean first) {
    }

    /** Where to restore, as the user chose it (kept when the form comes back with a problem). */
    /**
     * Step 3. {@code admin}: the original location and other hosts are offered (the API allows them to admins only);
     * operators restore into a directory under the restore root on the same host.
     */
    record TargetForm(boolean original, boolean directory, String dir, List<Views.Option> hosts, boolean admin) {
        static final String OPERATOR_ROOT = "/var/lib/restic-manager-agent/restores";
    }

    /**
     * Step 4: what will happen, with the button that does it; {@code comesBack}: how many files and bytes, counted
     * from the tree index (null when the snapshot is not indexed yet).
     */
    record Confirm(String snapshotId, String shortId, List<String> paths, String target, String targetLabel,
                   String targetHostId, String hostLabel, boolean original, boolean crossHost, String comesBack) {
        int count() {
            return paths.size();
        }

        String noun() {
            return paths.size() == 1 ? "path" : "paths";
        }
    }

    record Wizard(Views.HostSummary host, boolean allowed, boolean noSnapshots, List<SnapshotChoice> snapshots,
                  SnapshotChoice snapshot, String root, List<Crumb> crumbs, TreeView tree, List<String> picked,
                  String manualPaths, TargetForm target, Views.ProblemView problem, Confirm confirm) {
        boolean hasPicked() {
            return !picked.isEmpty();
        }
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/hosts/{id}/restore", Pages.signedIn(this::wizard))
                .get("/hosts/{id}/restore/tree", Pages.signedIn(this::children))
                .get("/hosts/{id}/restore/download", Pages.signedIn(this::download))
                .post("/hosts/{id}/restore", Pages.signedIn(this::submit));
    }

    private void wizard(ServerRequest req, ServerResponse res, Session session) {
        String hostId = req.path().pathParameters().get("id");
        render(res, session.operator() ? 200 : 403, session,
               build(session, hostId, Http.query(req, "snapshot").orElse(""), Http.query(req, "path").orElse(""),
                     List.of(), "", new Choice("original", "", ""), null, null));
    }

    /** htmx: the rows of one directory, inserted under its row. */
    private void children(ServerRequest req, ServerResponse res, Session session) {
        String hostId = req.path().pathParameters().get("id");
        String snapshot = Http.query(req, "snapshot").orElse("");
        String path = Http.query(req, "path").orElse("/");
        pages.fragment(res, 200, session, "restore/_rows", tree(session, hostId, snapshot, path, List.of(),
                                                                Http.query(req, "cursor").orElse("")));
    }

    /** Download step: the size first (a directory's total, from the agent), then Download buttons. */
    private void download(ServerRequest req, ServerResponse res, Session session) {
        String hostId = req.path().pathParameters().get("id");
        String snapshot = Http.query(req, "snapshot").orElse("");
        String path = Http.query(req, "path").orElse("");
        Views.HostSummary host = HostPage.summary(api, session, hostId, Map.of());
        String parent = path.lastIndexOf('/') > 0 ? path.substring(0, path.lastIndexOf('/')) : "/";
        String back = "/hosts/" + enc(hostId) + "/restore?snapshot=" + enc(snapshot) + "&path=" + enc(parent);
        String name = path.equals("/") ? "/" : path.substring(path.lastIndexOf('/') + 1);
        if (!session.operator()) {
            renderDownload(res, 403, session, new Download(host, false, snapshot, Views.shortId(snapshot), path, name,
                                                           false, null, 0, 0, null, back));
            return;
        }
        try {
            JsonNode size = api.get(session, "/api/snapshots/" + enc(snapshot) + "/size",
                                    Map.of("host_id", hostId, "path", path));
            String full = Nodes.text(size, "snapshot_id", snapshot);
            long bytes = Nodes.number(size, "size").orElse(0);
            renderDownload(res, 200, session, new Download(host, true, full, Views.shortId(full),
                                                           Nodes.text(size, "path", path), name,
                                                           "dir".equals(Nodes.text(size, "type", "")),
                                                           Format.bytes(bytes), bytes, Nodes.number(size, "files")
                                                                   .orElse(0), null, back));
        } catch (ApiException e) {
            if (e.unauthenticated()) {
                throw e;
            }
            renderDownload(res, e.status(), session, new Download(host, true, snapshot, Views.shortId(snapshot), path,
                                                                  name, false, null, 0, 0, Views.ProblemView.of(e),
                                                                  back));
        }
    }

    private void renderDownload(ServerResponse res, int status, Session session, Download download) {
        pages.page(res, status, session, "Download · " + download.host().name(), "dashboard", "restore/download",
                   download);
    }

    /** The user's choices in the form. */
    private record Choice(String kind, String dir, String targetHostId) {
    }

    private void submit(ServerRequest req, ServerResponse res, Session session) {
        String hostId = req.path().pathParameters().get("id");
        Form form = Form.read(req);
        String snapshot = form.get("snapshot_id");
        String root = form.get("root");
        LinkedHashSet<String> paths = new LinkedHashSet<>(form.all("paths"));
        paths.addAll(form.lines("manual_paths"));
        Choice choice = new Choice(form.get("target_kind").isEmpty() ? "original" : form.get("target_kind"),
                                   form.get("target_dir"), form.get("target_host_id"));
        List<String> picked = new ArrayList<>(paths);
        try {
            if (snapshot.isEmpty()) {
                throw new Form.Invalid("Choose a snapshot.");
            }
            if (picked.isEmpty()) {
                throw new Form.Invalid("Tick at least one file or directory to restore (or type its path).");
            }
            for (String p : picked) {
                if (!p.startsWith("/")) {
                    throw new Form.Invalid("Paths are absolute, as in the snapshot: " + p);
                }
            }
            String target = switch (choice.kind()) {
                case "original" -> "original";
                case "dir" -> {
                    // the server's rule: a Windows host restores into C:\… or \\server\share\…
                    if (!Checks.absolutePath(choice.dir())) {
                        throw new Form.Invalid("The target directory must be an absolute path without '..', e.g. "
                                                       + "/var/tmp/restore (C:\\Restore on Windows).");
                    }
                    yield choice.dir();
                }
                default -> throw new Form.Invalid("Choose where to restore.");
            };
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("snapshot_id", snapshot);
            body.put("paths", picked);
            body.put("target", target);
            if (!choice.targetHostId().isEmpty() && !choice.targetHostId().equals(hostId)) {
                body.put("target_host_id", choice.targetHostId());
            }
            if (!form.get("confirm").equals("yes")) {
                render(res, 200, session, build(session, hostId, snapshot, root, picked, "", choice, null,
                                                confirm(session, hostId, snapshot, picked, target, choice)));
                return;
            }
            GatewayApi.Reply reply = api.post(session, "/api/hosts/" + enc(hostId) + "/restores", body);
            String jobId = Nodes.text(reply.body(), "job_id", "");
            Pages.redirect(req, res, jobId.isEmpty() ? "/hosts/" + enc(hostId) + "/jobs" : "/jobs/" + enc(jobId));
        } catch (Form.Invalid e) {
            render(res, 422, session, build(session, hostId, snapshot, root, picked, form.raw("manual_paths"), choice,
                                            Views.ProblemView.invalid(e.getMessage()), null));
        } catch (ApiException e) {
            if (e.unauthenticated() || e.unavailable()) {
                throw e;
            }
            render(res, e.status(), session, build(session, hostId, snapshot, root, picked, form.raw("manual_paths"),
                                                   choice, Views.ProblemView.of(e), null));
        }
    }

    private Confirm confirm(Session session, String hostId, String snapshot, List<String> paths, String target,
                            Choice choice) {
        boolean crossHost = !choice.targetHostId().isEmpty() && !choice.targetHostId().equals(hostId);
        String hostLabel = null;
        if (crossHost) {
            HostView other = api.get(session, "/api/hosts/" + enc(choice.targetHostId()), Map.of(), GatewayApi.HOST);
            hostLabel = other.name() != null ? other.name() : Views.shortId(choice.targetHostId());
        }
        boolean original = target.equals("original");
        String where = original ? "their original location" : target + " (each path recreated inside it)";
        return new Confirm(snapshot, Views.shortId(snapshot), paths, original ? "original" : target, where,
                           crossHost ? choice.targetHostId() : "", hostLabel, original, crossHost,
                           comesBack(session, hostId, snapshot, paths));
    }

    /** "1,204 files, 3.2 MB" from the index's preview; null when it cannot count (not indexed yet, a path it lacks). */
    private String comesBack(Session session, String hostId, String snapshot, List<String> paths) {
        try {
            JsonNode p = api.post(session, "/api/hosts/" + enc(hostId) + "/snapshots/" + enc(snapshot)
                    + "/restore-preview", Map.of("paths", paths)).body();
            long files = Nodes.number(p, "files").orElse(0);
            return String.format(java.util.Locale.ROOT, "%,d %s, %s", files, files == 1 ? "file" : "files",
                                 Format.bytes(Nodes.number(p, "bytes").orElse(0)));
        } catch (ApiException e) {
            if (e.unauthenticated() || e.unavailable()) {
                throw e;
            }
            return null; // the restore itself reports a path the snapshot lacks
        }
    }

    private Wizard build(Session session, String hostId, String snapshotId, String rootParam, List<String> picked,
                         String manualPaths, Choice choice, Views.ProblemView problem, Confirm confirm) {
        Views.HostSummary host = HostPage.summary(api, session, hostId, Map.of());
        if (confirm != null) {
            // the confirmation shows only what was chosen: no tree, no agent round trip
            return new Wizard(host, session.operator(), false, List.of(), null, "/", List.of(),
                              new TreeView(List.of(), null, false, true), picked, "", target(session, hostId, choice, false),
                              problem, confirm);
        }
        Instant now = Instant.now();
        List<SnapshotView> items = new ArrayList<>(api.get(session, "/api/hosts/" + enc(hostId) + "/snapshots",
                                                            Map.of("limit", String.valueOf(SNAPSHOT_CHOICES)),
                                                            GatewayApi.SNAPSHOTS).items());
        String selectedId = snapshotId;
        if (selectedId.isEmpty() && !items.isEmpty()) {
            selectedId = Objects.requireNonNullElse(items.getFirst().id(), "");
        }
        SnapshotView selected = null;
        for (SnapshotView s : items) {
            String id = Objects.requireNonNullElse(s.id(), "");
            if (!selectedId.isEmpty() && (id.equals(selectedId) || id.startsWith(selectedId))) {
                selected = s;
            }
        }
        if (selected == null && !selectedId.isEmpty()) {
            // an older snapshot than the first page shows: ask for it alone
            try {
                // the single snapshot is restic's record (no index flag, which the wizard does not show)
                selected = SnapshotView.of(api.get(session, "/api/snapshots/" + enc(selectedId),
                                                   Map.of("host_id", hostId), GatewayApi.SNAPSHOT), false);
                items.add(selected);
            } catch (ApiException e) {
                if (e.unauthenticated() || e.unavailable()) {
                    throw e;
                }
                problem = problem != null ? problem : Views.ProblemView.of(e);
            }
        }
        String chosen = selected == null ? "" : Objects.requireNonNullElse(selected.id(), "");
        List<SnapshotChoice> choices = new ArrayList<>();
        for (SnapshotView s : items) {
            String id = Objects.requireNonNullElse(s.id(), "");
            choices.add(new SnapshotChoice(id, s.shortId() != null ? s.shortId() : Views.shortId(id),
                                           Format.when(s.time(), now), String.join(", ", s.paths()),
                                           id.equals(chosen)));
        }
        SnapshotChoice current = choices.stream().filter(SnapshotChoice::selected).findFirst().orElse(null);
        String root = rootParam.startsWith("/") ? rootParam
                : selected == null ? "/" : startDir(selected.paths());
        TreeView tree = current == null || !session.operator() ? new TreeView(List.of(), null, false, true)
                : tree(session, hostId, chosen, root, picked, "");
        return new Wizard(host, session.operator(), current == null, choices, current, root,
                          crumbs(hostId, chosen, root), tree, picked, manualPaths, target(session, hostId, choice, true),
                          problem, confirm);
    }

    /** Where browsing starts: the one backed-up path itself, or the deepest directory all paths share. */
    static String startDir(List<String> paths) {
        if (paths.isEmpty()) {
            return "/";
        }
        if (paths.size() == 1) {
            return paths.getFirst().startsWith("/") ? strip(paths.getFirst()) : "/";
        }
        String[] first = strip(paths.getFirst()).split("/");
        int common = first.length;
        for (String p : paths) {
            String[] parts = strip(p).split("/");
            int i = 0;
            while (i < Math.min(common, parts.length) && parts[i].equals(first[i])) {
                i++;
            }
            common = i;
        }
        String joined = String.join("/", java.util.Arrays.copyOf(first, common));
        return joined.isEmpty() ? "/" : joined;
    }

    private static String strip(String p) {
        return p.length() > 1 && p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    }

    /** Entries one listing request shows; "Load more" fetches the next page of a bigger directory. */
    static final int TREE_PAGE = 500;

    /** One page of a directory level after {@code cursor} ("" for the first). */
    private TreeView tree(Session session, String hostId, String snapshotId, String path, List<String> picked,
                          String cursor) {
        JsonNode listing;
        try {
            Map<String, String> query = new java.util.LinkedHashMap<>(Map.of("host_id", hostId, "path", path,
                                                                             "limit", String.valueOf(TREE_PAGE)));
            if (!cursor.isEmpty()) {
                query.put("cursor", cursor);
            }
            listing = api.get(session, "/api/snapshots/" + enc(snapshotId) + "/tree", query);
        } catch (ApiException e) {
            if (e.unauthenticated()) {
                throw e;
            }
            return new TreeView(List.of(), new Views.ProblemView(e.status() == 409 ? "Host offline" : e.title(),
                                                                 e.detail()), false, false);
        }
        Instant now = Instant.now();
        List<TreeRow> rows = new ArrayList<>();
        for (JsonNode item : Nodes.items(listing)) {
            String p = Nodes.text(item, "path", "");
            String type = Nodes.text(item, "type", "file");
            boolean dir = type.equals("dir");
            OptionalLong size = Nodes.number(item, "size");
            rows.add(new TreeRow(Nodes.text(item, "name", p), p, type, dir,
                                 dir || size.isEmpty() ? null : Format.bytes(size.getAsLong()),
                                 Format.when(Nodes.instant(item, "mtime"), now),
                                 dir ? "/hosts/" + enc(hostId) + "/restore/tree?snapshot=" + enc(snapshotId) + "&path="
                                         + enc(p) : null, picked.contains(p),
                                 "/hosts/" + enc(hostId) + "/restore/download?snapshot=" + enc(snapshotId) + "&path="
                                         + enc(p)));
        }
        String source = switch (Nodes.text(listing, "source", "")) {
            case "index" -> "from the index";
            case "agent" -> "live from the host (not indexed yet)";
            default -> null;
        };
        String next = Nodes.text(listing, "next_cursor", "");
        String more = next.isEmpty() ? null : "/hosts/" + enc(hostId) + "/restore/tree?snapshot=" + enc(snapshotId)
                + "&path=" + enc(path) + "&cursor=" + enc(next);
        // truncated without a next page: the live agent's listing stopped at its limit
        return new TreeView(rows, null, more == null && listing.path("truncated").asBoolean(false),
                            rows.isEmpty() && cursor.isEmpty(), source, more);
    }

    private static List<Crumb> crumbs(String hostId, String snapshotId, String root) {
        List<Crumb> crumbs = new ArrayList<>();
        String base = "/hosts/" + enc(hostId) + "/restore?snapshot=" + enc(snapshotId) + "&path=";
        crumbs.add(new Crumb("/", base + enc("/"), root.equals("/"), true));
        StringBuilder prefix = new StringBuilder();
        for (String part : root.split("/")) {
            if (part.isEmpty()) {
                continue;
            }
            prefix.append('/').append(part);
            crumbs.add(new Crumb(part, base + enc(prefix.toString()), prefix.toString().equals(root), false));
        }
        return crumbs;
    }

    /** The target choices; the host select offers this host and every other ONLINE host. */
    private TargetForm target(Session session, String hostId, Choice choice, boolean listHosts) {
        List<Views.Option> hosts = new ArrayList<>();
        String thisName = hostId;
        List<Views.Option> others = new ArrayList<>();
        try {
            if (!listHosts) {
                return targetForm(session, choice, hosts);
            }
            for (HostView h : api.get(session, "/api/hosts", Map.of(), GatewayApi.HOSTS).items()) {
                String id = h.id() == null ? "" : h.id();
                if (id.equals(hostId)) {
                    thisName = h.name() != null ? h.name() : hostId;
                } else if (HostView.ONLINE.equals(h.status())) {
                    others.add(new Views.Option(id, h.name() != null ? h.name() : Views.shortId(id),
                                                id.equals(choice.targetHostId())));
                }
            }
        } catch (ApiException e) {
            if (e.unauthenticated()) {
                throw e;
            }
        }
        hosts.add(new Views.Option("", "This host (" + thisName + ")", choice.targetHostId().isEmpty()
                || choice.targetHostId().equals(hostId)));
        hosts.addAll(others);
        return targetForm(session, choice, session.admin() ? hosts : hosts.subList(0, 1));
    }

    private static TargetForm targetForm(Session session, Choice choice, List<Views.Option> hosts) {
        if (session.admin()) {
            return new TargetForm(!choice.kind().equals("dir"), choice.kind().equals("dir"), choice.dir(), hosts, true);
        }
        String dir = choice.dir().isEmpty() ? TargetForm.OPERATOR_ROOT + "/" : choice.dir();
        return new TargetForm(false, true, dir, hosts, false);
    }

    private void render(ServerResponse res, int status, Session session, Wizard wizard) {
        pages.page(res, status, session, "Restore · " + wizard.host().name(), "dashboard", "restore/wizard", wizard);
    }
}
