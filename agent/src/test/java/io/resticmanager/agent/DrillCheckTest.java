package io.resticmanager.agent;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Set;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;

/** The comparison of one restored file with the snapshot's facts and the live file. */
class DrillCheckTest {
    @TempDir
    Path dir;

    /** A live file and its copy under scratch, as a restore would leave it; returns the snapshot's candidate. */
    private DrillSampler.Candidate liveAndRestored(String name, String live, String restored) throws Exception {
        Path file = Files.createDirectories(dir.resolve("live")).resolve(name);
        Files.writeString(file, live);
        Instant mtime = Instant.parse("2026-11-20T10:11:12.123456789Z");
        Files.setLastModifiedTime(file, FileTime.from(mtime));
        if (restored != null) {
            Path copy = scratch().resolve(file.toString().substring(1));
            Files.createDirectories(copy.getParent());
            Files.writeString(copy, restored);
        }
        return new DrillSampler.Candidate(file.toString(), live.length(), mtime);
    }

    private Path scratch() {
        return dir.resolve("scratch");
    }

    @Test
    void anIdenticalRestoreOfAnUnchangedFileIsVerified() throws Exception {
        DrillSampler.Candidate c = liveAndRestored("a.txt", "hello drill", "hello drill");
        DrillCheck.Result r = DrillCheck.check(c, scratch(), true, Set.of());
        assertThat(r.verdict(), is(DrillCheck.Verdict.VERIFIED));
        assertThat(r.reason(), containsString(DrillCheck.sha256(Path.of(c.path()))));
        assertThat(r.restoredBytes(), is(11L));
    }

    @Test
    void differentContentOfTheSameSizeIsAMismatchNamedByItsHashes() throws Exception {
        DrillSampler.Candidate c = liveAndRestored("b.txt", "hello drill", "hellO drill");
        DrillCheck.Result r = DrillCheck.check(c, scratch(), true, Set.of());
        assertThat(r.verdict(), is(DrillCheck.Verdict.MISMATCHED));
        assertThat(r.reason(), containsString("differs from the unchanged live file"));
    }

    @Test
    void aMissingOrShortRestoreOrOneResticComplainedAboutIsAMismatch() throws Exception {
        DrillSampler.Candidate missing = liveAndRestored("c.txt", "content", null);
        assertThat(DrillCheck.check(missing, scratch(), true, Set.of()).verdict(), is(DrillCheck.Verdict.MISMATCHED));
        DrillSampler.Candidate shorter = liveAndRestored("d.txt", "content", "cont");
        DrillCheck.Result r = DrillCheck.check(shorter, scratch(), false, Set.of());
        assertThat(r.verdict(), is(DrillCheck.Verdict.MISMATCHED));
        assertThat(r.reason(), containsString("4 bytes"));
        DrillSampler.Candidate flagged = liveAndRestored("e.txt", "content", "content");
        assertThat(DrillCheck.check(flagged, scratch(), true, Set.of(flagged.path())).verdict(),
                   is(DrillCheck.Verdict.MISMATCHED));
    }

    @Test
    void aLiveFileChangedSinceTheSnapshotOrOnAnotherHostIsNotCompared() throws Exception {
        DrillSampler.Candidate c = liveAndRestored("f.txt", "version 1", "version 1");
        Files.writeString(Path.of(c.path()), "version 2"); // same size, new mtime
        DrillCheck.Result changed = DrillCheck.check(c, scratch(), true, Set.of());
        assertThat(changed.verdict(), is(DrillCheck.Verdict.NOT_COMPARED));
        assertThat(changed.reason(), containsString("changed since the snapshot"));
        DrillSampler.Candidate other = liveAndRestored("g.txt", "same", "same");
        assertThat(DrillCheck.check(other, scratch(), false, Set.of()).verdict(), is(DrillCheck.Verdict.NOT_COMPARED));
        Files.delete(Path.of(other.path()));
        assertThat(DrillCheck.check(other, scratch(), true, Set.of()).verdict(), is(DrillCheck.Verdict.NOT_COMPARED));
    }

    @Test
    void aRestoredSymlinkIsNotFollowedAndPathsCannotLeaveScratch() throws Exception {
        DrillSampler.Candidate c = liveAndRestored("h.txt", "secret", null);
        Path copy = scratch().resolve(c.path().substring(1));
        Files.createDirectories(copy.getParent());
        Files.createSymbolicLink(copy, Path.of(c.path())); // would hash the live file itself if followed
        DrillCheck.Result r = DrillCheck.check(c, scratch(), true, Set.of());
        assertThat(r.verdict(), is(DrillCheck.Verdict.MISMATCHED));
        assertThat(DrillCheck.restoredPath(scratch(), "/../../etc/passwd"), is(nullValue()));
        assertThat(DrillCheck.restoredPath(scratch(), "relative"), is(nullValue()));
        assertThat(DrillCheck.restoredPath(scratch(), "/"), is(nullValue()));
        assertThat(DrillCheck.restoredPath(scratch(), "/a/b"), is(scratch().resolve("a/b")));
    }
}
