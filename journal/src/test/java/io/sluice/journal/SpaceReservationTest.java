package io.sluice.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Segments are created sparse and the writer only ever writes into reserved space (real blocks written
 * as zeros): reserved and pre-touched ahead of it by the allocator duty, or by itself on demand, or
 * before the first append when asked ({@link JournalContext#pretouchOnOpen}); a reservation that fails
 * (disk full) fails the append with an error naming the file and loses nothing.
 */
class SpaceReservationTest
{
    private static final int SEGMENT = 16 << 20;
    private static final int AHEAD = 4 << 20;

    @TempDir
    Path dir;

    private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[256]);

    @AfterEach
    void clearFaults()
    {
        StorageFaults.clear();
    }

    private JournalContext context(final Path journalDir)
    {
        return new JournalContext().directory(journalDir).segmentLength(SEGMENT).reserveAheadBytes(AHEAD);
    }

    @Test
    void shouldKeepReservedSpaceAheadOfTheWriterOnTheAllocatorDuty()
    {
        try (Journal journal = Journal.open(context(dir)))
        {
            final Partition partition = journal.createTopic("t", 1).partition(0);
            final Segment tail = tail(partition);
            long sequence = 0;
            while (tail.tailPosition() < 6 << 20)
            {
                JournalTestSupport.append(partition.writer(), scratch, sequence++);
                assertThat(tail.tailPosition()).isLessThanOrEqualTo(tail.reservedLimit());
            }
            final long deadline = System.nanoTime() + 60_000_000_000L;
            while (tail.reservedLimit() < tail.tailPosition() + AHEAD && System.nanoTime() < deadline)
            {
                Thread.onSpinWait();
            }
            assertThat(tail.reservedLimit()).isGreaterThanOrEqualTo(tail.tailPosition() + AHEAD);
            assertThat(tail.reservedLimit()).as("bounded: never the whole segment at once")
                .isLessThanOrEqualTo(tail.tailPosition() + AHEAD + SegmentFiles.RESERVE_CHUNK);
            assertThat(PartitionRoundTripTest.readAll(partition, 0)).isEqualTo(sequence);
        }
    }

    @Test
    void shouldReserveAheadInShortStepsSoTheDutyHoldsItsCpuBriefly()
    {
        try (Journal journal = Journal.open(context(dir).preallocateNextSegment(false)))
        {
            final Partition partition = journal.createTopic("t", 1).partition(0);
            partition.writer();
            final Segment tail = tail(partition);
            int steps = 0;
            int limit = tail.reservedLimit();
            while (partition.reserveAhead(AHEAD) == 1)
            {
                steps++;
                assertThat(tail.reservedLimit() - limit).as("one step").isBetween(1, Partition.AHEAD_STEP);
                limit = tail.reservedLimit();
            }
            assertThat(tail.reservedLimit()).isGreaterThanOrEqualTo(tail.tailPosition() + AHEAD);
            assertThat(steps).isGreaterThanOrEqualTo((AHEAD - SegmentFiles.RESERVE_CHUNK) / Partition.AHEAD_STEP);
        }
    }

    @Test
    void shouldReserveOnTheWritersThreadWhenNoDutyRuns()
    {
        try (Journal journal = Journal.open(context(dir).preallocateNextSegment(false)))
        {
            final Partition partition = journal.createTopic("t", 1).partition(0);
            final Segment tail = tail(partition);
            assertThat(tail.reservedLimit()).isEqualTo(SegmentFiles.RESERVE_CHUNK);
            long sequence = 0;
            while (tail.tailPosition() < 3 << 20)
            {
                JournalTestSupport.append(partition.writer(), scratch, sequence++);
            }
            assertThat(tail.reservedLimit())
                .isBetween(tail.tailPosition(), tail.tailPosition() + Partition.WRITER_RESERVE_CHUNKS * SegmentFiles.RESERVE_CHUNK);
            assertThat(PartitionRoundTripTest.readAll(partition, 0)).isEqualTo(sequence);
        }
    }

    @Test
    void shouldReserveAndPretouchTheFirstStretchBeforeOpenReturnsWhenAsked()
    {
        try (Journal journal = Journal.open(context(dir).externalDuties(true)))
        {
            journal.createTopic("t", 1);
        }
        try (Journal journal = Journal.open(context(dir).externalDuties(true).pretouchOnOpen(true)))
        {
            final Segment tail = tail(journal.topic("t").partition(0));
            assertThat(tail.reservedLimit()).isGreaterThanOrEqualTo(tail.tailPosition() + AHEAD);
        }
    }

    @Test
    void shouldFailTheAppendNamingTheFileWhenSpaceCannotBeReservedThenContinueWithoutAGap() throws IOException
    {
        final long appended;
        try (Journal journal = Journal.open(context(dir).preallocateNextSegment(false)))
        {
            final Partition partition = journal.createTopic("t", 1).partition(0);
            final Path log = tail(partition).file();
            StorageFaults.install((operation, file) ->
            {
                if (operation == StorageFaults.Operation.ALLOCATE && file.equals(log))
                {
                    throw new IOException("No space left on device");
                }
            });
            long sequence = 0;
            JournalException failure = null;
            while (failure == null)
            {
                try
                {
                    JournalTestSupport.append(partition.writer(), scratch, sequence);
                    sequence++;
                }
                catch (final JournalException ex)
                {
                    failure = ex;
                }
            }
            assertThat(failure.category()).isEqualTo(JournalException.Category.IO);
            assertThat(failure.getMessage()).contains(log.toString(), "No space left on device");
            assertThat(partition.endOffset()).isEqualTo(sequence);
            StorageFaults.clear();
            assertThat(JournalTestSupport.append(partition.writer(), scratch, sequence)).isEqualTo(sequence);
            appended = sequence + 1;
        }
        try (Journal journal = Journal.open(context(dir)))
        {
            assertThat(PartitionRoundTripTest.readAll(journal.topic("t").partition(0), 0)).isEqualTo(appended);
        }
    }

    private static Segment tail(final Partition partition)
    {
        final Segment[] segments = partition.segments();
        return segments[segments.length - 1];
    }
}
