package io.resticmanager.proto;

/**
 * The payload of one agent ⇄ hub frame. The envelope's {@code type} names which record it is;
 * see {@link MessageType}.
 */
public sealed interface Message permits Message.Hello, Message.HelloOk, Message.Error, Message.Heartbeat,
        Message.JobStart, Message.JobCancel, Message.JobAck, Message.JobProgress, Message.JobLog,
        Message.JobFinished, Message.SnapshotsReport, Message.SchedulesSync, Message.HostFacts,
        Message.FsList, Message.FsListResult, Message.JobEventsAck {

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

    /** Hub → agent: run one restic job. The secrets live in {@code repo}, in memory only. */
    record JobStart(String jobId, JobKind kind, RepoAccess repo, JobParams params) implements Message {
        public JobStart {
            Require.text(jobId, "job_id");
            Require.present(kind, "kind");
            Require.present(repo, "repo");
            params = params == null ? JobParams.empty() : params;
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
            Require.present(ts, "ts");
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
            summary = summary == null ? java.util.Map.of() : java.util.Collections.unmodifiableMap(
                    new java.util.LinkedHashMap<>(summary));
        }
    }

    /** Agent → hub: the repository's full snapshot list, replacing the server's projection. */
    record SnapshotsReport(String jobId, String repoId, java.util.List<SnapshotInfo> snapshots) implements Message {
        public SnapshotsReport {
            Require.text(repoId, "repo_id");
            snapshots = Require.list(snapshots);
        }
    }

    /** Hub → agent: the host's schedules; the agent keeps a local copy. */
    record SchedulesSync(java.util.List<ScheduleSpec> schedules) implements Message {
        public SchedulesSync {
            schedules = Require.list(schedules);
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
}
