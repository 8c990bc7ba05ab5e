package io.sluice.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * A segment roll on the writer's thread is renames, a header write and a pointer swap: the allocator duty maps the
 * spare and touches its first pages beforehand ({@link SpareSegment}), and the roll does not wait for a force() that
 * holds the partition while the device works.
 */
class SegmentRollTest
{
    private static final int SEGMENT = 4 << 20;
    private static final int PAYLOAD = 64;

    @TempDir
    Path dir;

    private final UnsafeBuffer payload = new UnsafeBuffer(ByteBuffer.allocateDirect(PAYLOAD));

    private JournalContext context()
    {
        return new JournalContext().directory(dir).segmentLength(SEGMENT).reserveAheadBytes(1 << 20).externalDuties(true);
    }

    /**
     * Mapped writes: the duty touched the spare's first megabyte, so the writer takes no page fault there. Staged writes
     * ({@link JournalContext#stagedWrites}): nothing touches the spare's log pages, and the writer takes no page fault
     * either, since its pwrites put no page into the process's mapping.
     */
    @ParameterizedTest(name = "staged writes {0}")
    @ValueSource(booleans = {false, true})
    void shouldRollIntoTheSpareTheAllocatorMappedAndTouchedWithoutAPageFaultOnItsFirstRecords(final boolean staged) throws Exception
    {
        assumeTrue(Files.isReadable(JournalTestSupport.THREAD_STAT), "counts the writer thread's minor page faults from /proc (Linux)");
        final long written;
        try (Journal journal = Journal.open(context().stagedWrites(staged)))
        {
            final Partition partition = journal.createTopic("t", 1).partition(0);
            final PartitionWriter writer = partition.writer();
            final Agent allocator = duty(journal, "allocator");
            final Segment first = tail(partition);
            long sequence = 0;
            // The segment's tail position is the writer's as of its last index checkpoint (4 KiB apart).
            while (first.tailPosition() <= SEGMENT / 2 + 8192)
            {
                append(writer, sequence++);
            }
            // Past half the segment the writer asked for the spare: the duty allocates, maps and touches it.
            while (allocator.doWork() > 0)
            {
                // until nothing is left to do: the spare is ready and the tail reserved ahead
            }
            while (tail(partition) == first)
            {
                append(writer, sequence++);
            }
            final Segment second = tail(partition);
            if (staged)
            {
                assertThat(second.touchedLimit()).as("no page of the new segment touched").isZero();
            }
            else
            {
                assertThat(second.touchedLimit()).as("pages of the new segment touched before its first record")
                    .isGreaterThanOrEqualTo(SegmentFiles.RESERVE_CHUNK);
            }
            final int records = (SegmentFiles.RESERVE_CHUNK - Segment.PAGE_SIZE) / RecordDescriptor.alignedFrameLength(PAYLOAD);
            final long faultsBefore = JournalTestSupport.minorFaults();
            for (int i = 0; i < records; i++)
            {
                append(writer, sequence++);
            }
            final long faults = JournalTestSupport.minorFaults() - faultsBefore;
            // Without the mapped spare: one per page of the new segment's first megabyte (256). The few left are
            // the JVM's own (compilation, safepoints).
            assertThat(faults).as("minor page faults of the writer over the new segment's first %d pages",
                SegmentFiles.RESERVE_CHUNK / Segment.PAGE_SIZE).isLessThan(64);
            written = sequence;
        }
        try (Journal journal = Journal.open(context().stagedWrites(staged)))
        {
            final Partition partition = journal.topic("t").partition(0);
            assertThat(partition.segments()).hasSize(2);
            assertThat(readAll(partition)).isEqualTo(written);
        }
    }

    @Test
    void shouldRollWhileAForceHoldsThePartition() throws Exception
    {
        final ExecutorService holder = Executors.newSingleThreadExecutor();
        final ExecutorService writerThread = Executors.newSingleThreadExecutor();
        final long written;
        try (Journal journal = Journal.open(context()))
        {
            final Partition partition = journal.createTopic("t", 1).partition(0);
            final PartitionWriter writer = partition.writer();
            final CountDownLatch held = new CountDownLatch(1);
            final CountDownLatch release = new CountDownLatch(1);
            // A force() holds the partition's lock while the device writes: here, until the writer has rolled.
            final Future<?> force = holder.submit(() ->
            {
                synchronized (partition)
                {
                    held.countDown();
                    release.await();
                }
                return null;
            });
            try
            {
                assertThat(held.await(60, TimeUnit.SECONDS)).isTrue();
                final Segment first = tail(partition);
                // On another thread, so that a roll that waits for the lock fails the test instead of hanging it.
                written = writerThread.submit(() ->
                {
                    long sequence = 0;
                    while (tail(partition) == first)
                    {
                        append(writer, sequence++);
                    }
                    for (int i = 0; i < 100; i++)
                    {
                        append(writer, sequence++);
                    }
                    return sequence;
                }).get(60, TimeUnit.SECONDS);
                assertThat(partition.segments()).hasSize(2);
            }
            finally
            {
                release.countDown();
                force.get(60, TimeUnit.SECONDS);
                holder.shutdownNow();
                writerThread.shutdownNow();
            }
            // The force() after the roll (the lock free again) makes everything durable, the new segment's name included.
            assertThat(partition.force()).isEqualTo(written);
            assertThat(partition.durableOffset()).isEqualTo(written);
        }
        try (Journal journal = Journal.open(context()))
        {
            assertThat(readAll(journal.topic("t").partition(0))).isEqualTo(written);
        }
    }

    private void append(final PartitionWriter writer, final long sequence)
    {
        writer.append(7, 0, sequence, sequence, payload, 0, PAYLOAD);
    }

    /** Reads every record, each checked to be the one appended with its sequence, and returns how many. */
    private static long readAll(final Partition partition)
    {
        final long[] next = {0};
        try (PartitionReader reader = partition.newReader())
        {
            while (reader.poll(record ->
            {
                assertThat(record.offset()).isEqualTo(next[0]);
                assertThat(record.key()).isEqualTo(next[0]);
                assertThat(record.timestamp()).isEqualTo(next[0]);
                next[0]++;
            }, 1000) > 0)
            {
                // drain
            }
        }
        return next[0];
    }

    private static Agent duty(final Journal journal, final String role)
    {
        return journal.duties().stream().filter(d -> d.roleName().contains(role)).findFirst().orElseThrow();
    }

    private static Segment tail(final Partition partition)
    {
        final Segment[] segments = partition.segments();
        return segments[segments.length - 1];
    }
}
