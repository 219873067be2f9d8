package io.resticmanager.agent;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Windows behaviour checked on Linux: a Windows platform is built from its os.name and environment. */
class PlatformTest {
    @TempDir
    Path dir;

    @Test
    void familiesFromOsName() {
        assertThat(Platform.of("Windows Server 2022", Map.of()).family(), is(Platform.Family.WINDOWS));
        assertThat(Platform.of("Windows 11", Map.of()).windows(), is(true));
        assertThat(Platform.of("Linux", Map.of()).family(), is(Platform.Family.LINUX));
        assertThat(Platform.of("Mac OS X", Map.of()).family(), is(Platform.Family.OTHER));
        assertThat(Platform.of(null, Map.of()).family(), is(Platform.Family.OTHER));
    }

    @Test
    void windowsConfigLivesUnderProgramData() {
        assertThat(Platform.of("Windows 10", Map.of("ProgramData", "D:\\ProgramData")).defaultConfigFile(),
                   is("D:\\ProgramData\\restic-manager\\agent.yaml"));
        // Windows variable names are case-insensitive; a trailing separator is not doubled
        assertThat(Platform.of("Windows 10", Map.of("PROGRAMDATA", "E:\\Data\\")).defaultConfigFile(),
                   is("E:\\Data\\restic-manager\\agent.yaml"));
        assertThat(Platform.of("Windows 10", Map.of()).defaultConfigFile(),
                   is("C:\\ProgramData\\restic-manager\\agent.yaml"));
        assertThat(Platform.of("Windows 10", Map.of("ProgramData", " ")).defaultConfigFile(),
                   is("C:\\ProgramData\\restic-manager\\agent.yaml"));
    }

    @Test
    void linuxConfigLivesInEtcWhateverTheEnvironmentSays() {
        assertThat(Platform.of("Linux", Map.of("ProgramData", "D:\\x")).defaultConfigFile(),
                   is("/var/lib/restic-manager-agent/agent.yaml"));
    }

    @Test
    void resticIsResticExeOnWindows() {
        assertThat(Platform.of("Windows 11", Map.of()).resticBinaryName(), is("restic.exe"));
        assertThat(Platform.of("Linux", Map.of()).resticBinaryName(), is("restic"));
    }

    @Test
    void locateFindsResticExeOnAWindowsPathAndIgnoresAPlainRestic() throws Exception {
        Path plain = Files.createDirectories(dir.resolve("plain"));
        Path exe = Files.createDirectories(dir.resolve("exe"));
        executable(plain.resolve("restic"));
        executable(exe.resolve("restic.exe"));
        // Windows writes the variable "Path" and separates entries with ';'
        Platform windows = Platform.of("Windows 11", Map.of("Path", plain + ";;\"" + exe + "\""));
        assertThat(Restic.locate(Optional.empty(), windows), is(exe.resolve("restic.exe")));
        Platform linux = Platform.of("Linux", Map.of("PATH", exe + ":" + plain));
        assertThat(Restic.locate(Optional.empty(), linux), is(plain.resolve("restic")));
        AgentException missing = assertThrows(AgentException.class, () -> Restic.locate(Optional.empty(),
                Platform.of("Windows 11", Map.of("Path", plain.toString()))));
        assertThat(missing.getMessage(), containsString("restic.exe was not found on PATH"));
        assertThat(missing.exitCode(), is(2));
    }

    @Test
    void usageNamesThePlatformsDefaultConfig() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = AgentMain.execute(new String[] {"help"}, new PrintStream(out, true, StandardCharsets.UTF_8),
                                     System.err, Platform.of("Windows Server 2022", Map.of("ProgramData", "C:\\PD")));
        assertThat(code, is(0));
        assertThat(out.toString(StandardCharsets.UTF_8),
                   containsString("--config defaults to C:\\PD\\restic-manager\\agent.yaml"));
        assertThat(AgentMain.usage(Platform.of("Linux", Map.of())),
                   containsString("--config defaults to /var/lib/restic-manager-agent/agent.yaml"));
    }

    @Test
    void runWithoutConfigReadsTheDefaultFile() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Path missing = dir.resolve("none");
        // a platform whose default file is missing: the error names it, so the default was used
        Platform windows = Platform.of("Windows 11", Map.of("ProgramData", missing.toString()));
        int code = AgentMain.execute(new String[] {"run"}, System.out, new PrintStream(err, true, StandardCharsets.UTF_8),
                                     windows);
        assertThat(code, is(2));
        assertThat(err.toString(StandardCharsets.UTF_8), containsString(missing + "\\restic-manager\\agent.yaml"));
    }

    private static void executable(Path file) throws Exception {
        Files.writeString(file, "#!/bin/sh\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}
