package io.resticmanager.agent;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Set;

/**
 * Judges one restored file of a drill. It must be in the scratch directory as a regular file of the size the snapshot
 * records, and restic must not have reported an error for it. When the live file is unchanged since the snapshot
 * (regular, same size, same mtime) and may be compared (the drill runs on the snapshot's own host), the SHA-256 of
 * both must be equal. Files are read only, never followed through symbolic links, never written.
 */
final class DrillCheck {
    private static final int BUFFER = 64 * 1024;

    enum Verdict {
        /** Restored intact, and equal to the unchanged live file. */
        VERIFIED,
        /** Restored with the right size; the live file changed since, is gone, or is on another host. */
        NOT_COMPARED,
        /** Not restored intact. */
        MISMATCHED
    }

    record Result(DrillSampler.Candidate file, Verdict verdict, String reason, long restoredBytes) {
    }

    private DrillCheck() {
    }

    /**
     * @param scratch       the drill's scratch directory (restic's {@code --target})
     * @param compareLive   whether the live file (at the snapshot's path on this host) is the one the snapshot saw
     * @param resticErrors  paths restic reported an error for
     */
    static Result check(DrillSampler.Candidate file, Path scratch, boolean compareLive, Set<String> resticErrors) {
        Path restored = restoredPath(scratch, file.path());
        if (restored == null) {
            return new Result(file, Verdict.MISMATCHED, "path leaves the scratch directory", 0);
        }
        BasicFileAttributes got;
        try {
            got = java.nio.file.Files.readAttributes(restored, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return new Result(file, Verdict.MISMATCHED, "not restored" + restic(file, resticErrors), 0);
        } catch (IOException e) {
            return new Result(file, Verdict.MISMATCHED, "unreadable after restore: " + e.getMessage(), 0);
        }
        if (!got.isRegularFile()) {
            return new Result(file, Verdict.MISMATCHED, "restored as something other than a file", 0);
        }
        if (got.size() != file.size()) {
            return new Result(file, Verdict.MISMATCHED, "restored with " + got.size() + " bytes, the snapshot has "
                    + file.size() + restic(file, resticErrors), got.size());
        }
        if (resticErrors.contains(file.path())) {
            return new Result(file, Verdict.MISMATCHED, "restic reported an error for it", got.size());
        }
        if (!compareLive) {
            return new Result(file, Verdict.NOT_COMPARED, "the live file is on another host", got.size());
        }
        Path live = Path.of(file.path());
        try {
            BasicFileAttributes now = java.nio.file.Files.readAttributes(live, BasicFileAttributes.class,
                                                                         LinkOption.NOFOLLOW_LINKS);
            if (!now.isRegularFile() || now.size() != file.size() || file.mtime() == null
                    || !now.lastModifiedTime().toInstant().equals(file.mtime())) {
                return new Result(file, Verdict.NOT_COMPARED, "the live file changed since the snapshot", got.size());
            }
            String restoredHash = sha256(restored);
            String liveHash = sha256(live);
            // the live file may have been rewritten while it was read: only a still-unchanged one counts
            BasicFileAttributes after = java.nio.file.Files.readAttributes(live, BasicFileAttributes.class,
                                                                           LinkOption.NOFOLLOW_LINKS);
            if (!after.lastModifiedTime().equals(now.lastModifiedTime()) || after.size() != now.size()) {
                return new Result(file, Verdict.NOT_COMPARED, "the live file changed while it was read", got.size());
            }
            return restoredHash.equals(liveHash)
                    ? new Result(file, Verdict.VERIFIED, "SHA-256 " + restoredHash, got.size())
                    : new Result(file, Verdict.MISMATCHED, "SHA-256 " + restoredHash + " differs from the unchanged "
                            + "live file's " + liveHash, got.size());
        } catch (NoSuchFileException e) {
            return new Result(file, Verdict.NOT_COMPARED, "the live file is gone", got.size());
        } catch (IOException e) {
            return new Result(file, Verdict.NOT_COMPARED, "the live file cannot be read: " + e.getMessage(),
                              got.size());
        }
    }

    /** Where restic restores {@code path} under {@code scratch}; null when it would not lie inside it. */
    static Path restoredPath(Path scratch, String path) {
        if (!path.startsWith("/") || path.contains("\0")) {
            return null;
        }
        Path p = scratch.resolve(path.substring(1)).normalize();
        return p.startsWith(scratch) && !p.equals(scratch) ? p : null;
    }

    /** SHA-256 of a regular file, read without following a symbolic link. */
    static String sha256(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
             InputStream in = Channels.newInputStream(channel)) {
            byte[] buf = new byte[BUFFER];
            int n;
            while ((n = in.read(buf)) > 0) {
                digest.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static String restic(DrillSampler.Candidate file, Set<String> resticErrors) {
        return resticErrors.contains(file.path()) ? " (restic reported an error for it)" : "";
    }
}
