package io.resticmanager.kit;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** A minimal POSIX ustar writer: regular files and directories; names too long for ustar get a pax header. */
public final class Ustar implements AutoCloseable {
    private static final int BLOCK = 512;
    private final OutputStream out;

    public Ustar(OutputStream out) {
        this.out = out;
    }

    public void directory(String name, long mtimeS) throws IOException {
        header(name.endsWith("/") ? name : name + "/", 0755, 0, mtimeS, '5');
    }

    public void file(String name, int mode, byte[] content, long mtimeS) throws IOException {
        header(name, mode, content.length, mtimeS, '0');
        out.write(content);
        int pad = (BLOCK - content.length % BLOCK) % BLOCK;
        out.write(new byte[pad]);
    }

    /** A regular file streamed from {@code in}, which must hold exactly {@code size} bytes. */
    public void file(String name, int mode, long size, java.io.InputStream in, long mtimeS) throws IOException {
        header(name, mode, size, mtimeS, '0');
        long copied = in.transferTo(out);
        if (copied != size) {
            throw new IOException(name + " changed while being packed: " + copied + " bytes, expected " + size);
        }
        out.write(new byte[(int) ((BLOCK - size % BLOCK) % BLOCK)]);
    }

    private void header(String name, int mode, long size, long mtimeS, char type) throws IOException {
        byte[] h = new byte[BLOCK];
        byte[] full = name.getBytes(StandardCharsets.UTF_8);
        int split = -1;
        for (int i = full.length - 1; full.length > 100 && i > 0; i--) {
            // split at a '/' so that prefix ≤ 155 and name ≤ 100 bytes
            if (full[i] == '/' && i <= 155 && full.length - i - 1 <= 100) {
                split = i;
                break;
            }
        }
        if (full.length <= 100) {
            System.arraycopy(full, 0, h, 0, full.length);
        } else if (split > 0) {
            System.arraycopy(full, split + 1, h, 0, full.length - split - 1);
            System.arraycopy(full, 0, h, 345, split);
        } else {
            pax(name, mtimeS);
            System.arraycopy(full, 0, h, 0, 100);
        }
        octal(h, 100, 8, mode);
        octal(h, 108, 8, 0);
        octal(h, 116, 8, 0);
        octal(h, 124, 12, size);
        octal(h, 136, 12, mtimeS);
        h[156] = (byte) type;
        ascii(h, 257, "ustar\0");
        ascii(h, 263, "00");
        ascii(h, 265, "root");
        ascii(h, 297, "root");
        for (int i = 148; i < 156; i++) {
            h[i] = ' ';
        }
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        String chk = String.format("%06o", sum);
        ascii(h, 148, chk);
        h[154] = 0;
        h[155] = ' ';
        out.write(h);
    }

    /** A pax extended header carrying the full path of the entry that follows. */
    private void pax(String name, long mtimeS) throws IOException {
        String body = " path=" + name + "\n";
        int length = body.getBytes(StandardCharsets.UTF_8).length;
        int total = length + Integer.toString(length).length();
        if (Integer.toString(total).length() != Integer.toString(length).length()) {
            total++;
        }
        byte[] record = (total + body).getBytes(StandardCharsets.UTF_8);
        header("PaxHeader/entry", 0644, record.length, mtimeS, 'x');
        out.write(record);
        out.write(new byte[(BLOCK - record.length % BLOCK) % BLOCK]);
    }

    /** Zero-padded octal of width-1 digits plus a NUL. */
    private static void octal(byte[] h, int offset, int width, long value) throws IOException {
        String digits = Long.toOctalString(value);
        if (digits.length() > width - 1) {
            throw new IOException("value too large for ustar field: " + value);
        }
        ascii(h, offset, "0".repeat(width - 1 - digits.length()) + digits);
        h[offset + width - 1] = 0;
    }

    private static void ascii(byte[] h, int offset, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(bytes, 0, h, offset, bytes.length);
    }

    /** Flushes what was written without the end-of-archive marker: a part that another archive continues. */
    public void flush() throws IOException {
        out.flush();
    }

    /** Writes the end-of-archive marker (two zero blocks); does not close the stream. */
    @Override
    public void close() throws IOException {
        out.write(new byte[2 * BLOCK]);
        out.flush();
    }
}
