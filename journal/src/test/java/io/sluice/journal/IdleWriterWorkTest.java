package io.sluice.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A writer that spins while idle checksums what it published itself, between appends, a short batch per call
 * ({@link PartitionWriter#doIdleWork}); the journal's checksum duty then finds nothing to do for that partition, and
 * takes over when the writer falls behind (up to where the writer's share starts again). The reservation and pre-touch
 * of the space ahead stay with the allocator duty: an idle call writes zeros and maps pages only while that duty is
 * below half its distance ahead, a short step at a time.
 */
class IdleWriterWorkTest
{
    private static final int SEGMENT = 64 << 20;
    private static final int AHEAD = 4 << 20;
    private static final String CHECKSUM_DUTY = "sluice-checksum";
    private static final String ALLOCATOR_DUTY = "sluice-segment-allocator";

    @TempDir
    Path dir;

    private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[256]);

    private JournalContext context()
    {
        // The duties are not run by the journal: the test runs them, so it sees what each does.
        return new JournalContext().directory(dir).segmentLength(SEGMENT).reserveAheadBytes(AHEAD).externalDuties(true);
    }

    @Test
    void shouldChecksumOnTheIdleWriterInShortBatchesLeavingTheChecksumDutyNothingAndReservingNothing() throws Exception
    {
        try (Journal journal = Journal.open(context()))
        {
            final Partition partition = journal.createTopic("t", 1).partition(0);
            final PartitionWriter writer = partition.writer();
            final Segment tail = tail(partition);
            runAllocatorUntilIdle(journal);
            long sequence = 0;
            for (int round = 0; round < 20; round++)
            {
                for (int i = 0; i < 1000; i++)
                {
                    JournalTestSupport.append(writer, scratch, sequence++);
                }
                final int reserved = tail.reservedLimit();
                final int touched = tail.touchedLimit();
                int calls = 0;
                long checksummed = partition.checksummedOffset();
                while (writer.doIdleWork() == 1)
                {
                    calls++;
                    final long now = partition.checksummedOffset();
                    assertThat(now - checksummed).as("one short batch at most").isBetween(1L, (long)PartitionWriter.IDLE_CHECKSUM_RECORDS);
                    checksummed = now;
                }
                assertThat(calls).as("1000 records in batches").isGreaterThanOrEqualTo(1000 / PartitionWriter.IDLE_CHECKSUM_RECORDS);
                assertThat(partition.checksummedOffset()).isEqualTo(partition.endOffset());
                assertThat(tail.reservedLimit()).as("the duty keeps up: the idle writer reserves nothing").isEqualTo(reserved);
                assertThat(tail.touchedLimit()).as("the duty keeps up: the idle writer pre-touches nothing").isEqualTo(touched);
                for (final Agent duty : journal.duties())
                {
                    Thread.sleep(2); // past the checksum duty's pass interval, so its pass runs
                    final int work = duty.doWork();
                    if (duty.roleName().equals(CHECKSUM_DUTY))
                    {
                        assertThat(work).as("the checksum duty leaves the idle writer's partition to it").isZero();
                    }
                }
                runAllocatorUntilIdle(journal);
                // From the writer's last index checkpoint, at most an index interval behind it.
                assertThat(tail.touchedLimit()).as("the allocator duty pre-touches the distance ahead")
                    .isGreaterThanOrEqualTo(writerPosition(partition) + AHEAD - Partition.AHEAD_STEP - JournalContext.DEFAULT_INDEX_INTERVAL);
            }
            DeferredChecksumTest.assertEveryRecordChecksummed(partition);
            assertThat(PartitionRoundTripTest.readAll(partition, 0)).isEqualTo(sequence);
        }
    }

    @Test
    void shouldLetTheChecksumDutyTakeOverWhenTheIdleWriterFallsBehind() throws Exception
    {
        try (Journal journal = Journal.open(context()))
        {
            final Partition partition = journal.createTopic("t", 1).partition(0);
            final PartitionWriter writer = partition.writer();
            JournalTestSupport.append(writer, scratch, 0);
            while (writer.doIdleWork() == 1)
            {
                // caught up: from here the checksum duty leaves the partition to the writer
            }
            // A writer too busy to idle: more records than it may leave unchecksummed.
            long sequence = 1;
            while (sequence < Partition.WRITER_CHECKSUM_BEHIND + 1000)
            {
                JournalTestSupport.append(writer, scratch, sequence++);
            }
            int work = 0;
            final long deadline = System.nanoTime() + 60_000_000_000L;
            while (partition.checksummedOffset() < partition.endOffset() - Partition.WRITER_CHECKSUM_BEHIND &&
                System.nanoTime() < deadline)
            {
                Thread.sleep(1);
                for (final Agent duty : journal.duties())
                {
                    work += duty.roleName().equals(CHECKSUM_DUTY) ? duty.doWork() : 0;
                }
            }
            assertThat(work).as("the checksum duty took over").isPositive();
            assertThat(partition.checksummedOffset()).isGreaterThanOrEqualTo(partition.endOffset() - Partition.WRITER_CHECKSUM_BEHIND);
            // Back to the writer for the rest, once it idles again.
            while (writer.doIdleWork() == 1)
            {
                // catching up
            }
            assertThat(partition.checksummedOffset()).isEqualTo(partition.endOffset());
            partition.force();
            DeferredChecksumTest.assertEveryRecordChecksummed(partition);
            assertThat(PartitionRoundTripTest.readAll(partition, 0)).isEqualTo(sequence);
        }
    }

    @Test
    void shouldReserveAheadOnTheIdleWriterInShortStepsOnlyWhileTheAllocatorDutyIsBehind()
    {
        try (Journal journal = Journal.open(context()))
        {
            final Partition partition = journal.createTopic("t", 1).partition(0);
            final PartitionWriter writer = partition.writer();
            final Segment tail = tail(partition);
            // The allocator duty never runs here: the writer finds it behind from the start.
            JournalTestSupport.append(writer, scratch, 0);
            int steps = 0;
            int limit = tail.reservedLimit();
            while (writer.doIdleWork() == 1)
            {
                final int now = tail.reservedLimit();
                assertThat(now - limit).as("one short step at most").isBetween(0, Partition.WRITER_AHEAD_STEP);
                steps += now > limit ? 1 : 0;
                limit = now;
            }
            assertThat(steps).as("steps of the writer's own").isPositive();
            assertThat(tail.reservedLimit()).as("up to half the distance, where the duty would leave it to itself")
                .isBetween(writerPosition(partition) + AHEAD / 2, writerPosition(partition) + AHEAD / 2 + Partition.WRITER_AHEAD_STEP);
            assertThat(tail.touchedLimit()).as("and pre-touched").isEqualTo(tail.reservedLimit());
            assertThat(partition.checksummedOffset()).isEqualTo(partition.endOffset());
        }
    }

    @Test
    void shouldReserveNothingOnTheIdleWriterWhenTheJournalDoesNotPreallocate()
    {
        try (Journal journal = Journal.open(context().preallocateNextSegment(false)))
        {
            final Partition partition = journal.createTopic("t", 1).partition(0);
            final PartitionWriter writer = partition.writer();
            final Segment tail = tail(partition);
            JournalTestSupport.append(writer, scratch, 0);
            final int limit = tail.reservedLimit();
            while (writer.doIdleWork() == 1)
            {
                // checksums only
            }
            assertThat(partition.checksummedOffset()).isEqualTo(1);
            assertThat(tail.reservedLimit()).isEqualTo(limit);
        }
    }

    private static void runAllocatorUntilIdle(final Journal journal) throws Exception
    {
        for (final Agent duty : journal.duties())
        {
            if (duty.roleName().equals(ALLOCATOR_DUTY))
            {
                while (duty.doWork() > 0)
                {
                    // one step per call
                }
            }
        }
    }

    private static int writerPosition(final Partition partition)
    {
        final Segment tail = tail(partition);
        return tail.endPosition(partition.endOffset() - tail.baseOffset());
    }

    private static Segment tail(final Partition partition)
    {
        final Segment[] segments = partition.segments();
        return segments[segments.length - 1];
    }
}
