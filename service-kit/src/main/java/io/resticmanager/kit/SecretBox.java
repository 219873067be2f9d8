package io.resticmanager.kit;

import io.helidon.config.Config;
import io.resticmanager.common.SecretFiles;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * AES-256-GCM sealing of secrets at rest, with key ids so keys can be rotated.
 * Key file: one {@code <key id>:<base64 32-byte key>} per line; the LAST line is the active key,
 * older lines still open what they sealed. Sealed form: {@code v1.<kid>.<base64(iv ‖ ciphertext+tag)>}.
 * The {@code context} (e.g. "repo:<id>:password") is bound as associated data, so a sealed value
 * cannot be swapped into another row.
 */
public final class SecretBox {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final Map<String, SecretKeySpec> keys;
    private final String activeKid;

    private SecretBox(Map<String, SecretKeySpec> keys, String activeKid) {
        this.keys = keys;
        this.activeKid = activeKid;
    }

    /** Reads {@code RM_SECRET_KEY_FILE} (default {@code <data>/secret.key}); generated 0600 in local mode. */
    public static SecretBox fromConfig(Config config) {
        Path file = config.get("rm.secret-key-file").asString().map(Path::of)
                .orElse(RmConfig.dataDir(config).resolve("secret.key"));
        return parse(SecretFiles.readOrCreate(file, RmConfig.localMode(config), SecretBox::newKeyLine));
    }

    /** A fresh key line, e.g. for appending during rotation. */
    public static String newKeyLine() {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        String kid = "k" + Long.toString(System.currentTimeMillis(), 36);
        return kid + ":" + Base64.getEncoder().encodeToString(key);
    }

    public static SecretBox parse(String keyFileContent) {
        Map<String, SecretKeySpec> keys = new LinkedHashMap<>();
        String last = null;
        for (String raw : keyFileContent.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int colon = line.indexOf(':');
            if (colon < 1) {
                throw new IllegalStateException("secret key file: each line must be <key id>:<base64 key>");
            }
            byte[] key = Base64.getDecoder().decode(line.substring(colon + 1));
            if (key.length != 32) {
                throw new IllegalStateException("secret key file: key " + line.substring(0, colon)
                        + " must be 32 bytes (AES-256)");
            }
            last = line.substring(0, colon);
            keys.put(last, new SecretKeySpec(key, "AES"));
        }
        if (last == null) {
            throw new IllegalStateException("secret key file holds no key");
        }
        return new SecretBox(Map.copyOf(keys), last);
    }

    public String activeKeyId() {
        return activeKid;
    }

    public String seal(String plaintext, String context) {
        try {
            byte[] iv = new byte[12];
            RANDOM.nextBytes(iv);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, keys.get(activeKid), new GCMParameterSpec(128, iv));
            cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            byte[] ct = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
            byte[] out = new byte[iv.length + ct.length];
            System.arraycopy(iv, 0, out, 0, iv.length);
            System.arraycopy(ct, 0, out, iv.length, ct.length);
            return "v1." + activeKid + "." + Base64.getEncoder().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot seal secret", e);
        }
    }

    public String open(String sealed, String context) {
        String[] parts = sealed.split("\\.", 3);
        if (parts.length != 3 || !parts[0].equals("v1")) {
            throw new IllegalStateException("not a sealed secret");
        }
        SecretKeySpec key = keys.get(parts[1]);
        if (key == null) {
            throw new IllegalStateException("secret sealed with unknown key id " + parts[1]);
        }
        try {
            byte[] in = Base64.getDecoder().decode(parts[2]);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, in, 0, 12));
            cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            return new String(cipher.doFinal(in, 12, in.length - 12), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("secret cannot be opened (wrong key or tampered)");
        }
    }

    /** The key id a sealed value was sealed under. */
    public static String keyIdOf(String sealed) {
        String[] parts = sealed.split("\\.", 3);
        return parts.length == 3 ? parts[1] : "";
    }
}
