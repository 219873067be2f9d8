package io.resticmanager.hub;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.sameInstance;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The APT repository checked the way APT checks it: gpgv (what apt runs) against the keyring the hub serves, then
 * the SHA-256 chain Release → Packages → package. Packages are made with the real dpkg-deb.
 */
class AptRepositoryTest {
    private static final String KEY_1 = "r1:" + Base64.getEncoder().encodeToString(new byte[32]);
    private static final String KEY_2 = "r2:" + Base64.getEncoder().encodeToString(filled(32, (byte) 7));

    @Test
    void releaseIsSignedAndNamesThePackagesIndexWhichNamesEachPackage(@TempDir Path tmp) throws Exception {
        assumeTools();
        Path pool = Files.createDirectories(tmp.resolve("pool"));
        Path deb = deb(tmp, pool, "0.1.0");
        deb(tmp, pool, "0.2.0");
        // not ours: other packages and names are not served
        Files.writeString(pool.resolve("something-else_1.0_amd64.deb"), "x");
        AptRepository apt = new AptRepository(pool, ReleaseKeys.parse(KEY_1, tmp).pgp());
        AptRepository.Index index = apt.index();
        assertThat(index.debs(), hasSize(2));

        Path dir = Files.createDirectories(tmp.resolve("served"));
        Path keyring = write(dir.resolve("keyring.gpg"), apt.keyring());
        Path release = write(dir.resolve("Release"), served(apt, "dists/stable/Release"));
        Path releaseGpg = write(dir.resolve("Release.gpg"), served(apt, "dists/stable/Release.gpg"));
        Path inRelease = write(dir.resolve("InRelease"), served(apt, "dists/stable/InRelease"));
        assertThat(gpgv(keyring, releaseGpg, release), is(0));
        assertThat(gpgv(keyring, inRelease), is(0));
        assertThat(Files.readString(inRelease), containsString(Files.readString(release)));

        String releaseText = Files.readString(release);
        byte[] packages = served(apt, "dists/stable/main/binary-amd64/Packages");
        byte[] packagesGz = served(apt, "dists/stable/main/binary-amd64/Packages.gz");
        assertThat(releaseText, containsString(" " + AptRepository.sha256(packages) + " " + packages.length
                + " main/binary-amd64/Packages\n"));
        assertThat(releaseText, containsString(" " + AptRepository.sha256(packagesGz) + " " + packagesGz.length
                + " main/binary-amd64/Packages.gz\n"));
        assertThat(new String(new GZIPInputStream(new java.io.ByteArrayInputStream(packagesGz)).readAllBytes(),
                              StandardCharsets.UTF_8), is(new String(packages, StandardCharsets.UTF_8)));
        String packagesText = new String(packages, StandardCharsets.UTF_8);
        assertThat(packagesText, containsString("Package: restic-manager-agent\nVersion: 0.1.0\n"));
        assertThat(packagesText, containsString("Version: 0.2.0\n"));
        String sha = AptRepository.sha256(Files.readAllBytes(deb));
        assertThat(packagesText, containsString("Filename: pool/" + sha + ".deb\nSize: " + Files.size(deb)
                + "\nSHA256: " + sha + "\n"));
        assertThat(apt.file("pool/" + sha + ".deb").file().orElseThrow(), is(deb));

        // a Release altered on the way fails the signature check (InRelease, and Release against Release.gpg)
        write(release, releaseText.replace("Packages.gz", "Packages.xz").getBytes(StandardCharsets.UTF_8));
        assertThat(gpgv(keyring, releaseGpg, release), is(not(0)));
        write(inRelease, Files.readString(inRelease).replace("Packages.gz", "Packages.xz")
                .getBytes(StandardCharsets.UTF_8));
        assertThat(gpgv(keyring, inRelease), is(not(0)));
        // only indexed files are served: no path reaches anything else on the server
        for (String path : List.of("pool/../../etc/passwd", "pool/" + deb.getFileName(), "dists/stable/Release.xz",
                                   "pool/" + "0".repeat(64) + ".deb")) {
            assertThat(path, statusOf(() -> apt.file(path)), is(404));
        }
    }

    @Test
    void aChangedPoolIsIndexedAgainAndAnUnchangedOneIsNot(@TempDir Path tmp) throws Exception {
        assumeTools();
        Path pool = Files.createDirectories(tmp.resolve("pool"));
        deb(tmp, pool, "0.1.0");
        AptRepository apt = new AptRepository(pool, ReleaseKeys.parse(KEY_1, tmp).pgp());
        AptRepository.Index first = apt.index();
        assertThat(apt.index(), sameInstance(first));
        deb(tmp, pool, "0.1.1");
        assertThat(apt.index().debs(), hasSize(2));
        assertThat(new String(apt.index().packages(), StandardCharsets.UTF_8), containsString("Version: 0.1.1\n"));
    }

    @Test
    void afterARotationHostsWithTheOldKeyringStillVerify(@TempDir Path tmp) throws Exception {
        assumeTools();
        Path pool = Files.createDirectories(tmp.resolve("pool"));
        deb(tmp, pool, "0.1.0");
        ReleaseKeys before = ReleaseKeys.parse(KEY_1, tmp);
        ReleaseKeys after = ReleaseKeys.parse(KEY_1 + "\n" + KEY_2 + "\n", tmp);
        // the same release key is the same OpenPGP key on every start
        assertThat(ReleaseKeys.parse(KEY_1, tmp).pgp().fingerprints(), is(before.pgp().fingerprints()));
        assertThat(after.pgp().fingerprints().getFirst(), is(before.pgp().fingerprints().getFirst()));
        AptRepository apt = new AptRepository(pool, after.pgp());
        Path dir = Files.createDirectories(tmp.resolve("served"));
        Path oldKeyring = write(dir.resolve("old.gpg"), before.pgp().keyring());
        Path newKeyring = write(dir.resolve("new.gpg"), ReleaseKeys.parse(KEY_2, tmp).pgp().keyring());
        Path inRelease = write(dir.resolve("InRelease"), served(apt, "dists/stable/InRelease"));
        // signed by both keys: each keyring finds a good signature and no bad one (APT accepts that; the other
        // signature's key is merely unknown to it)
        assertThat(gpgvStatus(newKeyring, inRelease), containsString("[GNUPG:] GOODSIG"));
        assertThat(gpgvStatus(oldKeyring, inRelease), containsString("[GNUPG:] GOODSIG"));
        assertThat(gpgvStatus(oldKeyring, inRelease), not(containsString("BADSIG")));
        Path all = write(dir.resolve("all.gpg"), after.pgp().keyring());
        assertThat(gpgv(all, inRelease), is(0));
        // a keyring of some other key does not verify it
        Path other = write(dir.resolve("other.gpg"), ReleaseKeys.parse(ReleaseKeys.newKeyLine(), tmp).pgp().keyring());
        assertThat(gpgv(other, inRelease), is(not(0)));
        assertThat(gpgvStatus(other, inRelease), not(containsString("GOODSIG")));
    }

    // --- helpers ------------------------------------------------------------------------------------------------

    private static void assumeTools() {
        assumeTrue(onPath("dpkg-deb"), "dpkg-deb is not installed");
        assumeTrue(onPath("gpgv"), "gpgv is not installed");
    }

    /** A minimal restic-manager-agent package of {@code version}, built by dpkg-deb into {@code pool}. */
    private static Path deb(Path tmp, Path pool, String version) throws Exception {
        Path root = Files.createDirectories(tmp.resolve("build-" + version));
        Files.createDirectories(root.resolve("DEBIAN"));
        Files.writeString(root.resolve("DEBIAN/control"), "Package: restic-manager-agent\nVersion: " + version
                + "\nArchitecture: amd64\nMaintainer: test <test@localhost>\nDepends: restic (>= 0.14)\n"
                + "Description: test package\n a test\n");
        Files.createDirectories(root.resolve("opt/restic-manager-agent"));
        Files.writeString(root.resolve("opt/restic-manager-agent/version"), version + "\n");
        Path deb = pool.resolve("restic-manager-agent_" + version + "_amd64.deb");
        assertThat(run(List.of("dpkg-deb", "-Zgzip", "--root-owner-group", "--build", root.toString(),
                               deb.toString())), is(0));
        return deb;
    }

    private static byte[] served(AptRepository apt, String path) {
        return apt.file(path).bytes().orElseThrow();
    }

    private static int statusOf(Runnable call) {
        try {
            call.run();
            return 200;
        } catch (io.resticmanager.kit.Problem p) {
            return p.status();
        }
    }

    private static Path write(Path file, byte[] bytes) throws IOException {
        return Files.write(file, bytes);
    }

    private static int gpgv(Path keyring, Path... files) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("gpgv", "--keyring", keyring.toString()));
        for (Path f : files) {
            cmd.add(f.toString());
        }
        return run(cmd);
    }

    /** gpgv's machine-readable status lines for {@code file}. */
    private static String gpgvStatus(Path keyring, Path file) throws Exception {
        Process p = new ProcessBuilder("gpgv", "--status-fd", "1", "--keyring", keyring.toString(), file.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS), is(true));
        return out;
    }

    private static int run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS), is(true));
        System.out.println("$ " + String.join(" ", cmd) + "\n" + out);
        return p.exitValue();
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    private static byte[] filled(int n, byte b) {
        byte[] bytes = new byte[n];
        java.util.Arrays.fill(bytes, b);
        return bytes;
    }
}
