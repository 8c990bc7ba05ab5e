package io.sluice.engine.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.sluice.engine.pipeline.EventSink;
import io.sluice.engine.pipeline.Pipeline;
import io.sluice.engine.pipeline.TestEvents;
import io.sluice.schema.EventFlyweight;

/**
 * A sink that stages its outputs (the daemon's output journal) hears the end of every turn that gave it outputs
 * ({@link EventSink#onTurnEnd}), on the thread that gave them, before the turn's slots are freed (so a drain sees them
 * published), and at the end of recovery's replay on the recovering thread.
 */
class SinkTurnEndTest
{
    private static final int PARTITIONS = 2;
    private static final int EVENTS = 20_000;

    @TempDir
    Path dir;

    private static Pipeline passThrough(final EventSink sink)
    {
        return Pipeline.from("trades", TestEvents.TRADE).name("all").partitionKey("account").eventTime("ts", 0)
            .sink("staged", sink).build();
    }

    private EngineContext context()
    {
        return new EngineContext().directory(dir).partitions(PARTITIONS).ringSize(1024).partitionBatchLimit(64).checkpoints(false);
    }

    private static void publish(final Engine engine, final int events)
    {
        final EventPublisher publisher = engine.publisher("trades");
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[TestEvents.TRADE.length()]);
        for (int i = 0; i < events; i++)
        {
            publisher.publish(TestEvents.trade(buffer, i % 101, i % 7, 1, i), 0);
        }
    }

    @Test
    void shouldPublishEveryTurnsOutputsBeforeTheTurnsSlotsAreFreed()
    {
        final StagingSink sink = new StagingSink();
        try (Engine engine = Engine.launch(context(), List.of(passThrough(sink))))
        {
            publish(engine, EVENTS);
            assertThat(engine.drain(Await.DEADLINE_SECONDS, TimeUnit.SECONDS)).isTrue();

            // Drained: every slot's turn has ended, so nothing is left staged.
            sink.assertAllPublished(EVENTS);
            assertThat(sink.turnEnds()).isPositive().isLessThanOrEqualTo(EVENTS);
            assertThat(sink.publishingThreads()).isNotEmpty().allMatch(name -> name.startsWith(ProcessingAgent.ROLE_NAME_PREFIX));
        }
    }

    @Test
    void shouldPublishTheReplaysOutputsOnTheThreadThatReplayed()
    {
        try (Engine engine = Engine.launch(context(), List.of(passThrough(new StagingSink()))))
        {
            publish(engine, EVENTS);
            assertThat(engine.drain(Await.DEADLINE_SECONDS, TimeUnit.SECONDS)).isTrue();
        }
        // No checkpoint: recovery replays every event, whose outputs come again, published by the replay's end.
        final StagingSink recovered = new StagingSink();
        try (Engine engine = Engine.launch(context(), List.of(passThrough(recovered))))
        {
            recovered.assertAllPublished(EVENTS);
            // No event since: no processing thread's turn gave outputs, so the replay's thread published them all.
            assertThat(recovered.publishingThreads()).isNotEmpty().noneMatch(name -> name.startsWith(ProcessingAgent.ROLE_NAME_PREFIX));
            assertThat(engine.drain(Await.DEADLINE_SECONDS, TimeUnit.SECONDS)).isTrue();
            recovered.assertAllPublished(EVENTS);
        }
    }

    /**
     * Holds each partition's outputs as staged until its turn ends, then as published; records every call that breaks
     * the contract (a turn end on another thread than the one that gave the outputs, a turn end without outputs).
     */
    static final class StagingSink implements EventSink
    {
        private final List<List<Long>> staged = new ArrayList<>();
        private final List<List<Long>> published = new ArrayList<>();
        private final Thread[] deliverers = new Thread[PARTITIONS];
        private final List<String> violations = new ArrayList<>();
        private final List<String> publishingThreads = new ArrayList<>();
        private long turnEnds;

        StagingSink()
        {
            for (int p = 0; p < PARTITIONS; p++)
            {
                staged.add(new ArrayList<>());
                published.add(new ArrayList<>());
            }
        }

        @Override
        public synchronized void onEvent(final int partition, final long sequence, final long key, final long timestamp, final EventFlyweight event)
        {
            final Thread current = Thread.currentThread();
            if (staged.get(partition).isEmpty())
            {
                deliverers[partition] = current;
            }
            else if (deliverers[partition] != current)
            {
                violations.add("partition " + partition + ": outputs of one turn from " + deliverers[partition].getName() +
                    " and " + current.getName());
            }
            staged.get(partition).add(sequence);
        }

        @Override
        public synchronized void onTurnEnd(final int partition)
        {
            final Thread current = Thread.currentThread();
            if (staged.get(partition).isEmpty())
            {
                violations.add("partition " + partition + ": a turn end without outputs on " + current.getName());
            }
            else if (deliverers[partition] != current)
            {
                violations.add("partition " + partition + ": outputs of " + deliverers[partition].getName() + " published by " +
                    current.getName());
            }
            published.get(partition).addAll(staged.get(partition));
            staged.get(partition).clear();
            turnEnds++;
            if (!publishingThreads.contains(current.getName()))
            {
                publishingThreads.add(current.getName());
            }
        }

        synchronized long turnEnds()
        {
            return turnEnds;
        }

        synchronized List<String> publishingThreads()
        {
            return new ArrayList<>(publishingThreads);
        }

        /** Every output published, none staged, each partition's sequences 0, 1, 2 ... in order, no violation. */
        synchronized void assertAllPublished(final int outputs)
        {
            assertThat(violations).isEmpty();
            int total = 0;
            for (int p = 0; p < PARTITIONS; p++)
            {
                assertThat(staged.get(p)).as("partition %d staged", p).isEmpty();
                final List<Long> sequences = published.get(p);
                for (int i = 0; i < sequences.size(); i++)
                {
                    assertThat(sequences.get(i)).as("partition %d output %d", p, i).isEqualTo(i);
                }
                total += sequences.size();
            }
            assertThat(total).isEqualTo(outputs);
        }
    }
}
