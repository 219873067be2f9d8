package io.resticmanager.inventory;

import io.resticmanager.kit.Problem;
import io.resticmanager.proto.Checks;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * restic repository URLs: which forms we accept (one rule per backend, as restic's location parser
 * knows them) and how they are shown. Messages never repeat the URL: it may embed credentials.
 */
final class RepoUrls {
    static final String SUPPORTED = "an absolute local path, local:/path, sftp:user@host:/path, "
            + "rest:http(s)://host/, s3:host/bucket, b2:bucket:path, azure:container:/path, gs:bucket:/path "
            + "swift:container:/path or rclone:remote:path";
    private static final Pattern SFTP_SHORT = Pattern.compile("sftp:(?:[^@:/\\s]+@)?[A-Za-z0-9.\\-\\[\\]]+:.+");
    private static final Pattern B2 = Pattern.compile("b2:[A-Za-z0-9-]{1,63}:.*");
    private static final Pattern AZURE = Pattern.compile("azure:[a-z0-9-]{3,63}:.*");
    private static final Pattern GS = Pattern.compile("gs:[a-z0-9][a-z0-9._-]{1,221}:.*");
    private static final Pattern RCLONE = Pattern.compile("rclone:[^:\\s]+:.*");
    private static final Pattern SWIFT = Pattern.compile("swift:[^:/\\s]{1,256}:/.*");
    private static final Pattern S3_HOST = Pattern.compile("s3:[A-Za-z0-9.\\-]+(:\\d+)?/[a-z0-9][a-z0-9.\\-]{1,62}(/.*)?");
    /** {@code scheme://user:password@} → {@code scheme://user:***@}. */
    private static final Pattern USERINFO_PASSWORD = Pattern.compile("(://[^/@:\\s]*):[^/@\\s]*@");

    private RepoUrls() {
    }

    /** Throws a 422 problem naming what is wrong, never echoing the URL. */
    static String validate(String url) {
        if (url == null || url.isBlank()) {
            throw Problem.unprocessable("url is required");
        }
        if (url.length() > 2000) {
            throw Problem.unprocessable("url is longer than 2000 characters");
        }
        if (url.chars().anyMatch(ch -> ch < 0x20 || ch == 0x7f)) {
            throw Problem.unprocessable("url must not contain control characters");
        }
        if (!url.strip().equals(url)) {
            throw Problem.unprocessable("url must not start or end with spaces");
        }
        if (!accepted(url)) {
            throw Problem.unprocessable("unsupported repository URL: expected " + SUPPORTED);
        }
        return url;
    }

    private static boolean accepted(String url) {
        if (url.startsWith("/") || Checks.windowsDrivePath(url)) {
            return url.length() > 1;
        }
        int colon = url.indexOf(':');
        String scheme = colon < 0 ? "" : url.substring(0, colon);
        String rest = url.substring(colon + 1);
        return switch (scheme) {
            case "local" -> (rest.startsWith("/") && rest.length() > 1) || Checks.windowsDrivePath(rest);
            case "sftp" -> rest.startsWith("//") ? httpLike(rest.substring(2), "sftp") : SFTP_SHORT.matcher(url).matches();
            case "rest" -> (rest.startsWith("http://") || rest.startsWith("https://")) && httpLike(rest, null);
            case "s3" -> S3_HOST.matcher(url).matches()
                    || ((rest.startsWith("http://") || rest.startsWith("https://")) && httpLike(rest, null)
                    && rest.replaceFirst("^https?://[^/]+/?", "").length() > 0);
            case "b2" -> B2.matcher(url).matches();
            case "azure" -> AZURE.matcher(url).matches();
            case "gs" -> GS.matcher(url).matches();
            case "rclone" -> RCLONE.matcher(url).matches();
            case "swift" -> SWIFT.matcher(url).matches();
            default -> false;
        };
    }

    /** A URL with a host part; {@code prefixScheme} adds one when the text lacks it (sftp://…). */
    private static boolean httpLike(String text, String prefixScheme) {
        try {
            URI uri = new URI(prefixScheme == null ? text : prefixScheme + "://" + text);
            return uri.getHost() != null && !uri.getHost().isEmpty();
        } catch (URISyntaxException e) {
            return false;
        }
    }

    /** The URL as shown in every public response: an embedded password becomes {@code ***}. */
    static String redact(String url) {
        Matcher m = USERINFO_PASSWORD.matcher(url);
        return m.replaceAll("$1:***@");
    }
}
