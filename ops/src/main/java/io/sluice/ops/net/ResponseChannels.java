package io.sluice.ops.net;

import java.net.InetAddress;
import java.net.UnknownHostException;

import io.aeron.ChannelUri;
import io.sluice.client.wire.ErrorCode;

/**
 * Decides whether the server may publish to a response channel a client named. By default only IPC
 * and UDP endpoints on loopback: otherwise a client could aim the server's datagrams at any address.
 * Allocates (parsing): CONNECT only.
 */
final class ResponseChannels
{
    private ResponseChannels()
    {
    }

    static int check(final String channel, final boolean allowRemote)
    {
        final ChannelUri uri;
        try
        {
            uri = ChannelUri.parse(channel);
        }
        catch (final RuntimeException ex)
        {
            return ErrorCode.CHANNEL_REJECTED;
        }
        if ("ipc".equals(uri.media()))
        {
            return ErrorCode.OK;
        }
        if (!"udp".equals(uri.media()))
        {
            return ErrorCode.CHANNEL_REJECTED;
        }
        final String endpoint = uri.get("endpoint");
        if (endpoint == null || uri.get("control") != null)
        {
            return ErrorCode.CHANNEL_REJECTED;
        }
        if (allowRemote)
        {
            return ErrorCode.OK;
        }
        final int colon = endpoint.lastIndexOf(':');
        final String host = colon < 0 ? endpoint : endpoint.substring(0, colon);
        if (host.startsWith("127.") || "localhost".equals(host) || "[::1]".equals(host))
        {
            try
            {
                return InetAddress.getByName(host.replace("[", "").replace("]", "")).isLoopbackAddress() ?
                    ErrorCode.OK : ErrorCode.CHANNEL_REJECTED;
            }
            catch (final UnknownHostException ex)
            {
                return ErrorCode.CHANNEL_REJECTED;
            }
        }
        return ErrorCode.CHANNEL_REJECTED;
    }
}
