package io.resticmanager.proto;

/**
 * Who is calling, as the gateway forwards it to services in {@code X-RM-Principal} (compact JSON),
 * trusted only together with the internal service token.
 */
public record Principal(String userId, String username, Role role) {
    public Principal {
        Require.text(userId, "user_id");
        Require.text(username, "username");
        Require.present(role, "role");
    }

    public String toHeader() {
        return Json.write(this);
    }

    public static Principal fromHeader(String header) {
        try {
            return Json.MAPPER.readValue(header, Principal.class);
        } catch (Exception e) {
            throw new IllegalArgumentException("malformed principal header");
        }
    }
}
