package io.sluice.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PartitionRecoveryTest
{
    private static final int RECORDS = 40;

    @TempDir
    Path dir;

    private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[256]);

    /** Writes RECORDS records to a fresh journal and returns the byte position of each record in the tail segment. */
    private long[] writeRecords(final Path journalDir)
    {
        final long[] positions = new long[RECORDS + 1];
        try (Journal journal = Journal.open(JournalTestSupport.smallContext(journalDir)))
        {
            final Partition partition = journal.createTopic("t", 1).partition(0);
            for (long i = 0; i < RECORDS; i++)
            {
                positions[(int)i] = partition.segmentInfos().get(0).bytesUsed();
                JournalTestSupport.append(partition.writer(), scratch, i);
            }
            positions[RECORDS] = partition.segmentInfos().get(0).bytesUsed();
        }
        // Tail damage is what a crash leaves: without the recovery point of a clean close, the open walks the tail.
        JournalTestSupport.clearRecoveryPoints(journalDir);
        return positions;
    }

    private static Path segmentFile(final Path journalDir)
    {
        return journalDir.resolve("t").resolve("partition-0").resolve(SegmentDescriptor.baseName(0) + ".log");
    }

    private static void zeroFrom(final Path file, final long from, final long to) throws IOException
    {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            raf.seek(from);
            raf.write(new byte[(int)(to - from)]);
        }
    }

    @Test
    void shouldTruncateTornTailAtEveryBytePositionOfLastThreeRecords() throws IOException
    {
        final long[] positions = writeRecords(dir.resolve("template"));
        int cases = 0;
        for (int record = RECORDS - 3; record < RECORDS; record++)
        {
            for (long cut = positions[record]; cut < positions[record + 1]; cut++)
            {
                final Path journalDir = dir.resolve("cut-" + cut);
                copyJournal(dir.resolve("template"), journalDir);
                // A torn write: everything from the cut on never reached the file.
                zeroFrom(segmentFile(journalDir), cut, positions[RECORDS]);
                // A cut inside the frame leaves a length whose CRC no longer matches (or no length at
                // all, or a CRC32C field of 0: not checksummed); a cut in the alignment padding after the
                // frame damages nothing. Torn writes come from power loss: the machine restarted since.
                final long frameEnd = positions[record] + RecordDescriptor.HEADER_LENGTH + JournalTestSupport.payloadLength(record);
                final long survivors = cut >= frameEnd ? record + 1 : record;
                try (Journal journal = Journal.open(JournalTestSupport.smallContext(journalDir).bootId(new BootId(1, 2))))
                {
                    final Partition partition = journal.topic("t").partition(0);
                    assertThat(partition.endOffset()).as("cut at %d", cut).isEqualTo(survivors);
                    assertThat(PartitionRoundTripTest.readAll(partition, 0)).isEqualTo(survivors);
                    // The partition is writable again right after the damage.
                    JournalTestSupport.append(partition.writer(), scratch, survivors);
                }
                try (Journal journal = Journal.open(JournalTestSupport.smallContext(journalDir)))
                {
                    assertThat(PartitionRoundTripTest.readAll(journal.topic("t").partition(0), 0)).isEqualTo(survivors + 1);
                    assertThat(journal.recoveryEvents()).isEmpty();
                }
                cases++;
            }
        }
        assertThat(cases).isGreaterThan(3 * 40);
    }

    @Test
    void shouldTruncateGarbageAtTheEndAndRefuseGarbageBeforeValidRecords() throws IOException
    {
        final long[] positions = writeRecords(dir.resolve("template"));
        final long seed = Long.getLong("sluice.test.seed", System.nanoTime()); // -Dsluice.test.seed=N replays a failure
        final Random random = new Random(seed);
        final byte[] template = Files.readAllBytes(segmentFile(dir.resolve("template")));
        for (int trial = 0; trial < 30; trial++)
        {
            final Path journalDir = dir.resolve("garbage-" + trial);
            copyJournal(dir.resolve("template"), journalDir);
            final long start = positions[RECORDS / 2] + random.nextInt((int)(positions[RECORDS] - positions[RECORDS / 2]) + 200);
            final byte[] garbage = new byte[1 + random.nextInt(3000)];
            random.nextBytes(garbage);
            garbage[0] = (byte)(garbage[0] | 1); // at least one non-zero byte where the damage starts
            try (RandomAccessFile raf = new RandomAccessFile(segmentFile(journalDir).toFile(), "rw"))
            {
                raf.seek(start);
                raf.write(garbage);
            }
            // The first record whose frame the garbage changes is where recovery must cut; garbage only in
            // alignment padding damages nothing. Random bytes may equal what they overwrite (1 in 128 for the
            // first, odd, byte): the damage spans from the first byte changed to the last.
            int first = 0;
            while (first < garbage.length && garbage[first] == byteAt(template, start + first))
            {
                first++;
            }
            int last = garbage.length;
            while (last > first && garbage[last - 1] == byteAt(template, start + last - 1))
            {
                last--;
            }
            if (first == last)
            {
                continue; // nothing changed
            }
            final long end = start + last;
            int expected = RECORDS;
            for (int i = 0; i < RECORDS; i++)
            {
                final long frameEnd = positions[i] + RecordDescriptor.HEADER_LENGTH + JournalTestSupport.payloadLength(i);
                if (start + first < frameEnd && end > positions[i])
                {
                    expected = i;
                    break;
                }
            }
            final boolean damaged = expected < RECORDS || end > positions[RECORDS];
            boolean validFollows = false;
            for (int i = expected + 1; i < RECORDS; i++)
            {
                validFollows |= positions[i] >= end;
            }
            if (expected < RECORDS && validFollows)
            {
                // Whole records survive after the damage: corruption, refused with file and byte offset.
                assertThatThrownBy(() -> Journal.open(JournalTestSupport.smallContext(journalDir)))
                    .as("seed %d start %d", seed, start)
                    .hasMessageContaining(segmentFile(journalDir).toString())
                    .hasMessageContaining("byte offset " + positions[expected])
                    .hasMessageContaining("valid record follows");
                continue;
            }
            try (Journal journal = Journal.open(JournalTestSupport.smallContext(journalDir)))
            {
                final Partition partition = journal.topic("t").partition(0);
                assertThat(partition.endOffset()).as("seed %d start %d", seed, start).isEqualTo(expected);
                assertThat(PartitionRoundTripTest.readAll(partition, 0)).isEqualTo(expected);
                final List<RecoveryEvent> events = journal.recoveryEvents();
                assertThat(events).as("seed %d start %d", seed, start).hasSize(damaged ? 1 : 0);
                if (damaged)
                {
                    assertThat(events.get(0).file()).isEqualTo(segmentFile(journalDir));
                    assertThat(events.get(0).position()).isEqualTo(positions[expected]);
                    assertThat(events.get(0).bytesDropped()).isPositive();
                }
            }
        }
    }

    /**
     * A sealed segment without a seal mark (its writer died between forcing it and marking it, or an older
     * Sluice wrote it) is verified record by record at open. A marked one is trusted at open and its records
     * are checked when read: {@code SealMarkTest}.
     */
    @Test
    void shouldRefuseToOpenPartitionWithBitFlipInUnmarkedSealedSegment() throws IOException
    {
        final Path journalDir = dir.resolve("j");
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
        try (Journal journal = Journal.open(JournalTestSupport.smallContext(journalDir)))
        {
            final Partition partition = journal.createTopic("t", 1).partition(0);
            for (long i = 0; i < 5000; i++)
            {
                JournalTestSupport.append(partition.writer(), buffer, i);
            }
            assertThat(partition.segmentInfos().size()).isGreaterThan(2);
        }
        final Path sealed = segmentFile(journalDir);
        final long flipAt = 10_000;
        try (RandomAccessFile raf = new RandomAccessFile(sealed.toFile(), "rw"))
        {
            raf.seek(SealMark.MAGIC_OFFSET);
            raf.write(new byte[SegmentDescriptor.HEADER_LENGTH - SealMark.MAGIC_OFFSET]);
            raf.seek(flipAt);
            final int b = raf.read();
            raf.seek(flipAt);
            raf.write(b ^ 0x10);
        }
        assertThatThrownBy(() -> Journal.open(JournalTestSupport.smallContext(journalDir)))
            .isInstanceOf(JournalException.class)
            .satisfies(ex -> assertThat(((JournalException)ex).category()).isEqualTo(JournalException.Category.CORRUPTION))
            .hasMessageContaining(sealed.toString())
            .hasMessageContaining("byte offset")
            .hasMessageContaining("CRC32C mismatch");
    }

    @Test
    void shouldRefuseSealedSegmentWhoseTailWasZeroed() throws IOException
    {
        final Path journalDir = dir.resolve("j");
        try (Journal journal = Journal.open(JournalTestSupport.smallContext(journalDir)))
        {
            final Partition partition = journal.createTopic("t", 1).partition(0);
            for (long i = 0; i < 5000; i++)
            {
                JournalTestSupport.append(partition.writer(), scratch, i);
            }
        }
        final Path sealed = segmentFile(journalDir);
        zeroFrom(sealed, 60_000, JournalTestSupport.SMALL_SEGMENT);
        assertThatThrownBy(() -> Journal.open(JournalTestSupport.smallContext(journalDir)))
            .hasMessageContaining(sealed.toString())
            .hasMessageContaining("expected");
    }

    private static byte byteAt(final byte[] file, final long position)
    {
        return position < file.length ? file[(int)position] : 0;
    }

    static void copyJournal(final Path from, final Path to) throws IOException
    {
        try (var walk = java.nio.file.Files.walk(from))
        {
            for (final Path source : (Iterable<Path>)walk::iterator)
            {
                final Path target = to.resolve(from.relativize(source).toString());
                if (java.nio.file.Files.isDirectory(source))
                {
                    java.nio.file.Files.createDirectories(target);
                    java.nio.file.Files.setPosixFilePermissions(target, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
                }
                else
                {
                    java.nio.file.Files.copy(source, target);
                }
            }
        }
    }
}
