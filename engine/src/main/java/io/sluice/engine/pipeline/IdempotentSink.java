package io.sluice.engine.pipeline;

import io.sluice.schema.EventFlyweight;

/**
 * Makes a sink exactly-once across crashes: outputs carry deterministic per-partition sequence
 * numbers, so after a restart that replays input, an output whose sequence the downstream already
 * has is recognised and dropped. The downstream tells, at start, the next sequence it expects per
 * partition (for a file, one more than the last sequence it holds).
 *
 * <p>Threading: each partition's entry is touched only by that partition's thread.
 */
public final class IdempotentSink implements EventSink
{
    private final EventSink delegate;
    private final long[] nextExpected;
    private final long[] duplicates;

    /**
     * Wraps a sink.
     *
     * @param delegate     receiving each output once.
     * @param nextExpected per partition, the sequence the downstream expects next (0 for a new one);
     *                     copied.
     */
    public IdempotentSink(final EventSink delegate, final long[] nextExpected)
    {
        this.delegate = delegate;
        this.nextExpected = nextExpected.clone();
        this.duplicates = new long[nextExpected.length];
    }

    @Override
    public void onEvent(final int partition, final long sequence, final long key, final long timestamp, final EventFlyweight event)
    {
        if (sequence < nextExpected[partition])
        {
            duplicates[partition]++;
            return;
        }
        if (sequence > nextExpected[partition])
        {
            throw new IllegalStateException("output sequence gap on partition " + partition + ": expected " +
                nextExpected[partition] + ", got " + sequence + " (outputs were lost downstream)");
        }
        delegate.onEvent(partition, sequence, key, timestamp, event);
        nextExpected[partition] = sequence + 1;
    }

    @Override
    public void onEndOfInput(final int partition)
    {
        delegate.onEndOfInput(partition);
    }

    @Override
    public void onTurnEnd(final int partition)
    {
        delegate.onTurnEnd(partition);
    }

    @Override
    public void onCheckpoint(final int partition)
    {
        delegate.onCheckpoint(partition);
    }

    @Override
    public void onCheckpoint(final int partition, final long checkpointId)
    {
        delegate.onCheckpoint(partition, checkpointId);
    }

    /**
     * Outputs dropped because the downstream already had them.
     *
     * @param partition of the outputs.
     * @return the count.
     */
    public long duplicates(final int partition)
    {
        return duplicates[partition];
    }
}
