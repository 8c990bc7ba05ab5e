package io.sluice.engine.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.sluice.engine.pipeline.Pipeline;
import io.sluice.engine.pipeline.TestEvents;

/**
 * An operator's replay of a pipeline from an offset: the pipeline's state is rebuilt from there and
 * its outputs come again, numbered on; the request is journaled, so recovery repeats it exactly.
 */
class EngineReplayTest
{
    @TempDir
    Path dir;

    private static Pipeline volume(final TestEvents.TextSink sink)
    {
        return Pipeline.from("trades", TestEvents.TRADE).name("volume").partitionKey("account").eventTime("ts", 0)
            .window(w -> w.tumbling(100).count("n").sum("notional", "amount"))
            .sink("text", sink).build();
    }

    private static Pipeline passThrough(final TestEvents.TextSink sink)
    {
        return Pipeline.from("trades", TestEvents.TRADE).name("all").partitionKey("account").eventTime("ts", 0)
            .sink("text", sink).build();
    }

    private EngineContext context()
    {
        return new EngineContext().directory(dir).partitions(2).ringSize(1024).journalSegmentLength(4 * 1024 * 1024).checkpoints(false);
    }

    private static void publish(final Engine engine, final int from, final int to)
    {
        final EventPublisher publisher = engine.publisher("trades");
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[TestEvents.TRADE.length()]);
        for (int i = from; i < to; i++)
        {
            publisher.publish(TestEvents.trade(buffer, i % 13, i % 7, 1, i), 0);
        }
    }

    /** "partition seq key ts fields" -> "partition key ts fields": the result without its sequence. */
    private static List<String> withoutSequences(final List<String> lines)
    {
        final List<String> results = new ArrayList<>();
        for (final String line : lines)
        {
            final String[] parts = line.split(" ", 3);
            results.add(parts[0] + " " + parts[2]);
        }
        return results;
    }

    @Test
    void shouldRecomputeAPipelineFromAnOffsetAndRepeatItInRecovery()
    {
        final TestEvents.TextSink live = new TestEvents.TextSink();
        final TestEvents.TextSink other = new TestEvents.TextSink();
        final int before;
        try (Engine engine = Engine.launch(context(), List.of(volume(live), passThrough(other))))
        {
            publish(engine, 0, 2_000);
            assertThat(engine.drain(30, TimeUnit.SECONDS)).isTrue();
            before = live.lines().size();
            assertThat(before).isPositive();

            engine.replay("volume", 0);
            assertThat(engine.drain(30, TimeUnit.SECONDS)).isTrue();
            // Every window that had fired fires again, with the same results and new sequence numbers.
            final List<String> all = live.lines();
            assertThat(all).hasSize(2 * before);
            assertThat(new java.util.TreeSet<>(withoutSequences(all.subList(before, all.size()))))
                .isEqualTo(new java.util.TreeSet<>(withoutSequences(all.subList(0, before))));
            // The other pipeline on the same partitions was not touched.
            assertThat(other.lines()).hasSize(2_000);

            publish(engine, 2_000, 3_000);
            assertThat(engine.drain(30, TimeUnit.SECONDS)).isTrue();
        }
        // Recovery replays the journal, REPLAY record included: the very same outputs, sequences and all.
        final TestEvents.TextSink recovered = new TestEvents.TextSink();
        try (Engine engine = Engine.launch(context(), List.of(volume(recovered), passThrough(new TestEvents.TextSink()))))
        {
            assertThat(engine.drain(30, TimeUnit.SECONDS)).isTrue();
        }
        for (int p = 0; p < 2; p++)
        {
            final String prefix = p + " ";
            assertThat(recovered.lines().stream().filter(l -> l.startsWith(prefix)).toList())
                .isEqualTo(live.lines().stream().filter(l -> l.startsWith(prefix)).toList());
        }
    }
}
