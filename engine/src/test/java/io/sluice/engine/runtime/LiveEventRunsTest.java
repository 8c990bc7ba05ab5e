package io.sluice.engine.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.sluice.engine.pipeline.Pipeline;
import io.sluice.engine.pipeline.TestEvents;

/**
 * The processing thread journals each live event as it takes it and processes the events of its turn as runs
 * (in place in the ring's block); with a latency listener it journals the run the same way (one write), then processes
 * and times each event on its own, once the run is journaled. Both must give the same outputs per partition, with ticks, a checkpoint barrier, an operator's replay and the end of
 * input between the runs, a ring small enough that runs wrap around its block, and journal segments small enough
 * that appends roll.
 */
class LiveEventRunsTest
{
    private static final int PARTITIONS = 2;
    private static final int RING = 512;
    /** Published while the pipelines are paused: fewer than a ring's worth in total, so no publish blocks. */
    private static final int WHILE_PAUSED = RING - 12;
    private static final int EVENTS = 40_000;

    @TempDir
    Path dir;

    private static Pipeline volume(final TestEvents.TextSink sink)
    {
        return Pipeline.from("trades", TestEvents.TRADE)
            .name("volume")
            .partitionKey("account")
            .eventTime("ts", 50)
            .window(w -> w.sliding(1_000, 250).count("n").sum("notional", "amount"))
            .sink("text", sink)
            .build();
    }

    private static Pipeline bigTrades(final TestEvents.TextSink sink)
    {
        return Pipeline.from("trades", TestEvents.TRADE)
            .name("big")
            .partitionKey("account")
            .eventTime("ts", 50)
            .filter("amount > 900", e -> e.getDouble(1) > 900)
            .sink("text", sink)
            .build();
    }

    @Test
    void shouldGiveTheOutputsOfOneEventAtATimeWhenOnePipelineTakesTheRuns()
    {
        final Outcome oneByOne = run(dir.resolve("one"), true, false);
        final Outcome runs = run(dir.resolve("runs"), false, false);

        assertTimedOneByOneAfterTheirRunsWrites(oneByOne);
        assertThat(runs.runs).isPositive();
        assertThat(runs.eventsIn).isEqualTo(oneByOne.eventsIn).isGreaterThan(runs.runs);
        assertSameOutputs(runs, oneByOne);
    }

    @Test
    void shouldGiveTheOutputsOfOneEventAtATimeWhenTwoPipelinesShareThePartitions()
    {
        final Outcome oneByOne = run(dir.resolve("one"), true, true);
        final Outcome runs = run(dir.resolve("runs"), false, true);

        assertTimedOneByOneAfterTheirRunsWrites(oneByOne);
        assertThat(runs.eventsIn).isEqualTo(oneByOne.eventsIn).isGreaterThan(runs.runs);
        assertThat(runs.runs).isPositive();
        assertSameOutputs(runs, oneByOne);
    }

    /**
     * Every event was timed on its own, each when every record appended before it was JOURNALED (the partition's end
     * offset published at the writer's next offset), and the runs were written as one: fewer writes than events.
     */
    private static void assertTimedOneByOneAfterTheirRunsWrites(final Outcome timed)
    {
        assertThat(timed.timed).as("every event timed").isGreaterThanOrEqualTo(timed.eventsIn);
        assertThat(timed.timedBeforeJournaled).as("events timed before their run was journaled").isZero();
        assertThat(timed.journalWrites).as("runs written as one with a latency listener").isPositive().isLessThan(timed.eventsIn);
    }

    private static void assertSameOutputs(final Outcome actual, final Outcome expected)
    {
        assertThat(expected.lines).hasSizeGreaterThan(1_000);
        for (int p = 0; p < PARTITIONS; p++)
        {
            // Sorted: the scheduler's ticks land between events at different points in the two runs.
            assertThat(ofPartition(actual.lines, p)).as("partition %d", p).isEqualTo(ofPartition(expected.lines, p));
        }
    }

    private Outcome run(final Path data, final boolean oneByOne, final boolean twoPipelines)
    {
        final EngineContext context = new EngineContext().directory(data).partitions(PARTITIONS).ringSize(RING)
            .journalSegmentLength(1024 * 1024).waitStrategy(WaitStrategyKind.SLEEP).tickIntervalMillis(1);
        // Filled once launched, before the first publish (which the processing threads' first slot happens after).
        final io.sluice.journal.Partition[] journal = new io.sluice.journal.Partition[PARTITIONS];
        final java.util.concurrent.atomic.AtomicLong timed = new java.util.concurrent.atomic.AtomicLong();
        final java.util.concurrent.atomic.AtomicLong timedBeforeJournaled = new java.util.concurrent.atomic.AtomicLong();
        if (oneByOne)
        {
            context.latencyListener((partition, ingestNanos, doneNanos) ->
            {
                timed.incrementAndGet();
                // On the partition's processing thread, its journal's writer: every record appended so far is published.
                if (journal[partition].endOffset() != journal[partition].writer().nextOffset())
                {
                    timedBeforeJournaled.incrementAndGet();
                }
            });
        }
        final TestEvents.TextSink sink = new TestEvents.TextSink();
        final List<Pipeline> pipelines = twoPipelines ? List.of(volume(sink), bigTrades(sink)) : List.of(volume(sink));
        final PartitionProcessor[] processors;
        long journalWrites = 0;
        try (Engine engine = Engine.launch(context, pipelines))
        {
            processors = engine.processors("trades");
            for (int p = 0; p < PARTITIONS; p++)
            {
                journal[p] = engine.journal().topic(processors[p].topic()).partition(p);
            }
            final EventPublisher publisher = engine.publisher("trades");
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[TestEvents.TRADE.length()]);
            final Random random = new Random(20261205);
            // Paused, the partitions take nothing: the first events wait in the rings and come as full turns.
            engine.pause("volume");
            int i = 0;
            for (; i < WHILE_PAUSED; i++)
            {
                publish(publisher, buffer, random, i);
            }
            engine.resume("volume");
            for (; i < EVENTS / 2; i++)
            {
                publish(publisher, buffer, random, i);
            }
            // A barrier, then an operator's replay of the window from the start, between runs.
            engine.checkpoint().join();
            engine.replay("volume", 0);
            for (; i < EVENTS; i++)
            {
                publish(publisher, buffer, random, i);
            }
            engine.endOfInput("trades");
            assertThat(engine.drain(60, TimeUnit.SECONDS)).isTrue();
            for (int p = 0; p < PARTITIONS; p++)
            {
                journalWrites += journal[p].writer().stagedWriteCount();
            }
        }
        long eventsIn = 0;
        long runs = 0;
        for (final PartitionProcessor processor : processors)
        {
            eventsIn += processor.eventsIn();
            runs += processor.liveRuns();
        }
        return new Outcome(sink.lines(), eventsIn, runs, timed.get(), timedBeforeJournaled.get(), journalWrites);
    }

    private static void publish(final EventPublisher publisher, final UnsafeBuffer buffer, final Random random, final int i)
    {
        TestEvents.trade(buffer, random.nextInt(300), random.nextInt(100_000) / 100.0, 1 + random.nextInt(9), i * 2L + random.nextInt(40));
        publisher.publish(buffer, 0);
    }

    private static List<String> ofPartition(final List<String> lines, final int partition)
    {
        final List<String> result = new ArrayList<>();
        for (final String line : lines)
        {
            if (line.startsWith(partition + " "))
            {
                result.add(line);
            }
        }
        result.sort(null);
        return result;
    }

    private record Outcome(List<String> lines, long eventsIn, long runs, long timed, long timedBeforeJournaled, long journalWrites)
    {
    }
}
