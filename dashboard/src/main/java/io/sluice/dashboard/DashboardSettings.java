package io.sluice.dashboard;

import java.nio.file.Path;

/**
 * Settings of the dashboard's web server (the daemon's {@code dashboard} section).
 *
 * @param host                 the address to bind, loopback unless configured; any other address
 *                             requires TLS and users.
 * @param port                 to listen on (0: a free port, logged at start).
 * @param passwordFile         users and passwords in the JDK management agent's format (the daemon's
 *                             JMX password file), or null for no authentication (loopback only:
 *                             everyone on the host is an operator then).
 * @param accessFile           roles in the JDK format: {@code readonly} sees, {@code readwrite} may
 *                             also run operations; required with a password file.
 * @param tls                  whether to serve HTTPS only.
 * @param keyStore             the server's key store (PKCS12 or JKS) for TLS.
 * @param keyStorePasswordFile holding the key store's password on its first line.
 * @param refreshMillis        how often a frame is pushed to each browser.
 * @param maxClients           event streams served at once; more are refused with 503.
 */
public record DashboardSettings(
    String host,
    int port,
    Path passwordFile,
    Path accessFile,
    boolean tls,
    Path keyStore,
    Path keyStorePasswordFile,
    long refreshMillis,
    int maxClients)
{
    /** Default port. */
    public static final int DEFAULT_PORT = 8470;
    /** Default push period. */
    public static final long DEFAULT_REFRESH_MILLIS = 1000;
    /** Default most event streams at once. */
    public static final int DEFAULT_MAX_CLIENTS = 16;

    /**
     * Loopback, no authentication, plain HTTP: the settings of {@code sluice demo}.
     *
     * @param port to listen on, 0 for a free one.
     * @return the settings.
     */
    public static DashboardSettings loopback(final int port)
    {
        return new DashboardSettings("127.0.0.1", port, null, null, false, null, null, DEFAULT_REFRESH_MILLIS, DEFAULT_MAX_CLIENTS);
    }
}
