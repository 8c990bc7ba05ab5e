package io.sluice.engine.io;

import java.util.Iterator;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import io.sluice.schema.EventFlyweight;
import io.sluice.schema.Schema;

/**
 * Events of one topic held in memory (or produced on the fly) for a {@link Backtest}, in the order
 * they are to be replayed; the in-memory counterpart of an input file.
 *
 * <pre>{@code
 *   UnsafeBuffer trades = ...;                         // 1,000 events of TRADE, back to back
 *   BacktestSummary summary = Backtest.replayEvents(pipelines,
 *       Map.of("trades", EventSource.of(TRADE, trades, 0, 1_000)), new BacktestOptions());
 * }</pre>
 *
 * <p>Threading: called on the backtest's thread only, one event at a time.
 */
@FunctionalInterface
public interface EventSource
{
    /**
     * Writes the next event into {@code event}, which is wrapped for write over a buffer of the
     * topic's schema length; the backtest reads its key and time from there.
     *
     * @param event to fill, in the topic's schema layout.
     * @return false when there are no more events (nothing was written).
     */
    boolean next(EventFlyweight event);

    /**
     * Events laid out back to back in a buffer, each {@link Schema#length()} bytes.
     *
     * @param schema of the events.
     * @param events holding them.
     * @param offset of the first event.
     * @param count  of events.
     * @return a source reading them once, in order.
     */
    static EventSource of(final Schema schema, final DirectBuffer events, final int offset, final int count)
    {
        final int length = schema.length();
        if (count < 0 || offset < 0 || (long)offset + (long)count * length > events.capacity())
        {
            throw new IllegalArgumentException(count + " events of schema '" + schema.name() + "' (" + length + " bytes) at offset " +
                offset + " do not fit a buffer of " + events.capacity() + " bytes");
        }
        final int[] next = {0};
        return event ->
        {
            if (next[0] == count)
            {
                return false;
            }
            copy(events, offset + next[0]++ * length, event);
            return true;
        };
    }

    /**
     * Events each held at offset 0 of its own buffer, as an iterator hands them out.
     *
     * @param events to replay once, in order; each buffer holds one event of the topic's schema.
     * @return a source reading them.
     */
    static EventSource of(final Iterator<? extends DirectBuffer> events)
    {
        return event ->
        {
            if (!events.hasNext())
            {
                return false;
            }
            copy(events.next(), 0, event);
            return true;
        };
    }

    private static void copy(final DirectBuffer from, final int offset, final EventFlyweight to)
    {
        ((MutableDirectBuffer)to.buffer()).putBytes(to.offset(), from, offset, to.length());
    }
}
