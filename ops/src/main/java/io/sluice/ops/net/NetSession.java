package io.sluice.ops.net;

import org.agrona.concurrent.UnsafeBuffer;

import io.aeron.ExclusivePublication;
import io.sluice.client.wire.AckFlyweight;
import io.sluice.client.wire.ConnectedFlyweight;
import io.sluice.client.wire.ErrorCode;
import io.sluice.client.wire.ErrorFlyweight;

/**
 * What producer and consumer sessions share: the client's identity (the Aeron image it sends on),
 * its response publication, the handshake state, and the encoding of responses (the session is its
 * own proxy). Error messages are constant strings per code so a flood of bad frames allocates nothing.
 *
 * <p>Threading: the server agent's thread only.
 */
abstract class NetSession
{
    private static final String[] MESSAGES = new String[ErrorCode.CODE_COUNT];

    static
    {
        for (int code = 0; code < ErrorCode.CODE_COUNT; code++)
        {
            MESSAGES[code] = "rejected: " + ErrorCode.name(code);
        }
    }

    final long sessionId;
    final int imageSessionId;
    final long correlationId;
    final ExclusivePublication publication;
    final NetCounters counters;
    private final UnsafeBuffer sendBuffer = new UnsafeBuffer(new byte[1024]);
    private final AckFlyweight ack = new AckFlyweight();
    private final ErrorFlyweight error = new ErrorFlyweight();
    private final ConnectedFlyweight connected = new ConnectedFlyweight();
    private final long connectDeadlineMs;
    private boolean connectedSent;
    private int refusal;
    private String refusalMessage;
    long lastHeardMs;

    NetSession(final long sessionId, final int imageSessionId, final long correlationId, final ExclusivePublication publication,
        final NetCounters counters, final long nowMs, final long connectTimeoutMs)
    {
        this.sessionId = sessionId;
        this.imageSessionId = imageSessionId;
        this.correlationId = correlationId;
        this.publication = publication;
        this.counters = counters;
        this.connectDeadlineMs = nowMs + connectTimeoutMs;
        this.lastHeardMs = nowMs;
    }

    /**
     * Marks a session refused at CONNECT: it sends this ERROR, with a message that says why, instead of
     * CONNECTED, then closes. The message is built once per refused session, off the event path.
     *
     * @param code    the {@link ErrorCode}.
     * @param message for the client, ASCII, truncated to the frame's limit.
     */
    void refuse(final int code, final String message)
    {
        refusal = code;
        refusalMessage = message;
    }

    boolean isActive()
    {
        return connectedSent && refusal == 0;
    }

    /**
     * Completes the handshake once the response publication connects.
     *
     * @return 1 if sent, 0 if still waiting, -1 if the session should be closed (timed out, or refused).
     */
    int serviceConnect(final long nowMs)
    {
        if (connectedSent)
        {
            return 0;
        }
        if (nowMs > connectDeadlineMs)
        {
            return -1;
        }
        if (!publication.isConnected())
        {
            return 0;
        }
        if (refusal != 0)
        {
            error.wrap(sendBuffer, 0, sendBuffer.capacity());
            // Offered again on the next duty cycle until sent (or the connect deadline): the client waits for this frame.
            return publication.offer(sendBuffer, 0, error.encode(0, refusal, correlationId, refusalMessage)) > 0 ? -1 : 0;
        }
        connected.wrap(sendBuffer, 0, sendBuffer.capacity());
        final int length = connected.encode(sessionId, correlationId, topicId(), eventLength(), heartbeatIntervalMs(),
            layoutFingerprint());
        if (publication.offer(sendBuffer, 0, length) > 0)
        {
            connectedSent = true;
            return 1;
        }
        return 0;
    }

    abstract int topicId();

    abstract int eventLength();

    abstract int layoutFingerprint();

    abstract int heartbeatIntervalMs();

    boolean sendAck(final int level, final long sequence)
    {
        ack.wrap(sendBuffer, 0, sendBuffer.capacity());
        final boolean sent = publication.offer(sendBuffer, 0, ack.encode(sessionId, level, sequence)) > 0;
        if (sent)
        {
            counters.acksOut.incrementRelease();
        }
        return sent;
    }

    /**
     * Best effort: an ERROR that cannot be sent now is dropped (the frame was counted already).
     */
    void sendError(final int code, final long reference)
    {
        if (connectedSent)
        {
            error.wrap(sendBuffer, 0, sendBuffer.capacity());
            publication.offer(sendBuffer, 0, error.encode(sessionId, code, reference, MESSAGES[code]));
        }
    }

    /**
     * An ERROR with a specific message (control path only: a failed join or commit).
     */
    void sendError(final int code, final long reference, final String message)
    {
        if (connectedSent)
        {
            error.wrap(sendBuffer, 0, sendBuffer.capacity());
            publication.offer(sendBuffer, 0, error.encode(sessionId, code, reference, message));
        }
    }

    void close()
    {
        publication.close();
    }
}
