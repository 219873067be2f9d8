package io.resticmanager.proto;

import java.util.Arrays;
import java.util.Optional;

/** The discriminator of every frame: wire name ⇄ payload record. */
public enum MessageType {
    HELLO("hello", Message.Hello.class),
    HELLO_OK("hello.ok", Message.HelloOk.class),
    ERROR("error", Message.Error.class),
    HEARTBEAT("heartbeat", Message.Heartbeat.class),
    JOB_START("job.start", Message.JobStart.class),
    JOB_CANCEL("job.cancel", Message.JobCancel.class),
    JOB_ACK("job.ack", Message.JobAck.class),
    JOB_PROGRESS("job.progress", Message.JobProgress.class),
    JOB_LOG("job.log", Message.JobLog.class),
    JOB_FINISHED("job.finished", Message.JobFinished.class),
    SNAPSHOTS_REPORT("snapshots.report", Message.SnapshotsReport.class),
    SCHEDULES_SYNC("schedules.sync", Message.SchedulesSync.class),
    HOST_FACTS("host.facts", Message.HostFacts.class),
    FS_LIST("fs.list", Message.FsList.class),
    FS_LIST_RESULT("fs.list.result", Message.FsListResult.class),
    JOB_EVENTS_ACK("job.events.ack", Message.JobEventsAck.class),
    SCHEDULE_FIRE("schedule.fire", Message.ScheduleFire.class),
    SNAPSHOT_LS("snapshot.ls", Message.SnapshotLs.class),
    SNAPSHOT_LS_RESULT("snapshot.ls.result", Message.SnapshotLsResult.class),
    SNAPSHOT_SIZE("snapshot.size", Message.SnapshotSize.class),
    SNAPSHOT_SIZE_RESULT("snapshot.size.result", Message.SnapshotSizeResult.class),
    SNAPSHOT_DUMP("snapshot.dump", Message.SnapshotDump.class),
    DUMP_CHUNK("dump.chunk", Message.DumpChunk.class),
    DUMP_ACK("dump.ack", Message.DumpAck.class),
    DUMP_END("dump.end", Message.DumpEnd.class),
    DUMP_CANCEL("dump.cancel", Message.DumpCancel.class),
    AGENT_UPDATE("agent.update", Message.AgentUpdate.class),
    AGENT_UPDATE_STARTED("agent.update.started", Message.AgentUpdateStarted.class),
    INDEX_HAVE("index.have", Message.IndexHave.class),
    INDEX_HAVE_RESULT("index.have.result", Message.IndexHaveResult.class),
    INDEX_UPLOAD("index.upload", Message.IndexUpload.class),
    INDEX_ROOT("index.root", Message.IndexRoot.class),
    INDEX_RESULT("index.result", Message.IndexResult.class),
    SNAPSHOT_INDEX("snapshot.index", Message.SnapshotIndex.class),
    SNAPSHOT_INDEX_RESULT("snapshot.index.result", Message.SnapshotIndexResult.class);

    private final String wire;
    private final Class<? extends Message> payloadType;

    MessageType(String wire, Class<? extends Message> payloadType) {
        this.wire = wire;
        this.payloadType = payloadType;
    }

    public String wire() {
        return wire;
    }

    public Class<? extends Message> payloadType() {
        return payloadType;
    }

    public static Optional<MessageType> fromWire(String wire) {
        return Arrays.stream(values()).filter(t -> t.wire.equals(wire)).findFirst();
    }

    public static MessageType of(Message message) {
        return Arrays.stream(values())
                .filter(t -> t.payloadType == message.getClass())
                .findFirst()
                .orElseThrow();
    }
}
