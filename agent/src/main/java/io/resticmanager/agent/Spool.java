package io.resticmanager.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.resticmanager.proto.Envelope;
import io.resticmanager.proto.FrameException;
import io.resticmanager.proto.Frames;
import io.resticmanager.proto.JobStatus;
import io.resticmanager.proto.Json;
import io.resticmanager.proto.Message;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * Job events waiting for the hub's acknowledgement, one append-only file per job ({@code <job>.spool}).
 * Every event is written (and fsync'd) here before it is sent, so nothing is lost across disconnects
 * or agent restarts. A file's first line is a header {@code {"spool":1,"job_id":…,"acked_up_to":N,…}};
 * each further line is one complete frame, replayed byte for byte (same envelope id). An ack rewrites
 * the file without the acknowledged events; once the {@code job.finished} event is acknowledged the
 * file is deleted. Job events never carry secrets ({@code job.start} is never stored).
 */
final class Spool {
    private static final Logger LOG = Logger.getLogger(Spool.class.getName());
    private static final String SUFFIX = ".spool";

    /** One spooled frame and the seq it carries. */
    record Frame(long seq, String text) {
    }

    private static final class JobFile {
        final String jobId;
        final Path file;
        final Instant created;
        final List<Frame> frames = new ArrayList<>();
        FileChannel channel;
        long ackedUpTo;
        long lastSeq;
        JobStatus finished;

        JobFile(String jobId, Path file, Instant created) {
            this.jobId = jobId;
            this.file = file;
            this.created = created;
        }
    }

    /** Ids of jobs whose events were all acknowledged, one per line: a re-delivered job.start must not run again. */
    private static final String DONE_FILE = "done-jobs.txt";
    static final int DONE_REMEMBERED = 10_000;
    private final Path dir;
    private final Map<String, JobFile> jobs = new LinkedHashMap<>();
    private final java.util.LinkedHashSet<String> done = new java.util.LinkedHashSet<>();
    private long doneLinesOnDisk;
    private boolean warnedWriteFailure;

    private Spool(Path dir) {
        this.dir = dir;
    }

    /** Whether every event of the job was acknowledged by the server (remembered across restarts). */
    synchronized boolean isDone(String jobId) {
        return done.contains(jobId);
    }

    /**
     * Remembers a fully acknowledged job on disk, keeping the newest {@link #DONE_REMEMBERED}; best effort
     * (a failure only loses the protection against a re-delivered job.start after a restart).
     */
    synchronized void rememberDone(String jobId) {
        if (!done.add(jobId)) {
            return;
        }
        if (done.size() > DONE_REMEMBERED) {
            done.remove(done.getFirst());
        }
        Path doneFile = dir.resolve(DONE_FILE);
        try {
            doneLinesOnDisk++;
            if (doneLinesOnDisk > 2L * DONE_REMEMBERED) {
                Files.write(doneFile, done); // keep the file bounded
                doneLinesOnDisk = done.size();
            } else {
                Files.writeString(doneFile, jobId + "\n", java.nio.file.StandardOpenOption.CREATE,
                                  java.nio.file.StandardOpenOption.APPEND);
            }
        } catch (IOException e) {
            java.util.logging.Logger.getLogger(Spool.class.getName())
                    .warning("cannot remember finished job " + jobId + ": " + e.getMessage());
        }
    }

    /** Opens (creating when needed) the spool directory and loads every job file in it. */
    static Spool open(Path dir) {
        try {
            if (!Files.isDirectory(dir)) {
                try {
                    Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(
                            PosixFilePermissions.fromString("rwx------")));
                } catch (UnsupportedOperationException e) {
                    Files.createDirectories(dir);
                }
            }
            Spool spool = new Spool(dir);
            Path doneFile = dir.resolve(DONE_FILE);
            if (Files.exists(doneFile)) {
                for (String line : Files.readAllLines(doneFile)) {
                    if (!line.isBlank()) {
                        spool.doneLinesOnDisk++;
                        spool.done.add(line.strip());
                        if (spool.done.size() > DONE_REMEMBERED) {
                            spool.done.remove(spool.done.getFirst());
                        }
                    }
                }
            }
            List<JobFile> loaded = new ArrayList<>();
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
                for (Path f : files) {
                    spool.load(f).ifPresent(loaded::add);
                }
            }
            loaded.sort(Comparator.comparing(j -> j.created));
            for (JobFile j : loaded) {
                spool.jobs.put(j.jobId, j);
                // compacts away acknowledged or torn lines and reopens for appending
                spool.rewrite(j);
            }
            return spool;
        } catch (IOException e) {
            throw new AgentException(2, "cannot open spool directory " + dir + ": " + e.getMessage(), e);
        }
    }

    private Optional<JobFile> load(Path f) throws IOException {
        List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
        if (lines.isEmpty()) {
            Files.deleteIfExists(f);
            return Optional.empty();
        }
        JsonNode header;
        try {
            header = Json.MAPPER.readTree(lines.getFirst());
        } catch (IOException e) {
            header = null;
        }
        if (header == null || !header.hasNonNull("job_id")) {
            LOG.warning("ignoring spool file " + f + ": no valid header");
            Files.move(f, f.resolveSibling(f.getFileName() + ".bad"), StandardCopyOption.REPLACE_EXISTING);
            return Optional.empty();
        }
        Instant created = Optional.ofNullable(ResticJson.time(header.path("created").asText(""))).orElse(Instant.EPOCH);
        JobFile job = new JobFile(header.get("job_id").asText(), f, created);
        job.ackedUpTo = header.path("acked_up_to").asLong(0);
        job.lastSeq = Math.max(job.ackedUpTo, header.path("last_seq").asLong(0));
        for (String line : lines.subList(1, lines.size())) {
            Envelope env;
            try {
                env = Frames.decode(line);
            } catch (FrameException e) {
                // a torn last line from a crash mid-write: everything after it is unusable
                LOG.warning("spool " + f.getFileName() + ": dropping an unreadable line (" + e.getMessage() + ")");
                break;
            }
            if (!(env.payload() instanceof Message.JobEvent ev) || !ev.jobId().equals(job.jobId)) {
                continue;
            }
            if (ev.seq() > job.ackedUpTo) {
                job.frames.add(new Frame(ev.seq(), line));
            }
            job.lastSeq = Math.max(job.lastSeq, lastSeqOf(ev));
            if (env.payload() instanceof Message.JobFinished fin) {
                job.finished = fin.status();
            }
        }
        return Optional.of(job);
    }

    /** Stores one event (before it is sent). Seqs of a job must be appended in increasing order. */
    synchronized void append(Message.JobEvent event) {
        appendAll(List.of(event));
    }

    /**
     * Stores events of one job (before they are sent), in seq order, with one write and one fsync: a job's
     * last log lines and its job.finished, or a new job's first event and its file, cost one disk flush.
     */
    synchronized void appendAll(List<? extends Message.JobEvent> events) {
        if (events.isEmpty()) {
            return;
        }
        String jobId = events.getFirst().jobId();
        JobFile job = jobs.get(jobId);
        boolean created = job == null;
        if (created) {
            job = new JobFile(jobId, dir.resolve(fileName(jobId)), Instant.now());
        }
        long last = job.lastSeq;
        for (Message.JobEvent event : events) {
            if (!event.jobId().equals(jobId)) {
                throw new IllegalArgumentException("events of jobs " + jobId + " and " + event.jobId() + " in one append");
            }
            if (event.seq() <= last) {
                throw new IllegalStateException("seq " + event.seq() + " of job " + jobId + " is not after " + last);
            }
            last = lastSeqOf(event);
        }
        StringBuilder lines = new StringBuilder();
        for (Message.JobEvent event : events) {
            String text = Frames.encode(Envelope.of((Message) event));
            // memory first: even with a failing disk the event still reaches a connected hub
            job.frames.add(new Frame(event.seq(), text));
            job.lastSeq = lastSeqOf(event);
            if (event instanceof Message.JobFinished fin) {
                job.finished = fin.status();
            }
            lines.append(text).append('\n');
        }
        try {
            if (created) {
                jobs.put(jobId, job);
                // header and first events in one file, written and flushed once before it appears under its name
                rewrite(job);
            } else if (job.channel != null) {
                job.channel.write(ByteBuffer.wrap(lines.toString().getBytes(StandardCharsets.UTF_8)));
                job.channel.force(false);
            }
        } catch (IOException e) {
            warnWriteFailure(e);
        }
    }

    /** The hub stored every event of {@code jobId} up to {@code upToSeq}: forget them. */
    synchronized void ack(String jobId, long upToSeq) {
        JobFile job = jobs.get(jobId);
        if (job == null || upToSeq <= job.ackedUpTo) {
            return;
        }
        job.ackedUpTo = Math.min(upToSeq, job.lastSeq);
        job.frames.removeIf(f -> f.seq() <= job.ackedUpTo);
        try {
            if (job.finished != null && job.frames.isEmpty()) {
                closeQuietly(job);
                Files.deleteIfExists(job.file);
                jobs.remove(jobId);
            } else {
                rewrite(job);
            }
        } catch (IOException e) {
            warnWriteFailure(e);
        }
    }

    /** Unacknowledged frames of a job with seq &gt; {@code afterSeq}, in seq order. */
    synchronized List<Frame> pending(String jobId, long afterSeq) {
        JobFile job = jobs.get(jobId);
        if (job == null) {
            return List.of();
        }
        return job.frames.stream().filter(f -> f.seq() > afterSeq).toList();
    }

    /** Jobs with a spool file, oldest first. */
    synchronized List<String> jobIds() {
        return List.copyOf(jobs.keySet());
    }

    synchronized boolean contains(String jobId) {
        return jobs.containsKey(jobId);
    }

    synchronized long ackedUpTo(String jobId) {
        JobFile job = jobs.get(jobId);
        return job == null ? 0 : job.ackedUpTo;
    }

    synchronized long lastSeq(String jobId) {
        JobFile job = jobs.get(jobId);
        return job == null ? 0 : job.lastSeq;
    }

    /** The job's final status once its job.finished event is spooled. */
    synchronized Optional<JobStatus> finished(String jobId) {
        JobFile job = jobs.get(jobId);
        return job == null ? Optional.empty() : Optional.ofNullable(job.finished);
    }

    /** Jobs whose spool has no job.finished event: after a restart, their restic died with the agent. */
    synchronized List<String> unfinished() {
        return jobs.values().stream().filter(j -> j.finished == null).map(j -> j.jobId).toList();
    }

    synchronized void close() {
        jobs.values().forEach(Spool::closeQuietly);
    }

    /** Header + unacknowledged frames into a temp file, fsync, rename; then reopen for appending. */
    private void rewrite(JobFile job) throws IOException {
        closeQuietly(job);
        ObjectNode header = Json.MAPPER.createObjectNode();
        header.put("spool", 1);
        header.put("job_id", job.jobId);
        header.put("acked_up_to", job.ackedUpTo);
        header.put("last_seq", job.lastSeq);
        header.put("created", job.created.toString());
        StringBuilder sb = new StringBuilder(header.toString()).append('\n');
        for (Frame f : job.frames) {
            sb.append(f.text()).append('\n');
        }
        Path tmp = job.file.resolveSibling(job.file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                                               StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.UTF_8)));
            ch.force(true);
        }
        Files.move(tmp, job.file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        job.channel = FileChannel.open(job.file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    }

    private static void closeQuietly(JobFile job) {
        if (job.channel != null) {
            try {
                job.channel.close();
            } catch (IOException ignored) {
                // closing a file we only append to
            }
            job.channel = null;
        }
    }

    private void warnWriteFailure(IOException e) {
        if (!warnedWriteFailure) {
            warnedWriteFailure = true;
            LOG.severe("cannot write to the spool in " + dir + " (" + e.getMessage()
                    + "); events are kept in memory only until the disk works again");
        }
    }

    /** A job.log carries one seq per line; the event's own seq is its first line's. */
    static long lastSeqOf(Message.JobEvent event) {
        return event instanceof Message.JobLog log ? log.lines().getLast().seq() : event.seq();
    }

    static String fileName(String jobId) {
        return jobId.replaceAll("[^A-Za-z0-9._-]", "_") + SUFFIX;
    }
}
