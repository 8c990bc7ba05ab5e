package io.sluice.loadgen;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Alerts emitted by detector pipelines, kept in pre-allocated primitive columns, one log per
 * partition so every log has a single writer (that partition's thread) and one reader (the
 * reporter). An alert that does not fit is counted, never blocks the partition thread.
 *
 * <p>Threading: {@link #append} only from the partition thread of its partition;
 * {@link #drainTo} and {@link #all()} from one reader thread.
 */
public final class AlertLog
{
    private final List<String> kinds = new ArrayList<>();
    private final int capacity;
    private final int[][] kind;
    private final long[][] key;
    private final long[][] start;
    private final long[][] end;
    private final double[][] value;
    // Per partition: entries published (written by the partition thread with release semantics
    // after the entry's columns, read with acquire semantics by the reader) and entries dropped.
    private final AtomicLongArray published;
    private final AtomicLongArray dropped;
    private final int[] read;
    private final List<Alert> all = new ArrayList<>();

    /**
     * Creates the log.
     *
     * @param partitions that emit alerts.
     * @param capacity   alerts kept per partition.
     */
    public AlertLog(final int partitions, final int capacity)
    {
        this.capacity = capacity;
        kind = new int[partitions][capacity];
        key = new long[partitions][capacity];
        start = new long[partitions][capacity];
        end = new long[partitions][capacity];
        value = new double[partitions][capacity];
        published = new AtomicLongArray(partitions);
        dropped = new AtomicLongArray(partitions);
        read = new int[partitions];
    }

    /**
     * Registers a kind of alert before the run.
     *
     * @param name of the kind.
     * @return its id, for {@link #append}.
     */
    public synchronized int kind(final String name)
    {
        final int existing = kinds.indexOf(name);
        if (existing >= 0)
        {
            return existing;
        }
        kinds.add(name);
        return kinds.size() - 1;
    }

    /**
     * Records an alert; allocation free.
     *
     * @param partition emitting it; the caller must be that partition's thread.
     * @param kindId    from {@link #kind(String)}.
     * @param key       alerted on.
     * @param start     of the evidence.
     * @param end       of the evidence, exclusive.
     * @param value     that crossed the threshold.
     */
    public void append(final int partition, final int kindId, final long key, final long start, final long end, final double value)
    {
        final int index = (int)published.getPlain(partition);
        if (index >= capacity)
        {
            dropped.setRelease(partition, dropped.getPlain(partition) + 1);
            return;
        }
        this.kind[partition][index] = kindId;
        this.key[partition][index] = key;
        this.start[partition][index] = start;
        this.end[partition][index] = end;
        this.value[partition][index] = value;
        // Release: the columns above become visible to the reader no later than the new count.
        published.setRelease(partition, index + 1);
    }

    /**
     * Moves alerts published since the last call to a list, in partition order.
     *
     * @param out receiving the new alerts.
     * @return how many were added.
     */
    public int drainTo(final List<Alert> out)
    {
        int added = 0;
        for (int p = 0; p < read.length; p++)
        {
            final int limit = (int)published.getAcquire(p);
            for (int i = read[p]; i < limit; i++)
            {
                final Alert alert = new Alert(kinds.get(kind[p][i]), key[p][i], start[p][i], end[p][i], value[p][i], p);
                out.add(alert);
                all.add(alert);
                added++;
            }
            read[p] = limit;
        }
        return added;
    }

    /**
     * Every alert drained so far.
     *
     * @return the alerts, in drain order.
     */
    public List<Alert> all()
    {
        drainTo(new ArrayList<>());
        return List.copyOf(all);
    }

    /**
     * Alerts that did not fit.
     *
     * @return the count over all partitions.
     */
    public long dropped()
    {
        long sum = 0;
        for (int p = 0; p < read.length; p++)
        {
            sum += dropped.getAcquire(p);
        }
        return sum;
    }
}
