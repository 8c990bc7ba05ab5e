package io.sluice.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reader's runs of records ({@link PartitionReader#poll(RecordHandler, int)} and {@link PartitionReader#poll(RecordBatch, int)}
 * keep their position in locals and judge each frame once): a handler that throws leaves the reader at its record, and a
 * frame length damaged in the mapping while the partition is open stops the run before it and is reported by the read that
 * reaches it, naming where, whatever the run's position when it is met. Batch reads do the same from copies of the
 * segment's bytes ({@link PartitionReader#copyReads}), of any size, and read records appended after a copy was taken.
 */
class PartitionReaderRunTest
{
    private static final int RECORDS = 40;
    /** Batch reads from the mapping (0) and from copies of the segment's bytes of these sizes (see {@link #reader}). */
    static final int[] COPY_BYTES = {0, 100, 1000, 64 * 1024};

    @TempDir
    Path dir;

    private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[256]);

    @Test
    void shouldStayAtTheRecordWhoseHandlerThrewAndDeliverItAgain()
    {
        try (Journal journal = Journal.open(JournalTestSupport.smallContext(dir)))
        {
            final Partition partition = journal.createTopic("t", 1).partition(0);
            append(partition);
            try (PartitionReader reader = partition.newReader())
            {
                final List<Long> delivered = new ArrayList<>();
                assertThatThrownBy(() -> reader.poll(record ->
                {
                    if (record.offset() == 7)
                    {
                        throw new IllegalStateException("handler failed at 7");
                    }
                    delivered.add(record.offset());
                }, 100)).isInstanceOf(IllegalStateException.class);

                assertThat(delivered).hasSize(7);
                assertThat(reader.position()).as("the reader stays at the record whose handler threw").isEqualTo(7);
                final List<String> problems = new ArrayList<>();
                final int read = reader.poll(record ->
                {
                    final String problem = JournalTestSupport.check(record, 7 + problems.size());
                    problems.add(problem == null ? "" : problem);
                }, 100);
                assertThat(read).isEqualTo(RECORDS - 7);
                assertThat(problems).allMatch(String::isEmpty);
            }
        }
    }

    @Test
    void shouldDeliverTheRecordsBeforeAFrameLengthDamagedWhileOpenAndThenReportIt()
    {
        try (Journal journal = Journal.open(JournalTestSupport.smallContext(dir)))
        {
            final Partition partition = journal.createTopic("t", 1).partition(0);
            append(partition);
            awaitChecksummed(partition); // the checksum duty has walked every frame: the damage comes after it
            final Segment segment = partition.segments()[0];
            final int damaged = segment.positionOf(5);
            segment.buffer().putInt(damaged + RecordDescriptor.LENGTH_OFFSET, 7); // no frame is 7 bytes long

            try (PartitionReader reader = partition.newReader())
            {
                final List<Long> delivered = new ArrayList<>();
                assertThatThrownBy(() -> reader.poll(record ->
                {
                    assertThat(JournalTestSupport.check(record, record.offset())).isNull();
                    delivered.add(record.offset());
                }, 100))
                    .isInstanceOf(JournalException.class)
                    .satisfies(ex -> assertThat(((JournalException)ex).category()).isEqualTo(JournalException.Category.CORRUPTION))
                    .hasMessageContaining(segment.file().toString())
                    .hasMessageContaining("frame length 7");
                assertThat(delivered).containsExactly(0L, 1L, 2L, 3L, 4L);
                assertThat(reader.position()).as("the reader stays at the damaged record").isEqualTo(5);
            }
            for (final int copyBytes : COPY_BYTES)
            {
                try (PartitionReader reader = reader(partition, copyBytes))
                {
                    final RecordBatch batch = new RecordBatch(100);
                    int read = 0;
                    int got;
                    while (read < 5 && (got = reader.poll(batch, 100)) > 0)
                    {
                        for (int i = 0; i < got; i++)
                        {
                            assertThat(JournalTestSupport.check(batch, i, read + i)).isNull();
                        }
                        read += got;
                    }
                    assertThat(read).as("the records before the damage, copies of " + copyBytes + " bytes").isEqualTo(5);
                    assertThatThrownBy(() -> reader.poll(batch, 100))
                        .isInstanceOf(JournalException.class)
                        .satisfies(ex -> assertThat(((JournalException)ex).category()).isEqualTo(JournalException.Category.CORRUPTION))
                        .hasMessageContaining(segment.file().toString())
                        .hasMessageContaining("frame length 7");
                    assertThat(reader.position()).isEqualTo(5);
                }
            }
        }
    }

    @Test
    void shouldReadRecordsAppendedAfterACopyWasTakenFromTheFileNotFromTheCopy()
    {
        try (Journal journal = Journal.open(JournalTestSupport.smallContext(dir)))
        {
            final Partition partition = journal.createTopic("t", 1).partition(0);
            try (PartitionReader reader = partition.newReader().copyReads(64 * 1024))
            {
                final RecordBatch batch = new RecordBatch(256);
                long next = 0;
                for (int round = 0; round < 5; round++)
                {
                    // The copy taken by the last read holds the bytes past the end as they were then (zeros, or a frame
                    // being written): the records appended since must come from the file.
                    for (int i = 0; i < 7; i++)
                    {
                        JournalTestSupport.append(partition.writer(), scratch, next + i);
                    }
                    final long end = next + 7;
                    int read;
                    while ((read = reader.poll(batch, 256)) > 0)
                    {
                        for (int i = 0; i < read; i++)
                        {
                            assertThat(JournalTestSupport.check(batch, i, next++)).isNull();
                        }
                    }
                    assertThat(next).as("round " + round).isEqualTo(end);
                }
            }
        }
    }

    @Test
    void shouldReadEveryRecordInRunsOfAnyLengthAcrossSegmentRolls()
    {
        try (Journal journal = Journal.open(JournalTestSupport.smallContext(dir)))
        {
            final Partition partition = journal.createTopic("t", 1).partition(0);
            final int records = 3000; // about 200 KiB: several 64 KiB segments
            for (long sequence = 0; sequence < records; sequence++)
            {
                JournalTestSupport.append(partition.writer(), scratch, sequence);
            }
            assertThat(partition.segments().length).isGreaterThan(2);
            for (final int limit : new int[] {1, 3, 64, 1000})
            {
                try (PartitionReader reader = partition.newReader())
                {
                    final long[] next = {0};
                    while (reader.poll(record ->
                    {
                        assertThat(JournalTestSupport.check(record, next[0])).isNull();
                        next[0]++;
                    }, limit) > 0)
                    {
                        assertThat(reader.position()).isEqualTo(next[0]);
                    }
                    assertThat(next[0]).as("limit " + limit).isEqualTo(records);
                }
                for (final int copyBytes : COPY_BYTES)
                {
                    try (PartitionReader reader = reader(partition, copyBytes))
                    {
                        final RecordBatch batch = new RecordBatch(Math.min(limit, 256));
                        long next = 0;
                        int read;
                        while ((read = reader.poll(batch, limit)) > 0)
                        {
                            for (int i = 0; i < read; i++)
                            {
                                assertThat(JournalTestSupport.check(batch, i, next++)).isNull();
                            }
                            assertThat(reader.position()).isEqualTo(next);
                        }
                        assertThat(next).as("batches of " + limit + ", copies of " + copyBytes + " bytes").isEqualTo(records);
                    }
                }
            }
        }
    }

    /**
     * A reader reading from the mapping (0) or from copies of this many bytes: 100 holds one frame or two and sends the
     * longer frames (up to 96 bytes) to the mapping, 1,000 ends its copies inside frames.
     */
    static PartitionReader reader(final Partition partition, final int copyBytes)
    {
        return copyBytes == 0 ? partition.newReader() : partition.newReader().copyReads(copyBytes);
    }

    private static void awaitChecksummed(final Partition partition)
    {
        final long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MINUTES.toNanos(2);
        while (partition.checksummedOffset() < RECORDS)
        {
            assertThat(System.nanoTime() - deadline).as("the checksum duty reached the last record").isNegative();
            Thread.onSpinWait();
            Thread.yield();
        }
    }

    private void append(final Partition partition)
    {
        for (long sequence = 0; sequence < RECORDS; sequence++)
        {
            JournalTestSupport.append(partition.writer(), scratch, sequence);
        }
    }
}
