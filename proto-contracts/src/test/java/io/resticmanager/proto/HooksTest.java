package io.resticmanager.proto;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;

class HooksTest {
    @Test
    void aHookShellIsAnAbsoluteProgramOnLinuxOrWindows() {
        assertDoesNotThrow(() -> Hooks.checkShell(List.of("/bin/sh", "-c")));
        // a Windows host's hooks run in PowerShell
        assertDoesNotThrow(() -> Hooks.checkShell(List.of(
                "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe", "-NoProfile", "-Command")));
        for (List<String> bad : List.of(List.of("sh", "-c"), List.of("powershell.exe", "-Command"),
                                        List.of("C:\\Windows\\..\\evil.exe"), List.of("/bin/sh", "a", "b", "c", "d"),
                                        List.<String>of())) {
            assertThrows(IllegalArgumentException.class, () -> Hooks.checkShell(bad), bad.toString());
        }
    }
}
