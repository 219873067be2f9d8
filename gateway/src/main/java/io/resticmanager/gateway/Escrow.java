package io.resticmanager.gateway;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.resticmanager.kit.SecretBox;
import io.resticmanager.proto.Json;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * The sealing key's escrow file: the whole key file ({@code secret.key}, every key line, since older keys still open
 * what they sealed) encrypted with a passphrase the admin types and the server never stores.
 * <p>
 * Format (JSON, documented in docs/SELF-BACKUP.md): {@code format} {@value #FORMAT}, {@code version} 1,
 * {@code kdf} {name "argon2id", version 19, memory_kib, iterations, parallelism, salt (base64, 16 bytes)},
 * {@code cipher} {name "AES-256-GCM", nonce (base64, 12 bytes)}, {@code key_ids}, {@code created_at},
 * {@code ciphertext} (base64 of the encrypted key file followed by GCM's 16-byte tag). The 32-byte AES key is
 * argon2id(passphrase, salt, memory_kib, iterations, parallelism); the associated data is {@link #aad}, which binds
 * the format, the KDF parameters, the salt and the key ids, so none can be changed without the opening failing.
 */
final class Escrow {
    static final String FORMAT = "restic-manager-sealing-key-escrow";
    static final int MIN_PASSPHRASE = 16;
    static final int MAX_PASSPHRASE = 1024;
    private static final SecureRandom RANDOM = new SecureRandom();

    record Kdf(String name, int version, int memoryKib, int iterations, int parallelism, String salt) {
    }

    record CipherSpec(String name, String nonce) {
    }

    record File(String format, int version, Kdf kdf, @JsonProperty("cipher") CipherSpec cipher, List<String> keyIds,
                Instant createdAt, String ciphertext, String note) {
    }

    /** Strong enough that guessing a 16-character passphrase offline is hopeless; ~0.5 s on one core. */
    static final int MEMORY_KIB = 64 * 1024;
    static final int ITERATIONS = 3;

    private Escrow() {
    }

    /** Encrypts {@code keyFile} (the text of secret.key) under {@code passphrase}; returns the escrow file's JSON. */
    static String seal(String keyFile, String passphrase, int memoryKib, int iterations) {
        checkPassphrase(passphrase);
        List<String> kids = keyIds(keyFile);
        byte[] salt = random(16);
        byte[] nonce = random(12);
        Kdf kdf = new Kdf("argon2id", 19, memoryKib, iterations, 1, Base64.getEncoder().encodeToString(salt));
        byte[] key = derive(passphrase, kdf);
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
            c.updateAAD(aad(kdf, kids));
            byte[] ct = c.doFinal(keyFile.getBytes(StandardCharsets.UTF_8));
            return Json.write(new File(FORMAT, 1, kdf, new CipherSpec("AES-256-GCM",
                    Base64.getEncoder().encodeToString(nonce)), kids, Instant.now(),
                    Base64.getEncoder().encodeToString(ct), "restic-manager's sealing key, encrypted with a passphrase "
                    + "the server never stored. Without this key (or secret.key itself) a restored server cannot "
                    + "open any repository password. Open it with: java -cp restic-manager-gateway.jar "
                    + "io.resticmanager.gateway.OpenEscrow THIS_FILE secret.key"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot encrypt the escrow", e);
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }

    /** The key file inside an escrow file; {@link IllegalArgumentException} with a plain reason when it cannot. */
    static String open(String json, String passphrase) {
        File f;
        try {
            f = Json.MAPPER.readValue(json, File.class);
        } catch (Exception e) {
            throw new IllegalArgumentException("not an escrow file (JSON expected)");
        }
        if (f == null || !FORMAT.equals(f.format()) || f.version() != 1 || f.kdf() == null || f.cipher() == null
                || !"argon2id".equals(f.kdf().name()) || !"AES-256-GCM".equals(f.cipher().name())) {
            throw new IllegalArgumentException("not a version 1 " + FORMAT + " file");
        }
        Kdf kdf = f.kdf();
        if (kdf.memoryKib() < 8 || kdf.memoryKib() > 4 * 1024 * 1024 || kdf.iterations() < 1 || kdf.iterations() > 100
                || kdf.parallelism() < 1 || kdf.parallelism() > 16) {
            throw new IllegalArgumentException("the escrow file's KDF parameters are out of range");
        }
        byte[] key = derive(passphrase, kdf);
        try {
            byte[] nonce = Base64.getDecoder().decode(f.cipher().nonce());
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
            c.updateAAD(aad(kdf, f.keyIds() == null ? List.of() : f.keyIds()));
            return new String(c.doFinal(Base64.getDecoder().decode(f.ciphertext())), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException | IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("wrong passphrase, or the escrow file was changed");
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }

    static void checkPassphrase(String passphrase) {
        if (passphrase == null || passphrase.length() < MIN_PASSPHRASE || passphrase.length() > MAX_PASSPHRASE) {
            throw new IllegalArgumentException("the passphrase must have " + MIN_PASSPHRASE + " to " + MAX_PASSPHRASE
                                                       + " characters");
        }
    }

    /** The key ids of a key file, in order (the last one seals); validates it like the services do. */
    static List<String> keyIds(String keyFile) {
        SecretBox.parse(keyFile);
        return keyFile.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#"))
                .map(l -> l.substring(0, l.indexOf(':'))).toList();
    }

    static byte[] aad(Kdf kdf, List<String> keyIds) {
        return (FORMAT + "|1|" + kdf.name() + "|" + kdf.version() + "|" + kdf.memoryKib() + "|" + kdf.iterations()
                + "|" + kdf.parallelism() + "|" + kdf.salt() + "|" + String.join(",", keyIds))
                .getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] derive(String passphrase, Kdf kdf) {
        Argon2BytesGenerator gen = new Argon2BytesGenerator();
        gen.init(new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id).withVersion(Argon2Parameters.ARGON2_VERSION_13)
                         .withSalt(Base64.getDecoder().decode(kdf.salt())).withMemoryAsKB(kdf.memoryKib())
                         .withIterations(kdf.iterations()).withParallelism(kdf.parallelism()).build());
        byte[] out = new byte[32];
        gen.generateBytes(passphrase.getBytes(StandardCharsets.UTF_8), out);
        return out;
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }
}
