package io.sluice.engine.runtime;

import static io.sluice.engine.runtime.Await.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.sluice.engine.counters.PartitionState;
import io.sluice.engine.counters.SluiceCounters;
import io.sluice.engine.pipeline.Pipeline;
import io.sluice.engine.pipeline.TestEvents;
import io.sluice.journal.PartitionReader;

/**
 * Partition states as counters and the publisher's fail-fast, against a real full file system: a
 * tmpfs of a few MiB mounted for the test (needs root, as CI has; skipped with the reason otherwise).
 */
class PartitionStateTest
{
    private static final int SEGMENT_LENGTH = 64 * 1024;

    @TempDir
    Path dir;

    private Path mount;

    @AfterEach
    void unmount() throws Exception
    {
        if (mount != null)
        {
            new ProcessBuilder("umount", "-l", mount.toString()).inheritIO().start().waitFor(30, TimeUnit.SECONDS);
        }
    }

    private Path mountTmpfs(final String size) throws Exception
    {
        final Path point = Files.createDirectories(dir.resolve("small"));
        final Process mountProcess = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", point.toString())
            .redirectErrorStream(true).start();
        final String output = new String(mountProcess.getInputStream().readAllBytes());
        final boolean mounted = mountProcess.waitFor(30, TimeUnit.SECONDS) && mountProcess.exitValue() == 0;
        assumeTrue(mounted, "cannot mount a size-limited tmpfs here (needs root): " + output.trim());
        mount = point;
        return point;
    }

    private static Pipeline count(final TestEvents.TextSink sink)
    {
        return Pipeline.from("trades", TestEvents.TRADE)
            .name("count")
            .partitionKey("account")
            .eventTime("ts", 50)
            .filter("all", e -> true)
            .sink("text", sink)
            .build();
    }

    private static long fillUp(final Path file) throws IOException
    {
        long written = 0;
        final byte[] chunk = new byte[64 * 1024];
        try (OutputStream out = Files.newOutputStream(file))
        {
            while (true)
            {
                out.write(chunk);
                written += chunk.length;
            }
        }
        catch (final IOException ex)
        {
            // no space left: the file system is full
        }
        return written;
    }

    private static long state(final Engine engine, final String topic, final int partition)
    {
        final CountersReader reader = engine.context().countersManager();
        final int topicId = SluiceCounters.findTopicId(reader, topic);
        final int id = SluiceCounters.require(reader, SluiceCounters.PARTITION_STATE_TYPE_ID, topicId, partition,
            SluiceCounters.NONE, SluiceCounters.NONE);
        return reader.getCounterValue(id);
    }

    @Test
    void shouldShowRunningAndPausedInThePartitionStateCounter()
    {
        final TestEvents.TextSink sink = new TestEvents.TextSink();
        try (Engine engine = Engine.launch(new EngineContext().directory(dir.resolve("data")).partitions(2).ringSize(64)
            .waitStrategy(WaitStrategyKind.SLEEP), List.of(count(sink))))
        {
            final EventPublisher publisher = engine.publisher("trades");
            publisher.publish(TestEvents.trade(new UnsafeBuffer(new byte[TestEvents.TRADE.length()]), 1, 1, 1, 1), 0);
            await("RUNNING", () -> state(engine, "trades", 0) == PartitionState.RUNNING.code());
            engine.pause("count");
            await("PAUSED", () -> state(engine, "trades", 0) == PartitionState.PAUSED.code() &&
                state(engine, "trades", 1) == PartitionState.PAUSED.code());
            engine.resume("count");
            publisher.publish(TestEvents.trade(new UnsafeBuffer(new byte[TestEvents.TRADE.length()]), 2, 1, 1, 2), 0);
            await("RUNNING again", () -> state(engine, "trades", 0) == PartitionState.RUNNING.code() &&
                state(engine, "trades", 1) == PartitionState.RUNNING.code());
        }
    }

    @Test
    void shouldDegradeOnAFullDiskRefuseProducersWithTheCauseAndRecoverWhenSpaceReturns() throws Exception
    {
        final Path small = mountTmpfs("4m");
        final TestEvents.TextSink sink = new TestEvents.TextSink();
        final Path filler = small.resolve("filler");
        long accepted = 0;
        try (Engine engine = Engine.launch(new EngineContext().directory(small.resolve("data")).partitions(1).ringSize(64)
            .journalSegmentLength(SEGMENT_LENGTH).waitStrategy(WaitStrategyKind.SLEEP), List.of(count(sink))))
        {
            fillUp(filler);
            final EventPublisher publisher = engine.publisher("trades");
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[TestEvents.TRADE.length()]);
            PartitionFailedException refused = null;
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (refused == null && System.nanoTime() < deadline)
            {
                try
                {
                    publisher.publish(TestEvents.trade(buffer, accepted, 1, 1, accepted), 0);
                    accepted++;
                }
                catch (final PartitionFailedException ex)
                {
                    refused = ex;
                }
            }
            assertThat(refused).as("a producer is refused once the disk is full").isNotNull();
            assertThat(refused.failed()).isFalse();
            assertThat(refused.getMessage()).contains("trades/0 is DEGRADED").contains("cannot pre-allocate");
            assertThat(state(engine, "trades", 0)).isEqualTo(PartitionState.DEGRADED.code());
            assertThat(engine.errorLog()).isNotNull();

            Files.delete(filler);
            await("RUNNING after space returned", () -> state(engine, "trades", 0) == PartitionState.RUNNING.code());
            for (int i = 0; i < 10; i++)
            {
                publisher.publish(TestEvents.trade(buffer, accepted, 1, 1, accepted), 0);
                accepted++;
            }
            engine.endOfInput("trades");
            assertThat(engine.drain(60, TimeUnit.SECONDS)).isTrue();
            final long[] events = {0};
            final PartitionReader reader = engine.journal().topic("trades").partition(0).newReader();
            while (reader.poll(record ->
            {
                if (record.type() == RingSlot.EVENT)
                {
                    events[0]++;
                }
            }, 1024) > 0)
            {
                // count every journaled event
            }
            assertThat(events[0]).as("every accepted event is journaled, none twice").isEqualTo(accepted);
            assertThat(engine.partitionFailure("trades", 0)).isNull();
        }
    }

    @Test
    void shouldFailADegradedPartitionThatIsClosedAndRefuseWithFailed() throws Exception
    {
        final Path small = mountTmpfs("4m");
        final TestEvents.TextSink sink = new TestEvents.TextSink();
        final Engine engine = Engine.launch(new EngineContext().directory(small.resolve("data")).partitions(1).ringSize(64)
            .journalSegmentLength(SEGMENT_LENGTH).waitStrategy(WaitStrategyKind.SLEEP), List.of(count(sink)));
        final EventPublisher publisher = engine.publisher("trades");
        try
        {
            fillUp(small.resolve("filler"));
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[TestEvents.TRADE.length()]);
            assertThatThrownBy(() ->
            {
                for (long i = 0; i < 10_000_000L; i++)
                {
                    publisher.publish(TestEvents.trade(buffer, i, 1, 1, i), 0);
                }
            }).isInstanceOf(PartitionFailedException.class).hasMessageContaining("DEGRADED");
        }
        finally
        {
            engine.close();
        }
        assertThat(engine.partitionFailure("trades", 0)).isNotNull();
        assertThat(engine.partitionFailure("trades", 0).getMessage()).contains("cannot pre-allocate");
    }
}
