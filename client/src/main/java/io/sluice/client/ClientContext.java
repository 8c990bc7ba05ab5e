package io.sluice.client;

import io.aeron.Aeron;

/**
 * Settings of a {@link SluiceProducer} or {@link SluiceConsumer}, with fluent setters and one
 * {@link #conclude()} that checks them. Defaults reach a daemon on this host over UDP loopback.
 *
 * <p>The client needs a media driver: pass an {@link Aeron} already connected to one, or the driver's
 * directory and the client connects (and closes) its own.
 */
public final class ClientContext
{
    /** Default channel of the server: UDP on loopback. */
    public static final String DEFAULT_SERVER_CHANNEL = "aeron:udp?endpoint=127.0.0.1:40456";
    /** Default stream id of producers (ingress). */
    public static final int DEFAULT_INGRESS_STREAM_ID = 1001;
    /** Default stream id of consumers (egress control). */
    public static final int DEFAULT_EGRESS_STREAM_ID = 1002;

    private Aeron aeron;
    private String aeronDirectoryName;
    private String serverChannel = DEFAULT_SERVER_CHANNEL;
    private int ingressStreamId = DEFAULT_INGRESS_STREAM_ID;
    private int egressStreamId = DEFAULT_EGRESS_STREAM_ID;
    private String responseChannel = "aeron:ipc";
    private int responseStreamId = 2001;
    private long connectTimeoutMs = 5_000;
    private int maxFrameLength = 64 * 1024;
    private ErrorListener errorListener;
    private boolean concluded;

    /**
     * Checks the settings.
     *
     * @return this.
     * @throws ClientException naming the setting and the reason.
     */
    public ClientContext conclude()
    {
        if (aeron == null && (aeronDirectoryName == null || aeronDirectoryName.isEmpty()))
        {
            throw new ClientException(-1, "client setting 'aeron' or 'aeronDirectoryName' is required");
        }
        require(serverChannel, "serverChannel");
        require(responseChannel, "responseChannel");
        if (responseChannel.length() > io.sluice.client.wire.FrameValidator.MAX_CHANNEL_LENGTH)
        {
            throw new ClientException(-1, "client setting 'responseChannel' is longer than " +
                io.sluice.client.wire.FrameValidator.MAX_CHANNEL_LENGTH + " characters");
        }
        if (connectTimeoutMs <= 0)
        {
            throw new ClientException(-1, "client setting 'connectTimeoutMs' must be positive, was " + connectTimeoutMs);
        }
        concluded = true;
        return this;
    }

    private static void require(final String value, final String name)
    {
        if (value == null || value.isEmpty())
        {
            throw new ClientException(-1, "client setting '" + name + "' is required");
        }
    }

    boolean isConcluded()
    {
        return concluded;
    }

    /**
     * Sets an Aeron client to use; the producer or consumer does not close it.
     *
     * @param aeron connected to a media driver.
     * @return this.
     */
    public ClientContext aeron(final Aeron aeron)
    {
        this.aeron = aeron;
        return this;
    }

    /**
     * The Aeron client given, or null.
     *
     * @return the Aeron client.
     */
    public Aeron aeron()
    {
        return aeron;
    }

    /**
     * Sets the directory of the media driver to connect to when no Aeron client is given.
     *
     * @param aeronDirectoryName of the media driver.
     * @return this.
     */
    public ClientContext aeronDirectoryName(final String aeronDirectoryName)
    {
        this.aeronDirectoryName = aeronDirectoryName;
        return this;
    }

    /**
     * The media driver directory.
     *
     * @return the directory name.
     */
    public String aeronDirectoryName()
    {
        return aeronDirectoryName;
    }

    /**
     * Sets the server's channel.
     *
     * @param serverChannel an Aeron channel URI.
     * @return this.
     */
    public ClientContext serverChannel(final String serverChannel)
    {
        this.serverChannel = serverChannel;
        return this;
    }

    /**
     * The server's channel.
     *
     * @return the channel URI.
     */
    public String serverChannel()
    {
        return serverChannel;
    }

    /**
     * Sets the producers' stream id.
     *
     * @param ingressStreamId stream id.
     * @return this.
     */
    public ClientContext ingressStreamId(final int ingressStreamId)
    {
        this.ingressStreamId = ingressStreamId;
        return this;
    }

    /**
     * The producers' stream id.
     *
     * @return stream id.
     */
    public int ingressStreamId()
    {
        return ingressStreamId;
    }

    /**
     * Sets the consumers' stream id.
     *
     * @param egressStreamId stream id.
     * @return this.
     */
    public ClientContext egressStreamId(final int egressStreamId)
    {
        this.egressStreamId = egressStreamId;
        return this;
    }

    /**
     * The consumers' stream id.
     *
     * @return stream id.
     */
    public int egressStreamId()
    {
        return egressStreamId;
    }

    /**
     * Sets the channel the server sends this client's responses to (ACK, ERROR, ASSIGNMENT, RECORD):
     * IPC on the same host, or a UDP endpoint of this host. Clients may share one; each takes only
     * the frames of its session.
     *
     * @param responseChannel an Aeron channel URI.
     * @return this.
     */
    public ClientContext responseChannel(final String responseChannel)
    {
        this.responseChannel = responseChannel;
        return this;
    }

    /**
     * The response channel.
     *
     * @return the channel URI.
     */
    public String responseChannel()
    {
        return responseChannel;
    }

    /**
     * Sets the response stream id.
     *
     * @param responseStreamId stream id.
     * @return this.
     */
    public ClientContext responseStreamId(final int responseStreamId)
    {
        this.responseStreamId = responseStreamId;
        return this;
    }

    /**
     * The response stream id.
     *
     * @return stream id.
     */
    public int responseStreamId()
    {
        return responseStreamId;
    }

    /**
     * Sets how long connecting may take.
     *
     * @param connectTimeoutMs milliseconds.
     * @return this.
     */
    public ClientContext connectTimeoutMs(final long connectTimeoutMs)
    {
        this.connectTimeoutMs = connectTimeoutMs;
        return this;
    }

    /**
     * How long connecting may take.
     *
     * @return milliseconds.
     */
    public long connectTimeoutMs()
    {
        return connectTimeoutMs;
    }

    /**
     * Sets the longest frame the client accepts from the server.
     *
     * @param maxFrameLength bytes.
     * @return this.
     */
    public ClientContext maxFrameLength(final int maxFrameLength)
    {
        this.maxFrameLength = maxFrameLength;
        return this;
    }

    /**
     * The longest frame accepted.
     *
     * @return bytes.
     */
    public int maxFrameLength()
    {
        return maxFrameLength;
    }

    /**
     * Sets the listener for ERROR frames.
     *
     * @param errorListener called on the polling thread; null to only count them.
     * @return this.
     */
    public ClientContext errorListener(final ErrorListener errorListener)
    {
        this.errorListener = errorListener;
        return this;
    }

    /**
     * The error listener.
     *
     * @return the listener, or null.
     */
    public ErrorListener errorListener()
    {
        return errorListener;
    }
}
