package io.resticmanager.hub;

import io.resticmanager.common.SecretFiles;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * The server's release keys: Ed25519, one per line of the release key file ({@code <key id>:<base64 32-byte seed>},
 * {@code RM_RELEASE_KEY_FILE}, default {@code <data>/release.key}, generated 0600 on first start in local mode like
 * the other secret files). The last line signs; every line's public key stays published, so hosts that learned an
 * older key keep verifying after a rotation (append a line to rotate; deploy/gen-secrets.sh writes the first).
 */
final class ReleaseKeys {
    /** DER prefix of an Ed25519 SubjectPublicKeyInfo; the 32-byte public key follows. */
    private static final byte[] SPKI_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");
    private final List<Key> keys;
    private final PgpKeys pgp;

    /** One key: its id, the private half (never leaves this class) and the public key as PEM. */
    private record Key(String id, Ed25519PrivateKeyParameters privateKey, String publicPem) {
    }

    private ReleaseKeys(List<Key> keys) {
        this.keys = List.copyOf(keys);
        this.pgp = PgpKeys.create(keys.stream().map(Key::id).toList(), keys.stream().map(Key::privateKey).toList());
    }

    static ReleaseKeys load(Path file, boolean mayCreate) {
        return parse(SecretFiles.readOrCreate(file, mayCreate, ReleaseKeys::newKeyLine), file);
    }

    /** A fresh key line ({@code r<time>:<seed>}), for the first key or a rotation. */
    static String newKeyLine() {
        byte[] seed = new byte[32];
        new SecureRandom().nextBytes(seed);
        return "r" + Long.toString(System.currentTimeMillis(), 36) + ":" + Base64.getEncoder().encodeToString(seed);
    }

    static ReleaseKeys parse(String text, Path file) {
        List<Key> keys = new ArrayList<>();
        for (String line : text.strip().split("\n")) {
            line = line.strip();
            int colon = line.indexOf(':');
            byte[] seed;
            try {
                seed = colon > 0 ? Base64.getDecoder().decode(line.substring(colon + 1)) : new byte[0];
            } catch (IllegalArgumentException e) {
                seed = new byte[0];
            }
            if (seed.length != 32 || !line.substring(0, colon).matches("[A-Za-z0-9_-]{1,32}")) {
                // never echo the line: it is a private key
                throw new IllegalStateException("release key file " + file + ": line " + (keys.size() + 1)
                        + " is not <key id>:<base64 32-byte Ed25519 seed>");
            }
            keys.add(key(line.substring(0, colon), seed));
        }
        return new ReleaseKeys(keys);
    }

    private static Key key(String id, byte[] seed) {
        Ed25519PrivateKeyParameters privateKey = new Ed25519PrivateKeyParameters(seed, 0);
        byte[] spki = new byte[SPKI_PREFIX.length + Ed25519PublicKeyParameters.KEY_SIZE];
        System.arraycopy(SPKI_PREFIX, 0, spki, 0, SPKI_PREFIX.length);
        System.arraycopy(privateKey.generatePublicKey().getEncoded(), 0, spki, SPKI_PREFIX.length,
                         Ed25519PublicKeyParameters.KEY_SIZE);
        String pem = "-----BEGIN PUBLIC KEY-----\n" + Base64.getEncoder().encodeToString(spki)
                + "\n-----END PUBLIC KEY-----\n";
        return new Key(id, privateKey, pem);
    }

    /** The Ed25519 signature of {@code message} by the newest key (64 bytes). */
    byte[] sign(byte[] message) {
        Ed25519Signer signer = new Ed25519Signer();
        signer.init(true, keys.getLast().privateKey());
        signer.update(message, 0, message.length);
        return signer.generateSignature();
    }

    /** The same keys as OpenPGP keys (for the APT repository). */
    PgpKeys pgp() {
        return pgp;
    }

    /** The signing key's id and public key (PEM). */
    String activeId() {
        return keys.getLast().id();
    }

    String activePem() {
        return keys.getLast().publicPem();
    }

    /** Every key's public half, oldest first, each PEM block preceded by a {@code # <key id>} line. */
    String allPems() {
        StringBuilder out = new StringBuilder();
        keys.forEach(k -> out.append("# ").append(k.id()).append('\n').append(k.publicPem()));
        return out.toString();
    }

}
