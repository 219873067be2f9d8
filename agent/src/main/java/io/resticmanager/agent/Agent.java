package io.resticmanager.agent;

import io.resticmanager.common.SecretFiles;
import io.resticmanager.proto.Envelope;
import io.resticmanager.proto.ErrorCode;
import io.resticmanager.proto.Json;
import io.resticmanager.proto.Message;
import io.resticmanager.proto.Protocol;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * The running agent: spool + jobs + hub connection + local scheduler, and what it does with each message
 * from the hub.
 */
final class Agent implements HubConnection.Handler {
    private static final Logger LOG = Logger.getLogger(Agent.class.getName());
    private static final int MAX_FS_ENTRIES = 10_000;

    private final AgentConfig config;
    private final HostInfo host;
    private final Jobs.ResticSetup restic;
    private final Spool spool;
    private final Jobs jobs;
    private final HubConnection connection;
    private final Scheduler scheduler;
    private final SnapshotBrowser browser;
    private final SnapshotDumper dumper;
    private final AgentUpdater updater;
    private final BackgroundIndexer background;
    private final HubAsk ask = new HubAsk();

    Agent(AgentConfig config, HostInfo host, Jobs.ResticSetup restic, Backoff backoff) {
        this.config = config;
        this.host = host;
        this.restic = restic;
        this.spool = Spool.open(config.spoolDir());
        this.connection = new HubConnection(config, spool, this, backoff);
        this.jobs = new Jobs(spool, restic, connection::wake, connection::sendLater, config.drillsDir(),
                             jobId -> SelfBackupRunner.fromServer(config, jobId),
                             java.util.Optional.of(SnapshotIndexer.over(ask)));
        this.browser = new SnapshotBrowser(restic);
        this.background = new BackgroundIndexer(restic, jobs::busy, SnapshotIndexer.over(ask));
        jobs.watch(background::jobStarting, background::jobEnded);
        this.dumper = new SnapshotDumper(restic);
        this.updater = new AgentUpdater(AgentUpdater.Host.system(), () -> jobs.runningIds().size());
        jobs.recoverInterrupted();
        // a drill interrupted by the agent's stop left its scratch copy: nothing may stay of it
        DrillRunner.removeLeftovers(config.drillsDir());
        this.scheduler = new Scheduler(config.schedulesFile(), Clock.systemUTC(), new Scheduler.Outlet() {
            @Override
            public boolean connected() {
                return connection.connected();
            }

            @Override
            public void send(Message message) {
                connection.sendLater(message);
            }

            @Override
            public void runOffline(Message.JobStart start) {
                jobs.start(start).ifPresent(refusal -> LOG.warning("offline run " + start.jobId() + " refused: "
                                                                           + refusal.reason()));
            }

            @Override
            public void refuseOffline(String jobId, String reason) {
                jobs.refuse(jobId, reason);
            }
        }, Scheduler.catchUpJitterFromEnv());
    }

    /** Finds restic and its version; a missing restic is reported, not fatal (jobs are then refused). */
    static Jobs.ResticSetup detectRestic(Optional<Path> configured) {
        Path binary;
        try {
            binary = Restic.locate(configured, Platform.current());
        } catch (AgentException e) {
            return Jobs.ResticSetup.missing(e.getMessage());
        }
        Optional<ResticVersion> version = Restic.detectVersion(binary);
        if (version.isEmpty()) {
            return Jobs.ResticSetup.missing(binary + " did not answer `restic version`; is it restic?");
        }
        return new Jobs.ResticSetup(Optional.of(binary), version, Optional.empty());
    }

    /** Blocks, serving the hub connection until {@link #stop}. */
    void run() {
        restic.problem().ifPresent(p -> LOG.severe(p + " — jobs will be refused until this is fixed"));
        LOG.info("restic-manager agent " + AgentVersion.current() + " (protocol " + Protocol.VERSION + ", restic "
                + restic.versionText() + ") connecting to " + config.websocketUri());
        // schedules fire on time whether or not the server is reachable
        scheduler.start();
        connection.run();
    }

    /** Stops jobs gracefully (restic releases its locks), then the connection. */
    void stop(Duration waitForJobs) {
        scheduler.stop();
        jobs.stopAll(waitForJobs);
        connection.stop();
        spool.close();
    }

    HubConnection connection() {
        return connection;
    }

    Spool spool() {
        return spool;
    }

    Jobs jobs() {
        return jobs;
    }

    Scheduler scheduler() {
        return scheduler;
    }

    @Override
    public Message.Hello hello() {
        return new Message.Hello(host.hostname(), host.os(), host.arch(), AgentVersion.current(),
                                 restic.version().map(ResticVersion::toString).orElse(null), Protocol.VERSION,
                                 jobs.reports());
    }

    @Override
    public Message.Heartbeat heartbeat() {
        return new Message.Heartbeat(jobs.runningIds());
    }

    @Override
    public void ready(HubConnection.Link link, Message.HelloOk ok) {
        link.send(Envelope.of(new Message.HostFacts(host.hostname(), host.os(), host.arch(), AgentVersion.current(),
                                                    restic.version().map(ResticVersion::toString).orElse(null),
                                                    host.runsAsRoot())));
        ask.linked(link);
        scheduler.connected(link);
    }

    @Override
    public void received(Envelope env, HubConnection.Link link) {
        switch (env.payload()) {
            case Message.JobStart start -> {
                // the server's answer to one of our schedule fires is this job.start
                scheduler.answered(start.jobId());
                jobs.start(start).ifPresent(refusal -> link.send(Envelope.replyTo(env, refusal)));
            }
            case Message.JobCancel cancel -> {
                if (!jobs.cancel(cancel.jobId(), "cancelled on request")) {
                    link.send(Envelope.replyTo(env, Message.Error.of(ErrorCode.UNKNOWN_JOB,
                                                                      "no running job " + cancel.jobId())));
                }
            }
            case Message.JobEventsAck ack -> {
                jobs.acknowledged(ack.jobId(), ack.upToSeq());
                // the server stored events of a job this agent ran offline: its fire (sent before them) is stored too
                scheduler.answered(ack.jobId());
            }
            case Message.SchedulesSync sync -> {
                // the credential leases and the hooks stay in memory: withoutLeases() drops both
                SecretFiles.writeAtomically(config.schedulesFile(), Json.write(sync.withoutLeases()) + "\n");
                LOG.info("stored " + sync.schedules().size() + " schedule(s) in " + config.schedulesFile()
                                 + (sync.leases().isEmpty() ? "" : "; " + sync.leases().size()
                        + " credential lease(s) for offline runs kept in memory")
                                 + (sync.hooks().isEmpty() ? "" : "; hooks of " + sync.hooks().size()
                        + " schedule(s) kept in memory"));
                scheduler.sync(sync.schedules(), sync.leases(), sync.hooks());
            }
            case Message.FsList list -> link.send(Envelope.replyTo(env, list(list.path())));
            // restic may take seconds: answer from its own thread, the socket keeps reading meanwhile
            case Message.SnapshotLs ls -> Thread.ofVirtual().name("snapshot-ls-" + env.id())
                    .start(() -> link.send(Envelope.replyTo(env, browser.list(ls))));
            case Message.SnapshotSize size -> Thread.ofVirtual().name("snapshot-size-" + env.id())
                    .start(() -> link.send(Envelope.replyTo(env, browser.size(size))));
            case Message.SnapshotIndex index -> link.send(Envelope.replyTo(env, background.offer(index)));
            case Message.SnapshotDump dump -> dumper.start(dump, env, link);
            case Message.DumpAck ack -> dumper.ack(ack);
            // a cancel may cross the dump's end: nothing to answer then
            case Message.DumpCancel cancel -> dumper.cancel(cancel.streamId());
            case Message.AgentUpdate update -> Thread.ofVirtual().name("agent-update-" + env.id())
                    .start(() -> link.send(Envelope.replyTo(env, updater.update(update))));
            // answers to this agent's own questions (the tree index)
            case Message.IndexHaveResult r -> ask.answered(env);
            case Message.IndexResult r -> ask.answered(env);
            case Message.Error error when ask.answered(env) -> {
                // the server refused a question of ours: its asker reports it
            }
            case Message.Error error -> {
                if (ErrorCode.UNAUTHORIZED.wire().equals(error.code())) {
                    LOG.severe("the hub refused this agent: " + error.message());
                } else if (ErrorCode.PROTOCOL_TOO_OLD.wire().equals(error.code())) {
                    LOG.severe("the server needs a newer agent (this one speaks protocol " + Protocol.VERSION + "): "
                            + error.message());
                } else {
                    LOG.warning("the hub reported an error: " + error.code() + ": " + error.message());
                }
            }
            case Message.HelloOk ignored -> {
                // a repeated hello.ok changes nothing
            }
            default -> link.send(Envelope.replyTo(env, Message.Error.of(ErrorCode.UNKNOWN_TYPE,
                                                                         "the agent does not handle " + env.type().wire())));
        }
    }

    /** One directory level of this host's file system (restore target browsing). */
    static Message.FsListResult list(String path) {
        Path dir = Path.of(path);
        if (!dir.isAbsolute()) {
            return new Message.FsListResult(path, List.of(), "path must be absolute");
        }
        List<Message.FsEntry> entries = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            for (Path p : stream) {
                if (entries.size() >= MAX_FS_ENTRIES) {
                    break;
                }
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                String type = a.isDirectory() ? "dir" : a.isSymbolicLink() ? "symlink" : a.isRegularFile() ? "file"
                        : "other";
                entries.add(new Message.FsEntry(p.getFileName().toString(), type, a.isRegularFile() ? a.size() : 0));
            }
        } catch (IOException e) {
            return new Message.FsListResult(path, List.of(), "cannot list " + path + ": " + e.getMessage());
        }
        entries.sort(Comparator.comparing(Message.FsEntry::name));
        return new Message.FsListResult(path, entries, null);
    }
}
