package io.sluice.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The allocator duty's write-back pacing ({@link WritebackPacer}) on real mapped segments: it writes back a sealed
 * segment to its end and the live tail's whole steps below its checksummed records, never the page the writer fills,
 * and leaves every record as it was.
 */
class WritebackPacerTest
{
    private static final int SEGMENT = 2 << 20;
    private static final int RECORDS = 60_000;

    @TempDir
    Path dir;

    @Test
    void shouldWriteBackSealedSegmentsAndWholeStepsBelowTheChecksummedRecords() throws Exception
    {
        final JournalContext context = new JournalContext().directory(dir).segmentLength(SEGMENT).reserveAheadBytes(SegmentFiles.RESERVE_CHUNK)
            .externalDuties(true).writebackPacing(true);
        try (Journal journal = Journal.open(context))
        {
            final Partition partition = journal.createTopic("t", 1).partition(0);
            final UnsafeBuffer scratch = new UnsafeBuffer(new byte[128]);
            for (long sequence = 0; sequence < RECORDS; sequence++)
            {
                JournalTestSupport.append(partition.writer(), scratch, sequence);
            }
            final WritebackPacer pacer = ((SegmentAllocator)duty(journal, "segment-allocator")).pacer();
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            long expected = expectedPages(partition);
            while (pacer.pagesWritten() < expected)
            {
                assertThat(System.nanoTime()).as("pages written back %d of %d", pacer.pagesWritten(), expected).isLessThan(deadline);
                for (final Agent duty : journal.duties())
                {
                    duty.doWork();
                }
                expected = expectedPages(partition);
            }
            final Segment[] segments = partition.segments();
            assertThat(segments).as("the records fill more than a segment").hasSizeGreaterThan(1);
            final Segment tail = segments[segments.length - 1];
            assertThat(pacer.pagesWritten()).as("never past the page the writer fills")
                .isLessThanOrEqualTo(sealedPages(segments) + checksummedPosition(partition, tail) / Segment.PAGE_SIZE);
            assertThat(readAll(partition)).isEqualTo(RECORDS);
        }
    }

    @Test
    void shouldNotPaceUnlessAsked()
    {
        try (Journal journal = Journal.open(JournalTestSupport.smallContext(dir).externalDuties(true)))
        {
            assertThat(((SegmentAllocator)duty(journal, "segment-allocator")).pacer()).isNull();
        }
    }

    /**
     * Pages the pacer writes back at the least: every sealed segment's written pages (each segment's pacing starts at
     * its start, the first one's at the empty tail the open found), and the whole steps of the tail below the position
     * of its checksummed records.
     */
    private static long expectedPages(final Partition partition)
    {
        final Segment[] segments = partition.segments();
        final Segment tail = segments[segments.length - 1];
        final int steps = (checksummedPosition(partition, tail) & -Segment.PAGE_SIZE) / WritebackPacer.STEP_BYTES;
        return sealedPages(segments) + (long)steps * (WritebackPacer.STEP_BYTES / Segment.PAGE_SIZE);
    }

    private static long sealedPages(final Segment[] segments)
    {
        long pages = 0;
        for (int i = 0; i < segments.length - 1; i++)
        {
            pages += (segments[i].tailPosition() + Segment.PAGE_SIZE - 1) / Segment.PAGE_SIZE;
        }
        return pages;
    }

    private static int checksummedPosition(final Partition partition, final Segment tail)
    {
        final long relative = partition.checksummedOffset() - tail.baseOffset();
        return relative <= 0 ? 0 : tail.endPosition(relative);
    }

    /** Reads every record, each checked against what was appended with its sequence, and returns how many. */
    private static long readAll(final Partition partition)
    {
        final long[] next = {0};
        try (PartitionReader reader = partition.newReader())
        {
            while (reader.poll(record ->
            {
                assertThat(JournalTestSupport.check(record, next[0])).isNull();
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
}
