package io.resticmanager.hub;

import org.bouncycastle.bcpg.ArmoredOutputStream;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.bcpg.PublicKeyAlgorithmTags;
import org.bouncycastle.bcpg.PublicKeyPacket;
import org.bouncycastle.bcpg.sig.KeyFlags;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPKeyPair;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureGenerator;
import org.bouncycastle.openpgp.PGPSignatureSubpacketGenerator;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentSignerBuilder;
import org.bouncycastle.openpgp.operator.bc.BcPGPKeyPair;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;

/**
 * The release keys as OpenPGP keys, for what only speaks OpenPGP (APT checks a repository's Release file with gpgv).
 * Each Ed25519 release key is also an OpenPGP v4 Ed25519 key (the same seed, a fixed creation time, so the same
 * fingerprint on every start): no second secret to keep, and a rotation of the release key rotates this one too.
 * Everything is signed by every key, so a host that learned an older key keeps verifying after a rotation.
 */
final class PgpKeys {
    /** Part of each key's fingerprint: fixed, so a key is the same OpenPGP key on every start. */
    private static final Date CREATED = Date.from(Instant.parse("2026-01-01T00:00:00Z"));
    private static final int HASH = HashAlgorithmTags.SHA512;
    private final List<PGPKeyPair> keys;
    private final byte[] keyring;

    private PgpKeys(List<PGPKeyPair> keys, byte[] keyring) {
        this.keys = List.copyOf(keys);
        this.keyring = keyring;
    }

    /** {@code seeds} oldest first, with the id of each (its user id names it). */
    static PgpKeys create(List<String> ids, List<Ed25519PrivateKeyParameters> seeds) {
        try {
            List<PGPKeyPair> pairs = new ArrayList<>();
            ByteArrayOutputStream ring = new ByteArrayOutputStream();
            for (int i = 0; i < seeds.size(); i++) {
                Ed25519PrivateKeyParameters secret = seeds.get(i);
                PGPKeyPair pair = new BcPGPKeyPair(PublicKeyPacket.VERSION_4, PublicKeyAlgorithmTags.EDDSA_LEGACY,
                                                   new AsymmetricCipherKeyPair(secret.generatePublicKey(), secret),
                                                   CREATED);
                pairs.add(pair);
                String userId = "restic-manager release key " + ids.get(i);
                PGPSignatureGenerator cert = generator(pair);
                PGPSignatureSubpacketGenerator hashed = subpackets(CREATED);
                hashed.setKeyFlags(true, KeyFlags.CERTIFY_OTHER | KeyFlags.SIGN_DATA);
                cert.setHashedSubpackets(hashed.generate());
                cert.init(PGPSignature.POSITIVE_CERTIFICATION, pair.getPrivateKey());
                PGPPublicKey certified = PGPPublicKey.addCertification(pair.getPublicKey(), userId,
                                                                       cert.generateCertification(userId, pair.getPublicKey()));
                ring.write(new PGPPublicKeyRing(List.of(certified)).getEncoded());
            }
            return new PgpKeys(pairs, ring.toByteArray());
        } catch (PGPException e) {
            throw new IllegalStateException("cannot make the OpenPGP form of the release keys", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static PGPSignatureGenerator generator(PGPKeyPair pair) {
        return new PGPSignatureGenerator(new BcPGPContentSignerBuilder(PublicKeyAlgorithmTags.EDDSA_LEGACY, HASH),
                                         pair.getPublicKey());
    }

    private static PGPSignatureSubpacketGenerator subpackets(Date when) {
        PGPSignatureSubpacketGenerator hashed = new PGPSignatureSubpacketGenerator();
        hashed.setSignatureCreationTime(false, when);
        return hashed;
    }

    /** Every key's public half as one binary OpenPGP keyring (what APT's {@code signed-by=} names). */
    byte[] keyring() {
        return keyring.clone();
    }

    /** The fingerprints (hex, upper case), oldest key first. */
    List<String> fingerprints() {
        return keys.stream().map(k -> HexFormat.of().withUpperCase().formatHex(k.getPublicKey().getFingerprint()))
                .toList();
    }

    /** An ASCII-armored detached signature of {@code data} by every key (APT's {@code Release.gpg}). */
    String detached(byte[] data) {
        return armored(sign(PGPSignature.BINARY_DOCUMENT, data));
    }

    /**
     * {@code text} (lines ending in LF, none starting with '-' and none with trailing white space, as a Release
     * file is) as an OpenPGP clear-signed message (APT's {@code InRelease}).
     */
    String clearSigned(String text) {
        if (!text.endsWith("\n") || text.lines().anyMatch(l -> l.startsWith("-") || !l.equals(l.stripTrailing()))) {
            throw new IllegalArgumentException("clear-signed text must end in a newline, without dash-started lines "
                                                       + "or trailing white space");
        }
        // the signed text is the canonical form: CRLF line ends, without the line end before the signature
        byte[] canonical = text.substring(0, text.length() - 1).replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8);
        return "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\n" + text
                + armored(sign(PGPSignature.CANONICAL_TEXT_DOCUMENT, canonical));
    }

    private List<PGPSignature> sign(int type, byte[] data) {
        Date now = new Date();
        List<PGPSignature> signatures = new ArrayList<>();
        try {
            for (PGPKeyPair pair : keys) {
                PGPSignatureGenerator generator = generator(pair);
                PGPSignatureSubpacketGenerator hashed = subpackets(now);
                hashed.setIssuerFingerprint(false, pair.getPublicKey());
                generator.setHashedSubpackets(hashed.generate());
                generator.init(type, pair.getPrivateKey());
                generator.update(data);
                signatures.add(generator.generate());
            }
        } catch (PGPException e) {
            throw new IllegalStateException("cannot sign with the release keys", e);
        }
        return signatures;
    }

    private static String armored(List<PGPSignature> signatures) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ArmoredOutputStream armor = ArmoredOutputStream.builder().clearHeaders().build(out)) {
            for (PGPSignature signature : signatures) {
                signature.encode(armor);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString(StandardCharsets.US_ASCII);
    }
}
