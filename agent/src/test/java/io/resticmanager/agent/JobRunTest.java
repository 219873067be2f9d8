package io.resticmanager.agent;

import io.resticmanager.proto.FrameException;
import io.resticmanager.proto.Frames;
import io.resticmanager.proto.JobKind;
import io.resticmanager.proto.JobParams;
import io.resticmanager.proto.JobStatus;
import io.resticmanager.proto.Message;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.not;

/** Event numbering, throttling and batching of one job, with a scripted runner instead of restic. */
class JobRunTest {
    @TempDir
    Path dir;

    /** Emits a burst of output the way a chatty restic would. */
    private static final class BurstRunner implements Runner {
        @Override
        public List<String> args(JobParams params, ResticVersion version) {
            return List.of("backup", "--json", "--", "/data");
        }

        @Override
        public Outcome run(Restic restic, List<String> args, JobSink sink, Cancellation cancel) {
            for (int i = 0; i < 450; i++) {
                sink.log("stdout", "line " + i);
                if (i % 10 == 0) {
                    sink.progress(new JobSink.Progress(i / 450.0, i, 450, i * 10L, 4500, 5L, "/data/f" + i));
                }
            }
            sink.log("stderr", "Fatal: open repository rest:https://u:top-secret-pw@host/ with top-secret-pw");
            return new Outcome(JobStatus.SUCCEEDED, 0, Map.of("files_new", 450), Optional.empty(), Optional.empty());
        }
    }

    @Test
    void seqsAreContiguousProgressIsThrottledAndLogsAreBatched() throws Exception {
        Spool spool = Spool.open(dir);
        Restic restic = new Restic(Path.of("/nonexistent/restic"), new ResticVersion(0, 14, 0),
                                   "rest:https://u:top-secret-pw@host/", "top-secret-pw", Map.of());
        List<Message> reports = new ArrayList<>();
        JobRun run = new JobRun("j1", JobKind.UNLOCK, "repo-1", new BurstRunner(), restic,
                                new BurstRunner().args(JobParams.empty(), restic.version()), spool, () -> { },
                                reports::addAll);
        run.start().join();

        List<Message.JobEvent> events = new ArrayList<>();
        for (Spool.Frame f : spool.pending("j1", 0)) {
            events.add((Message.JobEvent) decode(f.text()));
        }
        List<Long> seqs = new ArrayList<>();
        int progress = 0;
        for (Message.JobEvent ev : events) {
            if (ev instanceof Message.JobLog log) {
                assertThat(log.lines().size(), lessThanOrEqualTo(JobRun.LOG_BATCH_LINES));
                log.lines().forEach(l -> seqs.add(l.seq()));
            } else {
                seqs.add(ev.seq());
            }
            if (ev instanceof Message.JobProgress) {
                progress++;
            }
        }
        for (int i = 0; i < seqs.size(); i++) {
            assertThat(seqs.get(i), is(i + 1L));
        }
        assertThat(events.getFirst(), instanceOf(Message.JobAck.class));
        assertThat(events.getLast(), instanceOf(Message.JobFinished.class));
        // 46 status lines within far less than a second: about one progress event, not 46
        assertThat(progress, lessThanOrEqualTo(2));
        String all = String.join("\n", spool.pending("j1", 0).stream().map(Spool.Frame::text).toList());
        assertThat(all, not(containsString("top-secret-pw")));
        assertThat(all, containsString("rest:https://***@host/"));
        assertThat(((Message.JobAck) events.getFirst()).commandLine(), is("restic backup --json -- /data"));
        assertThat(events.stream().map(e -> e.jobId()).toList(), everyItem(is("j1")));
    }

    private static Message decode(String text) throws FrameException {
        return Frames.decode(text).payload();
    }
}
