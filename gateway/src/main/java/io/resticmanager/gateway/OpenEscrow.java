package io.resticmanager.gateway;

import io.resticmanager.common.SecretFiles;

import java.io.Console;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Opens a sealing-key escrow file on restore:
 * {@code java -cp restic-manager-gateway.jar io.resticmanager.gateway.OpenEscrow ESCROW_FILE OUT_FILE}. The
 * passphrase comes from the file named by {@code RM_ESCROW_PASSPHRASE_FILE}, else the terminal (never an argument);
 * the key file is written to OUT_FILE (mode 0600), which must not exist yet.
 */
public final class OpenEscrow {
    private OpenEscrow() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: OpenEscrow ESCROW_FILE OUT_FILE (passphrase: RM_ESCROW_PASSPHRASE_FILE or the "
                                       + "terminal)");
            System.exit(2);
        }
        Path out = Path.of(args[1]);
        if (Files.exists(out)) {
            System.err.println(out + " exists already; nothing is overwritten");
            System.exit(1);
        }
        String passphrase;
        String file = System.getenv("RM_ESCROW_PASSPHRASE_FILE");
        if (file != null && !file.isBlank()) {
            passphrase = Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
        } else {
            Console console = System.console();
            if (console == null) {
                System.err.println("no passphrase: set RM_ESCROW_PASSPHRASE_FILE or run this on a terminal");
                System.exit(1);
                return;
            }
            passphrase = new String(console.readPassword("Escrow passphrase: "));
        }
        String keys;
        try {
            keys = Escrow.open(Files.readString(Path.of(args[0]), StandardCharsets.UTF_8), passphrase);
        } catch (IllegalArgumentException e) {
            System.err.println("cannot open " + args[0] + ": " + e.getMessage());
            System.exit(1);
            return;
        }
        SecretFiles.writeAtomically(out, keys.endsWith("\n") ? keys : keys + "\n");
        System.out.println("sealing key written to " + out + " (key ids " + String.join(", ", Escrow.keyIds(keys))
                                   + ")");
    }
}
