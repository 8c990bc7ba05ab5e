package io.sluice.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
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
        // Mapped writes: the pre-touch these tests are about (staged writes: StagedWritesTest).
        return new JournalContext().directory(journalDir).segmentLength(SEGMENT).reserveAheadBytes(AHEAD).stagedWrites(false);
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
            int reservations = 0;
            int touches = 0;
            int limit = tail.reservedLimit();
            int touched = tail.touchedLimit();
            while (partition.reserveAhead(AHEAD) == 1)
            {
                final int reserved = tail.reservedLimit() - limit;
                final int pretouched = tail.touchedLimit() - touched;
                if (reserved > 0)
                {
                    reservations++;
                    assertThat(reserved).as("space reserved in one step").isLessThanOrEqualTo(SegmentFiles.RESERVE_CHUNK);
                    assertThat(tail.reservedLimit() % SegmentFiles.RESERVE_CHUNK).as("reservations end on chunk boundaries").isZero();
                    assertThat(pretouched).as("a step reserves or touches, not both").isZero();
                }
                else
                {
                    touches++;
                    assertThat(pretouched).as("pages touched in one step").isBetween(1, Partition.AHEAD_STEP);
                }
                limit = tail.reservedLimit();
                touched = tail.touchedLimit();
            }
            assertThat(tail.reservedLimit()).isGreaterThanOrEqualTo(tail.tailPosition() + AHEAD);
            assertThat(tail.touchedLimit()).isGreaterThanOrEqualTo(tail.tailPosition() + AHEAD);
            assertThat(reservations).isEqualTo(AHEAD / SegmentFiles.RESERVE_CHUNK);
            assertThat(touches).isGreaterThanOrEqualTo(AHEAD / Partition.AHEAD_STEP - 1);
        }
    }

    @Test
    void shouldReserveAheadOfThePretouchSoAWriterThatOvertakesTheTouchingFindsReservedSpace()
    {
        try (Journal journal = Journal.open(context(dir).externalDuties(true).preallocateNextSegment(false)))
        {
            final Partition partition = journal.createTopic("t", 1).partition(0);
            final Segment tail = tail(partition);
            while (partition.reserveAhead(AHEAD) == 1)
            {
                // the duty catches up: the whole distance reserved and touched
            }
            long sequence = 0;
            final int half = tail.tailPosition() + AHEAD / 2 + SegmentFiles.RESERVE_CHUNK;
            while (tail.tailPosition() < half)
            {
                JournalTestSupport.append(partition.writer(), scratch, sequence++);
            }
            assertThat(partition.writerReservations()).as("within the distance the duty reserved").isZero();

            // Less than half the distance reserved: the duty's next steps reserve before they touch.
            final int touched = tail.touchedLimit();
            int steps = 0;
            while (tail.reservedLimit() < tail.tailPosition() + AHEAD / 2)
            {
                assertThat(partition.reserveAhead(AHEAD)).isEqualTo(1);
                assertThat(++steps).as("a chunk a step").isLessThanOrEqualTo(AHEAD / 2 / SegmentFiles.RESERVE_CHUNK + 1);
            }
            assertThat(tail.touchedLimit()).as("no page touched before half the distance was reserved again").isEqualTo(touched);
            assertThat(tail.reservedLimit()).isGreaterThan(touched + SegmentFiles.RESERVE_CHUNK / 2);

            // The writer overtakes the touching (no duty runs meanwhile) and still writes only into reserved space.
            final int overtaken = touched + (tail.reservedLimit() - touched) / 2;
            while (tail.tailPosition() < overtaken)
            {
                JournalTestSupport.append(partition.writer(), scratch, sequence++);
                assertThat(tail.tailPosition()).isLessThanOrEqualTo(tail.reservedLimit());
            }
            assertThat(tail.touchedLimit()).isLessThan(tail.tailPosition());
            assertThat(partition.writerReservations()).as("past the touching, not past the reservation").isZero();
            assertThat(PartitionRoundTripTest.readAll(partition, 0)).isEqualTo(sequence);
        }
    }

    @Test
    void shouldResumePretouchingAStepAheadOfAWriterThatOvertookTheDuty()
    {
        try (Journal journal = Journal.open(context(dir).externalDuties(true).preallocateNextSegment(false)))
        {
            final Partition partition = journal.createTopic("t", 1).partition(0);
            final Segment tail = tail(partition);
            long sequence = 0;
            while (tail.tailPosition() < 3 << 20)
            {
                // No duty runs: the writer reserves for itself, and the pre-toucher falls megabytes behind it.
                JournalTestSupport.append(partition.writer(), scratch, sequence++);
            }
            final int writerPosition = tail.tailPosition();
            assertThat(tail.touchedLimit()).isLessThan(writerPosition);

            final int touchedBefore = tail.touchedLimit();
            while (tail.touchedLimit() == touchedBefore)
            {
                // reservations first (less than half the distance is reserved), then the first touch
                assertThat(partition.reserveAhead(AHEAD)).isEqualTo(1);
            }
            assertThat(tail.touchedLimit()).as("one step, a step ahead of the writer: no page behind it touched")
                .isGreaterThan(writerPosition + Partition.AHEAD_STEP - Segment.PAGE_SIZE)
                .isLessThanOrEqualTo(writerPosition + 2 * Partition.AHEAD_STEP);

            while (partition.reserveAhead(AHEAD) == 1)
            {
                // Touched a page at a time: the page holding the reserved limit starts below it, in reserved blocks.
                assertThat(tail.touchedLimit()).isLessThan(tail.reservedLimit() + Segment.PAGE_SIZE);
            }
            assertThat(tail.touchedLimit()).isGreaterThanOrEqualTo(writerPosition + AHEAD);
            assertThat(PartitionRoundTripTest.readAll(partition, 0)).isEqualTo(sequence);
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
            assertThat(tail.reservedLimit()).isGreaterThanOrEqualTo(tail.tailPosition());
            // Every byte past the first chunk was reserved by the writer, counted, a chunk at most at a time (an
            // event waits for a megabyte of zeros at most), ending on chunk boundaries.
            assertThat(partition.writerReservedBytes()).isEqualTo(tail.reservedLimit() - SegmentFiles.RESERVE_CHUNK);
            assertThat(partition.writerReservations())
                .isEqualTo((tail.reservedLimit() - SegmentFiles.RESERVE_CHUNK) / SegmentFiles.RESERVE_CHUNK);
            assertThat(tail.reservedLimit() % SegmentFiles.RESERVE_CHUNK).isZero();
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
    void shouldTakeNoPageFaultOnTheWritersThreadInTheStretchPretouchedOnOpen() throws IOException
    {
        assumeTrue(Files.isReadable(JournalTestSupport.THREAD_STAT), "counts the writer thread's minor page faults from /proc (Linux)");
        final UnsafeBuffer payload = new UnsafeBuffer(ByteBuffer.allocateDirect(64));
        try (Journal journal = Journal.open(context(dir).externalDuties(true).pretouchOnOpen(true)))
        {
            final PartitionWriter writer = journal.createTopic("t", 1).partition(0).writer();
            final int records = (AHEAD - (1 << 20)) / RecordDescriptor.alignedFrameLength(payload.capacity());
            final long faultsBefore = JournalTestSupport.minorFaults();
            for (int i = 0; i < records; i++)
            {
                writer.append(1, 0, i, i, payload, 0, payload.capacity());
            }
            final long faults = JournalTestSupport.minorFaults() - faultsBefore;
            // Before the fix: one per page of the tail's first megabyte (256), which the open's force had written
            // back after the pre-touch. The few left are the JVM's own (compilation, safepoints).
            assertThat(faults).as("minor page faults of the writer over %d pre-touched pages", (AHEAD - (1 << 20)) / 4096)
                .isLessThan(64);
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
