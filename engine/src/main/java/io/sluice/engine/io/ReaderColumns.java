package io.sluice.engine.io;

import io.sluice.schema.EventFlyweight;

/**
 * The events of a {@link ReplayPlan.Reader} (input files) written into columns, so a file's events reach a
 * window that takes columns. A read that fails (a malformed line under {@link MalformedInputPolicy#STOP}) ends
 * the batch with the events before it, and is thrown on the next call, once they are processed, as the
 * event-by-event backtest processes every event before a malformed one. Threading: the backtest's thread.
 */
final class ReaderColumns implements ColumnarEventSource
{
    private final ReplayPlan.Reader reader;
    private RuntimeException pending;

    ReaderColumns(final ReplayPlan.Reader reader)
    {
        this.reader = reader;
    }

    @Override
    public int fill(final EventColumns columns)
    {
        if (pending != null)
        {
            final RuntimeException failure = pending;
            pending = null;
            throw failure;
        }
        final long[][] fields = columns.columns();
        final int capacity = columns.capacity();
        final EventFlyweight event = reader.event();
        int size = 0;
        try
        {
            while (size < capacity && reader.advance())
            {
                for (int f = 0; f < fields.length; f++)
                {
                    fields[f][size] = event.getLong(f);
                }
                size++;
            }
        }
        catch (final RuntimeException ex)
        {
            if (size == 0)
            {
                throw ex;
            }
            pending = ex;
        }
        return size;
    }
}
