package io.sluice.kafka;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A TCP proxy on loopback that forwards every connection to a target port and can hold all traffic
 * ({@link #pause()}) without closing anything: what it reads meanwhile is kept and forwarded once
 * {@link #resume()}d. Clients behind it see a broker that stopped answering (their requests time out and
 * are retried), not one that went away, so their cached metadata stays.
 */
final class PausableProxy implements AutoCloseable
{
    private final ServerSocket server;
    private final int target;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile boolean paused;
    private volatile boolean closed;

    /**
     * @param port   to listen on.
     * @param target port to forward to.
     * @throws IOException if the port cannot be bound.
     */
    PausableProxy(final int port, final int target) throws IOException
    {
        this.target = target;
        this.server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        final Thread acceptor = new Thread(this::accept, "proxy-accept-" + port);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Holds all traffic from now on, both ways. */
    void pause()
    {
        paused = true;
    }

    /** Forwards what was held, and all traffic from now on. */
    void resume()
    {
        paused = false;
    }

    private void accept()
    {
        while (!closed)
        {
            try
            {
                final Socket client = server.accept();
                final Socket upstream = new Socket(InetAddress.getLoopbackAddress(), target);
                sockets.add(client);
                sockets.add(upstream);
                pump(client, upstream);
                pump(upstream, client);
            }
            catch (final IOException ex)
            {
                // closed, or the target refused: the client sees its connection fail and retries
            }
        }
    }

    private void pump(final Socket from, final Socket to)
    {
        final Thread thread = new Thread(() ->
        {
            final byte[] chunk = new byte[64 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream())
            {
                int read;
                while ((read = in.read(chunk)) >= 0)
                {
                    while (paused && !closed)
                    {
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
                    }
                    out.write(chunk, 0, read);
                    out.flush();
                }
            }
            catch (final IOException ex)
            {
                // one side closed
            }
            finally
            {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "proxy-pump");
        thread.setDaemon(true);
        thread.start();
    }

    private static void closeQuietly(final Socket socket)
    {
        try
        {
            socket.close();
        }
        catch (final IOException ignore)
        {
            // already closed
        }
    }

    @Override
    public void close() throws IOException
    {
        closed = true;
        server.close();
        for (final Socket socket : sockets)
        {
            closeQuietly(socket);
        }
    }
}
