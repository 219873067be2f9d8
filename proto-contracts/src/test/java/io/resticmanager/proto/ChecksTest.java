package io.resticmanager.proto;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChecksTest {
    @Test
    void readDataSubsetAcceptsWhatResticAccepts() {
        for (String ok : new String[] {"10%", "2.5%", "100%", "1/5", "5/5", "500M", "2G", "1t", "64k", "10B"}) {
            assertTrue(Checks.readDataSubset(ok), ok);
        }
    }

    @Test
    void readDataSubsetRefusesWhatResticWouldRefuseOrWhatMeansNothing() {
        for (String bad : new String[] {"", "0%", "101%", "0/5", "6/5", "1/0", "1.5G", "0", "0M", "-1", "10 %", "5%%",
                "1/5/7", "500", "4096", "500MB", "x", "1e3", "9999999999999999M", "10%; rm -rf /"}) {
            assertFalse(Checks.readDataSubset(bad), bad);
        }
        assertFalse(Checks.readDataSubset(null));
    }

    @Test
    void idsAndSnapshotIds() {
        assertTrue(Checks.id("h-1f0c.a_b"));
        assertFalse(Checks.id("../etc"));
        assertFalse(Checks.id("a".repeat(129)));
        assertFalse(Checks.id(""));
        assertTrue(Checks.snapshotId("3f2a9c01"));
        assertTrue(Checks.snapshotId("a".repeat(64)));
        assertFalse(Checks.snapshotId("3f2a9c0"));
        assertFalse(Checks.snapshotId("3F2A9C01"));
        assertFalse(Checks.snapshotId("--latest"));
    }

    @Test
    void keepWithinAsResticTakesIt() {
        for (String ok : new String[] {"1y6m", "30d", "12h", "1y2m3d4h", "2Y"}) {
            assertTrue(Checks.keepWithin(ok), ok);
        }
        for (String bad : new String[] {"", "30", "d", "1w", "1.5d", "30d ", "-1d"}) {
            assertFalse(Checks.keepWithin(bad), bad);
        }
        assertFalse(Checks.keepWithin(null));
    }

    @Test
    void windowsDrivePathTellsALocalRepositoryFromASchemeOne() {
        assertTrue(Checks.windowsDrivePath("C:\\Backups"));
        assertTrue(Checks.windowsDrivePath("d:/restic"));
        assertFalse(Checks.windowsDrivePath("s3:host/bucket"));
        assertFalse(Checks.windowsDrivePath("C:"));
        assertFalse(Checks.windowsDrivePath(null));
    }

    @Test
    void absolutePathsOfEverySystem() {
        for (String ok : new String[] {"/", "/srv/restore", "/C/Users/alice", "/a/..b/c..", "C:\\", "C:\\Restore",
                "c:/Restore/dir", "D:\\Users\\alice\\My Documents", "\\\\nas\\backups", "\\\\nas\\backups\\host-1",
                "\\\\nas.example.com\\share$\\dir\\"}) {
            assertTrue(Checks.absolutePath(ok), ok);
        }
        assertTrue(Checks.windowsAbsolutePath("C:\\Restore"));
        assertFalse(Checks.posixAbsolutePath("C:\\Restore"));
        assertTrue(Checks.posixAbsolutePath("/C/Users"));
        assertFalse(Checks.windowsAbsolutePath("/C/Users"));
    }

    @Test
    void absolutePathRefusesRelativeTraversingDeviceAndControlCharacterPaths() {
        for (String bad : new String[] {"", "restore", "./restore", "C:", "C:Restore", "CD:\\x", "1:\\x", "\\Restore",
                "\\\\server", "\\\\server\\", "\\\\?\\C:\\x", "\\\\.\\pipe\\x", "\\\\srv:1\\share", "/srv/../etc",
                "/srv/..", "C:\\Restore\\..\\Windows", "C:/Restore/../Windows", "\\\\nas\\share\\..\\other",
                "/srv\\..\\etc", "/srv/a\u0000b", "/srv/a\nb", "C:\\a\rb", "/" + "a".repeat(Checks.MAX_PATH)}) {
            assertFalse(Checks.absolutePath(bad), bad);
        }
        assertFalse(Checks.absolutePath(null));
        assertFalse(Checks.posixAbsolutePath(null));
    }
}
