package io.sluice.engine.io;

import io.sluice.engine.exec.PipelineInstance;
import io.sluice.journal.Topic;

/**
 * The backtest's loop for one input read as columns into one pipeline whose instances take columns
 * ({@link PipelineInstance#takesColumns()}): each batch the source fills goes to the instance in one call, or,
 * with several partitions, each event to its key's partition ({@link Topic#partitionFor}, as the live publisher
 * routes it) in order. The instances see the same events in the same order as the event-by-event loop
 * ({@link ReplayLoop}), so the outputs are the same. Threading: the backtest's thread.
 */
final class ColumnarReplay
{
    /** Events per batch: the source's per-batch call amortised, the columns (a few KiB each) in the first-level cache. */
    static final int BATCH_EVENTS = 512;

    private final ColumnarEventSource source;
    private final EventColumns columns;
    private final PipelineInstance[] instances;
    private final int keyField;
    private final String topic;

    /**
     * @param source    of the events.
     * @param columns   to fill, of the input's schema.
     * @param instances of the pipeline, one per partition, each taking columns.
     * @param keyField  the partition key's field.
     * @param topic     the input's topic, for errors.
     */
    ColumnarReplay(
        final ColumnarEventSource source, final EventColumns columns, final PipelineInstance[] instances, final int keyField,
        final String topic)
    {
        this.source = source;
        this.columns = columns;
        this.instances = instances;
        this.keyField = keyField;
        this.topic = topic;
    }

    /**
     * Replays every event of the source.
     *
     * @throws MalformedInputException from a file's reader, once the events before the malformed one are processed.
     */
    void run()
    {
        final long[][] fields = columns.columns();
        final long[] keys = fields[keyField];
        final PipelineInstance[] instances = this.instances;
        final int partitions = instances.length;
        int size;
        while ((size = ColumnarEvents.fill(source, columns, topic)) > 0)
        {
            if (partitions == 1)
            {
                instances[0].onColumns(fields, 0, size);
                continue;
            }
            for (int e = 0; e < size; e++)
            {
                instances[Topic.partitionFor(keys[e], partitions)].onColumns(fields, e, e + 1);
            }
        }
    }
}
