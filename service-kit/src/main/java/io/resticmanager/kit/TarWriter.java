package io.resticmanager.kit;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes a POSIX tar (commons-compress) of regular files and directories owned by root: names too long for ustar and
 * sizes past 8 GiB get pax headers. Records are 512 bytes with no padding to a larger block, so that an archive can
 * be made of parts: each part but the last is {@link #flush() flushed} without the end-of-archive marker, and the
 * next part continues the same stream.
 */
public final class TarWriter implements AutoCloseable {
    private final TarArchiveOutputStream tar;

    public TarWriter(OutputStream out) {
        this.tar = new TarArchiveOutputStream(out, TarConstants.DEFAULT_RCDSIZE, StandardCharsets.UTF_8.name());
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
    }

    public void directory(String name, long mtimeS) throws IOException {
        TarArchiveEntry entry = entry(name.endsWith("/") ? name : name + "/", 0755, mtimeS);
        tar.putArchiveEntry(entry);
        tar.closeArchiveEntry();
    }

    public void file(String name, int mode, byte[] content, long mtimeS) throws IOException {
        TarArchiveEntry entry = entry(name, mode, mtimeS);
        entry.setSize(content.length);
        tar.putArchiveEntry(entry);
        tar.write(content);
        tar.closeArchiveEntry();
    }

    /** A regular file streamed from {@code in}, which must hold exactly {@code size} bytes. */
    public void file(String name, int mode, long size, InputStream in, long mtimeS) throws IOException {
        TarArchiveEntry entry = entry(name, mode, mtimeS);
        entry.setSize(size);
        tar.putArchiveEntry(entry);
        long copied = in.transferTo(tar);
        if (copied != size) {
            throw new IOException(name + " changed while being packed: " + copied + " bytes, expected " + size);
        }
        tar.closeArchiveEntry();
    }

    private static TarArchiveEntry entry(String name, int mode, long mtimeS) {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setMode(mode);
        entry.setModTime(mtimeS * 1000);
        entry.setIds(0, 0);
        entry.setNames("root", "root");
        return entry;
    }

    /** Flushes what was written without the end-of-archive marker: a part that another archive continues. */
    public void flush() throws IOException {
        tar.flush();
    }

    /** Writes the end-of-archive marker; does not close the stream. */
    @Override
    public void close() throws IOException {
        tar.finish();
        tar.flush();
    }
}
