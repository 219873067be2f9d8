package io.resticmanager.common;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;

class SecretFilesTest {
    @TempDir
    Path dir;

    /** Five services starting at once on one data dir must all end up with the same generated token. */
    @Test
    void concurrentFirstStartsAgreeOnOneValue() throws Exception {
        Path file = dir.resolve("internal-token");
        Set<String> seen = ConcurrentHashMap.newKeySet();
        CountDownLatch go = new CountDownLatch(1);
        try (var pool = Executors.newFixedThreadPool(8)) {
            for (int i = 0; i < 8; i++) {
                pool.submit(() -> {
                    go.await();
                    seen.add(SecretFiles.readOrCreate(file, true, () -> UUID.randomUUID().toString()));
                    return null;
                });
            }
            go.countDown();
        }
        assertThat(seen, hasSize(1));
        assertThat(Files.readString(file).strip(), is(seen.iterator().next()));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)), is("rw-------"));
        try (var files = Files.list(dir)) {
            assertThat(files.count(), is(1L));
        }
    }
}
