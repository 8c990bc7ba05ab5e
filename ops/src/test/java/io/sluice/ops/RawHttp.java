package io.sluice.ops;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * HTTP/1.1 exchanges written by hand over a socket, so a test controls every byte a browser or an
 * attacker could send (Host, Origin, oversized headers, malformed bodies) — what {@code HttpClient}
 * refuses to send.
 *
 * @param status  of the response.
 * @param headers of the response, as received.
 * @param body    of the response.
 */
record RawHttp(int status, String headers, String body)
{
    static RawHttp exchange(final int port, final String method, final String path, final String extraHeaders, final String body)
        throws IOException
    {
        final String request = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nConnection: close\r\n" +
            extraHeaders + (body == null ? "" : "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n") + "\r\n" +
            (body == null ? "" : body);
        return send(port, request);
    }

    static RawHttp send(final int port, final String request) throws IOException
    {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port))
        {
            socket.setSoTimeout(60_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
            socket.getOutputStream().flush();
            final InputStream in = socket.getInputStream();
            final ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            final String text = out.toString(StandardCharsets.UTF_8);
            final int split = text.indexOf("\r\n\r\n");
            final String head = split < 0 ? text : text.substring(0, split);
            final String[] statusLine = head.split(" ", 3);
            return new RawHttp(Integer.parseInt(statusLine[1]), head, split < 0 ? "" : text.substring(split + 4));
        }
    }

    String header(final String name)
    {
        for (final String line : headers.split("\r\n"))
        {
            if (line.toLowerCase(Locale.ROOT).startsWith(name.toLowerCase(Locale.ROOT) + ":"))
            {
                return line.substring(name.length() + 1).trim();
            }
        }
        return null;
    }

    String cookie()
    {
        final String setCookie = header("Set-Cookie");
        return setCookie == null ? null : setCookie.substring(0, setCookie.indexOf(';'));
    }

    @Override
    public String toString()
    {
        return headers + "\n\n" + (body.length() > 2000 ? body.substring(0, 2000) + "..." : body);
    }
}
