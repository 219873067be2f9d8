package io.resticmanager.proto;

/**
 * The payload of one agent ⇄ hub frame. The envelope's {@code type} names which record it is;
 * see {@link MessageType}.
 */
public sealed interface Message permits Message.Hello, Message.HelloOk, Message.Error, Message.Heartbeat,
        Message.JobStart, Message.JobCancel, Message.JobAck, Message.JobProgress, Message.JobLog,
        Message.JobFinished, Message.SnapshotsReport, Message.SchedulesSync, Message.HostFacts,
        Message.FsList, Message.FsListResult, Message.JobEventsAck, Message.ScheduleFire,
        Message.SnapshotLs, Message.SnapshotLsResult, Message.SnapshotSize, Message.SnapshotSizeResult,
        Message.SnapshotDump, Message.DumpChunk, Message.DumpAck, Message.DumpEnd, Message.DumpCancel,
        Message.AgentUpdate, Message.AgentUpdateStarted,
        Message.IndexHave, Message.IndexHaveResult, Message.IndexUpload, Message.IndexRoot, Message.IndexResult,
        Message.SnapshotIndex, Message.SnapshotIndexResult {

    /** Events about a job carry its id and a per-job sequence number, so receivers can de-duplicate. */
    interface JobEvent {
        String jobId();

        long seq();
    }

    /** A job the agent reports in {@code hello}: still running, or finished while it was offline. */
    record JobReport(String jobId, JobStatus status, long lastSeq) {
        public JobReport {
            Require.text(jobId, "job_id");
            Require.present(status, "status");
        }
    }

    /** First frame from the agent after the upgrade. */
    record Hello(String hostname, String os, String arch, String agentVersion, String resticVersion,
                 int protocolVersion, java.util.List<JobReport> jobs) implements Message {
        public Hello {
            Require.text(hostname, "hostname");
            Require.text(agentVersion, "agent_version");
            if (protocolVersion < 1) {
                throw new IllegalArgumentException("missing required field: protocol_version");
            }
            jobs = Require.list(jobs);
        }
    }

    /** The hub accepted the agent. */
    record HelloOk(String hostId, int heartbeatIntervalS, java.time.Instant serverTime) implements Message {
        public HelloOk {
            Require.text(hostId, "host_id");
        }
    }

    /** Either side refuses something; {@code code} is one of {@link ErrorCode}'s wire names (or a newer one). */
    record Error(String code, String message) implements Message {
        public Error {
            Require.text(code, "code");
            message = message == null ? "" : message;
        }

        public static Error of(ErrorCode code, String message) {
            return new Error(code.wire(), message);
        }
    }

    /** Keeps presence; sent by the agent every heartbeat interval. */
    record Heartbeat(java.util.List<String> runningJobs) implements Message {
        public Heartbeat {
            runningJobs = Require.list(runningJobs);
        }
    }

    /**
     * Hub → agent: run one restic job. The secrets live in {@code repo} (and, for {@code copy}, in {@code fromRepo},
     * the repository the snapshots are copied from), in memory only.
     */
    record JobStart(String jobId, JobKind kind, RepoAccess repo, JobParams params, RepoAccess fromRepo,
                    @com.fasterxml.jackson.annotation.JsonInclude(
                            com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL) Hooks hooks)
            implements Message {
        public JobStart {
            Require.text(jobId, "job_id");
            Require.present(kind, "kind");
            Require.present(repo, "repo");
            params = params == null ? JobParams.empty() : params;
            if (kind == JobKind.COPY && fromRepo == null) {
                throw new IllegalArgumentException("a copy job needs from_repo");
            }
            if (hooks != null && kind != JobKind.BACKUP) {
                throw new IllegalArgumentException("only a backup runs hooks");
            }
        }

        /** A job on one repository. */
        public JobStart(String jobId, JobKind kind, RepoAccess repo, JobParams params) {
            this(jobId, kind, repo, params, null, null);
        }

        public JobStart(String jobId, JobKind kind, RepoAccess repo, JobParams params, RepoAccess fromRepo) {
            this(jobId, kind, repo, params, fromRepo, null);
        }
    }

    /** Hub → agent: stop a job (graceful, then forced). */
    record JobCancel(String jobId) implements Message {
        public JobCancel {
            Require.text(jobId, "job_id");
        }
    }

    /** Agent → hub: the job was accepted (now running) or refused, with the redacted command line. */
    record JobAck(String jobId, long seq, boolean accepted, String reason, String commandLine,
                  java.time.Instant startedAt) implements Message, JobEvent {
        public JobAck {
            Require.text(jobId, "job_id");
            Require.positive(seq, "seq");
            Require.time(startedAt, "started_at");
        }
    }

    /** Agent → hub, about once a second while a job runs. */
    record JobProgress(String jobId, long seq, double percent, long filesDone, long totalFiles, long bytesDone,
                       long totalBytes, Long etaS, String currentFile) implements Message, JobEvent {
        public JobProgress {
            Require.text(jobId, "job_id");
            Require.positive(seq, "seq");
        }
    }

    /** One output line; {@code stream} is stdout, stderr or event (the agent's own remarks). */
    record LogLine(long seq, java.time.Instant ts, String stream, String line) {
        public LogLine {
            Require.positive(seq, "seq");
            Require.time(Require.present(ts, "ts"), "ts");
            Require.text(stream, "stream");
            line = line == null ? "" : line;
        }
    }

    /** Agent → hub: a batch of log lines; {@code seq} is the first line's seq, each line has its own. */
    record JobLog(String jobId, long seq, java.util.List<LogLine> lines) implements Message, JobEvent {
        public JobLog {
            Require.text(jobId, "job_id");
            Require.positive(seq, "seq");
            lines = Require.list(lines);
            if (lines.isEmpty()) {
                throw new IllegalArgumentException("job.log needs at least one line");
            }
        }
    }

    /** Agent → hub: the job ended. {@code summary} is restic's summary, parsed leniently. */
    record JobFinished(String jobId, long seq, JobStatus status, int exitCode, java.util.Map<String, Object> summary,
                       String error, java.time.Instant finishedAt) implements Message, JobEvent {
        public JobFinished {
            Require.text(jobId, "job_id");
            Require.positive(seq, "seq");
            Require.present(status, "status");
            if (!status.terminal()) {
                throw new IllegalArgumentException("job.finished needs a terminal status, not " + status.wire());
            }
            Require.time(finishedAt, "finished_at");
            summary = summary == null ? java.util.Map.of() : java.util.Collections.unmodifiableMap(
                    new java.util.LinkedHashMap<>(summary));
        }
    }

    /**
     * Agent → hub: the repository's full snapshot list, replacing the server's projection. A list too
     * large for one frame is sent as {@code parts} frames sharing one {@code report_id}, numbered
     * {@code part} = 1…parts; the receiver replaces its projection once every part arrived. Without a
     * {@code report_id} (or with {@code parts} = 1) the frame is the whole list.
     */
    record SnapshotsReport(String jobId, String repoId, String reportId, Integer part, Integer parts,
                           java.util.List<SnapshotInfo> snapshots) implements Message {
        /** Most parts one report may have. */
        public static final int MAX_PARTS = 10_000;
        private static final int MAX_REPORT_ID_CHARS = 100;

        public SnapshotsReport {
            Require.text(repoId, "repo_id");
            if (reportId != null) {
                Require.text(reportId, "report_id");
                if (reportId.length() > MAX_REPORT_ID_CHARS) {
                    throw new IllegalArgumentException("report_id is longer than " + MAX_REPORT_ID_CHARS + " characters");
                }
                Require.present(part, "part");
                Require.present(parts, "parts");
                if (part < 1 || part > parts || parts > MAX_PARTS) {
                    throw new IllegalArgumentException("part " + part + " of " + parts + " is out of range (need 1 ≤ part"
                            + " ≤ parts ≤ " + MAX_PARTS + ")");
                }
            } else if (part != null && part != 1 || parts != null && parts != 1) {
                throw new IllegalArgumentException("part and parts need a report_id");
            }
            snapshots = Require.list(snapshots);
        }

        /** The whole list in one frame (no report_id). */
        public SnapshotsReport(String jobId, String repoId, java.util.List<SnapshotInfo> snapshots) {
            this(jobId, repoId, null, null, null, snapshots);
        }

        /** True when this frame is one of several: the list is complete only with its siblings. */
        public boolean partial() {
            return reportId != null && parts > 1;
        }
    }

    /** Hub → agent: the host's schedules; the agent keeps a local copy. */
    /**
     * Hub → agent: the host's schedules, and the credential leases that let the agent run them by itself while the
     * server is unreachable. Leases live in the agent's memory only (the agent stores {@link #withoutLeases()}).
     */
    record SchedulesSync(java.util.List<ScheduleSpec> schedules,
                         @com.fasterxml.jackson.annotation.JsonInclude(
                                 com.fasterxml.jackson.annotation.JsonInclude.Include.NON_EMPTY)
                         java.util.List<CredentialLease> leases,
                         @com.fasterxml.jackson.annotation.JsonInclude(
                                 com.fasterxml.jackson.annotation.JsonInclude.Include.NON_EMPTY)
                         java.util.Map<String, Hooks> hooks) implements Message {
        public SchedulesSync {
            schedules = Require.list(schedules);
            leases = Require.list(leases);
            hooks = Require.map(hooks);
        }

        public SchedulesSync(java.util.List<ScheduleSpec> schedules) {
            this(schedules, null, null);
        }

        public SchedulesSync(java.util.List<ScheduleSpec> schedules, java.util.List<CredentialLease> leases) {
            this(schedules, leases, null);
        }

        /** What may be written to disk: no lease, no hook (hooks, by schedule id, live in memory like leases). */
        public SchedulesSync withoutLeases() {
            return new SchedulesSync(schedules, null, null);
        }

        @Override
        public String toString() {
            return "SchedulesSync[schedules=" + schedules + ", leases=" + leases.size() + ", hooks=" + hooks.size()
                    + "]";
        }
    }

    /** Agent → hub: facts about the host, sent after hello and when they change. */
    record HostFacts(String hostname, String os, String arch, String agentVersion, String resticVersion,
                     boolean runsAsRoot) implements Message {
        public HostFacts {
            Require.text(hostname, "hostname");
        }
    }

    /** Hub → agent: list one directory of the local file system (restore target browsing). */
    record FsList(String path) implements Message {
        public FsList {
            Require.text(path, "path");
        }
    }

    /** Agent → hub, reply to {@link FsList} (envelope corr = the request's id). */
    record FsListResult(String path, java.util.List<FsEntry> entries, String error) implements Message {
        public FsListResult {
            Require.text(path, "path");
            entries = Require.list(entries);
        }
    }

    /** One directory entry. */
    record FsEntry(String name, String type, long size) {
    }

    /**
     * Hub → agent: every event of {@code jobId} up to and including {@code upToSeq} is durably stored
     * on the server; the agent may drop them from its spool. Unacknowledged events are replayed on
     * reconnect (receivers de-duplicate by seq).
     */
    record JobEventsAck(String jobId, long upToSeq) implements Message {
        public JobEventsAck {
            Require.text(jobId, "job_id");
            Require.positive(upToSeq, "up_to_seq");
        }
    }

    /**
     * Agent → hub → jobs-service: schedule {@code scheduleId} came due at {@code firedAt} (its cron time).
     * The agent made up {@code jobId}; the server answers with a normal {@code job.start} for that id (the
     * repository's secrets travel only then). {@code catchUp}: the time passed while the agent was down.
     * Re-sent until that job.start arrives; the server de-duplicates by job id.
     */
    /**
     * Agent → hub: a schedule fired. {@code offline} (true, or absent): the agent ran the job itself while the server
     * was unreachable, in {@code repoId}; older agents never send it.
     */
    record ScheduleFire(String scheduleId, String jobId, java.time.Instant firedAt, boolean catchUp,
                        Boolean offline, String repoId, JobKind kind) implements Message {
        public ScheduleFire {
            Require.text(scheduleId, "schedule_id");
            Require.text(jobId, "job_id");
            Require.time(Require.present(firedAt, "fired_at"), "fired_at");
            // true or absent on the wire, so fires of older agents and their golden shape stay as they were
            offline = Boolean.TRUE.equals(offline) ? Boolean.TRUE : null;
            if (offline != null && (repoId == null || kind == null)) {
                throw new IllegalArgumentException("an offline fire names its repo_id and kind");
            }
        }

        /** Whether the agent ran this fire's job itself while the server was unreachable. */
        public boolean ranOffline() {
            return offline != null;
        }

        /** A fire the server answers with job.start (the agent was connected). */
        public ScheduleFire(String scheduleId, String jobId, java.time.Instant firedAt, boolean catchUp) {
            this(scheduleId, jobId, firedAt, catchUp, false, null, null);
        }
    }

    /**
     * Hub → agent: list ONE directory level of {@code path} inside {@code snapshotId} of {@code repo}
     * (restore browsing). Answered synchronously with {@link SnapshotLsResult} (envelope corr = this
     * frame's id); no job is created, so it never queues behind a running backup. The secrets in
     * {@code repo} are used for this one listing, in memory only.
     */
    record SnapshotLs(RepoAccess repo, String snapshotId, String path) implements Message {
        public SnapshotLs {
            Require.present(repo, "repo");
            Require.text(snapshotId, "snapshot_id");
            Require.text(path, "path");
        }
    }

    /**
     * Agent → hub, reply to {@link SnapshotLs}: the direct children of {@code path}, or an {@code error}.
     * {@code truncated}: the directory has more entries than fit one frame ({@link #MAX_ENTRIES}).
     */
    record SnapshotLsResult(String path, java.util.List<SnapshotEntry> entries, String error, boolean truncated)
            implements Message {
        /** Most entries one reply carries, so it stays well under the frame size limit. */
        public static final int MAX_ENTRIES = 4000;

        public SnapshotLsResult {
            Require.text(path, "path");
            entries = Require.list(entries);
        }
    }

    /** One entry of a snapshot's tree; {@code type} is dir, file or symlink (or another restic node type). */
    record SnapshotEntry(String name, String type, String path, long size, java.time.Instant mtime) {
        public SnapshotEntry {
            Require.text(name, "name");
            Require.text(type, "type");
            Require.text(path, "path");
            // a file's odd mtime is no reason to refuse the listing: it shows as unknown
            mtime = mtime == null || mtime.isBefore(Require.EARLIEST) || mtime.isAfter(Require.LATEST) ? null : mtime;
        }
    }

    /**
     * Hub → agent: the total size of {@code path} inside {@code snapshotId} (a file's size, or everything below a
     * directory), by {@code restic ls --json --recursive}; answered with {@link SnapshotSizeResult} (corr = this
     * frame's id). Shown before a download starts.
     */
    record SnapshotSize(RepoAccess repo, String snapshotId, String path) implements Message {
        public SnapshotSize {
            Require.present(repo, "repo");
            Require.text(snapshotId, "snapshot_id");
            Require.text(path, "path");
        }
    }

    /** Agent → hub, reply to {@link SnapshotSize}: {@code type} of the node (file, dir …), bytes and files below it. */
    record SnapshotSizeResult(String path, String type, long bytes, long files, String error) implements Message {
        public SnapshotSizeResult {
            Require.text(path, "path");
            type = type == null ? "" : type;
        }
    }

    /** What {@link SnapshotDump} produces: a file's bytes as they are, or a directory as a tar or zip archive. */
    enum DumpFormat {
        @com.fasterxml.jackson.annotation.JsonProperty("file") FILE,
        @com.fasterxml.jackson.annotation.JsonProperty("tar") TAR,
        @com.fasterxml.jackson.annotation.JsonProperty("zip") ZIP;

        public String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        public static java.util.Optional<DumpFormat> fromWire(String wire) {
            return java.util.Arrays.stream(values()).filter(f -> f.wire().equals(wire)).findFirst();
        }
    }

    /**
     * Hub → agent: stream {@code path} of {@code snapshotId} by {@code restic dump} as {@link DumpChunk} frames of at
     * most {@link #MAX_CHUNK_BYTES} each, then one {@link DumpEnd}. Flow control: the agent never has more than
     * {@code window} chunks sent and not yet acknowledged by {@link DumpAck}, so the hub buffers at most
     * {@code window × MAX_CHUNK_BYTES} per stream whatever the speeds on either side.
     */
    record SnapshotDump(String streamId, RepoAccess repo, String snapshotId, String path, DumpFormat format,
                        int window) implements Message {
        /** Raw bytes per chunk: base64 makes a frame of about 88 KiB, far below the frame limit. */
        public static final int MAX_CHUNK_BYTES = 64 * 1024;
        /** Largest window either side accepts. */
        public static final int MAX_WINDOW = 64;

        public SnapshotDump {
            Require.text(streamId, "stream_id");
            Require.present(repo, "repo");
            Require.text(snapshotId, "snapshot_id");
            Require.text(path, "path");
            Require.present(format, "format");
            if (window < 1 || window > MAX_WINDOW) {
                throw new IllegalArgumentException("window must be 1 to " + MAX_WINDOW);
            }
        }

        @Override
        public String toString() {
            return "SnapshotDump[stream_id=" + streamId + ", snapshot_id=" + snapshotId + ", path=" + path
                    + ", format=" + format.wire() + ", window=" + window + "]";
        }
    }

    /** Agent → hub: the next bytes of a dump; {@code seq} counts from 1. */
    record DumpChunk(String streamId, long seq, byte[] data) implements Message {
        public DumpChunk {
            Require.text(streamId, "stream_id");
            Require.positive(seq, "seq");
            Require.present(data, "data");
            if (data.length == 0 || data.length > SnapshotDump.MAX_CHUNK_BYTES) {
                throw new IllegalArgumentException("data must be 1 to " + SnapshotDump.MAX_CHUNK_BYTES + " bytes");
            }
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof DumpChunk c && c.streamId.equals(streamId) && c.seq == seq
                    && java.util.Arrays.equals(c.data, data);
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hash(streamId, seq, java.util.Arrays.hashCode(data));
        }

        @Override
        public String toString() {
            return "DumpChunk[stream_id=" + streamId + ", seq=" + seq + ", bytes=" + data.length + "]";
        }
    }

    /** Hub → agent: chunks up to and including {@code upToSeq} left the hub; the agent may send that many more. */
    record DumpAck(String streamId, long upToSeq) implements Message {
        public DumpAck {
            Require.text(streamId, "stream_id");
            Require.positive(upToSeq, "up_to_seq");
        }
    }

    /**
     * Agent → hub: the dump is over after {@code chunks} chunks and {@code bytes} bytes. Without {@code error} the
     * content is complete; with one (restic failed, cancelled, path missing) it is not and must not be presented so.
     */
    record DumpEnd(String streamId, long chunks, long bytes, String error) implements Message {
        public DumpEnd {
            Require.text(streamId, "stream_id");
        }

        public boolean complete() {
            return error == null || error.isBlank();
        }
    }

    /** Hub → agent: stop a dump (the browser went away or the user cancelled); restic is killed. */
    record DumpCancel(String streamId) implements Message {
        public DumpCancel {
            Require.text(streamId, "stream_id");
        }
    }

    /**
     * Hub → agent (an admin asked): upgrade this agent with the host's package manager ({@code restic-manager-agent
     * update}: apt-get install --only-upgrade from the server's signed APT repository). The agent answers
     * {@link AgentUpdateStarted}, or an {@code error} envelope ({@code update_unavailable}: not installed from the
     * package, {@code busy}: jobs are running or an update already is); the upgraded agent then reconnects with its
     * new version in {@code hello}.
     */
    record AgentUpdate(String updateId) implements Message {
        public AgentUpdate {
            Require.text(updateId, "update_id");
        }
    }

    /** Agent → hub, reply to {@link AgentUpdate}: the upgrade runs (apart from the agent, which it restarts). */
    record AgentUpdateStarted(String updateId, String fromVersion, String method) implements Message {
        public AgentUpdateStarted {
            Require.text(updateId, "update_id");
            Require.text(fromVersion, "from_version");
            Require.text(method, "method");
        }
    }

    /**
     * Agent → hub: which of these trees does the server's index of this host lack? Answered with
     * {@link IndexHaveResult} (corr = this frame's id) or an {@code error}. Ids are {@link TreeIndex#contentId}s.
     */
    record IndexHave(java.util.List<String> treeIds) implements Message {
        /** Most ids one question carries (about 70 KiB). */
        public static final int MAX_IDS = 1000;

        public IndexHave {
            treeIds = Require.list(treeIds);
            if (treeIds.isEmpty() || treeIds.size() > MAX_IDS) {
                throw new IllegalArgumentException("tree_ids must hold 1 to " + MAX_IDS + " ids");
            }
            treeIds.forEach(id -> TreeIndex.requireId(id, "tree_ids"));
        }
    }

    /** Hub → agent, reply to {@link IndexHave}: the ids the server lacks, in the order asked. */
    record IndexHaveResult(java.util.List<String> missing) implements Message {
        public IndexHaveResult {
            missing = Require.list(missing);
            if (missing.size() > IndexHave.MAX_IDS) {
                throw new IllegalArgumentException("missing holds more than " + IndexHave.MAX_IDS + " ids");
            }
            missing.forEach(id -> TreeIndex.requireId(id, "missing"));
        }
    }

    /**
     * Agent → hub: trees the server lacks, every tree after the trees it refers to (children first). A tree with
     * more than {@link #MAX_NODES} entries is sent as {@code parts} pieces numbered {@code part} = 1…parts, in order;
     * the server keeps it invisible until the last piece arrived and its content id checked out. Answered with
     * {@link IndexResult} or an {@code error} (nothing of a refused frame is kept).
     */
    record IndexUpload(java.util.List<IndexTree> trees) implements Message {
        /** Most entries one frame carries: with names up to {@link TreeIndex#MAX_NAME_CHARS} it stays under 1 MiB. */
        public static final int MAX_NODES = 2000;

        public IndexUpload {
            trees = Require.list(trees);
            if (trees.isEmpty()) {
                throw new IllegalArgumentException("index.upload needs at least one tree");
            }
            long nodes = trees.stream().mapToLong(t -> t.nodes().size()).sum();
            if (nodes > MAX_NODES) {
                throw new IllegalArgumentException("index.upload carries " + nodes + " entries, more than " + MAX_NODES);
            }
        }
    }

    /** One tree (a directory's entries) of the index, or one piece of a large one. */
    record IndexTree(String id, int part, int parts, java.util.List<IndexNode> nodes) {
        /** Most pieces one tree may have: directories up to 2,000,000 entries. */
        public static final int MAX_PARTS = 1000;

        public IndexTree {
            TreeIndex.requireId(id, "id");
            if (part < 1 || part > parts || parts > MAX_PARTS) {
                throw new IllegalArgumentException("part " + part + " of " + parts + " is out of range (need 1 ≤ part"
                        + " ≤ parts ≤ " + MAX_PARTS + ")");
            }
            nodes = Require.list(nodes);
        }
    }

    /**
     * One entry of a tree: {@code type} is restic's (dir, file, symlink …); {@code subtree} the content id of a
     * directory's own tree (dirs only); {@code mtime_ms} epoch milliseconds, absent when unknown.
     */
    record IndexNode(String name, String type, long size, Long mtimeMs, String subtree) {
        public IndexNode {
            Require.text(name, "name");
            if (name.length() > TreeIndex.MAX_NAME_CHARS || name.indexOf('/') >= 0 || name.indexOf('\0') >= 0
                    || name.equals(".") || name.equals("..")) {
                throw new IllegalArgumentException("name must be one path element of at most "
                        + TreeIndex.MAX_NAME_CHARS + " characters");
            }
            Require.text(type, "type");
            if (type.length() > 16 || !type.chars().allMatch(c -> c >= 'a' && c <= 'z')) {
                throw new IllegalArgumentException("type must be a short lowercase word");
            }
            if (size < 0) {
                throw new IllegalArgumentException("size must be ≥ 0");
            }
            if (type.equals("dir") != (subtree != null)) {
                throw new IllegalArgumentException("a dir, and only a dir, names its subtree");
            }
            if (subtree != null) {
                TreeIndex.requireId(subtree, "subtree");
            }
        }
    }

    /**
     * Agent → hub: snapshot {@code snapshotId} of repository {@code repoId} has root tree {@code rootTree}, which the
     * server holds (every tree below it uploaded or already known): the snapshot is indexed. Answered with
     * {@link IndexResult} or an {@code error} (the root unknown, the snapshot not this host's).
     */
    record IndexRoot(String repoId, String snapshotId, String rootTree, long files, long dirs) implements Message {
        public IndexRoot {
            Require.text(repoId, "repo_id");
            if (!Checks.snapshotId(snapshotId)) {
                throw new IllegalArgumentException("snapshot_id must be 8 to 64 lowercase hex characters");
            }
            TreeIndex.requireId(rootTree, "root_tree");
        }
    }

    /** Hub → agent: the index took an {@link IndexUpload} or {@link IndexRoot}; {@code stored} trees completed. */
    record IndexResult(int stored) implements Message {
    }

    /**
     * Hub → agent: index snapshot {@code snapshotId} of {@code repo} for the tree index in the background — a snapshot
     * taken before the index existed, while the agent was offline or outside restic-manager. Answered at once with
     * {@link SnapshotIndexResult}; the agent indexes later, one snapshot at a time, never beside a backup of the same
     * repository, with the usual {@link IndexHave}/{@link IndexUpload}/{@link IndexRoot} frames. The secrets in
     * {@code repo} stay in memory, for this snapshot only.
     */
    record SnapshotIndex(RepoAccess repo, String snapshotId) implements Message {
        public SnapshotIndex {
            Require.present(repo, "repo");
            if (!Checks.snapshotId(snapshotId)) {
                throw new IllegalArgumentException("snapshot_id must be 8 to 64 lowercase hex characters");
            }
        }
    }

    /**
     * Agent → hub, reply to {@link SnapshotIndex}: {@code accepted} when the snapshot is queued (or already queued or
     * being indexed); otherwise {@code reason} says why not (the queue is full, restic is missing …).
     */
    record SnapshotIndexResult(String snapshotId, boolean accepted, String reason) implements Message {
        public SnapshotIndexResult {
            Require.text(snapshotId, "snapshot_id");
        }
    }
}
