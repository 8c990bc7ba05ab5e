package io.sluice.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A writer that spins while idle does its partition's background work itself, between appends
 * ({@link PartitionWriter#doIdleWork}): the checksums of what it published and the reservation ahead of
 * it, a short step per call; the journal's checksum and allocator duties then find nothing to do for that
 * partition, and take over when the writer falls behind (up to where the writer's share starts again).
 */
class IdleWriterWorkTest
{
    private static final int SEGMENT = 64 << 20;
    private static final int AHEAD = 4 << 20;

    @TempDir
    Path dir;

    private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[256]);

    private JournalContext context()
    {
        // The duties are not run by the journal: the test runs them, so it sees what each does.
        return new JournalContext().directory(dir).segmentLength(SEGMENT).reserveAheadBytes(AHEAD).externalDuties(true)
            .stagedWrites(false); // the checksum and pre-touch steps of mapped writes
    }

    @Test
    void shouldChecksumAndReserveAheadOnTheIdleWriterInShortStepsLeavingTheDutiesNothing() throws Exception
    {
        try (Journal journal = Journal.open(context()))
        {
            final Partition partition = journal.createTopic("t", 1).partition(0);
            final PartitionWriter writer = partition.writer();
            final Segment tail = tail(partition);
            long sequence = 0;
            for (int round = 0; round < 20; round++)
            {
                for (int i = 0; i < 1000; i++)
                {
                    JournalTestSupport.append(writer, scratch, sequence++);
                }
                int calls = 0;
                int limit = tail.reservedLimit();
                while (writer.doIdleWork() == 1)
                {
                    calls++;
                    assertThat(tail.reservedLimit() - limit).as("one short step at most").isBetween(0, Partition.WRITER_AHEAD_STEP);
                    limit = tail.reservedLimit();
                }
                assertThat(calls).as("1000 records: several checksum steps").isGreaterThanOrEqualTo(1000 / PartitionWriter.IDLE_CHECKSUM_RECORDS);
                assertThat(partition.checksummedOffset()).isEqualTo(partition.endOffset());
                assertThat(tail.reservedLimit()).as("within a step of the distance").isGreaterThanOrEqualTo(writerPosition(partition) + AHEAD - Partition.WRITER_AHEAD_STEP);
                for (final Agent duty : journal.duties())
                {
                    Thread.sleep(2); // past the checksum duty's pass interval, so its pass runs
                    assertThat(duty.doWork()).as(duty.roleName() + " leaves the idle writer's partition to it").isZero();
                }
            }
            // One record at a time, idle between: the reservation grows by whole steps, not by each record's bytes
            // (that was a pwrite of a few bytes per event on the writer's thread).
            final long from = writerPosition(partition);
            int reservations = 0;
            for (int i = 0; i < 200; i++)
            {
                JournalTestSupport.append(writer, scratch, sequence++);
                final int before = tail.reservedLimit();
                idleUntilDone(writer); // its checksum, and a step of reservation when one is missing
                reservations += tail.reservedLimit() != before ? 1 : 0;
            }
            assertThat(reservations).as("reservations for 200 records of %d bytes", writerPosition(partition) - from)
                .isLessThanOrEqualTo((int)((writerPosition(partition) - from) / Partition.WRITER_AHEAD_STEP) + 1);
            DeferredChecksumTest.assertEveryRecordChecksummed(partition);
            assertThat(PartitionRoundTripTest.readAll(partition, 0)).isEqualTo(sequence);
        }
    }

    @Test
    void shouldLetTheDutiesTakeOverWhenTheIdleWriterFallsBehind() throws Exception
    {
        try (Journal journal = Journal.open(context()))
        {
            final Partition partition = journal.createTopic("t", 1).partition(0);
            final PartitionWriter writer = partition.writer();
            final Segment tail = tail(partition);
            JournalTestSupport.append(writer, scratch, 0);
            idleUntilDone(writer); // caught up: from here the duties leave the partition to the writer
            // A writer too busy to idle: more records than it may leave unchecksummed, further than half the distance.
            long sequence = 1;
            while (sequence < Partition.WRITER_CHECKSUM_BEHIND + 1000 || writerPosition(partition) < tail.reservedLimit() - AHEAD / 4)
            {
                JournalTestSupport.append(writer, scratch, sequence++);
            }
            int work = 0;
            final long deadline = System.nanoTime() + 60_000_000_000L;
            while ((partition.checksummedOffset() < partition.endOffset() - Partition.WRITER_CHECKSUM_BEHIND ||
                tail.reservedLimit() < writerPosition(partition) + AHEAD / 4) && System.nanoTime() < deadline)
            {
                Thread.sleep(1);
                for (final Agent duty : journal.duties())
                {
                    work += duty.doWork();
                }
            }
            assertThat(work).as("the duties took over").isPositive();
            assertThat(partition.checksummedOffset()).isGreaterThanOrEqualTo(partition.endOffset() - Partition.WRITER_CHECKSUM_BEHIND);
            // About half the distance (the duty sees the tail position of the last index checkpoint).
            assertThat(tail.reservedLimit()).isGreaterThanOrEqualTo(writerPosition(partition) + AHEAD / 4);
            // Back to the writer for the rest, once it idles again.
            idleUntilDone(writer); // catching up
            assertThat(partition.checksummedOffset()).isEqualTo(partition.endOffset());
            assertThat(tail.reservedLimit()).as("within a step of the distance").isGreaterThanOrEqualTo(writerPosition(partition) + AHEAD - Partition.WRITER_AHEAD_STEP);
            partition.force();
            DeferredChecksumTest.assertEveryRecordChecksummed(partition);
            assertThat(PartitionRoundTripTest.readAll(partition, 0)).isEqualTo(sequence);
        }
    }

    @Test
    void shouldDoNoReservationOnTheWriterWhenTheJournalDoesNotPreallocate()
    {
        try (Journal journal = Journal.open(context().preallocateNextSegment(false)))
        {
            final Partition partition = journal.createTopic("t", 1).partition(0);
            final PartitionWriter writer = partition.writer();
            final Segment tail = tail(partition);
            JournalTestSupport.append(writer, scratch, 0);
            final int limit = tail.reservedLimit();
            idleUntilDone(writer); // checksums only
            assertThat(partition.checksummedOffset()).isEqualTo(1);
            assertThat(tail.reservedLimit()).isEqualTo(limit);
        }
    }

    @Test
    void shouldSkipTheIdleWritersReservationStepWhileAnotherThreadHoldsTheSegmentsLock() throws Exception
    {
        final ExecutorService holder = Executors.newSingleThreadExecutor();
        try (Journal journal = Journal.open(context()))
        {
            final Partition partition = journal.createTopic("t", 1).partition(0);
            final PartitionWriter writer = partition.writer();
            final Segment tail = tail(partition);
            JournalTestSupport.append(writer, scratch, 0);
            idleUntilDone(writer); // caught up: checksummed, and reserved the whole distance ahead
            // Two steps' worth of records: checksums to do and a step of reservation missing.
            final int from = writerPosition(partition);
            long sequence = 1;
            while (writerPosition(partition) < from + 2 * Partition.WRITER_AHEAD_STEP)
            {
                JournalTestSupport.append(writer, scratch, sequence++);
            }
            final int limit = tail.reservedLimit();
            // The allocator duty holding the lock and waiting for its CPU, as after a roll on a busy machine.
            final CountDownLatch held = new CountDownLatch(1);
            final CountDownLatch release = new CountDownLatch(1);
            final Future<?> duty = holder.submit(() ->
            {
                tail.reservationLock().lock();
                try
                {
                    held.countDown();
                    release.await();
                }
                finally
                {
                    tail.reservationLock().unlock();
                }
                return null;
            });
            try
            {
                assertThat(held.await(60, TimeUnit.SECONDS)).isTrue();
                // On another thread, so that a writer that waits for the lock fails the test instead of hanging it.
                final ExecutorService writerThread = Executors.newSingleThreadExecutor();
                try
                {
                    final int idleCalls = writerThread.submit(() -> idleUntilDone(writer)) // its checksums only
                        .get(60, TimeUnit.SECONDS);
                    assertThat(idleCalls).as("the checksum steps still ran").isPositive();
                }
                finally
                {
                    writerThread.shutdownNow();
                }
                assertThat(partition.checksummedOffset()).isEqualTo(partition.endOffset());
                assertThat(tail.reservedLimit()).as("no step taken while the lock was held").isEqualTo(limit);
            }
            finally
            {
                release.countDown();
            }
            duty.get(60, TimeUnit.SECONDS);
            idleUntilDone(writer); // the reservation steps, now that the lock is free
            assertThat(tail.reservedLimit()).as("within a step of the distance")
                .isGreaterThanOrEqualTo(writerPosition(partition) + AHEAD - Partition.WRITER_AHEAD_STEP);
            assertThat(PartitionRoundTripTest.readAll(partition, 0)).isEqualTo(sequence);
        }
        finally
        {
            holder.shutdownNow();
        }
    }

    /** Calls the writer's idle work until it has none left; returns how many calls did some. */
    private static int idleUntilDone(final PartitionWriter writer)
    {
        int calls = 0;
        while (writer.doIdleWork() == 1)
        {
            calls++;
        }
        return calls;
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
