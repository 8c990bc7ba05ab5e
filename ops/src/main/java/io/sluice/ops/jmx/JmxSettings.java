package io.sluice.ops.jmx;

import java.nio.file.Path;

/**
 * Settings of the daemon's JMX connector server (the {@code jmx} section of its configuration).
 *
 * @param enabled              whether the connector server runs.
 * @param host                 the address the RMI registry and connector bind to and that stubs name
 *                             (loopback by default).
 * @param port                 of both the RMI registry and the connector (0: a free port, written to
 *                             the mark file).
 * @param passwordFile         JDK-format password file ({@code user password} per line), or null for
 *                             no authentication (loopback only).
 * @param accessFile           JDK-format access file ({@code user readonly|readwrite}), or null.
 * @param tls                  whether the registry and the connector run over TLS.
 * @param keyStore             the server's key store (PKCS12 or JKS) for TLS.
 * @param keyStorePasswordFile holding the key store password on its first line.
 */
public record JmxSettings(
    boolean enabled, String host, int port, Path passwordFile, Path accessFile, boolean tls, Path keyStore, Path keyStorePasswordFile)
{
}
