package io.sluice.engine.exec;

import java.util.Arrays;
import java.util.List;

import org.agrona.DirectBuffer;

import io.sluice.engine.pipeline.Pipeline;
import io.sluice.engine.pipeline.Source;

/**
 * Drives the pipeline instances of one partition: each event of a source goes, in instance order,
 * to every running instance that reads that source, as the input (0, or 0 = left and 1 = right of a
 * join) the source is for it; ticks and the end of input go to every instance. The one dispatcher of
 * Sluice: the live engine's partition thread (journaled records, recovery and operator replay) and
 * the backtest (events read from files or memory) both call it, so that the same events in the same
 * order give the same calls, hence the same outputs, by construction.
 *
 * <p>A stage failing under HALT halts only its instance, which then gets no further events; the
 * halt is visible through the instance's state and counters, never thrown out of the dispatcher.
 *
 * <p>Threading: the one thread that owns the partition; allocation-free.
 */
public final class PartitionDispatcher
{
    /** Marks an instance that did not run for an event, in the ends of {@link #onEventTimed}. */
    public static final long NOT_RUN = Long.MIN_VALUE;

    private final PipelineInstance[] instances;
    /** inputs[instance][source]: which input of the instance a source feeds, or -1. */
    private final int[][] inputs;
    private int partition;
    /** Key name registry per source, or null: see {@link #keyNames}. */
    private SymbolKeyNames[] keyNames;

    /**
     * Creates a dispatcher over the instances of one partition.
     *
     * @param instances of the partition, in dispatch order.
     * @param inputs    {@code inputs[instance][source]}: the input of the instance that a source feeds, or -1.
     */
    public PartitionDispatcher(final PipelineInstance[] instances, final int[][] inputs)
    {
        if (inputs.length != instances.length)
        {
            throw new IllegalArgumentException("inputs for " + inputs.length + " instances, " + instances.length + " given");
        }
        this.instances = instances;
        this.inputs = inputs;
    }

    /**
     * Records the names of symbol keys as events arrive, for the file sinks that write keys as names:
     * {@code namesBySource[source]} is the registry of that source's topic, or null for a source whose
     * key is not a symbol (or whose names nobody needs). Set before the first event.
     *
     * @param partition     the dispatcher's partition.
     * @param namesBySource registry per source index, or null for none.
     * @return this.
     */
    public PartitionDispatcher keyNames(final int partition, final SymbolKeyNames[] namesBySource)
    {
        this.partition = partition;
        this.keyNames = namesBySource;
        return this;
    }

    private void recordKeyName(final int source, final DirectBuffer buffer, final int offset, final long key)
    {
        final SymbolKeyNames[] all = keyNames;
        if (all != null && all[source] != null)
        {
            all[source].record(partition, buffer, offset, key);
        }
    }

    /**
     * The routing of sources to the inputs of pipelines, shared by the live engine's source groups and
     * the backtest so that both route alike: {@code inputs[pipeline][source]} is the input (index in
     * {@link Pipeline#sources()}) of that pipeline the source's topic feeds, or -1. When a pipeline
     * reads one topic as two inputs the later input wins.
     *
     * @param pipelines    in dispatch order.
     * @param sourceTopics topics of the sources, in source index order.
     * @return the routing table.
     */
    public static int[][] inputs(final List<Pipeline> pipelines, final List<String> sourceTopics)
    {
        final int[][] inputs = new int[pipelines.size()][sourceTopics.size()];
        for (int p = 0; p < pipelines.size(); p++)
        {
            Arrays.fill(inputs[p], -1);
            final List<Source> sources = pipelines.get(p).sources();
            for (int i = 0; i < sources.size(); i++)
            {
                final int source = sourceTopics.indexOf(sources.get(i).topic());
                if (source >= 0)
                {
                    inputs[p][source] = i;
                }
            }
        }
        return inputs;
    }

    /**
     * The number of sources it routes (the sources of the partition's group).
     *
     * @return the count, 0 without instances.
     */
    public int sources()
    {
        return inputs.length > 0 ? inputs[0].length : 0;
    }

    /**
     * The instances it drives, in dispatch order; the array is the dispatcher's own, do not change it.
     *
     * @return the instances.
     */
    public PipelineInstance[] instances()
    {
        return instances;
    }

    /**
     * One event of a source to every running instance that reads it.
     *
     * @param source    index of the source the event came from.
     * @param buffer    holding the event's bytes (that source's schema layout).
     * @param offset    of the event in the buffer.
     * @param key       of the event (its partition key's value).
     * @param timestamp of the event.
     */
    public void onEvent(final int source, final DirectBuffer buffer, final int offset, final long key, final long timestamp)
    {
        recordKeyName(source, buffer, offset, key);
        final PipelineInstance[] all = instances;
        for (int i = 0; i < all.length; i++)
        {
            deliver(all[i], inputs[i][source], buffer, offset, key, timestamp);
        }
    }

    /**
     * A hint that records of these partition keys come next, to every instance: see
     * {@link PipelineInstance#prefetch}. Changes nothing.
     *
     * @param keys  of the coming records.
     * @param count of keys, from index 0.
     * @return a value depending on what was loaded, for the caller to keep (so the loads are not dropped).
     */
    public long prefetch(final long[] keys, final int count)
    {
        long touched = 0;
        final PipelineInstance[] all = instances;
        for (int i = 0; i < all.length; i++)
        {
            touched += all[i].prefetch(keys, count);
        }
        return touched;
    }

    /**
     * A run of events, each to every running instance that reads its source: the same calls in the
     * same order as one {@link #onEvent} per event. With one instance and no key names to record (the
     * common backtest) the instance takes the whole run in one call ({@link PipelineInstance#onEvents}),
     * which saves the dispatch of each event.
     *
     * @param batch of consecutive events of this partition.
     */
    public void onEvents(final EventBatch batch)
    {
        final PipelineInstance[] all = instances;
        if (all.length == 1 && keyNames == null)
        {
            all[0].onEvents(batch, inputs[0]);
            return;
        }
        final DirectBuffer buffer = batch.buffer();
        for (int e = 0, size = batch.size(); e < size; e++)
        {
            onEvent(batch.source(e), buffer, batch.offset(e), batch.key(e), batch.timestamp(e));
        }
    }

    /**
     * {@link #onEvent} with the clock read after each instance that ran, into {@code ends[1 + i]}
     * ({@link #NOT_RUN} for an instance that did not run); {@code ends[0]} is set to {@code start}.
     *
     * @param source    index of the source the event came from.
     * @param buffer    holding the event's bytes.
     * @param offset    of the event in the buffer.
     * @param key       of the event.
     * @param timestamp of the event.
     * @param start     clock before the first instance.
     * @param ends      of at least instances + 1 elements, reused by the caller.
     * @return the clock at the end of the last instance that ran, {@code start} if none ran.
     */
    public long onEventTimed(
        final int source, final DirectBuffer buffer, final int offset, final long key, final long timestamp,
        final long start, final long[] ends)
    {
        recordKeyName(source, buffer, offset, key);
        final PipelineInstance[] all = instances;
        long last = start;
        ends[0] = start;
        for (int i = 0; i < all.length; i++)
        {
            ends[i + 1] = NOT_RUN;
            if (deliver(all[i], inputs[i][source], buffer, offset, key, timestamp))
            {
                last = System.nanoTime();
                ends[i + 1] = last;
            }
        }
        return last;
    }

    /**
     * One event of a source to one instance alone (an operator's replay of one pipeline), if it reads
     * that source and is running.
     *
     * @param instance  index of the instance.
     * @param source    index of the source the event came from.
     * @param buffer    holding the event's bytes.
     * @param offset    of the event in the buffer.
     * @param key       of the event.
     * @param timestamp of the event.
     */
    public void onEvent(
        final int instance, final int source, final DirectBuffer buffer, final int offset, final long key, final long timestamp)
    {
        recordKeyName(source, buffer, offset, key);
        deliver(instances[instance], inputs[instance][source], buffer, offset, key, timestamp);
    }

    /**
     * A journaled processing-time tick to every instance.
     *
     * @param processingTime journaled time of the tick.
     */
    public void onProcessingTime(final long processingTime)
    {
        for (final PipelineInstance instance : instances)
        {
            instance.onProcessingTime(processingTime);
        }
    }

    /**
     * The end of a bounded input to every instance: every open window and pending result is emitted.
     */
    public void onEndOfInput()
    {
        for (final PipelineInstance instance : instances)
        {
            instance.onEndOfInput();
        }
    }

    /**
     * The end of a turn to every instance, on the thread that processed it: each sink publishes the outputs it was
     * given since the last turn's end ({@link PipelineInstance#onTurnEnd}).
     */
    public void onTurnEnd()
    {
        for (final PipelineInstance instance : instances)
        {
            instance.onTurnEnd();
        }
    }

    /**
     * A journaled processing-time tick to one instance alone (an operator's replay of one pipeline).
     *
     * @param instance       index of the instance.
     * @param processingTime journaled time of the tick.
     */
    public void onProcessingTime(final int instance, final long processingTime)
    {
        instances[instance].onProcessingTime(processingTime);
    }

    /**
     * The end of a bounded input to one instance alone (an operator's replay of one pipeline).
     *
     * @param instance index of the instance.
     */
    public void onEndOfInput(final int instance)
    {
        instances[instance].onEndOfInput();
    }

    private static boolean deliver(
        final PipelineInstance instance, final int input, final DirectBuffer buffer, final int offset, final long key, final long timestamp)
    {
        if (input < 0 || instance.state() != PipelineInstance.RUNNING)
        {
            return false;
        }
        try
        {
            instance.onEvent(input, buffer, offset, key, timestamp);
        }
        catch (final PipelineHaltedException ex)
        {
            // Visible through the instance's state, its counter and the error log.
        }
        return true;
    }
}
