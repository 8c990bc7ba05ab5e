package io.sluice.client;

import java.util.Arrays;

import org.agrona.DirectBuffer;

import io.aeron.logbuffer.ControlledFragmentHandler;
import io.sluice.client.wire.AckFlyweight;
import io.sluice.client.wire.AssignmentFlyweight;
import io.sluice.client.wire.CommitFlyweight;
import io.sluice.client.wire.Durability;
import io.sluice.client.wire.ErrorFlyweight;
import io.sluice.client.wire.FrameDescriptor;
import io.sluice.client.wire.FrameFlyweight;
import io.sluice.client.wire.RecordFlyweight;
import io.sluice.client.wire.SubscribeFlyweight;

/**
 * A member of a consumer group of a topic on a Sluice daemon, over Aeron: the daemon assigns it
 * partitions, streams their records from the group's committed offsets, and moves them to other
 * members when this one leaves or stops heartbeating for longer than its session timeout.
 *
 * <pre>{@code
 * try (SluiceConsumer consumer = SluiceConsumer.connect(context, "trades", "risk", "risk-1", 5_000))
 * {
 *     while (running)
 *     {
 *         consumer.poll(listener, 100);   // also heartbeats
 *         consumer.commit();              // whenever the records handled so far should stick
 *     }
 * }                                       // close(): commit, then leave the group
 * }</pre>
 *
 * <p>Delivery is at least once: a record is consumed when the listener returns; a commit stores the
 * consumed positions of the partitions owned; records consumed after the last commit are delivered
 * again to whoever owns the partition next.
 *
 * <p>Threading: not thread-safe; one thread polls, commits and closes. Poll often enough to
 * heartbeat within the session timeout.
 */
public final class SluiceConsumer implements AutoCloseable
{
    private final ClientSession session;
    private final ClientSession.FrameHandler onFrame = this::onFrame;
    private final RecordFlyweight record = new RecordFlyweight();
    private final AssignmentFlyweight assignment = new AssignmentFlyweight();
    private final AckFlyweight ack = new AckFlyweight();
    private final ErrorFlyweight error = new ErrorFlyweight();
    private final CommitFlyweight commit = new CommitFlyweight();
    private RecordListener listener;
    private int limit;
    private int delivered;
    private long generation = -1;
    private boolean[] owned = new boolean[0];
    private long[] consumed = new long[0];
    private long nextCommitId = 1;
    private long committedId;
    private long failedCommitId;
    private int failedCommitCode;
    /** The daemon's words for the last refused commit (control path: a String per ERROR). */
    private String failedCommitMessage = "";
    private long recordsReceived;

    private SluiceConsumer(final ClientSession session)
    {
        this.session = session;
    }

    /**
     * Connects and joins a consumer group, blocking until the daemon accepts the session.
     *
     * @param context          settings; concluded if it was not.
     * @param topic            to consume.
     * @param group            to join.
     * @param memberId         unique among the group's live members.
     * @param sessionTimeoutMs after which a silent member is evicted and its partitions move.
     * @return the consumer; its first ASSIGNMENT arrives with its first polls.
     * @throws ClientException if the daemon is not reached in time or refuses the session.
     */
    public static SluiceConsumer connect(
        final ClientContext context, final String topic, final String group, final String memberId, final int sessionTimeoutMs)
    {
        final ClientSession session = new ClientSession(context, context.egressStreamId(), "");
        try
        {
            session.capHeartbeatInterval(Math.max(1, sessionTimeoutMs / 4));
            final SubscribeFlyweight subscribe = new SubscribeFlyweight();
            subscribe.wrap(session.sendBuffer(), 0, session.sendBuffer().capacity());
            final int length = subscribe.encode(session.sessionId(), 1, sessionTimeoutMs, topic, group, memberId);
            session.sendBlocking(length, context.connectTimeoutMs());
            return new SluiceConsumer(session);
        }
        catch (final RuntimeException ex)
        {
            session.close();
            throw ex;
        }
    }

    /**
     * Delivers up to {@code limit} records, applies assignments and commit results, and heartbeats.
     *
     * @param listener to receive each record; the buffer is valid only during the call.
     * @param limit    most records to deliver.
     * @return the number of records delivered.
     */
    public int poll(final RecordListener listener, final int limit)
    {
        this.listener = listener;
        this.limit = limit;
        delivered = 0;
        session.poll(onFrame, Math.max(limit, 8));
        return delivered;
    }

    private ControlledFragmentHandler.Action onFrame(final int type, final DirectBuffer buffer, final int offset, final int length)
    {
        switch (type)
        {
            case FrameDescriptor.TYPE_RECORD:
                return onRecord(buffer, offset, length);
            case FrameDescriptor.TYPE_ASSIGNMENT:
                onAssignment(buffer, offset, length);
                break;
            case FrameDescriptor.TYPE_ACK:
                ack.wrap(buffer, offset, length);
                if (ack.level() == Durability.COMMITTED)
                {
                    committedId = Math.max(committedId, ack.sequence());
                }
                break;
            case FrameDescriptor.TYPE_ERROR:
                error.wrap(buffer, offset, length);
                failedCommitId = error.reference();
                failedCommitCode = error.code();
                failedCommitMessage = error.message();
                break;
            default:
                break;
        }
        return ControlledFragmentHandler.Action.CONTINUE;
    }

    private ControlledFragmentHandler.Action onRecord(final DirectBuffer buffer, final int offset, final int length)
    {
        if (listener == null)
        {
            // Closing: not consumed, not committed, so delivered again to the partition's next owner.
            return ControlledFragmentHandler.Action.CONTINUE;
        }
        if (delivered >= limit)
        {
            return ControlledFragmentHandler.Action.ABORT; // stays in the log buffer for the next poll
        }
        record.wrap(buffer, offset, length);
        final int partition = record.partition();
        final long recordOffset = record.offset();
        listener.onRecord(partition, recordOffset, record.timestamp(), record.key(), buffer,
            offset + RecordFlyweight.PAYLOAD_OFFSET, record.payloadLength());
        if (partition < consumed.length)
        {
            consumed[partition] = recordOffset + 1;
        }
        delivered++;
        recordsReceived++;
        return ControlledFragmentHandler.Action.CONTINUE;
    }

    private void onAssignment(final DirectBuffer buffer, final int offset, final int length)
    {
        assignment.wrap(buffer, offset, length);
        final int partitionCount = assignment.partitionCount();
        if (owned.length != partitionCount)
        {
            owned = new boolean[partitionCount]; // once per topic size: the first assignment
            consumed = new long[partitionCount];
        }
        Arrays.fill(owned, false);
        Arrays.fill(consumed, -1);
        for (int i = 0, n = assignment.ownedCount(); i < n; i++)
        {
            final int partition = assignment.partition(i);
            owned[partition] = true;
            consumed[partition] = assignment.startOffset(i);
        }
        generation = assignment.generation();
    }

    /**
     * Sends a COMMIT of the consumed positions of the owned partitions; the daemon answers with an
     * ACK (see {@link #committedId()}) once the offsets are durable (its group's offsets file stored and
     * forced: a disk write, so milliseconds to seconds on a busy disk, while records keep coming), or an
     * ERROR (FENCED after a rebalance: poll, then commit again; DURABILITY_FAILED when the daemon could
     * not store the offsets, its message naming the group and the file).
     *
     * @return the commit id, or 0 if the member owns nothing yet.
     */
    public long commit()
    {
        if (generation < 0)
        {
            return 0;
        }
        int count = 0;
        commit.wrap(session.sendBuffer(), 0, session.sendBuffer().capacity());
        for (int p = 0; p < owned.length; p++)
        {
            if (owned[p] && consumed[p] >= 0)
            {
                commit.entry(count++, p, consumed[p]);
            }
        }
        final long commitId = nextCommitId++;
        final int length = commit.encode(session.sessionId(), commitId, generation, count);
        session.sendBlocking(length, 5_000);
        return commitId;
    }

    /**
     * Commits and waits for the answer. Records that arrive meanwhile go to the listener of the last
     * {@link #poll}, as they would have on the next poll.
     *
     * @param timeoutMs longest wait.
     * @return true if stored, false if the time ran out or the member owns nothing.
     * @throws ClientException if the daemon refused the commit (e.g. FENCED after a rebalance).
     */
    public boolean commitSync(final long timeoutMs)
    {
        final long commitId = commit();
        if (commitId == 0)
        {
            return false;
        }
        final long deadline = System.currentTimeMillis() + timeoutMs;
        while (committedId < commitId)
        {
            if (failedCommitId == commitId)
            {
                throw new ClientException(failedCommitCode, "commit " + commitId + " refused: " +
                    io.sluice.client.wire.ErrorCode.name(failedCommitCode) + " (" + failedCommitMessage + ")");
            }
            if (System.currentTimeMillis() > deadline)
            {
                return false;
            }
            final RecordListener last = listener;
            session.idle().idle(poll(last, last == null ? 0 : Integer.MAX_VALUE));
        }
        return true;
    }

    /**
     * The id of the highest commit the daemon stored.
     *
     * @return the commit id, 0 before the first.
     */
    public long committedId()
    {
        return committedId;
    }

    /**
     * The generation of the last ASSIGNMENT.
     *
     * @return the generation, -1 before the first.
     */
    public long generation()
    {
        return generation;
    }

    /**
     * Whether the member owns a partition as of the last ASSIGNMENT.
     *
     * @param partition of the topic.
     * @return true if owned.
     */
    public boolean owns(final int partition)
    {
        return partition >= 0 && partition < owned.length && owned[partition];
    }

    /**
     * Whether the daemon has dropped this consumer's session: its response stream is gone (the daemon closed the
     * session or lost its Aeron client), so no record or assignment follows: close it and connect a new consumer,
     * which resumes from the group's committed offsets. Does not allocate.
     *
     * @return true once the session is gone.
     */
    public boolean sessionLost()
    {
        return session.responseStreamLost();
    }

    /**
     * Number of partitions owned as of the last ASSIGNMENT.
     *
     * @return the count.
     */
    public int ownedCount()
    {
        int count = 0;
        for (final boolean o : owned)
        {
            count += o ? 1 : 0;
        }
        return count;
    }

    /**
     * The next offset to consume of an owned partition.
     *
     * @param partition of the topic.
     * @return the offset, or -1 if not owned.
     */
    public long position(final int partition)
    {
        return owns(partition) ? consumed[partition] : -1;
    }

    /**
     * Records delivered so far.
     *
     * @return the count.
     */
    public long recordCount()
    {
        return recordsReceived;
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
     * The session id the daemon gave.
     *
     * @return the session id.
     */
    public long sessionId()
    {
        return session.sessionId();
    }

    /**
     * Stops without committing or leaving, as a crashed process would: the daemon evicts the member
     * after its session timeout and its partitions resume elsewhere from the last commit.
     */
    public void abandon()
    {
        session.close();
    }

    /**
     * Commits what was consumed, leaves the group (its partitions move to the other members at once)
     * and closes the session. Idempotent.
     */
    @Override
    public void close()
    {
        if (session.isClosed())
        {
            return;
        }
        try
        {
            listener = null;
            if (generation >= 0)
            {
                commitSync(2_000);
            }
        }
        catch (final ClientException ex)
        {
            // FENCED: a rebalance took partitions meanwhile; what was not committed is delivered again elsewhere.
        }
        finally
        {
            try
            {
                final FrameFlyweight header = commit;
                header.wrap(session.sendBuffer(), 0, session.sendBuffer().capacity());
                session.sendBlocking(header.encodeHeaderOnly(FrameDescriptor.TYPE_LEAVE, session.sessionId()), 1_000);
            }
            catch (final ClientException ex)
            {
                // The daemon is gone or unreachable: it evicts this member after the session timeout instead.
            }
            session.close();
        }
    }
}
