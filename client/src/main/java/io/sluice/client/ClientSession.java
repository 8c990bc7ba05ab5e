package io.sluice.client;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import io.aeron.Aeron;
import io.aeron.ControlledFragmentAssembler;
import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.logbuffer.ControlledFragmentHandler;
import io.aeron.logbuffer.Header;
import io.sluice.client.wire.ConnectFlyweight;
import io.sluice.client.wire.ConnectedFlyweight;
import io.sluice.client.wire.ErrorCode;
import io.sluice.client.wire.ErrorFlyweight;
import io.sluice.client.wire.FrameDescriptor;
import io.sluice.client.wire.FrameFlyweight;
import io.sluice.client.wire.FrameValidator;

/**
 * The transport half shared by producer and consumer: the publication to the server, the
 * subscription for responses, the CONNECT handshake, heartbeats, and validation of every frame
 * received. Frames of other sessions sharing the response stream are skipped.
 *
 * <p>Threading: confined to the thread of its producer or consumer.
 */
final class ClientSession implements AutoCloseable
{
    /** Handles a valid frame of this session; returns an Aeron controlled-poll action. */
    interface FrameHandler
    {
        ControlledFragmentHandler.Action onFrame(int type, DirectBuffer buffer, int offset, int length);
    }

    private final ClientContext context;
    private final Aeron aeron;
    private final boolean ownsAeron;
    private final ExclusivePublication publication;
    private final Subscription subscription;
    private final ControlledFragmentAssembler assembler;
    private final UnsafeBuffer sendBuffer;
    private final FrameFlyweight header = new ConnectedFlyweight();
    private final ErrorFlyweight error = new ErrorFlyweight();
    private final IdleStrategy idle = new BackoffIdleStrategy(1, 10, 1_000, TimeUnit.MILLISECONDS.toNanos(1));
    private FrameHandler handler;
    private long sessionId;
    /** The Aeron session id of the image the server's CONNECTED came on: this session's response stream. */
    private int responseImageSessionId;
    private int lastImageSessionId;
    private int topicId = -1;
    private int eventLength;
    private int layoutFingerprint;
    private long heartbeatIntervalMs = 1_000;
    private long lastSendMs;
    private long malformedFrames;
    private long errorsReceived;
    private boolean closed;

    ClientSession(final ClientContext context, final int streamId, final String topic)
    {
        if (!context.isConcluded())
        {
            context.conclude();
        }
        this.context = context;
        this.ownsAeron = context.aeron() == null;
        this.aeron = ownsAeron ? ClientAeron.connect(context.aeronDirectoryName()) : context.aeron();
        this.sendBuffer = new UnsafeBuffer(new byte[context.maxFrameLength()]);
        this.assembler = new ControlledFragmentAssembler(this::onFragment);
        Subscription sub = null;
        ExclusivePublication pub = null;
        try
        {
            sub = aeron.addSubscription(context.responseChannel(), context.responseStreamId());
            pub = aeron.addExclusivePublication(context.serverChannel(), streamId);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(pub, sub);
            if (ownsAeron)
            {
                aeron.close();
            }
            throw ex;
        }
        this.subscription = sub;
        this.publication = pub;
        try
        {
            connect(topic);
        }
        catch (final RuntimeException ex)
        {
            close();
            throw ex;
        }
    }

    private void connect(final String topic)
    {
        final long deadline = System.currentTimeMillis() + context.connectTimeoutMs();
        while (!publication.isConnected())
        {
            awaitUntil(deadline, "the server at " + context.serverChannel() + " to connect");
        }
        final long correlationId = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
        final ConnectFlyweight connect = new ConnectFlyweight();
        connect.wrap(sendBuffer, 0, sendBuffer.capacity());
        final int length = connect.encode(correlationId, context.responseStreamId(), context.responseChannel(), topic);
        while (publication.offer(sendBuffer, 0, length) < 0)
        {
            awaitUntil(deadline, "the CONNECT to be sent");
        }
        final ConnectedFlyweight connected = new ConnectedFlyweight();
        final ClientException[] failure = new ClientException[1];
        handler = (type, buffer, offset, frameLength) ->
        {
            if (type == FrameDescriptor.TYPE_CONNECTED)
            {
                connected.wrap(buffer, offset, frameLength);
                if (connected.correlationId() == correlationId)
                {
                    responseImageSessionId = lastImageSessionId;
                    sessionId = connected.sessionId();
                    topicId = connected.topicId();
                    eventLength = connected.eventLength();
                    layoutFingerprint = connected.layoutFingerprint();
                    heartbeatIntervalMs = Math.max(1, connected.heartbeatIntervalMs());
                }
            }
            else if (type == FrameDescriptor.TYPE_ERROR)
            {
                error.wrap(buffer, offset, frameLength);
                if (error.reference() == correlationId)
                {
                    failure[0] = new ClientException(error.code(), "the server refused the session for topic '" + topic + "': " +
                        ErrorCode.name(error.code()) + ": " + error.message());
                }
            }
            return ControlledFragmentHandler.Action.CONTINUE;
        };
        while (sessionId == 0)
        {
            if (failure[0] != null)
            {
                throw failure[0];
            }
            if (subscription.controlledPoll(assembler, 16) == 0)
            {
                awaitUntil(deadline, "CONNECTED from the server (is the response channel " + context.responseChannel() +
                    " reachable from the server?)");
            }
        }
        handler = null;
        idle.reset();
        lastSendMs = System.currentTimeMillis();
    }

    private void awaitUntil(final long deadline, final String what)
    {
        if (System.currentTimeMillis() > deadline)
        {
            throw new ClientException(-1, "timed out after " + context.connectTimeoutMs() + " ms waiting for " + what);
        }
        idle.idle();
    }

    private ControlledFragmentHandler.Action onFragment(
        final DirectBuffer buffer, final int offset, final int length, final Header aeronHeader)
    {
        if (FrameValidator.validate(buffer, offset, length, context.maxFrameLength()) != ErrorCode.OK)
        {
            malformedFrames++;
            return ControlledFragmentHandler.Action.CONTINUE;
        }
        final int type = FrameValidator.type(buffer, offset);
        lastImageSessionId = aeronHeader.sessionId();
        header.wrap(buffer, offset, length);
        if (type != FrameDescriptor.TYPE_CONNECTED && header.sessionId() != sessionId)
        {
            return ControlledFragmentHandler.Action.CONTINUE; // another client's frame on a shared response stream
        }
        if (type == FrameDescriptor.TYPE_ERROR && sessionId != 0)
        {
            errorsReceived++;
            final ErrorListener listener = context.errorListener();
            if (listener != null)
            {
                error.wrap(buffer, offset, length);
                listener.onError(error.code(), error.reference(), error.message());
            }
        }
        return handler == null ? ControlledFragmentHandler.Action.CONTINUE : handler.onFrame(type, buffer, offset, length);
    }

    /**
     * Polls responses into a handler, and sends a HEARTBEAT when the session has been quiet.
     */
    int poll(final FrameHandler frameHandler, final int fragmentLimit)
    {
        checkOpen();
        handler = frameHandler;
        final int work = subscription.controlledPoll(assembler, fragmentLimit);
        final long now = System.currentTimeMillis();
        if (now - lastSendMs >= heartbeatIntervalMs)
        {
            final int length = header.wrap(sendBuffer, 0, sendBuffer.capacity()).encodeHeaderOnly(FrameDescriptor.TYPE_HEARTBEAT, sessionId);
            send(length);
        }
        return work;
    }

    /**
     * Offers a frame encoded in {@link #sendBuffer()}.
     *
     * @return Aeron's result: a new position, or a negative Publication code.
     */
    long send(final int length)
    {
        checkOpen();
        final long result = publication.offer(sendBuffer, 0, length);
        if (result > 0)
        {
            lastSendMs = System.currentTimeMillis();
        }
        return result;
    }

    /**
     * Offers a frame, retrying back-pressure until a deadline.
     */
    void sendBlocking(final int length, final long timeoutMs)
    {
        final long deadline = System.currentTimeMillis() + timeoutMs;
        long result;
        while ((result = send(length)) < 0)
        {
            if (result == Publication.CLOSED || result == Publication.MAX_POSITION_EXCEEDED ||
                System.currentTimeMillis() > deadline)
            {
                throw new ClientException(-1, "could not send a frame to the server: " + Publication.errorString(result));
            }
            idle.idle();
        }
        idle.reset();
    }

    UnsafeBuffer sendBuffer()
    {
        return sendBuffer;
    }

    void capHeartbeatInterval(final long intervalMs)
    {
        heartbeatIntervalMs = Math.max(1, Math.min(heartbeatIntervalMs, intervalMs));
    }

    long sessionId()
    {
        return sessionId;
    }

    int topicId()
    {
        return topicId;
    }

    int eventLength()
    {
        return eventLength;
    }

    int layoutFingerprint()
    {
        return layoutFingerprint;
    }

    long malformedFrames()
    {
        return malformedFrames;
    }

    long errorsReceived()
    {
        return errorsReceived;
    }

    /**
     * Whether the server's response stream of this session has gone (its image is no longer on the subscription): the
     * server closed the session, or lost its Aeron client. No ACK or record comes for it any more.
     */
    boolean responseStreamLost()
    {
        return !closed && subscription.imageBySessionId(responseImageSessionId) == null;
    }

    boolean isConnected()
    {
        return !closed && publication.isConnected();
    }

    IdleStrategy idle()
    {
        return idle;
    }

    private void checkOpen()
    {
        if (closed)
        {
            throw new ClientException(-1, "the session is closed");
        }
    }

    boolean isClosed()
    {
        return closed;
    }

    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        CloseHelper.quietCloseAll(publication, subscription);
        if (ownsAeron)
        {
            aeron.close();
        }
    }
}
