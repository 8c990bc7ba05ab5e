package io.sluice.engine.io;

import io.sluice.engine.exec.EventBatch;
import io.sluice.engine.exec.PartitionDispatcher;
import io.sluice.journal.Topic;
import io.sluice.schema.EventFlyweight;

/**
 * The backtest's event loop: takes the readers' events in replay order (the next event is, of every reader's
 * next one, the one with the smallest time, ties to the reader given first) and hands each run of consecutive
 * events of one partition to that partition's dispatcher as one {@link EventBatch}. The dispatchers see the
 * same events in the same order as one {@link PartitionDispatcher#onEvent} call each, so the outputs are
 * those of the one-by-one loop; what the batches save is the per-event trip through the loop, the dispatcher
 * and the pipeline instance. With a single reader (the common case) its events are decoded straight into the
 * batch, with no merge and no copy; when every reader holds columns (events from memory), {@link ColumnarMerge}
 * merges them into the batches straight from the columns. Only the backtest replays through this loop (a restart's
 * replay of the journal has its own).
 * <p>
 * Threading: the backtest's thread.
 */
final class ReplayLoop
{
    /** Events per batch: enough to amortise the per-batch calls, few enough to stay in the first-level cache. */
    static final int BATCH_EVENTS = 256;

    private final ReplayPlan.Reader[] readers;
    private final PartitionDispatcher[] dispatchers;
    private final EventBatch batch = new EventBatch(BATCH_EVENTS);
    private int batchPartition = -1;

    /**
     * @param readers     one per input, none advanced yet ({@link ReplayPlan.Reader#advance()}).
     * @param dispatchers one per partition.
     */
    ReplayLoop(final ReplayPlan.Reader[] readers, final PartitionDispatcher[] dispatchers)
    {
        this.readers = readers;
        this.dispatchers = dispatchers;
    }

    /**
     * Replays every event of the readers.
     *
     * @throws MalformedInputException from a reader, once the events before the malformed one have been dispatched.
     */
    void run()
    {
        try
        {
            if (readers.length == 1)
            {
                runSingle(readers[0]);
            }
            else if (allColumnar(readers))
            {
                new ColumnarMerge(readers, this).run();
            }
            else
            {
                for (final ReplayPlan.Reader reader : readers)
                {
                    reader.advance(); // the merge by time looks at every reader's next event
                }
                runMerged();
            }
        }
        finally
        {
            // What was read before a failure is dispatched, as the one-by-one loop would have done.
            flush();
        }
    }

    private void runSingle(final ReplayPlan.Reader reader)
    {
        final EventBatch batch = this.batch;
        final int partitions = dispatchers.length;
        final int length = reader.event().length();
        while (reader.advanceInto(batch.writeBuffer(), batch.reserve(length)))
        {
            final long key = reader.key();
            final int partition = partitions == 1 ? 0 : Topic.partitionFor(key, partitions);
            if (partition != batchPartition && batch.size() > 0)
            {
                try
                {
                    dispatchers[batchPartition].onEvents(batch);
                }
                finally
                {
                    // The event just read belongs to the next batch.
                    batch.clearKeepingReserved(length);
                }
            }
            batchPartition = partition;
            if (batch.commit(0, key, reader.timestamp()))
            {
                flush();
            }
        }
    }

    private void runMerged()
    {
        final EventBatch batch = this.batch;
        final int partitions = dispatchers.length;
        final ReplayPlan.Reader[] readers = this.readers;
        int next;
        while ((next = earliest(readers)) >= 0)
        {
            final ReplayPlan.Reader reader = readers[next];
            final EventFlyweight event = reader.event();
            final int partition = Topic.partitionFor(reader.key(), partitions);
            if (partition != batchPartition)
            {
                flush();
            }
            batchPartition = partition;
            if (batch.add(next, event.buffer(), event.offset(), event.length(), reader.key(), reader.timestamp()))
            {
                flush();
            }
            reader.advance();
        }
    }

    /**
     * The batch an event of this key goes into: the current one, or, when the key's partition is not the current
     * batch's, an empty one after the current batch went to its dispatcher.
     *
     * @param key of the event.
     * @return the batch to append the event to ({@link #flush()} it when the append says it is full).
     */
    EventBatch batchFor(final long key)
    {
        final int partition = Topic.partitionFor(key, dispatchers.length);
        if (partition != batchPartition)
        {
            flush();
            batchPartition = partition;
        }
        return batch;
    }

    /**
     * Hands the batch, if it holds events, to its partition's dispatcher and empties it (also when the dispatcher
     * throws: no event is dispatched twice).
     */
    void flush()
    {
        if (batch.size() > 0)
        {
            try
            {
                dispatchers[batchPartition].onEvents(batch);
            }
            finally
            {
                batch.clear(); // also after a failure: no event is dispatched twice
            }
        }
    }

    private static boolean allColumnar(final ReplayPlan.Reader[] readers)
    {
        for (final ReplayPlan.Reader reader : readers)
        {
            if (reader.columnar() == null)
            {
                return false;
            }
        }
        return true;
    }

    /**
     * The index of the reader whose next event comes first: smallest event time, ties to the reader
     * given first; -1 when every reader is done.
     */
    private static int earliest(final ReplayPlan.Reader[] readers)
    {
        int earliest = -1;
        for (int r = 0; r < readers.length; r++)
        {
            if (readers[r].hasEvent() && (earliest < 0 || readers[r].timestamp() < readers[earliest].timestamp()))
            {
                earliest = r;
            }
        }
        return earliest;
    }
}
