package io.sluice.engine.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.sluice.engine.pipeline.Pipeline;
import io.sluice.engine.pipeline.TestEvents;
import io.sluice.schema.EventFlyweight;

/**
 * Steady state allocates nothing per event, on the publishing thread nor on the partition thread
 * that journals, windows and emits: measured with the JVM's per-thread allocation counters over
 * millions of events after a warm-up.
 */
class EngineAllocationTest
{
    private static final int WARM_UP = 1_000_000;
    private static final int MEASURED = 2_000_000;

    @TempDir
    Path dir;

    @Test
    void shouldNotAllocatePerEventOnThePublisherOrThePartitionThread()
    {
        measure(null, null);
    }

    @Test
    void shouldNotAllocatePerEventWithStageAndIngestLatencyListeners()
    {
        // Stage id -> events and nanos, on the partition thread only: what a recorder does, minus HdrHistogram.
        final long[] stageEvents = new long[3];
        final long[] stageNanos = new long[3];
        final long[] ingest = {0};
        measure((p, stage, nanos) ->
        {
            stageEvents[stage]++;
            stageNanos[stage] += nanos;
        }, (p, ingestNanos, doneNanos) -> ingest[0] += doneNanos - ingestNanos);
        assertThat(stageEvents[StageLatencyListener.FIRST_PIPELINE]).isEqualTo(WARM_UP + MEASURED);
        assertThat(stageEvents[StageLatencyListener.RING_WAIT]).isGreaterThanOrEqualTo(WARM_UP + MEASURED);
        assertThat(ingest[0]).isPositive();
    }

    private void measure(final StageLatencyListener stages, final IngestLatencyListener ingest)
    {
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long[] outputs = {0};
        final Pipeline pipeline = Pipeline.from("trades", TestEvents.TRADE)
            .name("volume").partitionKey("account").eventTime("ts", 100)
            .filter("qty > 0", e -> e.getLong(2) > 0)
            .window(w -> w.tumbling(1_000).count("n").sum("notional", "amount").expectedEntries(64 * 1024))
            .sink("count", (p, s, k, t, e) -> outputs[0]++)
            .build();
        final EngineContext context = new EngineContext().directory(dir).partitions(1).ringSize(8192)
            .journalSegmentLength(512 * 1024 * 1024).checkpoints(false).waitStrategy(WaitStrategyKind.SLEEP)
            .stageLatencyListener(stages).latencyListener(ingest);
        try (Engine engine = Engine.launch(context, List.of(pipeline)))
        {
            final Thread partitionThread = findThread("sluice-processing-0");
            final EventPublisher publisher = engine.publisher("trades");
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[TestEvents.TRADE.length()]);
            publish(publisher, buffer, 0, WARM_UP);
            assertThat(engine.drain(60, TimeUnit.SECONDS)).isTrue();

            final long publisherBefore = threads.getCurrentThreadAllocatedBytes();
            final long partitionBefore = threads.getThreadAllocatedBytes(partitionThread.getId());
            publish(publisher, buffer, WARM_UP, WARM_UP + MEASURED);
            assertThat(engine.drain(60, TimeUnit.SECONDS)).isTrue();
            final long publisherBytes = threads.getCurrentThreadAllocatedBytes() - publisherBefore;
            final long partitionBytes = threads.getThreadAllocatedBytes(partitionThread.getId()) - partitionBefore;

            assertThat(outputs[0]).isPositive();
            // A few hundred bytes may come from the JVM's own bookkeeping; per event it must be nothing.
            assertThat(publisherBytes).as("publisher bytes over %d events", MEASURED).isLessThan(4_096);
            assertThat(partitionBytes).as("partition thread bytes over %d events", MEASURED).isLessThan(4_096);
        }
    }

    private static void publish(final EventPublisher publisher, final UnsafeBuffer buffer, final int from, final int to)
    {
        final EventFlyweight event = new EventFlyweight(TestEvents.TRADE).wrapForWrite(buffer, 0);
        for (int i = from; i < to; i++)
        {
            event.putLong(0, i % 10_000).putDouble(1, (i % 1000) / 10.0).putLong(2, 1 + (i & 7)).putLong(3, i / 10);
            publisher.publish(buffer, 0);
        }
    }

    private static Thread findThread(final String name)
    {
        for (final Thread thread : Thread.getAllStackTraces().keySet())
        {
            if (thread.getName().equals(name))
            {
                return thread;
            }
        }
        throw new AssertionError("no thread " + name);
    }
}
