package io.sluice.loadgen;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.agrona.BitUtil;
import org.agrona.DirectBuffer;

import io.sluice.engine.pipeline.EventSink;
import io.sluice.engine.pipeline.Pipeline;
import io.sluice.engine.runtime.Engine;
import io.sluice.engine.runtime.EngineContext;
import io.sluice.engine.runtime.EventPublisher;
import io.sluice.schema.EventFlyweight;

/**
 * Load on a user's own topic through an engine in this process running the user's pipelines, with the
 * latency measured from each event's SCHEDULED send time to the moment its partition has journaled it
 * and run every pipeline on it ({@link Engine#processedSequence} covers its ring sequence), since a
 * user's pipelines have no latency probe. Open loop: the sender's wait is charged to every event due
 * meanwhile. The pipelines' outputs are counted ({@link #outputs}), not written anywhere.
 *
 * <p>Per partition, the ring sequence and scheduled time of every event in flight are kept in a ring
 * as large as the engine's (no more events can be in flight: publishing waits while a ring is full).
 *
 * <p>Threading: {@link #open}, {@link #send} and {@link #idle} on the sender thread, then
 * {@link #endOfInput}, {@link #awaitDrained} and {@link #close} on the generator's thread once the
 * sender has stopped. The counting sinks run on the partition threads, each partition in its own slot.
 */
public final class ProcessedLatencyTarget implements LoadTarget
{
    /** Longs between two partitions' output counts, so that partition threads do not share a cache line. */
    private static final int COUNT_STRIDE = 16;

    private final EngineContext context;
    private final LatencyRecorder recorder;
    private final List<String> pipelineNames;
    private final int partitions;
    private final long[] outputs;
    private final Engine engine;
    private final int capacity;
    private final int mask;
    private final long[][] sequences;
    private final long[][] scheduled;
    private final long[] heads;
    private final long[] tails;
    private String topic;
    private EventPublisher publisher;
    private long sent;
    private long processed;

    /**
     * Launches an engine with pipelines whose sinks {@code pipelines} builds from the counting sinks
     * given, one per pipeline in {@code pipelineNames} order.
     *
     * @param context       of the engine (partitions, ring size, wait strategy, data directory).
     * @param pipelineNames of the pipelines, in the order of the sinks given to {@code pipelines}.
     * @param pipelines     builds the pipelines from one counting sink per pipeline.
     * @param recorder      of the latencies.
     */
    public ProcessedLatencyTarget(
        final EngineContext context,
        final List<String> pipelineNames,
        final java.util.function.Function<List<EventSink>, List<Pipeline>> pipelines,
        final LatencyRecorder recorder)
    {
        this.context = context;
        this.recorder = recorder;
        this.pipelineNames = List.copyOf(pipelineNames);
        this.partitions = context.partitions();
        this.outputs = new long[pipelineNames.size() * partitions * COUNT_STRIDE];
        final java.util.ArrayList<EventSink> sinks = new java.util.ArrayList<>();
        for (int i = 0; i < pipelineNames.size(); i++)
        {
            sinks.add(new CountingSink(outputs, i * partitions * COUNT_STRIDE));
        }
        this.capacity = BitUtil.findNextPositivePowerOfTwo(context.ringSize());
        this.mask = capacity - 1;
        this.sequences = new long[partitions][capacity];
        this.scheduled = new long[partitions][capacity];
        this.heads = new long[partitions];
        this.tails = new long[partitions];
        this.engine = Engine.launch(context, pipelines.apply(sinks));
    }

    /** Counts the outputs of one pipeline per partition; called on the partition threads. */
    private static final class CountingSink implements EventSink
    {
        private final long[] counts;
        private final int base;

        CountingSink(final long[] counts, final int base)
        {
            this.counts = counts;
            this.base = base;
        }

        @Override
        public void onEvent(final int partition, final long sequence, final long key, final long timestamp, final EventFlyweight event)
        {
            counts[base + partition * COUNT_STRIDE]++; // single writer: the partition's thread
        }
    }

    @Override
    public void open(final List<ScenarioTopic> topics)
    {
        if (topics.size() != 1)
        {
            throw new IllegalArgumentException("the processed-latency target takes one topic, was " + topics.size());
        }
        final ScenarioTopic scenarioTopic = topics.get(0);
        topic = scenarioTopic.name();
        publisher = engine.publisher(topic);
        if (publisher.schema().length() != scenarioTopic.schema().length())
        {
            throw new IllegalStateException("the engine's topic " + topic + " has " + publisher.schema().length() +
                "-byte events, the scenario's " + scenarioTopic.schema().length());
        }
    }

    @Override
    public void send(final int topicIndex, final DirectBuffer buffer, final int offset)
    {
        send(topicIndex, buffer, offset, System.nanoTime());
    }

    @Override
    public void send(final int topicIndex, final DirectBuffer buffer, final int offset, final long scheduledNs)
    {
        final int partition = publisher.publish(buffer, offset);
        final long sequence = publisher.lastSequence();
        while (tails[partition] - heads[partition] >= capacity)
        {
            // Cannot happen while the ring bounds what is in flight; if it did, wait rather than overwrite a time.
            takeProcessed(partition, System.nanoTime());
            Thread.onSpinWait();
        }
        final int at = (int)(tails[partition]++ & mask);
        sequences[partition][at] = sequence;
        scheduled[partition][at] = scheduledNs;
        sent++;
        takeProcessed(partition, System.nanoTime());
    }

    @Override
    public boolean idle()
    {
        takeAllProcessed();
        return processed < sent;
    }

    private void takeAllProcessed()
    {
        final long now = System.nanoTime();
        for (int p = 0; p < partitions; p++)
        {
            takeProcessed(p, now);
        }
    }

    private void takeProcessed(final int partition, final long now)
    {
        long head = heads[partition];
        final long tail = tails[partition];
        if (head == tail)
        {
            return;
        }
        final long done = engine.processedSequence(topic, partition);
        final long[] partitionSequences = sequences[partition];
        final long[] partitionScheduled = scheduled[partition];
        while (head < tail && partitionSequences[(int)(head & mask)] <= done)
        {
            recorder.record(partitionScheduled[(int)(head & mask)], now);
            head++;
            processed++;
        }
        heads[partition] = head;
    }

    @Override
    public void endOfInput()
    {
        engine.endOfInput(topic);
    }

    @Override
    public boolean awaitDrained(final long timeoutMs)
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (processed < sent)
        {
            if (System.nanoTime() - deadline > 0)
            {
                return false;
            }
            takeAllProcessed();
            LockSupport.parkNanos(20_000);
        }
        return engine.drain(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())), TimeUnit.MILLISECONDS);
    }

    /**
     * Events sent.
     *
     * @return the count.
     */
    public long sent()
    {
        return sent;
    }

    /**
     * Events seen processed by every pipeline of their partition.
     *
     * @return the count.
     */
    public long processed()
    {
        return processed;
    }

    /**
     * Outputs a pipeline delivered to its sink, over all partitions; exact once {@link #awaitDrained}
     * returned true (the engine's drain orders the partition threads' counts before this read).
     *
     * @param pipeline index in the names given at launch.
     * @return the count.
     */
    public long outputs(final int pipeline)
    {
        long total = 0;
        for (int p = 0; p < partitions; p++)
        {
            total += outputs[(pipeline * partitions + p) * COUNT_STRIDE];
        }
        return total;
    }

    /**
     * The pipelines' names, in the order of {@link #outputs(int)}.
     *
     * @return the names.
     */
    public List<String> pipelineNames()
    {
        return pipelineNames;
    }

    /**
     * The running engine, for status.
     *
     * @return the engine.
     */
    public Engine engine()
    {
        return engine;
    }

    @Override
    public String describe()
    {
        return "embedded engine: " + partitions + (partitions == 1 ? " partition" : " partitions") + ", ring " + context.ringSize() + ", wait strategy " +
            context.waitStrategy().configName() + ", data in " + context.directory() + "; latency to the event processed by every pipeline";
    }

    @Override
    public void close()
    {
        engine.close();
    }
}
