package io.sluice.engine.io;

import io.sluice.schema.EventFlyweight;

/**
 * A {@link ColumnarEventSource} read event by event, for the backtests that do not take columns (joins, pipelines
 * whose first stage is not a window the columnar kernel runs): each event's fields are written from its columns into
 * the flyweight; or batch by batch ({@link #fillNext()}, {@link #fields()}) by {@link ColumnarMerge}, which merges
 * several inputs straight from their columns. One reader uses one of the two ways. Threading: the backtest's thread.
 */
final class ColumnarEvents implements EventSource
{
    private final ColumnarEventSource source;
    private final EventColumns columns;
    private final long[][] fields;
    private final String topic;
    private int size;
    private int next;
    private boolean ended;

    ColumnarEvents(final ColumnarEventSource source, final EventColumns columns, final String topic)
    {
        this.source = source;
        this.columns = columns;
        this.fields = columns.columns();
        this.topic = topic;
    }

    @Override
    public boolean next(final EventFlyweight event)
    {
        if (next == size && fillNext() == 0)
        {
            return false;
        }
        final long[][] fields = this.fields;
        final int at = next++;
        for (int f = 0; f < fields.length; f++)
        {
            event.putLong(f, fields[f][at]);
        }
        return true;
    }

    /**
     * Reads the source's next batch into the columns, once more after every event of the last one was taken.
     *
     * @return events in the columns, 0 at the end (and at every call after it, without asking the source again).
     * @throws BacktestException if the source claims more events than the columns hold, or fewer than none.
     */
    int fillNext()
    {
        if (ended)
        {
            return 0;
        }
        size = fill(source, columns, topic);
        next = 0;
        ended = size == 0;
        return size;
    }

    /**
     * The columns {@link #fillNext()} fills, by field index of the topic's schema.
     *
     * @return the columns, reused from batch to batch.
     */
    long[][] fields()
    {
        return fields;
    }

    /**
     * The next batch of a source, checked.
     *
     * @return events in the columns, 0 at the end.
     * @throws BacktestException if the source claims more events than the columns hold, or fewer than none.
     */
    static int fill(final ColumnarEventSource source, final EventColumns columns, final String topic)
    {
        final int size = source.fill(columns);
        if (size < 0 || size > columns.capacity())
        {
            throw new BacktestException("the columnar source of topic '" + topic + "' returned " + size + " events for columns of " +
                columns.capacity());
        }
        return size;
    }
}
