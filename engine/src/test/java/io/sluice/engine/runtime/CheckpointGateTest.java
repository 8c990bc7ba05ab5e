package io.sluice.engine.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.sluice.engine.checkpoint.CheckpointListener;
import io.sluice.engine.checkpoint.CheckpointManifest;
import io.sluice.engine.checkpoint.CheckpointStore;
import io.sluice.engine.pipeline.Pipeline;
import io.sluice.engine.pipeline.TestEvents;

/**
 * A checkpoint listener holds a checkpoint's completion back ({@link CheckpointListener#mayComplete}) until
 * its own outputs are durable, or fails it, without the partition threads waiting.
 */
class CheckpointGateTest
{
    @TempDir
    Path dir;

    /** Allows completion once {@link #allowFrom} is at most the checkpoint's id; throws {@link #refusal} if set. */
    private static final class Gate implements CheckpointListener
    {
        final AtomicLong allowFrom = new AtomicLong(Long.MAX_VALUE);
        final AtomicLong asked = new AtomicLong();
        final AtomicReference<RuntimeException> refusal = new AtomicReference<>();
        final List<Long> completed = new CopyOnWriteArrayList<>();

        @Override
        public boolean mayComplete(final long checkpointId)
        {
            asked.incrementAndGet();
            final RuntimeException refused = refusal.get();
            if (refused != null)
            {
                throw refused;
            }
            return checkpointId >= allowFrom.get();
        }

        @Override
        public void onCheckpointComplete(final CheckpointManifest manifest)
        {
            completed.add(manifest.id());
        }
    }

    private Engine launch()
    {
        final Pipeline counting = Pipeline.from("trades", TestEvents.TRADE).name("counting").partitionKey("account").eventTime("ts", 100)
            .window(w -> w.tumbling(1_000).count("n")).sink("out", new TestEvents.TextSink()).build();
        return Engine.launch(new EngineContext().directory(dir).partitions(2).ringSize(256).journalSegmentLength(1024 * 1024)
            .checkpointsRetained(3).checkpointIntervalMillis(3_600_000), List.of(counting));
    }

    private static void awaitAsked(final Gate gate, final long atLeast)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (gate.asked.get() < atLeast)
        {
            assertThat(System.nanoTime()).as("the coordinator asks the listener").isLessThan(deadline);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    @Test
    void shouldCompleteACheckpointOnlyOnceEveryListenerAllowsIt() throws Exception
    {
        final Gate gate = new Gate();
        try (Engine engine = launch())
        {
            engine.addCheckpointListener(gate);
            final CompletableFuture<CheckpointManifest> held = engine.checkpoint();
            awaitAsked(gate, 3); // states written, asked again on later duty cycles

            assertThat(held).isNotDone();
            assertThat(gate.completed).isEmpty();
            assertThat(new CheckpointStore(dir.resolve("checkpoints"), 2).manifestIds()).as("no manifest written while held").isEmpty();

            gate.allowFrom.set(0);
            final CheckpointManifest manifest = held.get(60, TimeUnit.SECONDS);
            assertThat(gate.completed).contains(manifest.id());
            assertThat(new CheckpointStore(dir.resolve("checkpoints"), 2).manifestIds()).contains(manifest.id());
        }
    }

    @Test
    void shouldFailACheckpointAListenerRefusesAndCompleteTheNextOne() throws Exception
    {
        final Gate gate = new Gate();
        try (Engine engine = launch())
        {
            engine.addCheckpointListener(gate);
            gate.refusal.set(new IllegalStateException("an output before the barrier was lost"));
            final CompletableFuture<CheckpointManifest> refused = engine.checkpoint();

            assertThatThrownBy(() -> refused.get(60, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasMessageContaining("cannot complete: an output before the barrier was lost");
            assertThat(gate.completed).isEmpty();

            gate.refusal.set(null);
            gate.allowFrom.set(0);
            final CheckpointManifest next = engine.checkpoint().get(60, TimeUnit.SECONDS);
            assertThat(gate.completed).containsExactly(next.id());
        }
    }
}
