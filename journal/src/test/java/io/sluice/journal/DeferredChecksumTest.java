package io.sluice.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The states that checksumming off the writer's thread adds (see {@link RecordDescriptor}): records
 * published unchecksummed, checksummed by the duty or before a force, and what recovery does with each
 * in the boot that wrote them (a killed process) and after a restart of the machine (power loss,
 * simulated by opening with another boot). A "crash" here is a copy of the journal's files taken
 * while it is open, which is what the page cache holds when a process is killed; what a device holds
 * after a power cut is then modelled by damaging that copy.
 */
class DeferredChecksumTest
{
    /** A boot that is not the running one: the machine restarted since the files were written. */
    private static final BootId ANOTHER_BOOT = new BootId(0x5EEDL, 0xB007L);

    @TempDir
    Path dir;

    private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[256]);

    /** No duty threads: records stay unchecksummed until a force, so each state is set up exactly. */
    private JournalContext quietContext(final Path journalDir)
    {
        return JournalTestSupport.smallContext(journalDir).externalDuties(true).preallocateNextSegment(false).stagedWrites(false);
    }

    @Test
    void shouldPublishRecordsUnchecksummedAndChecksumThemBeforeTheyAreForced()
    {
        try (Journal journal = Journal.open(quietContext(dir)))
        {
            final Partition partition = journal.createTopic("t", 1).partition(0);
            for (long i = 0; i < 50; i++)
            {
                JournalTestSupport.append(partition.writer(), scratch, i);
            }
            // A live consumer reads JOURNALED records before anything checksummed them.
            final List<Integer> stored = readChecksums(partition, 50);
            assertThat(stored).containsOnly(RecordDescriptor.UNCHECKSUMMED);
            assertThat(partition.checksummedOffset()).isZero();

            partition.force();

            assertThat(partition.checksummedOffset()).isEqualTo(50);
            assertThat(readChecksums(partition, 50)).doesNotContain(RecordDescriptor.UNCHECKSUMMED);
            assertEveryRecordChecksummed(partition);
        }
    }

    @Test
    void shouldChecksumPublishedRecordsOnTheDutyWithoutAForce()
    {
        try (Journal journal = Journal.open(JournalTestSupport.smallContext(dir).stagedWrites(false)))
        {
            final Partition partition = journal.createTopic("t", 1).partition(0);
            for (long i = 0; i < 3000; i++)
            {
                JournalTestSupport.append(partition.writer(), scratch, i);
            }
            final long deadline = System.nanoTime() + 60_000_000_000L;
            while (partition.checksummedOffset() < partition.endOffset() && System.nanoTime() < deadline)
            {
                Thread.onSpinWait();
            }
            assertThat(partition.checksummedOffset()).isEqualTo(3000);
            assertThat(partition.durableOffset()).as("the duty checksums, it does not force").isZero();
            assertEveryRecordChecksummed(partition);
        }
    }

    /**
     * A frame length damaged in the mapping before anything checksummed it (a stray write into the mapping): the
     * checksum is computed without bounds checks, so such a length once reached the CRC32C intrinsic and crashed
     * the JVM. Each of the three callers (a force(), the duty, the idle writer) now reports it naming the file and
     * the length, and stops the writer; the records before it carry their checksums.
     */
    @Test
    void shouldStopTheWriterNamingTheFrameLengthWhenAFrameIsDamagedBeforeItIsChecksummed()
    {
        final int[] damagedLengths = {7, -64, Integer.MAX_VALUE};
        int run = 0;
        for (final int damagedLength : damagedLengths)
        {
            for (final String caller : new String[] {"force", "duty", "idle writer"})
            {
                try (Journal journal = Journal.open(quietContext(dir.resolve("run-" + run++))))
                {
                    final Partition partition = journal.createTopic("t", 1).partition(0);
                    for (long i = 0; i < 20; i++)
                    {
                        JournalTestSupport.append(partition.writer(), scratch, i);
                    }
                    final Segment segment = partition.segments()[0];
                    segment.buffer().putInt(segment.positionOf(5) + RecordDescriptor.LENGTH_OFFSET, damagedLength);

                    assertThatThrownBy(() ->
                    {
                        switch (caller)
                        {
                            case "force" -> partition.force();
                            case "duty" ->
                            {
                                partition.checksumPublished(Integer.MAX_VALUE); // stays behind the writer
                                partition.checksumPublished(Integer.MAX_VALUE); // catches up: reaches the damage
                            }
                            default -> partition.writer().doIdleWork();
                        }
                    })
                        .as("%s, frame length %d", caller, damagedLength)
                        .isInstanceOf(JournalException.class)
                        .satisfies(ex -> assertThat(((JournalException)ex).category()).isEqualTo(JournalException.Category.FATAL))
                        .hasMessageContaining(segment.file().toString())
                        .hasMessageContaining("frame length " + damagedLength);
                    assertThat(partition.checksummedOffset()).as("%s: the records before the damage", caller).isEqualTo(5);
                    assertThatThrownBy(() -> JournalTestSupport.append(partition.writer(), scratch, 20))
                        .as("%s: the writer acknowledges nothing more", caller)
                        .isInstanceOf(JournalException.class)
                        .hasMessageContaining("frame length " + damagedLength);
                }
            }
        }
    }

    @Test
    void shouldKeepAndChecksumUnchecksummedRecordsOfAKilledWriterOfTheSameBoot() throws IOException
    {
        final Path image = crashImage(20, 70);

        try (Journal journal = Journal.open(quietContext(image)))
        {
            final Partition partition = journal.topic("t").partition(0);
            assertThat(partition.endOffset()).isEqualTo(70);
            assertThat(journal.recoveryEvents()).anySatisfy(event ->
                assertThat(event.toString()).contains("checksummed 50 records"));
            assertThat(readChecksums(partition, 70)).doesNotContain(RecordDescriptor.UNCHECKSUMMED);
            assertEveryRecordChecksummed(partition);
        }
    }

    @Test
    void shouldDropUnchecksummedRecordsAfterTheLastForceAsATornTailAfterARestart() throws IOException
    {
        final Path image = crashImage(20, 70);

        try (Journal journal = Journal.open(quietContext(image).bootId(ANOTHER_BOOT)))
        {
            final Partition partition = journal.topic("t").partition(0);
            assertThat(partition.endOffset()).as("only what a force covered (and so checksummed) is kept").isEqualTo(20);
            assertThat(journal.recoveryEvents()).anySatisfy(event ->
                assertThat(event.toString()).contains("truncated torn tail after record offset 19").contains("never checksummed"));
            assertEveryRecordChecksummed(partition);
            JournalTestSupport.append(partition.writer(), scratch, 20);
        }
        try (Journal journal = Journal.open(quietContext(image).bootId(ANOTHER_BOOT)))
        {
            assertThat(journal.topic("t").partition(0).endOffset()).isEqualTo(21);
            assertThat(journal.recoveryEvents()).isEmpty();
        }
    }

    @Test
    void shouldRefuseARecordLeftUnchecksummedInTheForcedRegion() throws IOException
    {
        final int[] positions = writeAndClose(dir, 40);
        // Record 12 was forced with its checksum; its CRC32C field now reads "not yet checksummed".
        putInt(log(dir), positions[12] + RecordDescriptor.CRC_OFFSET, RecordDescriptor.UNCHECKSUMMED);

        for (final BootId boot : new BootId[] {BootId.current(), ANOTHER_BOOT})
        {
            assertThatThrownBy(() -> Journal.open(quietContext(dir).bootId(boot)).close())
                .isInstanceOf(JournalException.class)
                .satisfies(ex -> assertThat(((JournalException)ex).category()).isEqualTo(JournalException.Category.CORRUPTION))
                .hasMessageContaining("byte offset " + positions[12])
                .hasMessageContaining("record offset 12")
                .hasMessageContaining("valid record follows");
        }
    }

    @Test
    void shouldKeepRecordsChecksummedButNotForcedWhenACrashCameBetweenChecksumAndForce() throws IOException
    {
        // 30 records forced, 40 more checksummed by the duty, then the crash before the force.
        final Path live = dir.resolve("live");
        final Path image = dir.resolve("image");
        final int[] positions = new int[70];
        try (Journal journal = Journal.open(quietContext(live)))
        {
            final Partition partition = journal.createTopic("t", 1).partition(0);
            appendRecording(partition, 0, 30, positions);
            partition.force();
            appendRecording(partition, 30, 70, positions);
            int checksummed = 0;
            for (int cycle = 0; cycle < 2; cycle++)
            {
                // Duty cycles: the first stays a few records behind the writer, the next catches up.
                checksummed += partition.checksumPublished(Integer.MAX_VALUE);
            }
            assertThat(checksummed).isEqualTo(40);
            assertThat(partition.checksummedOffset()).isEqualTo(70);
            copyTree(live, image);
        }
        // The device kept the pages up to the middle of record 61 and none after: a torn write.
        final int torn = positions[61] + RecordDescriptor.HEADER_LENGTH;
        zeroRange(log(image), torn, positions[69] + RecordDescriptor.alignedFrameLength(JournalTestSupport.payloadLength(69)));

        try (Journal journal = Journal.open(quietContext(image).bootId(ANOTHER_BOOT)))
        {
            final Partition partition = journal.topic("t").partition(0);
            assertThat(partition.endOffset()).as("checksummed records survive up to the torn one").isEqualTo(61);
            assertThat(journal.recoveryEvents()).anySatisfy(event ->
                assertThat(event.toString()).contains("truncated torn tail after record offset 60").contains("CRC32C mismatch"));
            assertEveryRecordChecksummed(partition);
        }
    }

    @Test
    void shouldChecksumTheUnchecksummedEndOfASealedSegmentOfAKilledWriterOfTheSameBoot() throws IOException
    {
        final Path image = crashImageAcrossRoll();

        try (Journal journal = Journal.open(quietContext(image)))
        {
            final Partition partition = journal.topic("t").partition(0);
            assertThat(partition.segmentInfos()).hasSizeGreaterThan(1);
            assertEveryRecordChecksummed(partition);
        }
    }

    @Test
    void shouldRefuseASealedSegmentWhoseEndWasNeverChecksummedAfterARestart() throws IOException
    {
        final Path image = crashImageAcrossRoll();

        assertThatThrownBy(() -> Journal.open(quietContext(image).bootId(ANOTHER_BOOT)).close())
            .isInstanceOf(JournalException.class)
            .hasMessageContaining("sealed segment")
            .hasMessageContaining("never checksummed");
    }

    @Test
    void shouldReadAVersionOneJournalAndAppendToANewSegment() throws IOException
    {
        writeAndClose(dir, 40);
        rewriteHeaderAsVersionOne(log(dir));

        try (Journal journal = Journal.open(quietContext(dir)))
        {
            final Partition partition = journal.topic("t").partition(0);
            assertThat(journal.recoveryEvents()).anySatisfy(event ->
                assertThat(event.toString()).contains("sealed the version-1 tail segment"));
            assertThat(partition.endOffset()).isEqualTo(40);
            JournalTestSupport.append(partition.writer(), scratch, 40);
            assertThat(partition.segmentInfos()).hasSize(2);
        }
        try (Journal journal = Journal.open(quietContext(dir).bootId(ANOTHER_BOOT)))
        {
            final Partition partition = journal.topic("t").partition(0);
            assertThat(journal.recoveryEvents()).isEmpty();
            assertThat(partition.endOffset()).isEqualTo(41);
            assertEveryRecordChecksummed(partition);
        }
    }

    @Test
    void shouldRefuseASegmentOfAnUnknownVersionNamingIt() throws IOException
    {
        writeAndClose(dir, 5);
        final Path log = log(dir);
        try (RandomAccessFile raf = new RandomAccessFile(log.toFile(), "rw"))
        {
            final byte[] header = new byte[SegmentDescriptor.HEADER_LENGTH];
            raf.readFully(header);
            final UnsafeBuffer buffer = new UnsafeBuffer(header);
            buffer.putInt(SegmentDescriptor.VERSION_OFFSET, 3);
            buffer.putInt(SegmentDescriptor.HEADER_CRC_OFFSET, SegmentDescriptor.headerCrc(buffer));
            raf.seek(0);
            raf.write(header);
        }
        assertThatThrownBy(() -> Journal.open(quietContext(dir)).close())
            .isInstanceOf(JournalException.class)
            .hasMessageContaining(log.toString())
            .hasMessageContaining("unsupported version 3");
    }

    /** Appends {@code forced} records, forces, appends up to {@code total} more, and copies the files as a kill would leave them. */
    private Path crashImage(final int forced, final int total) throws IOException
    {
        final Path live = dir.resolve("live");
        final Path image = dir.resolve("image");
        try (Journal journal = Journal.open(quietContext(live)))
        {
            final Partition partition = journal.createTopic("t", 1).partition(0);
            for (long i = 0; i < total; i++)
            {
                JournalTestSupport.append(partition.writer(), scratch, i);
                if (i == forced - 1)
                {
                    partition.force();
                }
            }
            copyTree(live, image);
        }
        return image;
    }

    /** A writer that rolled to a second segment before the end of the first was checksummed, then killed. */
    private Path crashImageAcrossRoll() throws IOException
    {
        final Path live = dir.resolve("live");
        final Path image = dir.resolve("image");
        try (Journal journal = Journal.open(quietContext(live)))
        {
            final Partition partition = journal.createTopic("t", 1).partition(0);
            long i = 0;
            while (partition.segmentInfos().size() < 2)
            {
                JournalTestSupport.append(partition.writer(), scratch, i++);
            }
            JournalTestSupport.append(partition.writer(), scratch, i);
            copyTree(live, image);
        }
        return image;
    }

    private int[] writeAndClose(final Path journalDir, final int count)
    {
        final int[] positions = new int[count];
        try (Journal journal = Journal.open(quietContext(journalDir)))
        {
            appendRecording(journal.createTopic("t", 1).partition(0), 0, count, positions);
        }
        // Tail damage is what a crash leaves: without the recovery point of a clean close, the open walks the tail.
        JournalTestSupport.clearRecoveryPoints(journalDir);
        return positions;
    }

    private void appendRecording(final Partition partition, final int from, final int to, final int[] positions)
    {
        for (int i = from; i < to; i++)
        {
            final List<SegmentInfo> infos = partition.segmentInfos();
            positions[i] = (int)infos.get(infos.size() - 1).bytesUsed();
            JournalTestSupport.append(partition.writer(), scratch, i);
        }
    }

    private static List<Integer> readChecksums(final Partition partition, final int count)
    {
        final List<Integer> checksums = new ArrayList<>();
        try (PartitionReader reader = partition.newReader())
        {
            final long[] next = {0};
            while (checksums.size() < count && reader.poll(record ->
            {
                assertThat(JournalTestSupport.check(record, next[0]++)).isNull();
                checksums.add(record.checksum());
            }, 64) > 0)
            {
                // read on
            }
        }
        assertThat(checksums).hasSize(count);
        return checksums;
    }

    /** Every record reads back as written and its stored CRC32C matches its bytes. */
    static void assertEveryRecordChecksummed(final Partition partition)
    {
        final RecordChecksum checksum = new RecordChecksum();
        try (PartitionReader reader = partition.newReader())
        {
            final long[] next = {partition.startOffset()};
            while (reader.poll(record ->
            {
                assertThat(JournalTestSupport.check(record, next[0])).isNull();
                final UnsafeBuffer buffer = (UnsafeBuffer)record.buffer();
                final int position = record.payloadOffset() - RecordDescriptor.HEADER_LENGTH;
                assertThat(checksum.matches(buffer, null, position, record.payloadLength() + RecordDescriptor.HEADER_LENGTH, false))
                    .as("record %d carries its checksum", next[0]).isTrue();
                next[0]++;
            }, 64) > 0)
            {
                // read on
            }
            assertThat(next[0]).isEqualTo(partition.endOffset());
        }
    }

    private static Path log(final Path journalDir)
    {
        return JournalDamageTest.log(journalDir, 0);
    }

    private static void putInt(final Path file, final long position, final int value) throws IOException
    {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            raf.seek(position);
            raf.writeInt(Integer.reverseBytes(value));
        }
    }

    private static void zeroRange(final Path file, final long from, final long to) throws IOException
    {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            raf.seek(from);
            raf.write(new byte[(int)(to - from)]);
        }
    }

    /** Version 1: the same records (their stored checksums are their CRC32C, none is 0 here), bytes 24..63 zero. */
    private static void rewriteHeaderAsVersionOne(final Path log) throws IOException
    {
        try (RandomAccessFile raf = new RandomAccessFile(log.toFile(), "rw"))
        {
            final byte[] header = new byte[SegmentDescriptor.HEADER_LENGTH];
            raf.readFully(header);
            final UnsafeBuffer buffer = new UnsafeBuffer(header);
            buffer.putInt(SegmentDescriptor.VERSION_OFFSET, SegmentDescriptor.LEGACY_VERSION);
            buffer.putInt(SegmentDescriptor.HEADER_CRC_OFFSET, SegmentDescriptor.headerCrc(buffer));
            buffer.setMemory(SegmentDescriptor.BOOT_ID_OFFSET, SegmentDescriptor.HEADER_LENGTH - SegmentDescriptor.BOOT_ID_OFFSET, (byte)0);
            raf.seek(0);
            raf.write(header);
        }
    }

    private static void copyTree(final Path from, final Path to) throws IOException
    {
        try (Stream<Path> walk = Files.walk(from))
        {
            for (final Path source : (Iterable<Path>)walk::iterator)
            {
                final Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source))
                {
                    Files.createDirectories(target);
                    Files.setPosixFilePermissions(target, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
                }
                else
                {
                    Files.copy(source, target);
                }
            }
        }
    }
}
