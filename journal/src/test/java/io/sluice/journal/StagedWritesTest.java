package io.sluice.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The staged writer ({@link JournalContext#stagedWrites}): frames go to the file, checksummed, only when the records are
 * published; a write cut short at any page boundary (what a SIGKILL during the {@code pwrite} leaves) is recovered as a
 * torn tail that keeps every record published before it; a failed write stops the writer as a failed force() does.
 */
class StagedWritesTest
{
    private static final int PAGE = 4096;

    @TempDir
    Path dir;

    private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[256]);

    @AfterEach
    void clearHook()
    {
        StorageFaults.clear();
    }

    private JournalContext staged(final Path directory)
    {
        return JournalTestSupport.smallContext(directory).segmentLength(1024 * 1024).stagedWrites(true);
    }

    @Test
    void shouldWriteARunToTheFileChecksummedOnlyWhenItIsPublished() throws IOException
    {
        try (Journal journal = Journal.open(staged(dir)))
        {
            final Partition partition = journal.createTopic("t", 1).partition(0);
            final PartitionWriter writer = partition.writer();
            final Path log = partition.segmentInfos().get(0).file();
            final int start = (int)partition.segmentInfos().get(0).bytesUsed();
            for (long sequence = 0; sequence < 100; sequence++)
            {
                JournalTestSupport.appendUnpublished(writer, scratch, sequence);
            }
            assertThat(readInt(log, start)).as("a staged run is not in the file").isZero();
            assertThat(partition.endOffset()).isZero();
            assertThat(writer.stagedWriteCount()).isZero();

            writer.publishAppended();
            assertThat(writer.stagedWriteCount()).as("one pwrite for the run").isEqualTo(1);
            assertThat(partition.endOffset()).isEqualTo(100);
            assertThat(readInt(log, start + RecordDescriptor.CRC_OFFSET))
                .as("written checksummed").isNotEqualTo(RecordDescriptor.UNCHECKSUMMED).isNotZero();
            assertThat(partition.checksummedOffset()).isEqualTo(100);
            DeferredChecksumTest.assertEveryRecordChecksummed(partition);
            assertThat(PartitionRoundTripTest.readAll(partition, 0)).isEqualTo(100);

            assertThat(JournalTestSupport.append(writer, scratch, 100)).isEqualTo(100);
            assertThat(writer.stagedWriteCount()).as("a plain append writes at once").isEqualTo(2);
            assertThat(partition.endOffset()).isEqualTo(101);
        }
    }

    /**
     * Runs of at most {@link JournalContext#stagedSmallRunRecords} records go into the file through the mapping, with no
     * {@code pwrite}: checksummed, readable by offset as they are published, in the file for a reader of its bytes, and
     * kept by a reopen that walks the tail as a crash leaves it; longer runs, and the runs between them, are written.
     */
    @Test
    void shouldStoreRunsOfOneOrTwoRecordsThroughTheMappingAndWriteLongerRuns() throws IOException
    {
        long sequence = 0;
        long expectedWrites = 0;
        try (Journal journal = Journal.open(staged(dir).stagedSmallRunRecords(2)))
        {
            final Partition partition = journal.createTopic("t", 1).partition(0);
            final PartitionWriter writer = partition.writer();
            final Path log = partition.segmentInfos().get(0).file();
            for (int run = 0; run < 8000; run++)
            {
                final int records = 1 + run % 5;
                for (int i = 0; i < records; i++)
                {
                    JournalTestSupport.appendUnpublished(writer, scratch, sequence++);
                }
                writer.publishAppended();
                expectedWrites += records > 2 ? 1 : 0;
                assertThat(writer.stagedWriteCount()).as("run %d of %d records", run, records).isEqualTo(expectedWrites);
                assertThat(partition.endOffset()).isEqualTo(sequence);
                if (run < 5)
                {
                    assertThat(framesEndingBy(log, Integer.MAX_VALUE)).as("run %d in the file", run).isEqualTo(sequence);
                    assertThat(readInt(log, positionOfOffset(log, sequence - 1) + RecordDescriptor.CRC_OFFSET))
                        .as("run %d checksummed", run).isNotEqualTo(RecordDescriptor.UNCHECKSUMMED).isNotZero();
                }
            }
            // A plain append publishes a run of one: stored, not written.
            assertThat(JournalTestSupport.append(writer, scratch, sequence++)).isEqualTo(sequence - 1);
            assertThat(writer.stagedWriteCount()).isEqualTo(expectedWrites);
            assertThat(partition.segmentInfos().size()).as("the runs crossed segments").isGreaterThan(1);
            DeferredChecksumTest.assertEveryRecordChecksummed(partition);
            assertThat(PartitionRoundTripTest.readAll(partition, 0)).isEqualTo(sequence);
        }
        JournalTestSupport.clearRecoveryPoints(dir);
        try (Journal journal = Journal.open(staged(dir)))
        {
            final Partition partition = journal.topic("t").partition(0);
            assertThat(partition.endOffset()).isEqualTo(sequence);
            assertThat(partition.recoveryEvents()).isEmpty();
            assertThat(PartitionRoundTripTest.readAll(partition, 0)).isEqualTo(sequence);
        }
    }

    /**
     * The allocator duty pre-touches a short stretch ({@link Partition#SMALL_RUN_TOUCH_AHEAD}) ahead of a staged writer
     * that stores small runs through the mapping, and only while it does: the writer's stores into that stretch take no
     * page fault of their own (before, one per page), and runs written with {@code pwrite} leave the mapping untouched.
     */
    @Test
    void shouldPretouchAShortStretchAheadOfAWriterWhileItStoresSmallRuns() throws IOException
    {
        assumeTrue(Files.isReadable(JournalTestSupport.THREAD_STAT), "counts the writer thread's minor page faults from /proc (Linux)");
        long sequence = 0;
        try (Journal journal = Journal.open(JournalTestSupport.smallContext(dir).segmentLength(16 << 20).reserveAheadBytes(1 << 20)
            .externalDuties(true).preallocateNextSegment(false).stagedWrites(true).stagedSmallRunRecords(2)))
        {
            final Partition partition = journal.createTopic("t", 1).partition(0);
            final PartitionWriter writer = partition.writer();
            final Segment tail = partition.segments()[0];
            runDuty(partition);
            assertThat(tail.touchedLimit()).as("nothing stored through the mapping yet: no page touched").isZero();

            sequence = storeSmallRun(writer, sequence);
            runDuty(partition);
            final int stretchEnd = tail.touchedLimit();
            assertThat(stretchEnd).as("a short stretch touched ahead of the writer")
                .isGreaterThanOrEqualTo(tail.tailPosition() + Partition.SMALL_RUN_TOUCH_AHEAD - PAGE)
                .isLessThanOrEqualTo(tail.tailPosition() + Partition.SMALL_RUN_TOUCH_AHEAD + PAGE);

            final long faultsBefore = JournalTestSupport.minorFaults();
            final int pagesFrom = tail.tailPosition() / PAGE;
            while (tail.tailPosition() + 512 < stretchEnd)
            {
                sequence = storeSmallRun(writer, sequence);
            }
            final long faults = JournalTestSupport.minorFaults() - faultsBefore;
            final int pages = tail.tailPosition() / PAGE - pagesFrom;
            assertThat(pages).isGreaterThanOrEqualTo(Partition.SMALL_RUN_TOUCH_AHEAD / PAGE - 2);
            assertThat(faults).as("the writer's minor page faults over %d pre-touched pages", pages).isLessThan(pages / 2);

            // Runs written with pwrite well past the stretch: the duty leaves the mapping alone.
            runDuty(partition);
            final int touchedBeforeWrites = tail.touchedLimit();
            final int writtenTo = tail.tailPosition() + 4 * Partition.SMALL_RUN_TOUCH_AHEAD;
            while (tail.tailPosition() < writtenTo)
            {
                for (int i = 0; i < 50; i++)
                {
                    JournalTestSupport.appendUnpublished(writer, scratch, sequence++);
                }
                writer.publishAppended();
                runDuty(partition);
            }
            assertThat(tail.touchedLimit()).as("no page touched for runs written").isEqualTo(touchedBeforeWrites);

            // Small runs again: the stretch resumes at the writer's next page, none behind it touched.
            sequence = storeSmallRun(writer, sequence);
            runDuty(partition);
            assertThat(tail.touchedLimit()).isGreaterThan(tail.tailPosition() + Partition.SMALL_RUN_TOUCH_AHEAD - 2 * PAGE)
                .isLessThanOrEqualTo(tail.tailPosition() + Partition.SMALL_RUN_TOUCH_AHEAD + 2 * PAGE);
            DeferredChecksumTest.assertEveryRecordChecksummed(partition);
            assertThat(PartitionRoundTripTest.readAll(partition, 0)).isEqualTo(sequence);
        }
    }

    /**
     * A staged writer's runs go in with {@code pwrite}, so no pre-touch of the log's pages runs for it; the allocator
     * duty still pre-touches the offset and time index pages ahead of it, so that its index entries take no page fault
     * of their own (before, one at the first entry of each index page).
     */
    @Test
    void shouldPretouchTheIndexPagesAheadOfAStagedWriter() throws IOException
    {
        assumeTrue(Files.isReadable(JournalTestSupport.THREAD_STAT), "counts the writer thread's minor page faults from /proc (Linux)");
        long sequence = 0;
        try (Journal journal = Journal.open(JournalTestSupport.smallContext(dir).segmentLength(16 << 20).reserveAheadBytes(1 << 20)
            .externalDuties(true).preallocateNextSegment(false).stagedWrites(true)))
        {
            final Partition partition = journal.createTopic("t", 1).partition(0);
            final PartitionWriter writer = partition.writer();
            final Segment tail = partition.segments()[0];
            long writerFaults = 0;
            for (int block = 0; block < 5; block++)
            {
                // The duty's steps first (its touches fault on this thread too), then 3/4 of its 1 MiB ahead written alone.
                runDuty(partition);
                final int blockEnd = tail.tailPosition() + (768 << 10);
                final long faultsBefore = JournalTestSupport.minorFaults();
                while (tail.tailPosition() < blockEnd)
                {
                    for (int i = 0; i < 50; i++)
                    {
                        JournalTestSupport.appendUnpublished(writer, scratch, sequence++);
                    }
                    writer.publishAppended();
                }
                writerFaults += JournalTestSupport.minorFaults() - faultsBefore;
            }
            final int indexPages = (tail.offsetIndex().entryCount() * OffsetIndex.ENTRY_LENGTH +
                tail.timeIndex().entryCount() * TimeIndex.ENTRY_LENGTH) / PAGE;
            assertThat(indexPages).as("index pages the entries filled").isGreaterThanOrEqualTo(64);
            assertThat(tail.touchedLimit()).as("no page of the log pre-touched").isZero();
            assertThat(writerFaults).as("the writer's minor page faults over %d index pages", indexPages).isLessThan(indexPages / 4);
            assertThat(PartitionRoundTripTest.readAll(partition, 0)).isEqualTo(sequence);
        }
    }

    private long storeSmallRun(final PartitionWriter writer, final long sequence)
    {
        JournalTestSupport.appendUnpublished(writer, scratch, sequence);
        writer.publishAppended();
        return sequence + 1;
    }

    /** The allocator duty's steps for the partition until it has nothing left to do. */
    private static void runDuty(final Partition partition)
    {
        while (partition.reserveAhead(1 << 20) == 1)
        {
            // reserve, then touch, a step at a time
        }
    }

    @Test
    void shouldCommitAClaimEncodedInTheStagingBuffer()
    {
        try (Journal journal = Journal.open(staged(dir)))
        {
            final Partition partition = journal.createTopic("t", 1).partition(0);
            final PartitionWriter writer = partition.writer();
            for (long sequence = 0; sequence < 50; sequence++)
            {
                final int length = JournalTestSupport.payloadLength(sequence);
                assertThat(writer.claim(length)).isEqualTo(sequence);
                JournalTestSupport.fillPayload(scratch, sequence);
                writer.claimBuffer().putBytes(writer.claimPayloadOffset(), scratch, 0, length);
                writer.commit(7, 3, JournalTestSupport.timestampOf(sequence), JournalTestSupport.keyOf(sequence));
                assertThat(partition.endOffset()).isEqualTo(sequence + 1);
            }
            assertThat(PartitionRoundTripTest.readAll(partition, 0)).isEqualTo(50);
        }
    }

    @Test
    void shouldKeepEveryRecordAcrossRollsLargeFramesAndReopens()
    {
        final UnsafeBuffer large = new UnsafeBuffer(new byte[300 * 1024]);
        long sequence = 0;
        for (int open = 0; open < 3; open++)
        {
            try (Journal journal = Journal.open(staged(dir)))
            {
                final Partition partition = open == 0 ? journal.createTopic("t", 1).partition(0) : journal.topic("t").partition(0);
                final PartitionWriter writer = partition.writer();
                assertThat(writer.nextOffset()).isEqualTo(sequence);
                for (int run = 0; run < 200; run++)
                {
                    for (int i = 0; i < 1 + run % 97; i++)
                    {
                        JournalTestSupport.appendUnpublished(writer, scratch, sequence++);
                    }
                    writer.publishAppended();
                }
                // Larger than the staging buffer: it grows for it.
                final byte fill = (byte)open;
                large.setMemory(0, large.capacity(), fill);
                final long largeOffset = writer.append(9, 0, 0, 0, large, 0, large.capacity());
                assertThat(partition.endOffset()).isEqualTo(largeOffset + 1);
                try (PartitionReader reader = partition.newReader())
                {
                    reader.seek(largeOffset);
                    assertThat(reader.poll(record ->
                    {
                        assertThat(record.payloadLength()).isEqualTo(large.capacity());
                        assertThat(record.buffer().getByte(record.payloadOffset() + large.capacity() - 1)).isEqualTo(fill);
                    }, 1)).isEqualTo(1);
                }
                // The next records follow it; the large one's offset is skipped by the reads below.
                sequence = largeOffset + 1;
                for (int i = 0; i < 10; i++)
                {
                    JournalTestSupport.appendUnpublished(writer, scratch, sequence++);
                }
                // Left unpublished: the close writes them, as the mapping holds them in mapped mode.
                assertThat(partition.segmentInfos().size()).as("the runs crossed segments").isGreaterThan(open);
            }
            if (open == 1)
            {
                JournalTestSupport.clearRecoveryPoints(dir); // as a crash leaves it: the next open walks the tail
            }
        }
        try (Journal journal = Journal.open(staged(dir)))
        {
            final Partition partition = journal.topic("t").partition(0);
            assertThat(partition.endOffset()).isEqualTo(sequence);
            assertThat(partition.recoveryEvents()).isEmpty();
        }
    }

    /**
     * The allocator duty writes zeros ahead while the writer appends: the writer's frames must never reach past the
     * reserved limit, where the duty's zeros would overwrite them (the prototype's defect: CORRUPTION at close), and
     * nothing pre-touches the log's pages.
     */
    @Test
    void shouldStayBelowTheReservedLimitWhileTheDutyWritesZerosAheadAndTouchNoPage()
    {
        final int segment = 16 << 20;
        long sequence = 0;
        try (Journal journal = Journal.open(new JournalContext().directory(dir).segmentLength(segment)
            .reserveAheadBytes(2 << 20).stagedWrites(true)))
        {
            final Partition partition = journal.createTopic("t", 1).partition(0);
            final PartitionWriter writer = partition.writer();
            final Segment tail = partition.segments()[0];
            for (int run = 0; tail == partition.segments()[partition.segments().length - 1] && run < 5000; run++)
            {
                for (int i = 0; i < 1 + run % 300; i++)
                {
                    JournalTestSupport.appendUnpublished(writer, scratch, sequence++);
                }
                writer.publishAppended();
                final long used = partition.segmentInfos().get(0).bytesUsed();
                if (partition.segments().length == 1)
                {
                    assertThat(used).as("run %d", run).isLessThanOrEqualTo(tail.reservedLimit());
                }
            }
            assertThat(tail.touchedLimit()).as("no page of the log pre-touched").isZero();
            assertThat(partition.segmentInfos().get(0).bytesUsed()).isGreaterThan(8 << 20);
        }
        try (Journal journal = Journal.open(new JournalContext().directory(dir).segmentLength(segment).stagedWrites(true)))
        {
            final Partition partition = journal.topic("t").partition(0);
            assertThat(partition.endOffset()).isEqualTo(sequence);
            assertThat(PartitionRoundTripTest.readAll(partition, 0)).isEqualTo(sequence);
            assertThat(partition.recoveryEvents()).isEmpty();
        }
    }

    /**
     * A SIGKILL during the {@code pwrite} of a run leaves a prefix of it in the file, cut at a page boundary: every cut
     * of a run of several pages is recovered as a torn tail, keeping the runs published before it and the run's whole
     * frames before the cut, nothing else, and the partition takes appends after it.
     */
    @Test
    void shouldRecoverAWriteCutAtAnyPageBoundaryAsATornTail() throws IOException
    {
        final Path original = dir.resolve("original");
        final long acknowledged;
        final int runStart;
        final int runEnd;
        try (Journal journal = Journal.open(staged(original)))
        {
            final Partition partition = journal.createTopic("t", 1).partition(0);
            final PartitionWriter writer = partition.writer();
            long sequence = 0;
            for (int i = 0; i < 1000; i++)
            {
                JournalTestSupport.appendUnpublished(writer, scratch, sequence++);
            }
            writer.publishAppended();
            acknowledged = sequence;
            runStart = (int)partition.segmentInfos().get(0).bytesUsed();
            for (int i = 0; i < 600; i++)
            {
                JournalTestSupport.appendUnpublished(writer, scratch, sequence++);
            }
            writer.publishAppended();
            runEnd = (int)partition.segmentInfos().get(0).bytesUsed();
        }
        JournalTestSupport.clearRecoveryPoints(original);
        assertThat(runEnd - runStart).as("the last run spans several pages").isGreaterThan(8 * PAGE);
        int cuts = 0;
        for (int cut = (runStart + PAGE - 1) & -PAGE; cut < runEnd; cut += PAGE)
        {
            final Path copy = dir.resolve("cut-" + cut);
            PartitionRecoveryTest.copyJournal(original, copy);
            final Path log = logOf(copy);
            zero(log, cut, runEnd - cut);
            final long whole = framesEndingBy(log, cut);
            try (Journal journal = Journal.open(staged(copy)))
            {
                final Partition partition = journal.topic("t").partition(0);
                assertThat(partition.endOffset()).as("cut at %d: the run's whole frames before the cut", cut).isEqualTo(whole);
                assertThat(whole).isGreaterThanOrEqualTo(acknowledged);
                assertThat(PartitionRoundTripTest.readAll(partition, 0)).isEqualTo(whole);
                if (positionOfOffset(log, whole) < cut)
                {
                    assertThat(partition.recoveryEvents()).as("cut at %d", cut).anyMatch(e -> e.description().contains("torn tail"));
                }
                assertThat(JournalTestSupport.append(partition.writer(), scratch, whole)).isEqualTo(whole);
            }
            try (Journal journal = Journal.open(staged(copy)))
            {
                assertThat(PartitionRoundTripTest.readAll(journal.topic("t").partition(0), 0)).isEqualTo(whole + 1);
            }
            cuts++;
        }
        assertThat(cuts).isGreaterThan(8);
    }

    @Test
    void shouldStopAcknowledgingAfterAFailedWriteAndKeepWhatWasPublished()
    {
        try (Journal journal = Journal.open(staged(dir)))
        {
            final Partition partition = journal.createTopic("t", 1).partition(0);
            final PartitionWriter writer = partition.writer();
            for (long sequence = 0; sequence < 100; sequence++)
            {
                JournalTestSupport.appendUnpublished(writer, scratch, sequence);
            }
            writer.publishAppended();
            for (long sequence = 100; sequence < 150; sequence++)
            {
                JournalTestSupport.appendUnpublished(writer, scratch, sequence);
            }
            StorageFaults.install((operation, file) ->
            {
                if (operation == StorageFaults.Operation.WRITE)
                {
                    throw new IOException("No space left on device (injected)");
                }
            });
            assertThatThrownBy(writer::publishAppended).isInstanceOf(JournalException.class)
                .satisfies(ex -> assertThat(((JournalException)ex).category()).isEqualTo(JournalException.Category.FATAL))
                .hasMessageContaining("No space left on device");
            StorageFaults.clear();
            assertThat(partition.endOffset()).as("nothing of the failed run is published").isEqualTo(100);
            assertThat(partition.fatalError()).isNotNull();
            assertThatThrownBy(() -> JournalTestSupport.append(writer, scratch, 150)).isInstanceOf(JournalException.class);
            assertThatThrownBy(writer::publishAppended).isInstanceOf(JournalException.class);
            assertThat(partition.endOffset()).isEqualTo(100);
        }
        try (Journal journal = Journal.open(staged(dir)))
        {
            final Partition partition = journal.topic("t").partition(0);
            assertThat(partition.endOffset()).isEqualTo(100);
            assertThat(PartitionRoundTripTest.readAll(partition, 0)).isEqualTo(100);
        }
    }


    private static int readInt(final Path file, final long position) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            final ByteBuffer bytes = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
            channel.read(bytes, position);
            return bytes.getInt(0);
        }
    }

    private static void zero(final Path file, final long position, final int length) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE))
        {
            channel.write(ByteBuffer.allocate(length), position);
        }
    }

    /** Records whose frames end at or before {@code limit}, walking the frames from the segment's header. */
    private static long framesEndingBy(final Path log, final int limit) throws IOException
    {
        long count = 0;
        int position = SegmentDescriptor.HEADER_LENGTH;
        while (true)
        {
            final int length = readInt(log, position);
            final int next = position + RecordDescriptor.alignedFrameLength(length - RecordDescriptor.HEADER_LENGTH);
            if (length == 0 || position + length > limit)
            {
                return count;
            }
            count++;
            position = next;
        }
    }

    private static int positionOfOffset(final Path log, final long offset) throws IOException
    {
        int position = SegmentDescriptor.HEADER_LENGTH;
        for (long i = 0; i < offset; i++)
        {
            position += RecordDescriptor.alignedFrameLength(readInt(log, position) - RecordDescriptor.HEADER_LENGTH);
        }
        return position;
    }

    private static Path logOf(final Path journal) throws IOException
    {
        try (Stream<Path> files = Files.walk(journal))
        {
            final List<Path> logs = files.filter(p -> p.getFileName().toString().endsWith(SegmentDescriptor.LOG_SUFFIX))
                .filter(p -> !p.getFileName().toString().startsWith(SegmentDescriptor.SPARE_NAME)).toList();
            assertThat(logs).hasSize(1);
            return logs.get(0);
        }
    }
}
