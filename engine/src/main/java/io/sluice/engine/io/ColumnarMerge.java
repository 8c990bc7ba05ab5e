package io.sluice.engine.io;

import org.agrona.MutableDirectBuffer;

import io.sluice.engine.exec.EventBatch;
import io.sluice.schema.Schema;

/**
 * The backtest's merge by event time of several inputs held as columns ({@link ColumnarEvents}): the order of
 * {@link ReplayLoop}'s merge (the next event is, of every input's next one, the one with the smallest time, ties to
 * the input given first), read straight from the columns. It differs from that loop only in how it gets there:
 * <ul>
 *   <li><b>runs</b>: once an input holds the earliest event, every following event of that input up to a bound (the
 *       other inputs' next times, less one for an input given before it, as ties go to that one) is taken with one
 *       compare against that bound, instead of a look at every input per event;</li>
 *   <li><b>no copy</b>: each event's fields are written from the columns into the batch (where the event loop decodes
 *       an event into the reader's own buffer and then copies it), and its key and time come from their columns.</li>
 * </ul>
 * Batches are cut where the loop cuts them (a partition change, a full batch), so the dispatchers see the same calls.
 * <p>
 * Threading: the backtest's thread.
 */
final class ColumnarMerge
{
    private final ColumnarEvents[] inputs;
    private final long[][][] fields;
    private final long[][] keys;
    private final long[][] times;
    private final int[][] offsets;
    private final int[] lengths;
    private final boolean[] gaps;
    private final int[] next;
    private final int[] size;
    private final ReplayLoop loop;

    /**
     * @param readers one per source, in the order that breaks ties of event time, each reading columns
     *                ({@link ReplayPlan.Reader#columnar()}) and none advanced yet.
     * @param loop    whose batches the events go into, cut and handed to the partitions' dispatchers as it cuts them.
     */
    ColumnarMerge(final ReplayPlan.Reader[] readers, final ReplayLoop loop)
    {
        final int n = readers.length;
        this.inputs = new ColumnarEvents[n];
        this.loop = loop;
        this.fields = new long[n][][];
        this.keys = new long[n][];
        this.times = new long[n][];
        this.offsets = new int[n][];
        this.lengths = new int[n];
        this.gaps = new boolean[n];
        this.next = new int[n];
        this.size = new int[n];
        for (int r = 0; r < n; r++)
        {
            final ReplayPlan.Reader reader = readers[r];
            final Schema schema = reader.schema();
            inputs[r] = reader.columnar();
            final long[][] columns = inputs[r].fields();
            fields[r] = columns;
            keys[r] = columns[reader.keyField()];
            times[r] = columns[reader.timeField()];
            offsets[r] = new int[columns.length];
            for (int f = 0; f < columns.length; f++)
            {
                offsets[r][f] = schema.field(f).offset();
            }
            lengths[r] = schema.length();
            // A layout whose long fields leave bytes between them: those are zeroed, as a decoded event's are.
            gaps[r] = columns.length * Long.BYTES != schema.length();
        }
    }

    /**
     * Hands every event of the inputs to the batches, in replay order.
     *
     * @throws BacktestException from an input's source that returns more events than its columns hold.
     */
    void run()
    {
        final int n = inputs.length;
        for (int r = 0; r < n; r++)
        {
            refill(r);
        }
        int r;
        while ((r = earliest()) >= 0)
        {
            final long bound = bound(r);
            final long[] ts = times[r];
            final int end = size[r];
            int i = next[r];
            do
            {
                emit(r, i);
                i++;
            }
            while (i < end && ts[i] <= bound);
            next[r] = i;
            if (i == end)
            {
                refill(r);
            }
        }
    }

    /** The input whose next event comes first (smallest time, ties to the input given first), -1 when all are done. */
    private int earliest()
    {
        int earliest = -1;
        long time = 0;
        for (int r = 0; r < inputs.length; r++)
        {
            if (next[r] < size[r])
            {
                final long t = times[r][next[r]];
                if (earliest < 0 || t < time)
                {
                    earliest = r;
                    time = t;
                }
            }
        }
        return earliest;
    }

    /**
     * The largest time the earliest input's events may have to come before every other input's next event: up to
     * an input given after it, its time (a tie goes to the earliest input); up to one given before it, its time less
     * one. The earliest input's own next event is within the bound, having been chosen.
     */
    private long bound(final int earliest)
    {
        long bound = Long.MAX_VALUE;
        for (int r = 0; r < inputs.length; r++)
        {
            if (r != earliest && next[r] < size[r])
            {
                final long t = times[r][next[r]];
                bound = Math.min(bound, r < earliest ? t - 1 : t);
            }
        }
        return bound;
    }

    private void emit(final int input, final int i)
    {
        final long key = keys[input][i];
        final EventBatch batch = loop.batchFor(key);
        final int at = batch.reserve(lengths[input]);
        final MutableDirectBuffer buffer = batch.writeBuffer();
        if (gaps[input])
        {
            buffer.setMemory(at, lengths[input], (byte)0);
        }
        final long[][] columns = fields[input];
        final int[] offsets = this.offsets[input];
        for (int f = 0; f < columns.length; f++)
        {
            buffer.putLong(at + offsets[f], columns[f][i]);
        }
        if (batch.commit(input, key, times[input][i]))
        {
            loop.flush();
        }
    }

    private void refill(final int input)
    {
        size[input] = inputs[input].fillNext();
        next[input] = 0;
    }
}
