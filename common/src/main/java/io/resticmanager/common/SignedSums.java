package io.resticmanager.common;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * Checks the server's signed checksum list ({@code SHA256SUMS} + {@code SHA256SUMS.sig}, Ed25519) against release
 * public keys in PEM form, with nothing but the JDK (Ed25519 is in every Java ≥ 15).
 *
 * <p>Where no openssl can be assumed — Windows — install.ps1 runs this very class with the host's Java: the hub
 * serves its compiled bytes inside the script, beside the release key, so the verifier comes from the same trusted
 * place as the key and never from the bundle it judges. One class, no lambdas or nested classes: it must stay a
 * single {@code .class} file.
 *
 * <p>{@code java -cp DIR io.resticmanager.common.SignedSums KEYS.pem SHA256SUMS SHA256SUMS.sig [SHA-256 NAME]}
 * exits 0 when a key signed the list (and, given a digest and a file name, the list names exactly that file with
 * that digest), 1 when not, 2 on bad arguments.
 */
public final class SignedSums {
    private SignedSums() {
    }

    /** Whether any public key in {@code pems} (one or more PEM blocks; other lines ignored) signed {@code message}. */
    public static boolean verify(String pems, byte[] message, byte[] signature) {
        if (signature.length != 64) {
            return false;
        }
        String[] blocks = pems.split("-----BEGIN PUBLIC KEY-----");
        for (int i = 1; i < blocks.length; i++) {
            int end = blocks[i].indexOf("-----END PUBLIC KEY-----");
            if (end < 0) {
                continue;
            }
            try {
                byte[] der = Base64.getMimeDecoder().decode(blocks[i].substring(0, end));
                PublicKey key = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der));
                Signature ed = Signature.getInstance("Ed25519");
                ed.initVerify(key);
                ed.update(message);
                if (ed.verify(signature)) {
                    return true;
                }
            } catch (GeneralSecurityException | IllegalArgumentException e) {
                // not an Ed25519 key: try the next one
            }
        }
        return false;
    }

    /** Whether the checksum list has the line {@code <sha256>  <name>} (sha256sum's format). */
    public static boolean lists(String sums, String sha256, String name) {
        for (String line : sums.split("\n")) {
            if (line.strip().equalsIgnoreCase(sha256 + "  " + name)) {
                return true;
            }
        }
        return false;
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3 && args.length != 5) {
            System.err.println("usage: SignedSums KEYS.pem SHA256SUMS SHA256SUMS.sig [SHA-256 FILE-NAME]");
            System.exit(2);
        }
        String pems = Files.readString(Path.of(args[0]), StandardCharsets.UTF_8);
        byte[] sums = Files.readAllBytes(Path.of(args[1]));
        byte[] signature = Files.readAllBytes(Path.of(args[2]));
        if (!verify(pems, sums, signature)) {
            System.err.println("the checksum list is not signed by the server's release key");
            System.exit(1);
        }
        if (args.length == 5 && !lists(new String(sums, StandardCharsets.UTF_8), args[3], args[4])) {
            System.err.println("the signed checksum list does not name " + args[4] + " with SHA-256 " + args[3]);
            System.exit(1);
        }
        System.out.println("signature verified");
    }
}
