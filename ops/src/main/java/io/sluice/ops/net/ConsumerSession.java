package io.sluice.ops.net;

import org.agrona.ExpandableRingBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import io.aeron.ExclusivePublication;
import io.sluice.client.wire.AssignmentFlyweight;
import io.sluice.client.wire.CommitFlyweight;
import io.sluice.client.wire.Durability;
import io.sluice.client.wire.ErrorCode;
import io.sluice.client.wire.RecordFlyweight;
import io.sluice.journal.ConsumerGroup;
import io.sluice.journal.GroupCoordinator;
import io.sluice.journal.GroupException;
import io.sluice.journal.MemberAssignment;
import io.sluice.journal.OffsetFileDescriptor;
import io.sluice.journal.Partition;
import io.sluice.journal.PartitionReader;
import io.sluice.journal.RecordHandler;
import io.sluice.journal.RecordView;
import io.sluice.journal.Topic;

/**
 * A remote member of a consumer group: the journal's group protocol ({@link ConsumerGroup}) driven
 * for a client over Aeron. The session reads its owned partitions with its own readers, streams
 * RECORD frames, and commits exactly the offsets the client sends in COMMIT, never its own read
 * positions, which run ahead of what the client has handled. So:
 * <ul>
 *   <li>released partitions (rebalance, LEAVE, lost image) are freed without committing: the next
 *   owner resumes at the client's last commit;</li>
 *   <li>liveness is the client's: the group is heartbeated only when the client's frames arrive, so a
 *   silent client is evicted after its session timeout and its partitions move;</li>
 *   <li>records that do not fit the publication's window wait in an overflow buffer, sent before
 *   anything else, so a partition's records are never skipped and an ASSIGNMENT never overtakes
 *   records read under the previous one;</li>
 *   <li>a SUBSCRIBE never waits for the disk on this thread either: a group not yet open is opened by the disk duty
 *   ({@link GroupOpen}, run by {@link CommitStoreAgent}), and the member joins once it is;</li>
 *   <li>a COMMIT never waits for the disk on this thread: the group accepts it at once (a partition's
 *   next owner resumes from it) and its background writer ({@link CommitStoreAgent}) stores it; the
 *   session answers COMMITTED once the offsets are durable, or an ERROR (DURABILITY_FAILED, naming the
 *   group and its file) if the store failed, in the order the commits came ({@link PendingCommits}).</li>
 * </ul>
 *
 * <p>Threading: the server agent's thread only.
 */
final class ConsumerSession extends NetSession implements RecordHandler
{
    private static final int RECORDS_PER_CYCLE = 256;

    private final int heartbeatIntervalMs;
    private final int recordType;
    private final UnsafeBuffer frameBuffer;
    private final RecordFlyweight record = new RecordFlyweight();
    private final AssignmentFlyweight assignmentFrame = new AssignmentFlyweight();
    private final ExpandableRingBuffer overflow = new ExpandableRingBuffer(0, 64 * 1024 * 1024, true);
    private final ExpandableRingBuffer.MessageConsumer sendOverflow = this::sendOverflowed;
    private final PendingCommits pendingCommits = new PendingCommits();
    private ConsumerGroup group;
    /** A SUBSCRIBE whose group is being opened on the disk duties thread, else null; with what the join needs. */
    private GroupOpen opening;
    private GroupCoordinator openingCoordinator;
    private long openingCorrelationId;
    private Topic topic;
    private String memberId;
    private long sessionTimeoutMs;
    private MemberAssignment assignment;
    private PartitionReader[] readers;
    private long[] offsets;
    private long syncedVersion = -1;
    private boolean assignmentPending;
    private boolean left;
    private long lastHeartbeatMs;
    private int currentPartition;

    ConsumerSession(final long sessionId, final int imageSessionId, final long correlationId, final ExclusivePublication publication,
        final NetCounters counters, final long nowMs, final NetServerContext context)
    {
        super(sessionId, imageSessionId, correlationId, publication, counters, nowMs, context.connectTimeoutMs());
        this.heartbeatIntervalMs = context.heartbeatIntervalMs();
        this.recordType = context.egressRecordType();
        this.frameBuffer = new UnsafeBuffer(new byte[context.maxFrameLength()]);
    }

    @Override
    int topicId()
    {
        return -1;
    }

    @Override
    int eventLength()
    {
        return 0;
    }

    @Override
    int layoutFingerprint()
    {
        return 0;
    }

    @Override
    int heartbeatIntervalMs()
    {
        return heartbeatIntervalMs;
    }

    boolean isMember()
    {
        return group != null && !left;
    }

    /**
     * Whether the session has subscribed: a member, or waiting for its group's open.
     *
     * @return whether a SUBSCRIBE was accepted and the member has not left.
     */
    boolean isSubscribed()
    {
        return (group != null || opening != null) && !left;
    }

    /**
     * Joins the group (SUBSCRIBE): at once if the group is open, else once the disk duty has opened it ({@link GroupOpen},
     * polled by {@link #doWork}), so that the file work of a new group never runs on this thread. Allocates: once per
     * session.
     *
     * @param opener that opens groups on the disk duties thread.
     * @return an ErrorCode: OK also while the group is being opened.
     */
    int subscribe(final GroupCoordinator coordinator, final String groupName, final String memberId, final long sessionTimeoutMs,
        final long correlationId, final CommitStoreAgent opener)
    {
        this.memberId = memberId;
        this.sessionTimeoutMs = sessionTimeoutMs;
        try
        {
            ConsumerGroup.validateName(groupName);
        }
        catch (final GroupException ex)
        {
            return joinFailed(correlationId, ex.getMessage());
        }
        final ConsumerGroup open = coordinator.openedGroup(groupName);
        if (open != null)
        {
            return join(coordinator, open, correlationId);
        }
        final GroupOpen request = new GroupOpen(coordinator, groupName);
        if (!opener.open(request))
        {
            return joinFailed(correlationId, "group '" + groupName + "' not opened: " + CommitStoreAgent.MAX_PENDING_OPENS +
                " SUBSCRIBEs already wait for their groups' files; retry");
        }
        opening = request;
        openingCoordinator = coordinator;
        openingCorrelationId = correlationId;
        return ErrorCode.OK;
    }

    /**
     * The group's open has completed: joins it, or answers the SUBSCRIBE with the failure.
     *
     * @return the ErrorCode of the join.
     */
    private int opened()
    {
        final GroupOpen open = opening;
        opening = null;
        final GroupCoordinator coordinator = openingCoordinator;
        openingCoordinator = null;
        if (open.failure() != null)
        {
            return joinFailed(openingCorrelationId, open.failure().getMessage());
        }
        return join(coordinator, open.group(), openingCorrelationId);
    }

    private int joinFailed(final long correlationId, final String message)
    {
        sendError(ErrorCode.GROUP_JOIN_FAILED, correlationId, message);
        return ErrorCode.GROUP_JOIN_FAILED;
    }

    private int join(final GroupCoordinator coordinator, final ConsumerGroup group, final long correlationId)
    {
        try
        {
            group.join(memberId, sessionTimeoutMs);
            this.group = group;
        }
        catch (final GroupException ex)
        {
            return joinFailed(correlationId, ex.getMessage());
        }
        this.topic = coordinator.topic();
        final int partitionCount = group.partitionCount();
        this.assignment = new MemberAssignment(partitionCount);
        this.readers = new PartitionReader[partitionCount];
        this.offsets = new long[partitionCount];
        this.lastHeartbeatMs = lastHeardMs;
        return ErrorCode.OK;
    }

    /**
     * The client was heard from: heartbeat the group (at most every heartbeat interval); rejoin if the
     * member had been evicted meanwhile.
     */
    void heard(final long nowMs)
    {
        lastHeardMs = nowMs;
        if (isMember() && nowMs - lastHeartbeatMs >= Math.min(heartbeatIntervalMs, sessionTimeoutMs / 3))
        {
            lastHeartbeatMs = nowMs;
            if (!group.heartbeat(memberId))
            {
                rejoin();
            }
        }
    }

    /**
     * One duty cycle: the answers to commits now durable, then the overflow, then a pending rebalance, then the
     * ASSIGNMENT, then records.
     */
    int doWork(final long nowMs)
    {
        if (opening != null && opening.isDone() && !left)
        {
            final int code = opened();
            if (code != ErrorCode.OK)
            {
                counters.reject(code);
            }
            return 1;
        }
        if (group == null || !publication.isConnected())
        {
            return 0;
        }
        final int answered = pendingCommits.isEmpty() ? 0 : answerCommits();
        if (left)
        {
            return answered;
        }
        if (!overflow.isEmpty())
        {
            return answered + overflow.consume(sendOverflow, Integer.MAX_VALUE);
        }
        if (nowMs - lastHeardMs > sessionTimeoutMs)
        {
            return answered; // silent client: no sync, no heartbeat, so the group evicts it and moves its partitions
        }
        int work = answered;
        if (group.version() != syncedVersion)
        {
            sync();
            work++;
        }
        if (assignmentPending)
        {
            if (!sendAssignment())
            {
                return work;
            }
            work++;
        }
        return work + stream();
    }

    private void sync()
    {
        final long version = group.version(); // read first: a change racing with this sync triggers another
        try
        {
            group.sync(memberId, null, assignment);
        }
        catch (final GroupException ex)
        {
            if (ex.reason() != GroupException.Reason.UNKNOWN_MEMBER)
            {
                throw ex;
            }
            rejoin();
            return;
        }
        applyAssignment();
        syncedVersion = version;
    }

    private void rejoin()
    {
        final long version = group.version();
        group.join(memberId, sessionTimeoutMs);
        group.sync(memberId, null, assignment);
        applyAssignment();
        syncedVersion = version;
    }

    private void applyAssignment()
    {
        for (int i = 0, n = assignment.ownedCount(); i < n; i++)
        {
            final int p = assignment.ownedPartition(i);
            if (assignment.acquired(p))
            {
                final Partition partition = topic.partition(p);
                if (readers[p] == null)
                {
                    readers[p] = partition.newReader();
                }
                readers[p].seek(resumePosition(partition, assignment.resumeOffset(p)));
            }
        }
        assignmentPending = true;
    }

    private static long resumePosition(final Partition partition, final long committed)
    {
        final long start = partition.startOffset();
        if (committed == OffsetFileDescriptor.NULL_OFFSET || committed < start)
        {
            return start;
        }
        return Math.min(committed, partition.endOffset());
    }

    private boolean sendAssignment()
    {
        final int owned = assignment.ownedCount();
        assignmentFrame.wrap(frameBuffer, 0, frameBuffer.capacity());
        final int length = assignmentFrame.encode(sessionId, assignment.generation(), assignment.partitionCount(), owned);
        for (int i = 0; i < owned; i++)
        {
            final int p = assignment.ownedPartition(i);
            assignmentFrame.entry(i, p, readers[p].position());
        }
        if (publication.offer(frameBuffer, 0, length) > 0)
        {
            assignmentPending = false;
            return true;
        }
        return false;
    }

    private int stream()
    {
        final long window = publication.availableWindow();
        if (window <= 0)
        {
            return 0;
        }
        final int limit = (int)Math.min(RECORDS_PER_CYCLE, Math.max(1, window / 256));
        int delivered = 0;
        for (int i = 0, n = assignment.ownedCount(); i < n && delivered < limit; i++)
        {
            currentPartition = assignment.ownedPartition(i);
            delivered += readers[currentPartition].poll(this, limit - delivered);
        }
        return delivered;
    }

    /**
     * A record read from an owned partition: encode it and offer it; what the window does not take
     * waits in the overflow buffer.
     */
    @Override
    public void onRecord(final RecordView view)
    {
        if (recordType != 0 && view.type() != recordType)
        {
            return;
        }
        final int payloadLength = view.payloadLength();
        if (RecordFlyweight.PAYLOAD_OFFSET + payloadLength > frameBuffer.capacity())
        {
            counters.reject(ErrorCode.OVERSIZED); // a record longer than a frame: counted, not sent
            return;
        }
        record.wrap(frameBuffer, 0, frameBuffer.capacity());
        final int length = record.encode(sessionId, currentPartition, view.offset(), view.timestamp(), view.key(),
            view.buffer(), view.payloadOffset(), payloadLength);
        // Once one record waits in the overflow, the rest of the cycle's records queue behind it: an offer refused
        // once (back-pressure, or ADMIN_ACTION as the term rotates) and the next one taken would deliver a
        // partition's records out of order, and the client's position, so its commit, would go back.
        if (overflow.isEmpty() && publication.offer(frameBuffer, 0, length) > 0)
        {
            counters.recordsOut.incrementRelease();
        }
        else
        {
            overflow.append(frameBuffer, 0, length);
        }
    }

    private boolean sendOverflowed(final MutableDirectBuffer buffer, final int offset, final int length, final int headOffset)
    {
        if (publication.offer(buffer, offset, length) > 0)
        {
            counters.recordsOut.incrementRelease();
            return true;
        }
        return false;
    }

    /**
     * COMMIT: store exactly the client's offsets, fenced by its generation, and answer.
     */
    void commit(final CommitFlyweight commit)
    {
        final long commitId = commit.commitId();
        if (!isMember())
        {
            sendError(ErrorCode.FENCED, commitId);
            return;
        }
        java.util.Arrays.fill(offsets, OffsetFileDescriptor.NULL_OFFSET);
        for (int i = 0, n = commit.entryCount(); i < n; i++)
        {
            final int p = commit.partition(i);
            if (p >= offsets.length || readers[p] == null || commit.offset(i) > readers[p].position())
            {
                counters.reject(ErrorCode.INVALID_COMMIT);
                sendError(ErrorCode.INVALID_COMMIT, commitId);
                return;
            }
            offsets[p] = commit.offset(i);
        }
        final long ticket;
        try
        {
            ticket = group.stageCommit(memberId, commit.generation(), offsets);
        }
        catch (final GroupException ex)
        {
            final int code = ex.reason() == GroupException.Reason.INVALID_ARGUMENT ? ErrorCode.INVALID_COMMIT : ErrorCode.FENCED;
            counters.reject(code);
            sendError(code, commitId);
            return;
        }
        if (pendingCommits.isEmpty() && group.isCommitDurable(ticket) && sendAck(Durability.COMMITTED, commitId))
        {
            counters.commits.incrementRelease(); // a commit that changed nothing: durable already
            return;
        }
        if (pendingCommits.add(ticket, commitId))
        {
            counters.commitsPending.incrementRelease();
        }
    }

    /**
     * Answers the pending commits whose store has completed (COMMITTED) or failed (ERROR), oldest first; stops at
     * the first still pending, or when the publication refuses an ACK (back-pressure: again next cycle).
     *
     * @return the commits answered.
     */
    private int answerCommits()
    {
        int answered = 0;
        while (!pendingCommits.isEmpty())
        {
            final long ticket = pendingCommits.headTicket();
            final long commitId = pendingCommits.headCommitId();
            if (group.isCommitDurable(ticket))
            {
                if (!sendAck(Durability.COMMITTED, commitId))
                {
                    break;
                }
                counters.commits.incrementRelease();
            }
            else if (group.hasCommitFailed(ticket))
            {
                counters.reject(ErrorCode.DURABILITY_FAILED);
                sendError(ErrorCode.DURABILITY_FAILED, commitId, group.commitFailure().getMessage());
            }
            else
            {
                break;
            }
            pendingCommits.removeHead();
            counters.commitsPending.decrementRelease();
            answered++;
        }
        return answered;
    }

    /**
     * LEAVE, or the client's image went away: free the partitions without committing anything more.
     */
    void leave()
    {
        if (opening != null)
        {
            left = true; // not joined yet: the open completes on its thread and is not used
            return;
        }
        if (isMember())
        {
            left = true;
            try
            {
                group.leave(memberId, null);
            }
            catch (final GroupException ex)
            {
                // Closed coordinator or I/O error: the member is evicted after its session timeout instead.
            }
        }
    }

    @Override
    void close()
    {
        leave();
        // Their stores go on (the group accepted them); only their answers are dropped with the session.
        counters.commitsPending.getAndAddRelease(-pendingCommits.clear());
        if (readers != null)
        {
            for (final PartitionReader reader : readers)
            {
                if (reader != null)
                {
                    reader.close();
                }
            }
        }
        super.close();
    }
}
