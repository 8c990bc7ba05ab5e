package io.sluice.client;

import org.agrona.DirectBuffer;

import io.aeron.Publication;
import io.aeron.logbuffer.ControlledFragmentHandler;
import io.sluice.client.wire.AckFlyweight;
import io.sluice.client.wire.Durability;
import io.sluice.client.wire.FrameDescriptor;
import io.sluice.client.wire.PublishFlyweight;
import io.sluice.schema.Schema;

/**
 * Publishes events of one topic to a Sluice daemon over Aeron and tracks their acknowledgements.
 *
 * <pre>{@code
 * try (SluiceProducer producer = SluiceProducer.connect(context, "trades"))
 * {
 *     final long sequence = producer.offer(event, 0, Durability.JOURNALED);
 *     if (sequence == SluiceProducer.BACK_PRESSURED) { ... poll, idle, offer again ... }
 *     producer.poll();                       // takes ACKs: producer.journaledSequence()
 * }
 * }</pre>
 *
 * <p>Back-pressure: when the daemon's ring for the event's partition is full, the daemon stops
 * reading this producer's stream, Aeron's flow control fills the window, and {@link #offer} returns
 * {@link #BACK_PRESSURED}: the event was not sent and takes no sequence; offer it again later.
 * An event is safe once an ACK at its level covers its sequence; until then, keep it to resend
 * after a reconnect.
 *
 * <p>Threading: not thread-safe; one producing thread calls offer and poll.
 */
public final class SluiceProducer implements AutoCloseable
{
    /** {@link #offer} result: the window is full (the daemon pushes back); try again later. */
    public static final long BACK_PRESSURED = -2;
    /** {@link #offer} result: the daemon is not connected. */
    public static final long NOT_CONNECTED = -1;
    /** {@link #offer} result: Aeron is rotating its log; try again at once. */
    public static final long ADMIN_ACTION = -3;
    /** {@link #offer} result: the session is closed. */
    public static final long CLOSED = -4;

    private final ClientSession session;
    private final PublishFlyweight publish = new PublishFlyweight();
    private final AckFlyweight ack = new AckFlyweight();
    private final ClientSession.FrameHandler onFrame = this::onFrame;
    private long lastSequence;
    private long journaledSequence;
    private long durableSequence;
    private long backPressured;

    private SluiceProducer(final ClientSession session)
    {
        this.session = session;
    }

    /**
     * Connects a producer for a topic, blocking until the daemon accepts the session.
     *
     * @param context settings; concluded if it was not.
     * @param topic   an ingress topic of the daemon.
     * @return the connected producer.
     * @throws ClientException if the daemon is not reached in time or refuses the topic.
     */
    public static SluiceProducer connect(final ClientContext context, final String topic)
    {
        return new SluiceProducer(new ClientSession(context, context.ingressStreamId(), topic));
    }

    /**
     * Offers one event. Does not block and does not allocate.
     *
     * @param event      holding the event in the topic's layout ({@link #eventLength()} bytes).
     * @param offset     of the event.
     * @param durability {@link Durability#JOURNALED} or {@link Durability#DURABLE}.
     * @return the event's producer sequence (positive), or {@link #BACK_PRESSURED}, {@link #NOT_CONNECTED},
     *         {@link #ADMIN_ACTION} or {@link #CLOSED} when it was not sent.
     */
    public long offer(final DirectBuffer event, final int offset, final int durability)
    {
        if (session.isClosed())
        {
            return CLOSED;
        }
        final long sequence = lastSequence + 1;
        publish.wrap(session.sendBuffer(), 0, session.sendBuffer().capacity());
        final int length = publish.encode(session.sessionId(), session.topicId(), durability, sequence, event, offset,
            session.eventLength());
        final long result = session.send(length);
        if (result > 0)
        {
            lastSequence = sequence;
            return sequence;
        }
        if (result == Publication.BACK_PRESSURED)
        {
            backPressured++;
            return BACK_PRESSURED;
        }
        if (result == Publication.ADMIN_ACTION)
        {
            return ADMIN_ACTION;
        }
        return result == Publication.NOT_CONNECTED ? NOT_CONNECTED : CLOSED;
    }

    /**
     * Takes ACK and ERROR frames, and heartbeats when idle.
     *
     * @return the number of fragments read, 0 when idle.
     */
    public int poll()
    {
        return session.poll(onFrame, 64);
    }

    /**
     * Polls until every event up to a sequence is acknowledged at a level, or the time is up.
     *
     * @param sequence  to wait for.
     * @param level     {@link Durability#JOURNALED} or {@link Durability#DURABLE}.
     * @param timeoutMs longest wait.
     * @return true if acknowledged in time.
     */
    public boolean awaitAcknowledged(final long sequence, final int level, final long timeoutMs)
    {
        final long deadline = System.currentTimeMillis() + timeoutMs;
        while ((level == Durability.DURABLE ? durableSequence : journaledSequence) < sequence)
        {
            if (System.currentTimeMillis() > deadline)
            {
                return false;
            }
            session.idle().idle(poll());
        }
        return true;
    }

    private ControlledFragmentHandler.Action onFrame(final int type, final DirectBuffer buffer, final int offset, final int length)
    {
        if (type == FrameDescriptor.TYPE_ACK)
        {
            ack.wrap(buffer, offset, length);
            final long sequence = ack.sequence();
            if (ack.level() == Durability.JOURNALED)
            {
                journaledSequence = Math.max(journaledSequence, sequence);
            }
            else if (ack.level() == Durability.DURABLE)
            {
                durableSequence = Math.max(durableSequence, sequence);
                journaledSequence = Math.max(journaledSequence, sequence);
            }
        }
        return ControlledFragmentHandler.Action.CONTINUE;
    }

    /**
     * Whether the daemon has dropped this producer's session: its response stream is gone (the daemon closed the
     * session, e.g. after this producer's stream was unavailable to it for a while, or the daemon lost its Aeron
     * client). The producer's publication may still be connected and {@link #offer} still succeed, but no ACK
     * follows: close it, connect a new producer and resend the events not yet acknowledged. Does not allocate.
     *
     * @return true once the session is gone.
     */
    public boolean sessionLost()
    {
        return session.responseStreamLost();
    }

    /**
     * The sequence of the last event sent.
     *
     * @return the sequence, 0 before the first.
     */
    public long lastSequence()
    {
        return lastSequence;
    }

    /**
     * The highest sequence acknowledged JOURNALED: every event up to it that was not answered with
     * an ERROR survives a crash of the daemon.
     *
     * @return the sequence, 0 before the first ACK.
     */
    public long journaledSequence()
    {
        return journaledSequence;
    }

    /**
     * The highest sequence acknowledged DURABLE: every event up to it that asked for DURABLE and was
     * not answered with an ERROR survives power loss.
     *
     * @return the sequence, 0 before the first ACK.
     */
    public long durableSequence()
    {
        return durableSequence;
    }

    /**
     * How often {@link #offer} returned {@link #BACK_PRESSURED}.
     *
     * @return the count.
     */
    public long backPressureCount()
    {
        return backPressured;
    }

    /**
     * ERROR frames received.
     *
     * @return the count.
     */
    public long errorCount()
    {
        return session.errorsReceived();
    }

    /**
     * Malformed frames received from the server (should stay 0).
     *
     * @return the count.
     */
    public long malformedFrameCount()
    {
        return session.malformedFrames();
    }

    /**
     * The topic's event length.
     *
     * @return bytes per event.
     */
    public int eventLength()
    {
        return session.eventLength();
    }

    /**
     * Whether the daemon's topic has the layout of the given schema: same length, and, when the daemon
     * sends one, the same {@link Schema#layoutFingerprint() layout fingerprint} (field names, types and
     * offsets). Check it once after connecting: a producer writing another layout of the same length
     * would journal events the pipelines misread.
     *
     * @param schema the layout this producer writes.
     * @return null when it matches, else a sentence saying what differs.
     */
    public String layoutMismatch(final Schema schema)
    {
        if (session.eventLength() != schema.length())
        {
            return "the daemon's topic has " + session.eventLength() + "-byte events, schema " + schema.name() + " " +
                schema.length();
        }
        final int fingerprint = session.layoutFingerprint();
        if (fingerprint != 0 && fingerprint != schema.layoutFingerprint())
        {
            return "the daemon's topic has another layout of " + schema.length() + " bytes (fingerprint " +
                Integer.toHexString(fingerprint) + ", schema " + schema.name() + " " + Integer.toHexString(schema.layoutFingerprint()) +
                ": field names, types or offsets differ)";
        }
        return null;
    }

    /**
     * The layout fingerprint of the daemon's topic.
     *
     * @return {@link Schema#layoutFingerprint()} of the topic's schema, 0 when the daemon did not send one.
     */
    public int layoutFingerprint()
    {
        return session.layoutFingerprint();
    }

    /**
     * The session id the daemon gave.
     *
     * @return the session id.
     */
    public long sessionId()
    {
        return session.sessionId();
    }

    /**
     * Closes the session; events not yet acknowledged may or may not have been journaled.
     */
    @Override
    public void close()
    {
        session.close();
    }
}
