package io.sluice.ops.stat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.status.CountersReader;

import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * Serves Sluice's counters and the JVM's metrics on {@code GET /metrics} in the Prometheus text format,
 * from one low-priority thread, bound to a loopback address (the configuration refuses any other: there
 * is no authentication). The figures come from the official Prometheus Java client: a
 * {@link PrometheusRegistry} holding a {@link SluiceCollector} over the counters, the client's
 * {@link JvmMetrics} (memory, GC, threads, classes, buffer pools...) and {@link SafepointMetrics}, written
 * by its {@link PrometheusTextFormatWriter}; docs/metrics.md lists every family.
 *
 * <p>A minimal HTTP/1.1 server, one request per connection ({@code Connection: close}): a client has
 * {@value #REQUEST_TIMEOUT_MS} ms in all to send its request line and headers, at most
 * {@value #MAX_REQUEST_BYTES} bytes of them, or the connection is dropped, so a half-sent request
 * delays other scrapes by at most that long and never blocks the endpoint.
 *
 * <p>Threading: started and closed on the control thread; requests on {@code sluice-prometheus}.
 */
public final class PrometheusEndpoint implements AutoCloseable
{
    /** Time a client has to send its whole request, in milliseconds. */
    public static final int REQUEST_TIMEOUT_MS = 5_000;

    /** Longest request line and headers, in bytes. */
    public static final int MAX_REQUEST_BYTES = 8 * 1024;

    private final ServerSocket server;
    private final PrometheusRegistry registry;
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private final ByteArrayOutputStream body = new ByteArrayOutputStream(64 * 1024);
    private final Thread thread;
    private volatile boolean running = true;

    private PrometheusEndpoint(final ServerSocket server, final PrometheusRegistry registry)
    {
        this.server = server;
        this.registry = registry;
        this.thread = new Thread(this::run, "sluice-prometheus");
        this.thread.setDaemon(true);
        this.thread.setPriority(Thread.MIN_PRIORITY);
    }

    /**
     * Starts the endpoint with Sluice's counters and the JVM's metrics.
     *
     * @param host     to bind.
     * @param port     to listen on, 0 for a free one.
     * @param counters read per request.
     * @return the running endpoint.
     */
    public static PrometheusEndpoint start(final String host, final int port, final CountersReader counters)
    {
        return start(host, port, registry(counters));
    }

    /**
     * The registry the endpoint serves: Sluice's counters, the JVM's metrics and its safepoints.
     *
     * @param counters read per scrape.
     * @return a new registry.
     */
    public static PrometheusRegistry registry(final CountersReader counters)
    {
        final PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(new SluiceCollector(counters));
        JvmMetrics.builder().register(registry);
        SafepointMetrics.register(registry);
        return registry;
    }

    /**
     * Starts the endpoint over a registry.
     *
     * @param host     to bind.
     * @param port     to listen on, 0 for a free one.
     * @param registry scraped per request.
     * @return the running endpoint.
     */
    public static PrometheusEndpoint start(final String host, final int port, final PrometheusRegistry registry)
    {
        try
        {
            final ServerSocket server = new ServerSocket();
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(InetAddress.getByName(host), port), 16);
            final PrometheusEndpoint endpoint = new PrometheusEndpoint(server, registry);
            endpoint.thread.start();
            return endpoint;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot start the Prometheus endpoint on " + host + ":" + port, ex);
        }
    }

    private void run()
    {
        while (running)
        {
            try (Socket socket = server.accept())
            {
                serve(socket);
            }
            catch (final IOException ex)
            {
                // A client that went away or timed out, or the server socket closed: next connection.
            }
        }
    }

    private void serve(final Socket socket) throws IOException
    {
        final String requestLine = readRequest(socket);
        if (requestLine == null)
        {
            return; // too slow, too long or gone: dropped without an answer
        }
        final String[] parts = requestLine.split(" ", 3);
        final OutputStream out = socket.getOutputStream();
        if (parts.length < 2 || !parts[0].equals("GET"))
        {
            respond(out, "405 Method Not Allowed", new byte[0]);
            return;
        }
        final String path = parts[1].indexOf('?') >= 0 ? parts[1].substring(0, parts[1].indexOf('?')) : parts[1];
        if (!path.equals("/metrics"))
        {
            respond(out, "404 Not Found", new byte[0]);
            return;
        }
        body.reset();
        try
        {
            writer.write(body, registry.scrape(), EscapingScheme.UNDERSCORE_ESCAPING);
        }
        catch (final RuntimeException ex)
        {
            // A collector that fails (a counter the exporter cannot map) fails this scrape, not the endpoint's thread:
            // the scraper sees a 500 with the reason and the next scrape is served.
            respond(out, "500 Internal Server Error", ("scrape failed: " + ex).getBytes(StandardCharsets.UTF_8));
            return;
        }
        respond(out, "200 OK", body.toByteArray());
    }

    /**
     * Reads the request line and headers within the deadline.
     *
     * @return the request line, or null if the request was incomplete in time or too long.
     */
    private static String readRequest(final Socket socket) throws IOException
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(REQUEST_TIMEOUT_MS);
        final InputStream in = socket.getInputStream();
        final byte[] request = new byte[MAX_REQUEST_BYTES];
        int length = 0;
        while (true)
        {
            final long remainingMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (remainingMs <= 0 || length == request.length)
            {
                return null;
            }
            socket.setSoTimeout((int)remainingMs);
            final int read;
            try
            {
                read = in.read(request, length, request.length - length);
            }
            catch (final SocketTimeoutException ex)
            {
                return null;
            }
            if (read < 0)
            {
                return null;
            }
            length += read;
            final int end = headersEnd(request, length);
            if (end >= 0)
            {
                int lineEnd = 0;
                while (lineEnd < end && request[lineEnd] != '\r' && request[lineEnd] != '\n')
                {
                    lineEnd++;
                }
                return new String(request, 0, lineEnd, StandardCharsets.ISO_8859_1);
            }
        }
    }

    private static int headersEnd(final byte[] request, final int length)
    {
        for (int i = 0; i + 1 < length; i++)
        {
            if (request[i] == '\n' && (request[i + 1] == '\n' || (request[i + 1] == '\r' && i + 2 < length && request[i + 2] == '\n')))
            {
                return i;
            }
        }
        return -1;
    }

    private static void respond(final OutputStream out, final String status, final byte[] body) throws IOException
    {
        final String head = "HTTP/1.1 " + status + "\r\n" +
            (body.length == 0 ? "" : "Content-Type: " + (status.startsWith("200") ? PrometheusTextFormatWriter.CONTENT_TYPE :
                "text/plain; charset=utf-8") + "\r\n") +
            "Content-Length: " + body.length + "\r\nConnection: close\r\n\r\n";
        out.write(head.getBytes(StandardCharsets.ISO_8859_1));
        out.write(body);
        out.flush();
    }

    /**
     * The port it listens on.
     *
     * @return the port.
     */
    public int port()
    {
        return server.getLocalPort();
    }

    @Override
    public void close()
    {
        running = false;
        try
        {
            server.close();
        }
        catch (final IOException ex)
        {
            // Closing a listening socket loses nothing.
        }
        try
        {
            thread.join(TimeUnit.MILLISECONDS.toMillis(REQUEST_TIMEOUT_MS) + 1_000);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
