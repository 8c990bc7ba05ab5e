package io.sluice.ops.stat;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.agrona.concurrent.status.CountersReader;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * Serves the counters file as Prometheus text exposition on {@code GET /metrics}, from one
 * low-priority thread, bound to loopback unless configured. Each counter becomes
 * {@code sluice_<name>{topic=..,partition=..,pipeline=..} <value>}.
 *
 * <p>Threading: started and closed on the control thread; requests on {@code sluice-prometheus}.
 */
public final class PrometheusEndpoint implements AutoCloseable
{
    private final HttpServer server;
    private final ExecutorService executor;

    private PrometheusEndpoint(final HttpServer server, final ExecutorService executor)
    {
        this.server = server;
        this.executor = executor;
    }

    /**
     * Starts the endpoint.
     *
     * @param host     to bind.
     * @param port     to listen on, 0 for a free one.
     * @param counters read per request.
     * @return the running endpoint.
     */
    public static PrometheusEndpoint start(final String host, final int port, final CountersReader counters)
    {
        try
        {
            final HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(host), port), 16);
            final ExecutorService executor = Executors.newSingleThreadExecutor(runnable ->
            {
                final Thread thread = new Thread(runnable, "sluice-prometheus");
                thread.setDaemon(true);
                thread.setPriority(Thread.MIN_PRIORITY);
                return thread;
            });
            server.setExecutor(executor);
            server.createContext("/metrics", exchange -> serve(exchange, counters));
            server.start();
            return new PrometheusEndpoint(server, executor);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot start the Prometheus endpoint on " + host + ":" + port, ex);
        }
    }

    private static void serve(final HttpExchange exchange, final CountersReader counters) throws IOException
    {
        try (exchange)
        {
            if (!"GET".equals(exchange.getRequestMethod()))
            {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            final StringBuilder text = new StringBuilder(8192);
            PrometheusFormat.samples(counters, text);
            final byte[] body = text.toString().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody())
            {
                out.write(body);
            }
        }
    }

    /**
     * The port it listens on.
     *
     * @return the port.
     */
    public int port()
    {
        return server.getAddress().getPort();
    }

    @Override
    public void close()
    {
        server.stop(0);
        executor.shutdownNow();
    }
}
