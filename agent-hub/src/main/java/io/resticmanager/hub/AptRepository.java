package io.resticmanager.hub;

import io.resticmanager.kit.Problem;
import org.apache.commons.compress.archivers.ar.ArArchiveEntry;
import org.apache.commons.compress.archivers.ar.ArArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * A signed APT repository of the agent's Debian packages ({@code restic-manager-agent_*_amd64.deb} in the pool
 * directory), laid out as APT expects under {@code /downloads/apt/}: {@code dists/stable/{InRelease,Release,
 * Release.gpg}}, {@code dists/stable/main/binary-amd64/Packages(.gz)} and {@code pool/<sha256>.deb}. The Release
 * file names each index's SHA-256 and size, each index names each package's; Release is signed with the release
 * keys in their OpenPGP form ({@link PgpKeys}), so APT verifies the whole chain with the keyring install.sh put in
 * {@code signed-by=}. Every answer comes from one {@link Index} built together with its signatures: nothing served
 * is signed over anything else. Built again when a file in the pool changes (checked per request, cheap).
 */
final class AptRepository {
    private static final System.Logger LOG = System.getLogger(AptRepository.class.getName());
    static final String SUITE = "stable";
    static final String PACKAGE = "restic-manager-agent";
    /** At most this many packages are served (the newest files), each at most this large: bounded hashing. */
    static final int MAX_PACKAGES = 8;
    static final long MAX_PACKAGE_BYTES = 512L * 1024 * 1024;
    /** A control file is a few hundred bytes; a larger one is not ours. */
    private static final int MAX_CONTROL_BYTES = 64 * 1024;
    private static final String PACKAGES = "main/binary-amd64/Packages";
    private final Path pool;
    private final PgpKeys keys;
    private final Map<String, Deb> scanned = new HashMap<>();
    private volatile Index index;

    /** One package: where it is, what was read from it, and its SHA-256. */
    record Deb(Path file, String inputs, String control, long size, String sha256) {
        String poolPath() {
            return "pool/" + sha256 + ".deb";
        }
    }

    /** Everything the repository serves, built and signed together. */
    record Index(List<String> inputs, List<Deb> debs, byte[] packages, byte[] packagesGz, String release,
                 String inRelease, String releaseGpg) {
        Optional<Deb> byPoolPath(String path) {
            return debs.stream().filter(d -> d.poolPath().equals(path)).findFirst();
        }
    }

    AptRepository(Path pool, PgpKeys keys) {
        this.pool = pool;
        this.keys = keys;
    }

    /** The binary OpenPGP keyring that verifies this repository (for {@code signed-by=}). */
    byte[] keyring() {
        return keys.keyring();
    }

    /** The current index, built anew when the pool changed. */
    Index index() {
        List<Path> files = files();
        List<String> inputs = files.stream().map(AptRepository::inputs).toList();
        Index current = index;
        if (current != null && current.inputs().equals(inputs)) {
            return current;
        }
        synchronized (this) {
            current = index;
            if (current == null || !current.inputs().equals(inputs)) {
                index = current = build(files, inputs);
            }
            return current;
        }
    }

    private List<Path> files() {
        if (!Files.isDirectory(pool)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(pool)) {
            // regular files only (a link could point anywhere on the server), the newest first
            return s.filter(p -> p.getFileName().toString().matches(PACKAGE + "_[A-Za-z0-9.+~:-]{1,64}_amd64\\.deb")
                                    && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
                    .sorted(Comparator.comparing((Path p) -> p.toFile().lastModified()).reversed()
                                    .thenComparing(Path::toString))
                    .limit(MAX_PACKAGES).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String inputs(Path file) {
        try {
            return file.getFileName() + ":" + Files.size(file) + ":" + Files.getLastModifiedTime(file).toMillis();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Index build(List<Path> files, List<String> inputs) {
        List<Deb> debs = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            String key = inputs.get(i);
            Deb deb = scanned.get(key);
            if (deb == null) {
                try {
                    deb = read(files.get(i), key);
                } catch (IOException | IllegalArgumentException e) {
                    LOG.log(Level.WARNING, "APT repository: skipping " + files.get(i) + ": " + e.getMessage());
                    continue;
                }
                scanned.put(key, deb);
            }
            debs.add(deb);
        }
        scanned.keySet().retainAll(inputs);

        StringBuilder packages = new StringBuilder();
        for (Deb deb : debs) {
            packages.append(deb.control().strip()).append('\n')
                    .append("Filename: ").append(deb.poolPath()).append('\n')
                    .append("Size: ").append(deb.size()).append('\n')
                    .append("SHA256: ").append(deb.sha256()).append("\n\n");
        }
        byte[] packagesBytes = packages.toString().getBytes(StandardCharsets.UTF_8);
        byte[] packagesGz = gzip(packagesBytes);
        String release = "Origin: restic-manager\n"
                + "Label: restic-manager\n"
                + "Suite: " + SUITE + "\n"
                + "Codename: " + SUITE + "\n"
                + "Date: " + DateTimeFormatter.RFC_1123_DATE_TIME.withLocale(Locale.ROOT)
                        .format(ZonedDateTime.now(ZoneOffset.UTC).withNano(0)).replace("GMT", "UTC") + "\n"
                + "Architectures: amd64\n"
                + "Components: main\n"
                + "Description: restic-manager agent packages\n"
                + "SHA256:\n"
                + " " + sha256(packagesBytes) + " " + packagesBytes.length + " " + PACKAGES + "\n"
                + " " + sha256(packagesGz) + " " + packagesGz.length + " " + PACKAGES + ".gz\n";
        LOG.log(Level.INFO, "APT repository: " + debs.size() + " package(s) indexed from " + pool
                + ", signed by OpenPGP key(s) " + keys.fingerprints());
        return new Index(inputs, List.copyOf(debs), packagesBytes, packagesGz, release, keys.clearSigned(release),
                         keys.detached(release.getBytes(StandardCharsets.UTF_8)));
    }

    /** Reads one .deb: its control paragraph (checked to be this package, for amd64) and its SHA-256. */
    static Deb read(Path file, String inputs) throws IOException {
        long size = Files.size(file);
        if (size > MAX_PACKAGE_BYTES) {
            throw new IllegalArgumentException("larger than " + MAX_PACKAGE_BYTES + " bytes");
        }
        String control = control(file);
        Map<String, String> fields = fields(control);
        if (!PACKAGE.equals(fields.get("Package")) || !"amd64".equals(fields.get("Architecture"))
                || fields.getOrDefault("Version", "").isEmpty()
                || !fields.get("Version").matches("[A-Za-z0-9.+~:-]{1,64}")) {
            throw new IllegalArgumentException("not a " + PACKAGE + " package for amd64 with a valid version");
        }
        MessageDigest sha = digest();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[64 * 1024];
            for (int n; (n = in.read(buf)) > 0; ) {
                sha.update(buf, 0, n);
            }
        }
        return new Deb(file, inputs, control, size, HexFormat.of().formatHex(sha.digest()));
    }

    /** The {@code control} file inside the .deb's {@code control.tar.gz} (an ar archive of tar archives). */
    private static String control(Path file) throws IOException {
        try (ArArchiveInputStream ar = new ArArchiveInputStream(Files.newInputStream(file))) {
            ArArchiveEntry member;
            while ((member = ar.getNextEntry()) != null) {
                if (!member.getName().startsWith("control.tar")) {
                    continue;
                }
                if (!member.getName().equals("control.tar.gz")) {
                    throw new IllegalArgumentException(member.getName() + " is not supported (build with gzip)");
                }
                TarArchiveInputStream tar = new TarArchiveInputStream(new GZIPInputStream(ar));
                TarArchiveEntry entry;
                while ((entry = tar.getNextEntry()) != null) {
                    if (entry.isFile() && entry.getName().replaceFirst("^\\./", "").equals("control")) {
                        if (entry.getSize() > MAX_CONTROL_BYTES) {
                            throw new IllegalArgumentException("its control file is larger than " + MAX_CONTROL_BYTES);
                        }
                        return new String(tar.readNBytes(MAX_CONTROL_BYTES), StandardCharsets.UTF_8);
                    }
                }
                throw new IllegalArgumentException("no control file in control.tar.gz");
            }
        }
        throw new IllegalArgumentException("not a Debian package (no control.tar member)");
    }

    /** The fields of a control paragraph (continuation lines skipped). */
    static Map<String, String> fields(String control) {
        Map<String, String> fields = new HashMap<>();
        for (String line : control.lines().toList()) {
            int colon = line.indexOf(':');
            if (!line.startsWith(" ") && colon > 0) {
                fields.put(line.substring(0, colon), line.substring(colon + 1).strip());
            }
        }
        return fields;
    }

    /** The served file at {@code path} below {@code /downloads/apt/}, or a 404. */
    Served file(String path) {
        Index current = index();
        return switch (path) {
            case "dists/" + SUITE + "/Release" -> Served.text(current.release());
            case "dists/" + SUITE + "/InRelease" -> Served.text(current.inRelease());
            case "dists/" + SUITE + "/Release.gpg" -> Served.text(current.releaseGpg());
            case "dists/" + SUITE + "/" + PACKAGES -> new Served(Optional.of(current.packages()), Optional.empty());
            case "dists/" + SUITE + "/" + PACKAGES + ".gz" ->
                    new Served(Optional.of(current.packagesGz()), Optional.empty());
            default -> current.byPoolPath(path).map(d -> new Served(Optional.empty(), Optional.of(d.file())))
                    .orElseThrow(() -> Problem.notFound("no such file in the APT repository"));
        };
    }

    /** A served file: bytes in memory (indexes) or a package on disk. */
    record Served(Optional<byte[]> bytes, Optional<Path> file) {
        static Served text(String text) {
            return new Served(Optional.of(text.getBytes(StandardCharsets.UTF_8)), Optional.empty());
        }
    }

    private static byte[] gzip(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static String sha256(byte[] data) {
        return HexFormat.of().formatHex(digest().digest(data));
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
