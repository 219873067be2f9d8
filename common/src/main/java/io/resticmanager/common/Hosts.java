package io.resticmanager.common;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** Host names as the agent and the services judge them. */
public final class Hosts {
    private Hosts() {
    }

    /** {@code localhost} or a loopback IP literal (brackets allowed); never a DNS lookup. */
    public static boolean loopback(String host) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (h.equalsIgnoreCase("localhost")) {
            return true;
        }
        if (!h.matches("[0-9.]+|[0-9a-fA-F:]+")) {
            return false;
        }
        try {
            return InetAddress.getByName(h).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
