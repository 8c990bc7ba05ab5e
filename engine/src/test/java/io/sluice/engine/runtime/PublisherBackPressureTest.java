package io.sluice.engine.runtime;

import static io.sluice.engine.runtime.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.sluice.engine.pipeline.Pipeline;
import io.sluice.engine.pipeline.TestEvents;

/**
 * Producers facing a full ring: they wait (back-pressure) while the partition holds, resume once it
 * drains, and lose or reorder nothing, for single events and for batches as large as the ring.
 */
class PublisherBackPressureTest
{
    private static final int RING_SIZE = 16;
    private static final int EVENTS = 2_000;

    @TempDir
    Path dir;

    private static Pipeline passThrough(final TestEvents.TextSink sink)
    {
        return Pipeline.from("trades", TestEvents.TRADE)
            .name("all")
            .partitionKey("account")
            .eventTime("ts", 50)
            .filter("all", e -> true)
            .sink("text", sink)
            .build();
    }

    @Test
    void shouldWaitOnAFullRingAndDeliverEveryEventInOrderOnceThePartitionDrains() throws Exception
    {
        runAgainstAHeldPartition(0);
    }

    @Test
    void shouldWaitOnAFullRingWithBatchesAsLargeAsTheRing() throws Exception
    {
        runAgainstAHeldPartition(RING_SIZE);
    }

    /**
     * Pauses the pipeline (its partition stops taking slots), publishes more than a ring from another
     * thread, checks that the producer is held at a full ring, resumes, and expects every event once, in
     * publication order.
     */
    private void runAgainstAHeldPartition(final int batch) throws Exception
    {
        final TestEvents.TextSink sink = new TestEvents.TextSink();
        try (Engine engine = Engine.launch(new EngineContext().directory(dir.resolve("data")).partitions(1).ringSize(RING_SIZE)
            .waitStrategy(WaitStrategyKind.SLEEP), List.of(passThrough(sink))))
        {
            engine.pause("all");
            final AtomicInteger published = new AtomicInteger();
            final AtomicReference<Throwable> error = new AtomicReference<>();
            final Thread producer = new Thread(() ->
            {
                try
                {
                    final UnsafeBuffer buffer = new UnsafeBuffer(new byte[TestEvents.TRADE.length()]);
                    final EventPublisher single = batch == 0 ? engine.publisher("trades") : null;
                    final BatchingPublisher batching = batch == 0 ? null : engine.batchingPublisher("trades", batch);
                    for (int i = 0; i < EVENTS; i++)
                    {
                        TestEvents.trade(buffer, 7, i, i, i);
                        if (single != null)
                        {
                            single.publish(buffer, 0);
                        }
                        else
                        {
                            batching.publish(buffer, 0);
                        }
                        published.incrementAndGet();
                    }
                    if (batching != null)
                    {
                        batching.flush();
                    }
                }
                catch (final Throwable ex)
                {
                    error.set(ex);
                }
            }, "back-pressure-producer");
            producer.start();
            // The ring holds RING_SIZE slots and the partition takes none: the producer must stop there
            // (a batching producer may hold one more batch staged).
            await("the producer to fill the ring", () -> published.get() >= RING_SIZE / 2);
            assertThat(published.get()).as("events accepted while the partition holds").isLessThanOrEqualTo(RING_SIZE + batch);
            assertThat(producer.isAlive()).isTrue();
            assertThat(sink.lines()).isEmpty();

            engine.resume("all");
            producer.join(TimeUnit.SECONDS.toMillis(120));
            assertThat(producer.isAlive()).as("producer still blocked after resume").isFalse();
            assertThat(error.get()).isNull();
            await("every event in the sink", () -> sink.lines().size() == EVENTS);
        }
        final List<String> lines = sink.lines();
        final List<Long> quantities = new ArrayList<>();
        for (final String line : lines)
        {
            quantities.add(Long.parseLong(line.substring(line.indexOf("qty=") + 4).split(" ")[0]));
        }
        for (int i = 0; i < EVENTS; i++)
        {
            assertThat(quantities.get(i)).as("event " + i).isEqualTo(i);
        }
    }
}
