package io.resticmanager.gateway;

import io.helidon.config.Config;
import io.resticmanager.kit.RmConfig;
import io.resticmanager.kit.SecretBox;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Seals the single sign-on client secret with the server's secret key, for {@code RM_OIDC_CLIENT_SECRET}:
 * {@code java -cp restic-manager-gateway.jar io.resticmanager.gateway.SealSecret < client-secret.txt}, with the same
 * {@code RM_DATA_DIR} / {@code RM_SECRET_KEY_FILE} as the gateway. Reads the secret from standard input (never an
 * argument, which other users can see in the process list) and prints only the sealed value.
 */
public final class SealSecret {
    private SealSecret() {
    }

    public static void main(String[] args) throws IOException {
        String secret = new String(System.in.readAllBytes(), StandardCharsets.UTF_8).strip();
        if (secret.isEmpty()) {
            System.err.println("usage: SealSecret < file-with-the-client-secret");
            System.exit(2);
        }
        System.out.println(seal(RmConfig.load("RM_PORT"), secret));
    }

    static String seal(Config config, String secret) {
        return SecretBox.fromConfig(config).seal(secret, OidcConfig.SECRET_CONTEXT);
    }
}
