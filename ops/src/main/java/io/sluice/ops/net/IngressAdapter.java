package io.sluice.ops.net;

import org.agrona.DirectBuffer;

import io.aeron.Aeron;
import io.aeron.ControlledFragmentAssembler;
import io.aeron.Subscription;
import io.aeron.logbuffer.ControlledFragmentHandler;
import io.aeron.logbuffer.Header;
import io.sluice.client.wire.ConnectFlyweight;
import io.sluice.client.wire.ErrorCode;
import io.sluice.client.wire.FrameDescriptor;
import io.sluice.client.wire.FrameValidator;
import io.sluice.client.wire.PublishFlyweight;
import io.sluice.engine.runtime.Engine;
import io.sluice.engine.runtime.EngineException;
import io.sluice.engine.runtime.PartitionFailedException;

/**
 * Polls producers' frames, validates each whole, publishes PUBLISH events into the engine's rings,
 * and acknowledges them at the level asked for.
 *
 * <p>Back-pressure: when an event's ring is full, or its session has too many events awaiting
 * acknowledgement, the fragment is ABORTed: Aeron keeps it and everything behind it from that
 * producer, the producer's flow-control window stops moving, and its offer returns BACK_PRESSURED.
 * Nothing is dropped, and other producers' streams (other images) go on.
 *
 * <p>A malformed frame is counted by kind, answered with an ERROR if its sender has a session, and
 * consumed; it never reaches the engine and never stops the stream of the sender or of anyone else.
 *
 * <p>Threading: the server agent's thread only (image handlers too: the Aeron client runs on the
 * same thread through its conductor invoker).
 */
final class IngressAdapter implements ControlledFragmentHandler, AutoCloseable
{
    private final NetServerContext context;
    private final Aeron aeron;
    private final NetCounters counters;
    private final Subscription subscription;
    private final ControlledFragmentAssembler assembler = new ControlledFragmentAssembler(this);
    private final SessionRegistry<ProducerSession> sessions;
    private final IngressTopic[] topics;
    private final ConnectFlyweight connect = new ConnectFlyweight();
    private final PublishFlyweight publish = new PublishFlyweight();
    private final SessionIds sessionIds;
    private long nowMs;
    private boolean awaitingEngine;
    private boolean engineProgressed;

    IngressAdapter(final NetServerContext context, final Aeron aeron, final NetCounters counters, final SessionIds sessionIds)
    {
        this.context = context;
        this.aeron = aeron;
        this.counters = counters;
        this.sessionIds = sessionIds;
        this.sessions = new SessionRegistry<>(counters);
        final Engine engine = context.engine();
        final java.util.List<String> names = engine.topicNames();
        this.topics = new IngressTopic[names.size()];
        for (int i = 0; i < topics.length; i++)
        {
            topics[i] = new IngressTopic(i, engine, names.get(i));
        }
        this.subscription = aeron.addSubscription(context.channel(), context.ingressStreamId(), null, sessions::onUnavailableImage);
    }

    /**
     * One duty cycle: new frames first, then the engine's progress read and the ACKs it allows sent, so
     * an ACK leaves in the same cycle that sees its event processed (progress read before the poll would
     * be one poll older).
     *
     * @param nowMs epoch milliseconds.
     * @return work done.
     */
    int doWork(final long nowMs)
    {
        this.nowMs = nowMs;
        engineProgressed = false;
        int work = sessions.closeUnavailable();
        work += subscription.controlledPoll(assembler, 256);
        for (final IngressTopic topic : topics)
        {
            topic.refresh();
        }
        boolean awaiting = false;
        for (int i = sessions.size() - 1; i >= 0; i--)
        {
            final ProducerSession session = sessions.get(i);
            final int connected = session.serviceConnect(nowMs);
            if (connected < 0)
            {
                sessions.remove(session);
                continue;
            }
            work += connected;
            if (session.isActive())
            {
                final long journaled = session.journaledCount();
                work += session.advance();
                engineProgressed |= session.journaledCount() != journaled;
                awaiting |= session.awaitingEngine();
            }
        }
        awaitingEngine = awaiting;
        for (final IngressTopic topic : topics)
        {
            work += topic.forceWanted();
        }
        return work;
    }

    @Override
    public Action onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        final ProducerSession session = sessions.byImage(header.sessionId());
        final int code = FrameValidator.validate(buffer, offset, length, context.maxFrameLength());
        if (code != ErrorCode.OK)
        {
            return reject(session, code, -1);
        }
        final int type = FrameValidator.type(buffer, offset);
        if (session == null)
        {
            if (type == FrameDescriptor.TYPE_CONNECT)
            {
                counters.framesIn.incrementRelease();
                onConnect(buffer, offset, length, header.sessionId());
                return Action.CONTINUE;
            }
            return reject(null, ErrorCode.UNKNOWN_SESSION, -1);
        }
        publish.wrap(buffer, offset, length);
        if (publish.sessionId() != session.sessionId || !session.isActive())
        {
            return reject(session, ErrorCode.UNKNOWN_SESSION, -1);
        }
        session.lastHeardMs = nowMs;
        switch (type)
        {
            case FrameDescriptor.TYPE_PUBLISH:
                return onPublish(session, buffer, offset);
            case FrameDescriptor.TYPE_HEARTBEAT:
                counters.framesIn.incrementRelease();
                return Action.CONTINUE;
            case FrameDescriptor.TYPE_CONNECT:
                connect.wrap(buffer, offset, length);
                return reject(session, ErrorCode.ALREADY_CONNECTED, connect.correlationId());
            default:
                return reject(session, ErrorCode.UNEXPECTED_TYPE, -1);
        }
    }

    private Action reject(final ProducerSession session, final int code, final long reference)
    {
        counters.reject(code);
        if (session != null)
        {
            session.sendError(code, reference);
        }
        return Action.CONTINUE;
    }

    private Action onPublish(final ProducerSession session, final DirectBuffer buffer, final int offset)
    {
        final long sequence = publish.producerSequence();
        final IngressTopic topic = session.topic();
        if (publish.topicId() != topic.id)
        {
            return reject(session, ErrorCode.UNKNOWN_TOPIC, sequence);
        }
        if (publish.eventLength() != topic.eventLength)
        {
            return reject(session, ErrorCode.EVENT_LENGTH, sequence);
        }
        if (sequence <= session.lastAccepted())
        {
            counters.duplicates.incrementRelease();
            return Action.CONTINUE;
        }
        if (session.isFull())
        {
            counters.backPressure.incrementRelease();
            return Action.ABORT;
        }
        final int partition;
        try
        {
            partition = topic.publisher.tryPublish(buffer, offset + PublishFlyweight.EVENT_OFFSET);
        }
        catch (final PartitionFailedException ex)
        {
            // A partition that refuses events answers at once with the cause, never with endless back-pressure.
            counters.reject(ErrorCode.PARTITION_UNAVAILABLE);
            final String reason = String.valueOf(ex.getMessage());
            session.sendError(ErrorCode.PARTITION_UNAVAILABLE, sequence, reason.length() > 400 ? reason.substring(0, 400) + "..." : reason);
            return Action.CONTINUE;
        }
        catch (final EngineException ex)
        {
            return reject(session, ErrorCode.NOT_ACCEPTING, sequence);
        }
        if (partition < 0)
        {
            counters.backPressure.incrementRelease();
            return Action.ABORT; // the ring is full: leave this frame and the rest of this producer's stream in Aeron
        }
        session.accepted(sequence, partition, topic.publisher.lastSequence(), publish.durability());
        engineProgressed = true;
        counters.framesIn.incrementRelease();
        counters.eventsIn.incrementRelease();
        return Action.CONTINUE;
    }

    private void onConnect(final DirectBuffer buffer, final int offset, final int length, final int imageSessionId)
    {
        connect.wrap(buffer, offset, length);
        final String channel = connect.responseChannel();
        final int refusal = ResponseChannels.check(channel, context.allowRemoteResponseChannels());
        if (refusal != ErrorCode.OK)
        {
            counters.reject(refusal);
            return;
        }
        if (sessions.size() >= context.maxSessions())
        {
            counters.reject(ErrorCode.TOO_MANY_SESSIONS);
            return;
        }
        final IngressTopic topic = topic(connect.topic());
        final ProducerSession session = new ProducerSession(sessionIds.next(), imageSessionId, connect.correlationId(),
            aeron.addExclusivePublication(channel, connect.responseStreamId()), counters, nowMs, context, topic);
        if (topic == null)
        {
            counters.reject(ErrorCode.UNKNOWN_TOPIC);
            session.refuse(ErrorCode.UNKNOWN_TOPIC, unknownTopic(connect.topic()));
        }
        sessions.add(session);
    }

    private String unknownTopic(final String name)
    {
        final java.util.StringJoiner names = new java.util.StringJoiner(", ");
        for (final IngressTopic topic : topics)
        {
            names.add(topic.name);
        }
        return "no topic '" + name + "' on this daemon (its topics: " + names + ")";
    }

    private IngressTopic topic(final String name)
    {
        for (final IngressTopic topic : topics)
        {
            if (topic.name.equals(name))
            {
                return topic;
            }
        }
        return null;
    }

    /**
     * Whether, at the end of the last duty cycle, events of some session were in the engine's rings
     * awaiting their JOURNALED ACK (see {@link NetServerAgent}).
     *
     * @return true if so.
     */
    boolean awaitingEngine()
    {
        return awaitingEngine;
    }

    /**
     * Whether the last duty cycle put events into the engine's rings or saw some journaled.
     *
     * @return true if so.
     */
    boolean engineProgressed()
    {
        return engineProgressed;
    }

    int sessionCount()
    {
        return sessions.size();
    }

    @Override
    public void close()
    {
        sessions.close();
        subscription.close();
    }
}
