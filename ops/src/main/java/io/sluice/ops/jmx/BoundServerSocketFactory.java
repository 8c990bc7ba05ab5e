package io.sluice.ops.jmx;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.rmi.server.RMIServerSocketFactory;
import java.util.Objects;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;

/**
 * Server sockets for the RMI registry and the JMX connector bound to one address (loopback unless
 * configured), optionally TLS. Equal factories let RMI share one port between registry and connector.
 */
final class BoundServerSocketFactory implements RMIServerSocketFactory
{
    private final InetAddress address;
    private final SSLContext sslContext;

    BoundServerSocketFactory(final InetAddress address, final SSLContext sslContext)
    {
        this.address = address;
        this.sslContext = sslContext;
    }

    @Override
    public ServerSocket createServerSocket(final int port) throws IOException
    {
        if (sslContext == null)
        {
            return new ServerSocket(port, 50, address);
        }
        final SSLServerSocket socket = (SSLServerSocket)sslContext.getServerSocketFactory().createServerSocket(port, 50, address);
        socket.setEnabledProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
        return socket;
    }

    @Override
    public boolean equals(final Object other)
    {
        return other instanceof BoundServerSocketFactory && ((BoundServerSocketFactory)other).address.equals(address) &&
            ((BoundServerSocketFactory)other).sslContext == sslContext;
    }

    @Override
    public int hashCode()
    {
        return Objects.hash(address, sslContext == null);
    }
}
