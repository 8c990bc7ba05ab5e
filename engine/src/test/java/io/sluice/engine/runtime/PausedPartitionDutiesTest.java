package io.sluice.engine.runtime;

import static io.sluice.engine.runtime.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.sluice.engine.checkpoint.CheckpointManifest;
import io.sluice.engine.pipeline.Pipeline;
import io.sluice.engine.pipeline.TestEvents;

/**
 * A paused partition whose ring is full holds up nothing else: not the thread of the scheduler and the
 * added duties (the network server runs there), not a checkpoint asked for from a control thread. The
 * barrier waits for room; the checkpoint completes once the partition resumes.
 */
// SEPARATE_THREAD: a control call stuck waiting for room in a ring (as it once was) ignores interrupts.
@Timeout(value = 180, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PausedPartitionDutiesTest
{
    private static final int RING = 64;

    @TempDir
    Path dir;

    /** Counts its duty cycles, as a network server's duty would run them. */
    private static final class CountingDuty implements Agent
    {
        final AtomicLong cycles = new AtomicLong();

        @Override
        public int doWork()
        {
            cycles.incrementAndGet();
            return 0;
        }

        @Override
        public String roleName()
        {
            return "counting-duty";
        }
    }

    @Test
    void shouldKeepTheDutiesRunningAndTakeTheCheckpointOnceAFullPausedPartitionResumes() throws Exception
    {
        final Pipeline count = Pipeline.from("trades", TestEvents.TRADE).name("count").partitionKey("account")
            .eventTime("ts", 50).window(w -> w.tumbling(1_000).count("n")).sink("text", new TestEvents.TextSink()).build();
        final EngineContext context = new EngineContext().directory(dir.resolve("data")).partitions(1).ringSize(RING)
            .checkpointIntervalMillis(20).tickIntervalMillis(5).threadingMode(ThreadingMode.SHARED)
            .waitStrategy(WaitStrategyKind.SLEEP);
        try (Engine engine = Engine.launch(context, List.of(count)))
        {
            final CountingDuty duty = new CountingDuty();
            engine.addDuty(duty, TimeUnit.MICROSECONDS.toNanos(100));
            final EventPublisher publisher = engine.publisher("trades");
            final UnsafeBuffer event = new UnsafeBuffer(new byte[TestEvents.TRADE.length()]);
            publisher.publish(TestEvents.trade(event, 1, 1, 1, 1), 0);
            final long before = engine.checkpoints().completed();
            await("a periodic checkpoint while running", () -> engine.checkpoints().completed() > before);

            engine.pause("count");
            long published = 1;
            final long fillDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            int misses = 0;
            while (misses < 1_000) // the ring is full once publishing keeps failing
            {
                if (publisher.tryPublish(TestEvents.trade(event, published % 5, 1, 1, published + 1), 0) >= 0)
                {
                    published++;
                    misses = 0;
                }
                else
                {
                    misses++;
                    LockSupport.parkNanos(10_000);
                }
                assertThat(System.nanoTime()).as("filling the paused ring").isLessThan(fillDeadline);
            }
            assertThat(published).as("the paused partition took at most a ring of events").isLessThanOrEqualTo(RING + 2);

            // Asked from this control thread: returns at once, its barrier waiting for room in the ring.
            final CompletableFuture<CheckpointManifest> asked = engine.checkpoint();
            final long cycles = duty.cycles.get();
            await("the duties thread keeps cycling while the scheduler meets the full ring",
                () -> duty.cycles.get() > cycles + 1_000);
            assertThat(asked).as("a checkpoint cannot pass a paused partition's barrier").isNotDone();

            engine.resume("count");
            final CheckpointManifest manifest = asked.get(120, TimeUnit.SECONDS);
            assertThat(manifest.partitions()).hasSize(1);
        }
    }
}
