package io.sluice.ops.net;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.Locale;

import io.aeron.ChannelUri;
import io.sluice.client.ClientContext;
import io.sluice.ops.daemon.ConfigSection;
import io.sluice.ops.daemon.DaemonComponent;
import io.sluice.ops.daemon.DaemonComponentFactory;

/**
 * The daemon's {@code type: aeron} endpoints: an item under {@code ingress} accepts producers, one
 * under {@code egress} serves consumer groups, each a {@link NetServer} serving only that side, so
 * that ingress stops before the engine drains and egress only after the final checkpoint. Items with
 * the same {@code aeron_dir} share one embedded media driver and may share one channel (different
 * stream ids). Registered in {@code META-INF/services/io.sluice.ops.daemon.DaemonComponentFactory}.
 *
 * <pre>{@code
 * ingress:
 *   - type: aeron
 *     channel: aeron:udp?endpoint=127.0.0.1:40456   # default; or aeron:ipc
 *     aeron_dir: /dev/shm/sluice-aeron               # default <data_dir>/aeron
 *     thread: processing                             # default duties (see NetServerContext#onProcessingThread)
 * egress:
 *   - type: aeron                                    # same channel and driver, stream 1002
 * }</pre>
 *
 * <p>Every setting is checked here, while the configuration loads, and reported as
 * {@code ingress[0].<key>: <reason>}; see docs/daemon.md for the keys.
 */
public final class AeronComponentFactory implements DaemonComponentFactory
{
    /** The {@code type} of the configuration items this factory serves. */
    public static final String TYPE = "aeron";
    /** {@code thread:} the server's duty runs on the engine's background duties thread (the default). */
    static final String THREAD_DUTIES = "duties";
    /** {@code thread:} the server's duty runs on the first processing thread ({@link NetServerContext#onProcessingThread(boolean)}). */
    static final String THREAD_PROCESSING = "processing";

    /**
     * Creates the factory; {@link java.util.ServiceLoader} calls this.
     */
    public AeronComponentFactory()
    {
    }

    @Override
    public String type()
    {
        return TYPE;
    }

    @Override
    public DaemonComponent create(final DaemonComponent.Role role, final ConfigSection settings)
    {
        final boolean ingress = role == DaemonComponent.Role.INGRESS;
        final int before = errorCount(settings);
        final String channel = settings.string("channel", ClientContext.DEFAULT_SERVER_CHANNEL).trim();
        final boolean bindRemote = settings.bool("bind_remote", false);
        checkChannel(settings, channel, bindRemote);
        final Path aeronDir = settings.path("aeron_dir", false);
        final boolean embedded = settings.bool("embedded_media_driver", true);
        final int streamId = settings.integer("stream_id",
            ingress ? ClientContext.DEFAULT_INGRESS_STREAM_ID : ClientContext.DEFAULT_EGRESS_STREAM_ID, 1, Integer.MAX_VALUE);
        final int termBufferLength = size(settings, "term_buffer_length", 256 * 1024);
        if (Integer.bitCount(termBufferLength) != 1 || termBufferLength < 64 * 1024 || termBufferLength > 1024 * 1024 * 1024)
        {
            settings.error("term_buffer_length", "must be a power of two from 64k to 1g, was " + termBufferLength);
        }
        final int maxFrameLength = size(settings, "max_frame_length", 16 * 1024);
        if (maxFrameLength < 1024 || maxFrameLength > termBufferLength / 8)
        {
            settings.error("max_frame_length", "must be from 1k to term_buffer_length / 8 (" + termBufferLength / 8 +
                ", Aeron's largest message), was " + maxFrameLength);
        }
        final int maxSessions = settings.integer("max_sessions", 256, 1, 65_536);
        final long heartbeatMs = settings.durationMillis("heartbeat_interval", 250);
        final long connectTimeoutMs = settings.durationMillis("connect_timeout", 5_000);
        if (heartbeatMs < 1 || heartbeatMs > Integer.MAX_VALUE)
        {
            settings.error("heartbeat_interval", "must be at least 1ms, was " + heartbeatMs + "ms");
        }
        if (connectTimeoutMs < 1)
        {
            settings.error("connect_timeout", "must be at least 1ms, was " + connectTimeoutMs + "ms");
        }
        final boolean allowRemoteResponses = settings.bool("allow_remote_response_channels", false);
        int pendingAcks = 0;
        int recordType = 1;
        if (ingress)
        {
            pendingAcks = settings.integer("pending_acks_per_session", 4096, 1, 1 << 20);
            if (Integer.bitCount(pendingAcks) != 1)
            {
                settings.error("pending_acks_per_session", "must be a power of two, was " + pendingAcks);
            }
        }
        else
        {
            recordType = settings.integer("record_type", 1, 0, 65_535);
        }
        final String thread = settings.string("thread", THREAD_DUTIES).trim();
        if (!THREAD_DUTIES.equals(thread) && !THREAD_PROCESSING.equals(thread))
        {
            settings.error("thread", "must be '" + THREAD_DUTIES + "' (the background duties thread, the default) or '" + THREAD_PROCESSING +
                "' (the first processing thread, after its partitions' turns), was '" + io.sluice.engine.config.ConfigLimits.value(thread) + "'");
        }
        if (errorCount(settings) != before)
        {
            return null;
        }
        return new AeronComponent(role, settings.path(), new AeronComponent.Settings(channel, aeronDir, embedded, streamId,
            termBufferLength, maxFrameLength, maxSessions, (int)heartbeatMs, connectTimeoutMs, allowRemoteResponses, pendingAcks,
            recordType, THREAD_PROCESSING.equals(thread)));
    }

    private static void checkChannel(final ConfigSection settings, final String channel, final boolean bindRemote)
    {
        final ChannelUri uri;
        try
        {
            uri = ChannelUri.parse(channel);
        }
        catch (final RuntimeException ex)
        {
            settings.error("channel", "'" + channel + "' is not an Aeron channel URI (write e.g. aeron:udp?endpoint=127.0.0.1:40456 " +
                "or aeron:ipc): " + ex.getMessage());
            return;
        }
        if (uri.isIpc())
        {
            return;
        }
        if (!uri.isUdp())
        {
            settings.error("channel", "must be aeron:udp or aeron:ipc, was " + channel);
            return;
        }
        final String endpoint = uri.get("endpoint");
        final int colon = endpoint == null ? -1 : endpoint.lastIndexOf(':');
        if (colon <= 0)
        {
            settings.error("channel", "a UDP channel needs endpoint=HOST:PORT to listen on, e.g. aeron:udp?endpoint=127.0.0.1:40456");
            return;
        }
        final String host = endpoint.substring(0, colon).replace("[", "").replace("]", "");
        try
        {
            final int port = Integer.parseInt(endpoint.substring(colon + 1));
            if (port < 1 || port > 65_535)
            {
                settings.error("channel", "endpoint port must be in [1, 65535], was " + port);
            }
        }
        catch (final NumberFormatException ex)
        {
            settings.error("channel", "endpoint port '" + endpoint.substring(colon + 1) + "' is not a number");
        }
        if (!bindRemote && !isLoopback(host))
        {
            settings.error("channel", "endpoint host '" + host + "' is not a loopback address: set bind_remote: true to listen " +
                "beyond this host (there is no authentication on the wire)");
        }
    }

    private static boolean isLoopback(final String host)
    {
        try
        {
            return InetAddress.getByName(host).isLoopbackAddress();
        }
        catch (final UnknownHostException ex)
        {
            return false;
        }
    }

    /**
     * A byte size: a whole number with an optional k, m or g (powers of 1024).
     */
    private static int size(final ConfigSection settings, final String key, final int defaultValue)
    {
        final String text = settings.string(key, String.valueOf(defaultValue)).trim().toLowerCase(Locale.ROOT);
        long multiplier = 1;
        String digits = text;
        if (text.endsWith("k") || text.endsWith("m") || text.endsWith("g"))
        {
            multiplier = text.endsWith("k") ? 1L << 10 : text.endsWith("m") ? 1L << 20 : 1L << 30;
            digits = text.substring(0, text.length() - 1);
        }
        try
        {
            final long value = Long.parseLong(digits) * multiplier;
            if (value < 1 || value > Integer.MAX_VALUE)
            {
                settings.error(key, "must be from 1 to 2g bytes, was " + text);
                return defaultValue;
            }
            return (int)value;
        }
        catch (final NumberFormatException ex)
        {
            settings.error(key, "'" + io.sluice.engine.config.ConfigLimits.value(text) + "' is not a size (write bytes, or e.g. 64k, 1m)");
            return defaultValue;
        }
    }

    private static int errorCount(final ConfigSection settings)
    {
        return settings.errorCount();
    }
}
