package io.sluice.ops.net;

import java.util.HashMap;
import java.util.Map;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.SystemEpochClock;

import io.aeron.Aeron;
import io.aeron.ControlledFragmentAssembler;
import io.aeron.Subscription;
import io.aeron.logbuffer.ControlledFragmentHandler;
import io.aeron.logbuffer.Header;
import io.sluice.client.wire.CommitFlyweight;
import io.sluice.client.wire.ConnectFlyweight;
import io.sluice.client.wire.ErrorCode;
import io.sluice.client.wire.FrameDescriptor;
import io.sluice.client.wire.FrameValidator;
import io.sluice.client.wire.SubscribeFlyweight;
import io.sluice.journal.GroupCoordinator;
import io.sluice.journal.JournalException;

/**
 * Polls consumers' control frames (CONNECT, SUBSCRIBE, COMMIT, HEARTBEAT, LEAVE), and drives each
 * {@link ConsumerSession}: rebalances, ASSIGNMENT frames and the RECORD stream. Evicts members whose
 * session timed out, through the topics' {@link GroupCoordinator}s, a few times a second.
 *
 * <p>Threading: the server agent's thread only (image handlers too, through the conductor invoker).
 */
final class EgressAdapter implements ControlledFragmentHandler, AutoCloseable
{
    private static final long EVICTION_INTERVAL_MS = 100;

    private final NetServerContext context;
    private final Aeron aeron;
    private final NetCounters counters;
    private final SessionIds sessionIds;
    private final Subscription subscription;
    private final ControlledFragmentAssembler assembler = new ControlledFragmentAssembler(this);
    private final SessionRegistry<ConsumerSession> sessions;
    private final Map<String, GroupCoordinator> coordinators = new HashMap<>();
    private final boolean ownsCoordinators;
    private final CommitStoreAgent commitStore;
    private final ConnectFlyweight connect = new ConnectFlyweight();
    private final SubscribeFlyweight subscribe = new SubscribeFlyweight();
    private final CommitFlyweight commit = new CommitFlyweight();
    private long nowMs;
    private long nextEvictionMs;

    EgressAdapter(final NetServerContext context, final Aeron aeron, final NetCounters counters, final SessionIds sessionIds,
        final CommitStoreAgent commitStore)
    {
        this.commitStore = commitStore;
        this.context = context;
        this.aeron = aeron;
        this.counters = counters;
        this.sessionIds = sessionIds;
        this.sessions = new SessionRegistry<>(counters);
        this.ownsCoordinators = context.coordinators() == null;
        this.subscription = aeron.addSubscription(context.channel(), context.egressStreamId(), null, sessions::onUnavailableImage);
    }

    int doWork(final long nowMs)
    {
        this.nowMs = nowMs;
        int work = sessions.closeUnavailable();
        work += subscription.controlledPoll(assembler, 64);
        for (int i = sessions.size() - 1; i >= 0; i--)
        {
            final ConsumerSession session = sessions.get(i);
            final int connected = session.serviceConnect(nowMs);
            if (connected < 0)
            {
                sessions.remove(session);
                continue;
            }
            work += connected;
            if (session.isActive())
            {
                work += session.doWork(nowMs);
            }
        }
        if (nowMs >= nextEvictionMs)
        {
            nextEvictionMs = nowMs + EVICTION_INTERVAL_MS;
            for (final GroupCoordinator coordinator : coordinators.values())
            {
                work += coordinator.doWork();
            }
        }
        return work;
    }

    @Override
    public Action onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        final ConsumerSession session = sessions.byImage(header.sessionId());
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
        commit.wrap(buffer, offset, length);
        if (commit.sessionId() != session.sessionId || !session.isActive())
        {
            return reject(session, ErrorCode.UNKNOWN_SESSION, -1);
        }
        counters.framesIn.incrementRelease();
        session.heard(nowMs);
        switch (type)
        {
            case FrameDescriptor.TYPE_SUBSCRIBE:
                onSubscribe(session, buffer, offset, length);
                break;
            case FrameDescriptor.TYPE_COMMIT:
                session.commit(commit);
                break;
            case FrameDescriptor.TYPE_HEARTBEAT:
                break;
            case FrameDescriptor.TYPE_LEAVE:
                session.leave();
                break;
            default:
                return reject(session, ErrorCode.UNEXPECTED_TYPE, -1);
        }
        return Action.CONTINUE;
    }

    private Action reject(final ConsumerSession session, final int code, final long reference)
    {
        counters.reject(code);
        if (session != null)
        {
            session.sendError(code, reference);
        }
        return Action.CONTINUE;
    }

    private void onSubscribe(final ConsumerSession session, final DirectBuffer buffer, final int offset, final int length)
    {
        subscribe.wrap(buffer, offset, length);
        final long correlationId = subscribe.correlationId();
        if (session.isSubscribed())
        {
            reject(session, ErrorCode.ALREADY_CONNECTED, correlationId);
            return;
        }
        final GroupCoordinator coordinator = coordinator(subscribe.topic());
        if (coordinator == null)
        {
            reject(session, ErrorCode.UNKNOWN_TOPIC, correlationId);
            return;
        }
        final int code = session.subscribe(coordinator, subscribe.group(), subscribe.memberId(), subscribe.sessionTimeoutMs(),
            correlationId, commitStore);
        if (code != ErrorCode.OK)
        {
            counters.reject(code);
        }
    }

    private GroupCoordinator coordinator(final String topic)
    {
        GroupCoordinator coordinator = coordinators.get(topic);
        if (coordinator == null)
        {
            try
            {
                coordinator = ownsCoordinators ?
                    new GroupCoordinator(context.engine().journal().topic(topic), SystemEpochClock.INSTANCE) :
                    context.coordinators().apply(topic);
            }
            catch (final JournalException ex)
            {
                return null;
            }
            if (coordinator != null)
            {
                coordinators.put(topic, coordinator);
                commitStore.add(coordinator);
            }
        }
        return coordinator;
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
        final ConsumerSession session = new ConsumerSession(sessionIds.next(), imageSessionId, connect.correlationId(),
            aeron.addExclusivePublication(channel, connect.responseStreamId()), counters, nowMs, context);
        sessions.add(session);
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
        if (ownsCoordinators)
        {
            for (final GroupCoordinator coordinator : coordinators.values())
            {
                commitStore.remove(coordinator);
                coordinator.close(); // stores what its groups staged and the writer had not yet
            }
        }
        coordinators.clear();
    }
}
